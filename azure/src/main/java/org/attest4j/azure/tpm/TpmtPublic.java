package org.attest4j.azure.tpm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * A TPMT_PUBLIC of an RSA or ECC key (TPM 2.0 Part 2, 12.2.4), its Name and qualified name. Keyed
 * hash and symmetric objects are refused. Immutable and thread-safe.
 */
public final class TpmtPublic {
  /** TPM_ALG_RSA. */
  public static final int TPM_ALG_RSA = 0x0001;
  /** TPM_ALG_ECC. */
  public static final int TPM_ALG_ECC = 0x0023;
  /** TPM_ALG_NULL. */
  public static final int TPM_ALG_NULL = 0x0010;
  /** TPM_RH_ENDORSEMENT, the hierarchy Azure's AK is a primary key of. */
  public static final int TPM_RH_ENDORSEMENT = 0x4000000B;
  /** Azure's AK attributes: fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, noDA, restricted, sign. */
  public static final long AZURE_AK_ATTRIBUTES = 0x00050472L;

  /** ECC curves (TPM_ECC_CURVE). */
  public enum Curve {
    /** TPM_ECC_NIST_P256 (0x0003). */
    P256(0x0003, 32, "secp256r1"),
    /** TPM_ECC_NIST_P384 (0x0004). */
    P384(0x0004, 48, "secp384r1"),
    /** TPM_ECC_NIST_P521 (0x0005). */
    P521(0x0005, 66, "secp521r1");

    private final int id;
    private final int size;
    private final String secName;

    Curve(int id, int size, String secName) {
      this.id = id;
      this.size = size;
      this.secName = secName;
    }

    /**
     * The TPM_ECC_CURVE identifier.
     *
     * @return the identifier
     */
    public int curveId() {
      return id;
    }

    /**
     * The coordinate length.
     *
     * @return bytes
     */
    public int size() {
      return size;
    }

    String secName() {
      return secName;
    }
  }

  private final Bytes encoded;
  private final int type;
  private final TpmHash nameAlg;
  private final long attributes;
  private final int schemeAlg;
  private final TpmHash schemeHash;
  private final int keyBits;
  private final long exponent;
  private final Bytes modulus;
  private final Curve curve;
  private final Bytes x;
  private final Bytes y;

  private TpmtPublic(byte[] raw) throws MalformedEvidenceException {
    this.encoded = Bytes.of(raw);
    ByteReader r = ByteReader.of(raw, "TPMT_PUBLIC");
    type = r.u16be("type");
    if (type != TPM_ALG_RSA && type != TPM_ALG_ECC) {
      throw Tpm2b.bad("TPMT_PUBLIC type 0x" + Integer.toHexString(type) + " is not RSA (0x1) or ECC (0x23)");
    }
    int na = r.u16be("nameAlg");
    nameAlg = TpmHash.fromAlgId(na).orElseThrow(
        () -> Tpm2b.bad("TPMT_PUBLIC nameAlg 0x" + Integer.toHexString(na) + " is not SHA-1/256/384/512"));
    attributes = r.u32be("objectAttributes");
    Tpm2b.read(r, "authPolicy", 64);
    int sym = r.u16be("symmetric.algorithm");
    if (sym != TPM_ALG_NULL) {
      r.u16be("symmetric.keyBits");
      r.u16be("symmetric.mode");
    }
    schemeAlg = r.u16be("scheme");
    TpmHash sh = null;
    if (schemeAlg != TPM_ALG_NULL) {
      int h = r.u16be("scheme.hashAlg");
      sh = TpmHash.fromAlgId(h).orElseThrow(
          () -> Tpm2b.bad("TPMT_PUBLIC scheme hash 0x" + Integer.toHexString(h) + " is not SHA-1/256/384/512"));
      if (schemeAlg == 0x001A) {
        r.u16be("scheme.count");
      }
    }
    schemeHash = sh;
    if (type == TPM_ALG_RSA) {
      keyBits = r.u16be("keyBits");
      exponent = r.u32be("exponent");
      byte[] n = Tpm2b.read(r, "unique.rsa", 512);
      if (n.length == 0) {
        throw Tpm2b.bad("RSA modulus is empty");
      }
      modulus = Bytes.of(n);
      curve = null;
      x = null;
      y = null;
    } else {
      int c = r.u16be("curveID");
      Curve cv = null;
      for (Curve k : Curve.values()) {
        if (k.id == c) {
          cv = k;
        }
      }
      if (cv == null) {
        throw Tpm2b.bad("ECC curve 0x" + Integer.toHexString(c) + " is not NIST P-256, P-384 or P-521");
      }
      curve = cv;
      int kdf = r.u16be("kdf");
      if (kdf != TPM_ALG_NULL) {
        r.u16be("kdf.hashAlg");
      }
      x = Bytes.of(Tpm2b.read(r, "unique.x", 66));
      y = Bytes.of(Tpm2b.read(r, "unique.y", 66));
      keyBits = 0;
      exponent = 0;
      modulus = null;
    }
    Tpm2b.end(r, "TPMT_PUBLIC");
  }

