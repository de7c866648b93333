package org.attest4j.snp;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.MalformedEvidenceException;

/**
 * A trusted SEV-SNP root: the SHA-384 fingerprint of an ARK's DER SubjectPublicKeyInfo, and the
 * product the ARK is for. Pinning the key (not the certificate) survives a re-issue of the ARK with
 * the same key. {@link #amdRoots()} are AMD's Milan, Genoa and Turin ARKs, pinned in the code; any
 * other root (a private PKI, {@code SimulatedSnpPlatform}) is trusted only when passed to {@link
 * SnpVerifier.Builder#addTrustAnchor}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SnpTrustAnchor {
  // Fingerprints of AMD's ARKs (facts from AMD KDS cert_chain; see docs/snp.md): SPKI SHA-384 and
  // SHA-256 (the pin), and the SHA-256 of AMD's self-signed ARK certificate, whose self-signature is
  // therefore known to verify when the same bytes are presented.
  private static final List<SnpTrustAnchor> AMD = List.of(
      amd(Product.MILAN,
          "1249f67f15cf229a4069195e1a9ce537d1765ef706a1f4a123c36be9518786515d25ecc007f366b564d2b3f31c48082e",
          "9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9",
          "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd"),
      amd(Product.GENOA,
          "32ab53a6ce5ec14926207396e5c475ae768a6a9831b7e860b5acf2e1c1dff222bc5a8bfc43eb5e06393189c1f246d880",
          "429a69c9422aa258ee4d8db5fcda9c6470ef15f8cd5a9cebd6cbc7d90b863831",
          "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1"),
      amd(Product.TURIN,
          "3475f08a9727f8ac9a1deaea5f2a2097aa59d64d05c2a678c229c873e6359d3a6926287a2a22cd5f88a385e333a2fcc5",
          "4f125410563a2ab9a50356f9243f6fe0b6f73de98603f53f90339c70e9d7ad08",
          "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a"));

  private final Product product;
  private final byte[] spkiSha384;
  private final byte[] spkiSha256; // null unless pinned too
  private final String name;
  private final boolean amdRoot;
  private final byte[] certSha256; // null unless the exact self-signed certificate is known

  private SnpTrustAnchor(Product product, byte[] spkiSha384, byte[] spkiSha256, String name, boolean amdRoot) {
    this(product, spkiSha384, spkiSha256, name, amdRoot, null);
  }

  private SnpTrustAnchor(Product product, byte[] spkiSha384, byte[] spkiSha256, String name, boolean amdRoot,
      byte[] certSha256) {
    this.certSha256 = certSha256;
    this.product = Objects.requireNonNull(product, "product");
    if (spkiSha384.length != 48) {
      throw new IllegalArgumentException("an SPKI SHA-384 fingerprint is 48 bytes, got " + spkiSha384.length);
    }
    this.spkiSha384 = spkiSha384;
    this.spkiSha256 = spkiSha256;
    this.name = Objects.requireNonNull(name, "name");
    this.amdRoot = amdRoot;
  }

  private static SnpTrustAnchor amd(Product p, String sha384, String sha256, String certSha256) {
    java.util.HexFormat hex = java.util.HexFormat.of();
    return new SnpTrustAnchor(p, hex.parseHex(sha384), hex.parseHex(sha256), "AMD ARK-" + p.kdsName(), true,
        hex.parseHex(certSha256));
  }

  /**
   * AMD's pinned ARKs for Milan, Genoa and Turin (the same ARK anchors each product's VCEK and VLEK chains).
   *
   * @return AMD's pinned ARKs for Milan, Genoa and Turin (the same ARK anchors each product's VCEK and VLEK
   *     chains)
   */
  public static List<SnpTrustAnchor> amdRoots() {
    return AMD;
  }

  /**
   * A root given by the SHA-384 of its DER SubjectPublicKeyInfo.
   *
   * @param product the product
   * @param spkiSha384 the SPKI SHA-384
   * @param name the name
   * @return a root given by the SHA-384 of its DER SubjectPublicKeyInfo
   */
  public static SnpTrustAnchor ofSpkiSha384(Product product, Bytes spkiSha384, String name) {
    return new SnpTrustAnchor(product, spkiSha384.toByteArray(), null, name, false);
  }

  /**
   * A root whose key is that of the given ARK certificate (DER or PEM).
   *
   * @param product the product
   * @param arkDerOrPem the ARK DER or PEM
   * @return a root whose key is that of the given ARK certificate (DER or PEM)
   * @throws MalformedEvidenceException if the certificate cannot be decoded
   */
  public static SnpTrustAnchor ofCertificate(Product product, byte[] arkDerOrPem) throws MalformedEvidenceException {
    AmdCert c = AmdCert.parse(Pem.derOrPem(arkDerOrPem, "CERTIFICATE", "ARK certificate"), "ARK");
    return new SnpTrustAnchor(product, Crypto.digest("SHA-384", c.spkiDer, 0, c.spkiDer.length), null,
        "custom root CN=" + c.subjectCn, false);
  }

  /**
   * A root whose key is that of {@code ark}.
   *
   * @param product the product
   * @param ark the ARK
   * @return a root whose key is that of {@code ark}
   */
  public static SnpTrustAnchor ofCertificate(Product product, X509Certificate ark) {
    byte[] spki = ark.getPublicKey().getEncoded();
    return new SnpTrustAnchor(product, Crypto.digest("SHA-384", spki, 0, spki.length), null,
        "custom root " + ark.getSubjectX500Principal().getName(), false);
  }

  /**
   * The product whose chains this root anchors.
   *
   * @return the product whose chains this root anchors
   */
  public Product product() {
    return product;
  }

  /**
   * SHA-384 of the root's DER SubjectPublicKeyInfo.
   *
   * @return SHA-384 of the root's DER SubjectPublicKeyInfo
   */
  public Bytes spkiSha384() {
    return Bytes.of(spkiSha384);
  }

  /**
   * A human-readable name, for example {@code "AMD ARK-Milan"}.
   *
   * @return a human-readable name, for example {@code "AMD ARK-Milan"}
   */
  public String name() {
    return name;
  }

  /**
   * Whether this is one of AMD's pinned roots.
   *
   * @return whether this is one of AMD's pinned roots
   */
  public boolean isAmdRoot() {
    return amdRoot;
  }

  /** Whether {@code spkiDer} is this root's key (constant-time digest comparison). */
  boolean matches(byte[] spkiDer) {
    boolean ok = ConstantTime.equals(spkiSha384, Crypto.digest("SHA-384", spkiDer, 0, spkiDer.length));
    if (ok && spkiSha256 != null) {
      ok = ConstantTime.equals(spkiSha256, Crypto.sha256(spkiDer));
    }
    return ok;
  }

  /**
   * Whether {@code certSha256} is the SHA-256 of the exact self-signed root certificate this anchor was
   * pinned from (AMD's ARKs), whose self-signature is then known to verify.
   */
  boolean isKnownSelfSignedCertificate(byte[] certSha256) {
    return this.certSha256 != null && ConstantTime.equals(this.certSha256, certSha256);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnpTrustAnchor a && a.product == product && java.security.MessageDigest.isEqual(a.spkiSha384, spkiSha384);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(spkiSha384) * 31 + product.hashCode();
  }

  @Override
  public String toString() {
    return name + " (" + product + ", SPKI SHA-384 " + Bytes.of(spkiSha384).toHex() + ")";
  }
}
