package org.attest4j.azure.tpm;

import java.io.ByteArrayOutputStream;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * A TPMT_SIGNATURE (TPM 2.0 Part 2, 11.3.4) of one of the schemes a quote is verified with: RSASSA
 * (PKCS#1 v1.5), RSAPSS (salt = digest length) or ECDSA. Any other sigAlg (ECDAA, SM2, ECSCHNORR,
 * HMAC, NULL) is refused. Trustee's evidence carries a bare RSA signature instead, see {@link
 * #rawRsassa}. Immutable and thread-safe.
 */
public final class TpmtSignature {
  /** The signature schemes. */
  public enum Scheme {
    /** TPM_ALG_RSASSA (0x0014). */
    RSASSA(0x0014),
    /** TPM_ALG_RSAPSS (0x0016). */
    RSAPSS(0x0016),
    /** TPM_ALG_ECDSA (0x0018). */
    ECDSA(0x0018);

    private final int algId;

    Scheme(int algId) {
      this.algId = algId;
    }

    /**
     * The TPM_ALG_ID.
     *
     * @return the identifier
     */
    public int algId() {
      return algId;
    }
  }

  private final Scheme scheme;
  private final TpmHash hash;
  private final Bytes rsa;
  private final Bytes r;
  private final Bytes s;

  private TpmtSignature(Scheme scheme, TpmHash hash, Bytes rsa, Bytes r, Bytes s) {
    this.scheme = scheme;
    this.hash = hash;
    this.rsa = rsa;
    this.r = r;
    this.s = s;
  }

  /**
   * Parses a TPMT_SIGNATURE; trailing bytes are refused.
   *
   * @param encoded the structure
   * @return the signature
   * @throws MalformedEvidenceException if malformed or of an unsupported scheme
   */
  public static TpmtSignature parse(byte[] encoded) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(encoded, "TPMT_SIGNATURE");
    ByteReader rd = ByteReader.of(encoded, "TPMT_SIGNATURE");
    int alg = rd.u16be("sigAlg");
    Scheme scheme = null;
    for (Scheme sc : Scheme.values()) {
      if (sc.algId == alg) {
        scheme = sc;
      }
    }
    if (scheme == null) {
      throw Tpm2b.bad("TPMT_SIGNATURE sigAlg 0x" + Integer.toHexString(alg)
          + " is not RSASSA (0x14), RSAPSS (0x16) or ECDSA (0x18)");
    }
    int h = rd.u16be("hashAlg");
    TpmHash hash = TpmHash.fromAlgId(h).orElseThrow(
        () -> Tpm2b.bad("TPMT_SIGNATURE hashAlg 0x" + Integer.toHexString(h) + " is not SHA-1/256/384/512"));
    TpmtSignature sig;
    if (scheme == Scheme.ECDSA) {
      byte[] r = Tpm2b.read(rd, "signatureR", 66);
      byte[] s = Tpm2b.read(rd, "signatureS", 66);
      sig = new TpmtSignature(scheme, hash, null, Bytes.of(r), Bytes.of(s));
    } else {
      byte[] v = Tpm2b.read(rd, "sig", 512);
      sig = new TpmtSignature(scheme, hash, Bytes.of(v), null, null);
    }
    Tpm2b.end(rd, "TPMT_SIGNATURE");
    return sig;
  }

  /**
   * A bare RSA signature as trustee's evidence carries it: RSASSA-PKCS1-v1_5 with {@code hash}.
   *
   * @param hash the digest algorithm (SHA-256 on Azure)
   * @param signature the RSA signature bytes
   * @return the signature
   * @throws MalformedEvidenceException if the signature is empty or longer than 512 bytes
   */
  public static TpmtSignature rawRsassa(TpmHash hash, byte[] signature) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(signature, "RSA signature");
    if (signature.length == 0 || signature.length > 512) {
      throw Tpm2b.bad("RSA signature is " + signature.length + " bytes; expected 1..512");
    }
    return new TpmtSignature(Scheme.RSASSA, Objects.requireNonNull(hash, "hash"), Bytes.of(signature), null, null);
  }

  /**
   * The scheme.
   *
   * @return sigAlg
   */
  public Scheme scheme() {
    return scheme;
  }

  /**
   * The scheme's hash, which is also the hash of the quote's pcrDigest.
   *
   * @return hashAlg
   */
  public TpmHash hash() {
    return hash;
  }

  /**
   * The RSA signature (RSASSA, RSAPSS).
   *
   * @return the bytes, or null for ECDSA
   */
  public Bytes rsaSignature() {
    return rsa;
  }

  /**
   * ECDSA r, unsigned big-endian.
   *
   * @return r, or null for RSA
   */
  public Bytes ecdsaR() {
    return r;
  }

  /**
   * ECDSA s, unsigned big-endian.
   *
   * @return s, or null for RSA
   */
  public Bytes ecdsaS() {
    return s;
  }

  /**
   * The TPMT_SIGNATURE encoding.
   *
   * @return the bytes
   */
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Tpm2b.u16(out, scheme.algId);
    Tpm2b.u16(out, hash.algId());
    if (scheme == Scheme.ECDSA) {
      Tpm2b.tpm2b(out, r.toByteArray());
      Tpm2b.tpm2b(out, s.toByteArray());
    } else {
      Tpm2b.tpm2b(out, rsa.toByteArray());
    }
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return "TpmtSignature[" + scheme + "-" + hash + "]";
  }
}