  /**
   * Parses a TPMT_PUBLIC (as {@code tpm2_readpublic -f tpmt} writes it); trailing bytes are refused.
   *
   * @param encoded the structure
   * @return the key
   * @throws MalformedEvidenceException if malformed, or not an RSA or ECC key
   */
  public static TpmtPublic parse(byte[] encoded) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(encoded, "TPMT_PUBLIC");
    return new TpmtPublic(encoded.clone());
  }

  /**
   * The TPMT_PUBLIC of Azure's vTPM attestation key with this RSA public key (spec section 5.5): RSA,
   * nameAlg SHA-256, attributes 0x00050472, empty authPolicy, no symmetric, RSASSA-SHA256, 2048 bits,
   * exponent 0 for 65537.
   *
   * @param modulus the big-endian modulus n
   * @param exponent the public exponent e
   * @return the key
   * @throws MalformedEvidenceException if the key does not fit the template's fields
   */
  public static TpmtPublic azureAkTemplate(byte[] modulus, BigInteger exponent) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(modulus, "RSA modulus");
    if (exponent.signum() <= 0 || exponent.bitLength() > 32 || modulus.length > 512) {
      throw Tpm2b.bad("RSA key does not fit a TPMT_PUBLIC (exponent must be 32-bit, modulus at most 4096 bits)");
    }
    return parse(azureTemplate(modulus.length * 8,
        exponent.equals(BigInteger.valueOf(65537)) ? 0 : exponent.longValue(), modulus));
  }

  /**
   * The template TPM2_CreatePrimary takes to make Azure's AK (section 5.5 with an empty unique field),
   * for provisioning a TPM the way the paravisor does.
   *
   * @param keyBits the RSA key size, 2048 on Azure
   * @return the TPMT_PUBLIC template bytes
   */
  public static byte[] azureAkCreationTemplate(int keyBits) {
    return azureTemplate(keyBits, 0, new byte[0]);
  }

  private static byte[] azureTemplate(int keyBits, long exponent, byte[] modulus) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Tpm2b.u16(out, TPM_ALG_RSA);
    Tpm2b.u16(out, TpmHash.SHA256.algId());
    Tpm2b.u32(out, AZURE_AK_ATTRIBUTES);
    Tpm2b.u16(out, 0);
    Tpm2b.u16(out, TPM_ALG_NULL);
    Tpm2b.u16(out, TpmtSignature.Scheme.RSASSA.algId());
    Tpm2b.u16(out, TpmHash.SHA256.algId());
    Tpm2b.u16(out, keyBits);
    Tpm2b.u32(out, exponent);
    Tpm2b.tpm2b(out, modulus);
    return out.toByteArray();
  }

  /**
   * The encoded structure.
   *
   * @return the bytes
   */
  public Bytes encoded() {
    return encoded;
  }

  /**
   * Whether this is an RSA key.
   *
   * @return true for RSA, false for ECC
   */
  public boolean isRsa() {
    return type == TPM_ALG_RSA;
  }

  /**
   * nameAlg.
   *
   * @return the Name's hash
   */
  public TpmHash nameAlg() {
    return nameAlg;
  }

  /**
   * objectAttributes (TPMA_OBJECT).
   *
   * @return the 32-bit value
   */
  public long objectAttributes() {
    return attributes;
  }

  /**
   * The key's signing scheme hash, when the key fixes one.
   *
   * @return the hash, or empty for scheme TPM_ALG_NULL
   */
  public Optional<TpmHash> schemeHash() {
    return Optional.ofNullable(schemeHash);
  }

  /**
   * The scheme's TPM_ALG_ID (0x0010 for none).
   *
   * @return the identifier
   */
  public int schemeAlg() {
    return schemeAlg;
  }

  /**
   * The RSA modulus.
   *
   * @return n, or null for ECC
   */
  public Bytes rsaModulus() {
    return modulus;
  }

  /**
   * The RSA public exponent.
   *
   * @return e (65537 when the structure says 0); 0 for ECC
   */
  public BigInteger rsaExponent() {
    return type != TPM_ALG_RSA ? BigInteger.ZERO : BigInteger.valueOf(exponent == 0 ? 65537 : exponent);
  }

  /**
   * The RSA key size from the structure.
   *
   * @return keyBits, 0 for ECC
   */
  public int rsaKeyBits() {
    return keyBits;
  }

  /**
   * The ECC curve.
   *
   * @return the curve, or null for RSA
   */
  public Curve curve() {
    return curve;
  }

  /**
   * The ECC point's x.
   *
   * @return x, or null for RSA
   */
  public Bytes eccX() {
    return x;
  }

  /**
   * The ECC point's y.
   *
   * @return y, or null for RSA
   */
  public Bytes eccY() {
    return y;
  }

  /**
   * The object's Name: nameAlg (u16) || H_nameAlg(TPMT_PUBLIC).
   *
   * @return the Name
   */
  public Bytes name() {
    byte[] h = nameAlg.digest(encoded.toByteArray());
    byte[] out = new byte[2 + h.length];
    out[0] = (byte) (nameAlg.algId() >> 8);
    out[1] = (byte) nameAlg.algId();
    System.arraycopy(h, 0, out, 2, h.length);
    return Bytes.of(out);
  }

  /**
   * The qualified name of this key as a primary key of {@code hierarchy}: nameAlg || H(hierarchy
   * handle || Name).
   *
   * @param hierarchy the hierarchy handle, for example {@link #TPM_RH_ENDORSEMENT}
   * @return the qualified name
   */
  public Bytes qualifiedName(int hierarchy) {
    byte[] handle = {(byte) (hierarchy >> 24), (byte) (hierarchy >> 16), (byte) (hierarchy >> 8), (byte) hierarchy};
    byte[] h = nameAlg.digest(handle, name().toByteArray());
    byte[] out = new byte[2 + h.length];
    out[0] = (byte) (nameAlg.algId() >> 8);
    out[1] = (byte) nameAlg.algId();
    System.arraycopy(h, 0, out, 2, h.length);
    return Bytes.of(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TpmtPublic && ((TpmtPublic) o).encoded.equals(encoded);
  }

  @Override
  public int hashCode() {
    return encoded.hashCode();
  }

  @Override
  public String toString() {
    return "TpmtPublic[" + (isRsa() ? "RSA-" + (modulus.length() * 8) : "ECC-" + curve) + ", name " + name() + "]";
  }
}
