package org.attest4j.tdx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * The root every Intel DCAP chain must end at: the SHA-256 of a root CA's DER SubjectPublicKeyInfo.
 * {@link #intelSgxRootCa()} is Intel's SGX Root CA, pinned in the code and used by default; any
 * other root (a private test PKI, {@code org.attest4j.tdx.testing.SimulatedTdxPlatform}) is trusted
 * only when passed to {@link TdxVerifier.Builder#trustAnchor}.
 *
 * <p>The key, not the certificate, is pinned, so a chain carries its own copy of the root
 * certificate. That copy is checked all the same, as go-tdx-guest and Intel's QVL do: it must be
 * self-issued, carry the pinned key, and its self-signature must verify with that key. A root
 * certificate whose bytes were changed is refused with {@link TdxReason#CERT_CHAIN_INVALID} even
 * though its key is the pinned one.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxTrustAnchor {
  private static final TdxTrustAnchor INTEL =
      new TdxTrustAnchor(HexFormat.of().parseHex(Pki.INTEL_SGX_ROOT_CA_SPKI_SHA256), "Intel SGX Root CA", true);

  private final byte[] spkiSha256;
  private final String name;
  private final boolean intel;

  private TdxTrustAnchor(byte[] spkiSha256, String name, boolean intel) {
    this.spkiSha256 = spkiSha256;
    this.name = name;
    this.intel = intel;
  }

  /**
   * Intel's SGX Root CA (CN=Intel SGX Root CA, valid 2018-05-21 to 2049-12-31), pinned by key.
   *
   * @return the anchor every verifier uses unless told otherwise
   */
  public static TdxTrustAnchor intelSgxRootCa() {
    return INTEL;
  }

  /**
   * A root given by the SHA-256 of its DER SubjectPublicKeyInfo.
   *
   * @param spkiSha256 32 bytes
   * @param name a human-readable name, shown in messages
   * @return the anchor
   * @throws IllegalArgumentException if {@code spkiSha256} is not 32 bytes
   */
  public static TdxTrustAnchor ofSpkiSha256(Bytes spkiSha256, String name) {
    Objects.requireNonNull(spkiSha256, "spkiSha256");
    Objects.requireNonNull(name, "name");
    if (spkiSha256.length() != 32) {
      throw new IllegalArgumentException("a root key fingerprint is 32 bytes (SHA-256), got " + spkiSha256.length());
    }
    byte[] pin = spkiSha256.toByteArray();
    return new TdxTrustAnchor(pin, name, MessageDigest.isEqual(pin, INTEL.spkiSha256));
  }

  /**
   * A root whose key is that of the given self-signed root certificate (DER, or PEM holding exactly
   * one certificate). The certificate's own self-signature must verify.
   *
   * @param derOrPem the root certificate
   * @return the anchor, named after the certificate's common name
   * @throws MalformedEvidenceException with {@link TdxReason#CERT_CHAIN_INVALID} if the input is
   *     not
   *     one well-formed ECDSA P-256 certificate that is self-issued and self-signed
   */
  public static TdxTrustAnchor ofCertificate(byte[] derOrPem) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(derOrPem, "root certificate");
    try {
      Bytes der;
      String text = new String(derOrPem, StandardCharsets.US_ASCII);
      if (text.contains("-----BEGIN CERTIFICATE-----")) {
        List<Bytes> all;
        try {
          all = TdxQuote.decodePemChain(derOrPem);
        } catch (MalformedEvidenceException e) {
          throw new MalformedEvidenceException(
              TdxReason.CERT_CHAIN_INVALID, "trust root PEM: " + e.getMessage().replaceFirst("^TDX quote: ", ""), e);
        }
        if (all.size() != 1) {
          throw new MalformedEvidenceException(
              TdxReason.CERT_CHAIN_INVALID, "a trust root is one certificate; the PEM holds " + all.size());
        }
        der = all.get(0);
      } else {
        der = Bytes.of(derOrPem);
      }
      Pki.Cert c = new Pki.Cert(der, "trust root");
      TdxTrustAnchor a = new TdxTrustAnchor(c.spkiSha256(), c.subjectCn(), false);
      a.requireTrusts(c, "trust root", new Pki.Memo());
      return ofSpkiSha256(Bytes.of(a.spkiSha256), c.subjectCn());
    } catch (VerificationException e) {
      throw new MalformedEvidenceException(TdxReason.CERT_CHAIN_INVALID, e.getMessage(), e);
    }
  }

  /**
   * The pinned key fingerprint.
   *
   * @return SHA-256 of the root's DER SubjectPublicKeyInfo
   */
  public Bytes spkiSha256() {
    return Bytes.of(spkiSha256);
  }

  /**
   * A human-readable name, for example {@code "Intel SGX Root CA"}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Whether this is Intel's SGX Root CA key.
   *
   * @return true for Intel's root
   */
  public boolean isIntelRoot() {
    return intel;
  }

  /** The raw pin, for chain building. */
  byte[] pin() {
    return spkiSha256.clone();
  }

  /**
   * Requires {@code root} (the last certificate of a chain) to be this anchor: the pinned key,
   * self-issued, and a valid self-signature.
   */
  void requireTrusts(Pki.Cert root, String role, Pki.Memo memo) throws VerificationException {
    if (!MessageDigest.isEqual(root.spkiSha256(), spkiSha256)) {
      throw new VerificationException(
          TdxReason.UNTRUSTED_ROOT,
          role + " chain ends at '" + root.subject + "' whose key is not the pinned " + name + " key");
    }
    if (!root.subject.equals(root.issuer)) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID, role + " chain root '" + root.subjectCn() + "' is not self-issued");
    }
    if (!memo.signedBy(root, root)) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID,
          role + " chain root '" + root.subjectCn() + "' carries the pinned key but its self-signature"
              + " does not verify: the root certificate's bytes were changed");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TdxTrustAnchor t && MessageDigest.isEqual(spkiSha256, t.spkiSha256);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(spkiSha256);
  }

  @Override
  public String toString() {
    return "TdxTrustAnchor[" + name + ", spki sha256 " + HexFormat.of().formatHex(spkiSha256) + "]";
  }
}
