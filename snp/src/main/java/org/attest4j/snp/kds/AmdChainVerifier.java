package org.attest4j.snp.kds;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.attest4j.core.AttestationException;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpReason;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The built-in {@link EndorsementVerifier}: pinned ARK public keys, RSASSA-PSS signatures, names and
 * validity. Immutable and thread-safe.
 */
final class AmdChainVerifier implements EndorsementVerifier {
  /** SHA-384 of the DER SubjectPublicKeyInfo of AMD's ARKs (shared/amd-roots/README.md). */
  private static final Map<Product, String> AMD_ARK_SPKI_SHA384 =
      Map.of(
          Product.MILAN,
          "1249f67f15cf229a4069195e1a9ce537d1765ef706a1f4a123c36be9518786515d25ecc007f366b564d2b3f31c48082e",
          Product.GENOA,
          "32ab53a6ce5ec14926207396e5c475ae768a6a9831b7e860b5acf2e1c1dff222bc5a8bfc43eb5e06393189c1f246d880",
          Product.TURIN,
          "3475f08a9727f8ac9a1deaea5f2a2097aa59d64d05c2a678c229c873e6359d3a6926287a2a22cd5f88a385e333a2fcc5");

  static final AmdChainVerifier AMD = new AmdChainVerifier(decode(AMD_ARK_SPKI_SHA384), true);

  private final Map<Product, byte[]> pins;
  private final boolean checkNames;

  private AmdChainVerifier(Map<Product, byte[]> pins, boolean checkNames) {
    this.pins = pins;
    this.checkNames = checkNames;
  }

  static AmdChainVerifier trusting(Map<Product, X509Certificate> arks) {
    Map<Product, byte[]> pins = new EnumMap<>(Product.class);
    arks.forEach((p, c) -> pins.put(p, sha384(c.getPublicKey().getEncoded())));
    return new AmdChainVerifier(pins, false);
  }

  private static Map<Product, byte[]> decode(Map<Product, String> hex) {
    Map<Product, byte[]> m = new EnumMap<>(Product.class);
    hex.forEach((p, h) -> m.put(p, HexFormat.of().parseHex(h)));
    return m;
  }

  private static byte[] sha384(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 unavailable", e);
    }
  }

  @Override
  public void verify(
      Product product, SigningKey key, List<X509Certificate> chain, X509Certificate vek, Instant at)
      throws AttestationException {
    if (chain.size() != 2) {
      throw new VerificationException(
          SnpReason.UNTRUSTED_ROOT,
          "the " + product + " certificate chain has " + chain.size()
              + " certificates; expected the ASK (or ASVK) then the ARK");
    }
    X509Certificate ask = chain.get(0);
    X509Certificate ark = chain.get(1);
    byte[] pin = pins.get(product);
    if (pin == null || !ConstantTime.equals(pin, sha384(ark.getPublicKey().getEncoded()))) {
      throw new VerificationException(
          SnpReason.UNTRUSTED_ROOT,
          "the ARK '" + ark.getSubjectX500Principal().getName()
              + "' is not the pinned AMD ARK for " + product);
    }
    String kind = key == SigningKey.VLEK ? "ASVK" : "ASK";
    if (checkNames) {
      expectCn(ark, "ARK-" + product.kdsName(), "ARK");
      expectCn(ask, (key == SigningKey.VLEK ? "SEV-VLEK-" : "SEV-") + product.kdsName(), kind);
    }
    signedBy(ark, ark, "ARK", "ARK");
    signedBy(ask, ark, kind, "ARK");
    validAt(ark, "ARK", at);
    validAt(ask, kind, at);
    if (vek != null) {
      String vekKind = key == SigningKey.VLEK ? "VLEK" : "VCEK";
      if (checkNames) {
        expectCn(vek, "SEV-" + vekKind, vekKind);
      }
      signedBy(vek, ask, vekKind, kind);
      validAt(vek, vekKind, at);
    }
  }

  private static void signedBy(X509Certificate c, X509Certificate issuer, String what, String by)
      throws VerificationException {
    if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw new VerificationException(
          SnpReason.CERTIFICATE_NAME_MISMATCH,
          "the " + what + " issuer '" + c.getIssuerX500Principal().getName()
              + "' is not the " + by + " subject '" + issuer.getSubjectX500Principal().getName() + "'");
    }
    try {
      c.verify(issuer.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_SIGNATURE,
          "the " + what + " signature does not verify under the " + by + " key: " + e.getMessage(),
          e);
    }
  }

  private static void validAt(X509Certificate c, String what, Instant at) throws VerificationException {
    try {
      c.checkValidity(Date.from(at));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new VerificationException(
          SnpReason.CERTIFICATE_EXPIRED,
          "the " + what + " is not valid at " + at + " (valid " + c.getNotBefore().toInstant()
              + " .. " + c.getNotAfter().toInstant() + ")",
          e);
    }
  }

  private static void expectCn(X509Certificate c, String cn, String what) throws VerificationException {
    String actual = commonName(c);
    if (!cn.equals(actual)) {
      throw new VerificationException(
          SnpReason.CERTIFICATE_NAME_MISMATCH,
          "the " + what + " common name is '" + actual + "' but '" + cn + "' is required");
    }
  }

  static String commonName(X509Certificate c) {
    try {
      RDN[] rdns = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
      return rdns.length == 0 ? "" : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    } catch (RuntimeException e) {
      return "";
    }
  }
}
