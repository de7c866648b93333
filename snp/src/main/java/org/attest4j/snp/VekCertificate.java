package org.attest4j.snp;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.internal.EcdsaVerifier;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * A VCEK or VLEK certificate (AMD 57230) with its AMD extensions decoded: structVersion,
 * productName, the SPLs (blSPL, teeSPL, snpSPL, spl_4..spl_7, ucodeSPL, and fmcSPL on Turin), hwID
 * (VCEK: 64 bytes on Milan/Genoa, 8 on Turin; raw or OCTET STRING-wrapped) and csp_id (VLEK).
 * {@link #parse} decodes only; trust comes from {@link SnpVerifier}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class VekCertificate {
  /** AMD's arc for the VCEK/VLEK extensions: 1.3.6.1.4.1.3704.1. */
  public static final String AMD_OID_ARC = "1.3.6.1.4.1.3704.1";

  static final ASN1ObjectIdentifier STRUCT_VERSION = new ASN1ObjectIdentifier(AMD_OID_ARC + ".1");
  static final ASN1ObjectIdentifier PRODUCT_NAME = new ASN1ObjectIdentifier(AMD_OID_ARC + ".2");
  static final ASN1ObjectIdentifier HW_ID = new ASN1ObjectIdentifier(AMD_OID_ARC + ".4");
  static final ASN1ObjectIdentifier CSP_ID = new ASN1ObjectIdentifier(AMD_OID_ARC + ".5");

  /** SPL OID for index 1..9 (1.3.6.1.4.1.3704.1.3.n). */
  static ASN1ObjectIdentifier splOid(int index) {
    return new ASN1ObjectIdentifier(AMD_OID_ARC + ".3." + index);
  }

  /** blSPL. */
  public static final int BL_SPL = 1;
  /** teeSPL. */
  public static final int TEE_SPL = 2;
  /** snpSPL. */
  public static final int SNP_SPL = 3;
  /** ucodeSPL. */
  public static final int UCODE_SPL = 8;
  /** fmcSPL (Turin). */
  public static final int FMC_SPL = 9;

  private static final String[] SPL_NAMES = {
    null, "blSPL", "teeSPL", "snpSPL", "spl_4", "spl_5", "spl_6", "spl_7", "ucodeSPL", "fmcSPL"
  };

  final AmdCert cert;
  private final SigningKey kind;
  private final Integer structVersion;
  private final String productName;
  private final Integer[] spls = new Integer[10];
  private final byte[] hwId;
  private final String cspId;
  private final ECPublicKeyParameters ecKey;
  private volatile EcdsaVerifier verifier;

  private VekCertificate(AmdCert cert) throws MalformedEvidenceException {
    this.cert = cert;
    if ("SEV-VCEK".equals(cert.subjectCn)) {
      kind = SigningKey.VCEK;
    } else if ("SEV-VLEK".equals(cert.subjectCn)) {
      kind = SigningKey.VLEK;
    } else {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CERTIFICATE,
          "endorsement certificate subject CN is \"" + cert.subjectCn + "\", not SEV-VCEK or SEV-VLEK");
    }
    byte[] sv = cert.extensionValue(STRUCT_VERSION);
    structVersion = sv == null ? null : AmdCert.asInteger(sv);
    byte[] pn = cert.extensionValue(PRODUCT_NAME);
    productName = pn == null ? null : AmdCert.asString(pn);
    for (int i = 1; i <= 9; i++) {
      byte[] v = cert.extensionValue(splOid(i));
      if (v != null) {
        Integer n = AmdCert.asInteger(v);
        if (n == null || n < 0 || n > 255) {
          throw new MalformedEvidenceException(
              SnpReason.MALFORMED_CERTIFICATE, kind + " extension " + SPL_NAMES[i] + " is not an INTEGER 0..255");
        }
        spls[i] = n;
      }
    }
    byte[] hw = cert.extensionValue(HW_ID);
    hwId = hw == null ? null : unwrapHwId(hw);
    byte[] csp = cert.extensionValue(CSP_ID);
    cspId = csp == null ? null : AmdCert.asString(csp);
    if (csp != null && cspId == null) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CERTIFICATE, "VLEK csp_id extension is not a string");
    }
    if (hwId != null && cspId != null) {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CERTIFICATE, "endorsement certificate has both hwID and csp_id extensions");
    }
    ECPublicKeyParameters k = null;
    if (cert.publicKey instanceof ECPublicKeyParameters ec
        && ec.getParameters() instanceof ECNamedDomainParameters nd
        && SECObjectIdentifiers.secp384r1.equals(nd.getName())) {
      k = ec;
    }
    ecKey = k;
  }

  private static byte[] unwrapHwId(byte[] v) {
    if (v.length == 64 || v.length == 8) {
      return v.clone();
    }
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(v);
      if (p instanceof ASN1OctetString os) {
        return os.getOctets();
      }
    } catch (java.io.IOException | RuntimeException e) {
      // fall through: keep the raw bytes; the binding check reports the length
    }
    return v.clone();
  }

  /**
   * Decodes a VCEK or VLEK certificate (DER, or PEM with one CERTIFICATE block).
   *
   * @param derOrPem the DER or PEM
   * @return the certificate with its AMD extensions decoded
   * @throws MalformedEvidenceException if it is not an X.509 certificate with subject CN SEV-VCEK or
   *     SEV-VLEK, or an AMD extension is malformed
   */
  public static VekCertificate parse(byte[] derOrPem) throws MalformedEvidenceException {
    byte[] der = Pem.derOrPem(derOrPem, "CERTIFICATE", "VCEK/VLEK certificate");
    return new VekCertificate(AmdCert.parse(der, "VCEK/VLEK"));
  }

  static VekCertificate of(AmdCert cert) throws MalformedEvidenceException {
    return new VekCertificate(cert);
  }

  /**
   * VCEK (subject CN SEV-VCEK) or VLEK (SEV-VLEK).
   *
   * @return VCEK (subject CN SEV-VCEK) or VLEK (SEV-VLEK)
   */
  public SigningKey kind() {
    return kind;
  }

  /**
   * Subject CN: {@code SEV-VCEK} or {@code SEV-VLEK}.
   *
   * @return subject CN: {@code SEV-VCEK} or {@code SEV-VLEK}
   */
  public String subjectCn() {
    return cert.subjectCn;
  }

  /**
   * Issuer CN: {@code SEV-<Product>} or {@code SEV-VLEK-<Product>}.
   *
   * @return issuer CN: {@code SEV-<Product>} or {@code SEV-VLEK-<Product>}
   */
  public String issuerCn() {
    return cert.issuerCn;
  }

  /**
   * The serial number (0 in every real VCEK and VLEK).
   *
   * @return the serial number (0 in every real VCEK and VLEK)
   */
  public BigInteger serialNumber() {
    return cert.serial;
  }

  /**
   * notBefore.
   *
   * @return the notBefore instant
   */
  public Instant notBefore() {
    return cert.notBefore;
  }

  /**
   * notAfter.
   *
   * @return the notAfter instant
   */
  public Instant notAfter() {
    return cert.notAfter;
  }

  /**
   * structVersion extension (0 on Milan/Genoa, 1 on Turin).
   *
   * @return structVersion extension (0 on Milan/Genoa, 1 on Turin)
   */
  public OptionalInt structVersion() {
    return structVersion == null ? OptionalInt.empty() : OptionalInt.of(structVersion);
  }

  /**
   * productName extension, for example {@code "Milan-B0"}, {@code "Genoa"}, {@code "Turin"}.
   *
   * @return productName extension, for example {@code "Milan-B0"}, {@code "Genoa"}, {@code "Turin"}
   */
  public Optional<String> productName() {
    return Optional.ofNullable(productName);
  }

  /**
   * The product this certificate names: from the issuer CN ({@code SEV-<P>} or {@code
   * SEV-VLEK-<P>}), else the productName extension; empty if neither names a known product.
   *
   * @return the product this certificate names: from the issuer CN ({@code SEV-<P>} or {@code
   *     SEV-VLEK-<P>}), else the productName extension; empty if neither names a known product
   */
  public Optional<Product> product() {
    String cn = cert.issuerCn;
    String p = cn.startsWith("SEV-VLEK-") ? cn.substring(9) : cn.startsWith("SEV-") ? cn.substring(4) : null;
    Optional<Product> fromIssuer = p == null ? Optional.empty() : Product.fromName(p);
    return fromIssuer.isPresent() ? fromIssuer : Product.fromName(productName);
  }

  /**
   * The SPL extension 1.3.6.1.4.1.3704.1.3.{@code index} (1..9), if present.
   *
   * @param index the index
   * @return the SPL extension 1.3.6.1.4.1.3704.1.3.{@code index} (1..9), if present
   */
  public OptionalInt spl(int index) {
    if (index < 1 || index > 9 || spls[index] == null) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(spls[index]);
  }

  /**
   * The KDS/meta.json name of SPL {@code index} (1..9): blSPL, teeSPL, snpSPL, spl_4..spl_7, ucodeSPL, fmcSPL.
   *
   * @param index the index
   * @return the KDS/meta.json name of SPL {@code index} (1..9): blSPL, teeSPL, snpSPL, spl_4..spl_7,
   *     ucodeSPL, fmcSPL
   */
  public static String splName(int index) {
    if (index < 1 || index > 9) {
      throw new IllegalArgumentException("SPL index must be 1..9, got " + index);
    }
    return SPL_NAMES[index];
  }

  /**
   * The TCB this certificate was issued for, in {@code product}'s layout.
   *
   * @param product the product
   * @return the TCB this certificate was issued for, in {@code product}'s layout
   * @throws MalformedEvidenceException if a required SPL extension is missing
   */
  public TcbVersion tcb(Product product) throws MalformedEvidenceException {
    TcbVersion.Builder b = TcbVersion.builder(product)
        .bootloader(required(BL_SPL)).tee(required(TEE_SPL)).snp(required(SNP_SPL)).microcode(required(UCODE_SPL));
    if (product.hasFmc()) {
      b.fmc(required(FMC_SPL));
      return b.build();
    }
    long raw = b.build().raw();
    for (int i = 4; i <= 7; i++) {
      raw |= (long) (spls[i] == null ? 0 : spls[i]) << (8 * (i - 2));
    }
    return TcbVersion.of(product, raw);
  }

  private int required(int index) throws MalformedEvidenceException {
    if (spls[index] == null) {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CERTIFICATE, kind + " certificate lacks the " + SPL_NAMES[index] + " extension");
    }
    return spls[index];
  }

  /**
   * hwID (VCEK only): 64 bytes on Milan/Genoa, 8 on Turin.
   *
   * @return hwID (VCEK only): 64 bytes on Milan/Genoa, 8 on Turin
   */
  public Optional<Bytes> hwId() {
    return hwId == null ? Optional.empty() : Optional.of(Bytes.of(hwId));
  }

  byte[] hwIdUnsafe() {
    return hwId;
  }

  /**
   * csp_id (VLEK only), for example {@code "CN=cc-us-east-2.amazonaws.com"}.
   *
   * @return csp_id (VLEK only), for example {@code "CN=cc-us-east-2.amazonaws.com"}
   */
  public Optional<String> cspId() {
    return Optional.ofNullable(cspId);
  }

  /**
   * Whether the subject key is an EC P-384 key (the only kind AMD issues).
   *
   * @return whether the subject key is an EC P-384 key (the only kind AMD issues)
   */
  public boolean hasP384Key() {
    return ecKey != null;
  }

  /**
   * The report-signature verifier of this key (null unless {@link #hasP384Key()}), built on first
   * use: its comb table costs about 2 ms once and saves about 400 KB and half the CPU time of
   * every verification after that (the verifier's chain cache keeps this instance).
   */
  EcdsaVerifier verifier() {
    EcdsaVerifier v = verifier;
    if (v == null && ecKey != null) {
      try {
        v = EcdsaVerifier.of(ecKey.getQ());
      } catch (IllegalArgumentException e) {
        return null; // not a valid P-384 point (the decoder checks it): no signature verifies
      }
      verifier = v; // a benign race: concurrent first uses build equal verifiers
    }
    return v;
  }

  /**
   * The DER encoding (a fresh copy).
   *
   * @return the DER encoding (a fresh copy)
   */
  public byte[] encoded() {
    return cert.der.clone();
  }

  /**
   * SHA-256 of the DER encoding.
   *
   * @return SHA-256 of the DER encoding
   */
  public Bytes sha256Fingerprint() {
    return Bytes.of(cert.sha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VekCertificate v && java.security.MessageDigest.isEqual(v.cert.der, cert.der);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(cert.sha256);
  }

  @Override
  public String toString() {
    return kind + "[issuer=" + cert.issuerCn + " product=" + productName + " serial=" + cert.serial
        + " valid " + cert.notBefore + ".." + cert.notAfter
        + (hwId != null ? " hwID=" + Bytes.of(hwId).toHex() : "") + (cspId != null ? " csp_id=" + cspId : "") + "]";
  }
}
