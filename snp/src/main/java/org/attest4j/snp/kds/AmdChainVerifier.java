package org.attest4j.snp.kds;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpReason;
import org.attest4j.snp.SnpTrustAnchor;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The built-in {@link EndorsementVerifier}: pinned ARK public keys, RSASSA-PSS signatures, names and
 * validity. Immutable and thread-safe.
 */
final class AmdChainVerifier implements EndorsementVerifier {
  static final AmdChainVerifier AMD = new AmdChainVerifier(SnpTrustAnchor.amdRoots(), true);

  private final List<SnpTrustAnchor> anchors;
  private final boolean checkNames;

  private AmdChainVerifier(List<SnpTrustAnchor> anchors, boolean checkNames) {
    this.anchors = List.copyOf(anchors);
    this.checkNames = checkNames;
  }

  /** Trusts {@code anchors}; AMD's certificate names are checked only when all anchors are AMD's. */
  static AmdChainVerifier trusting(List<SnpTrustAnchor> anchors) {
    boolean amd = anchors.stream().allMatch(SnpTrustAnchor::isAmdRoot);
    return new AmdChainVerifier(anchors, amd);
  }

  private static byte[] sha384(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 unavailable", e);
    }
  }

  private boolean pinned(Product product, X509Certificate ark) {
    byte[] spki = sha384(ark.getPublicKey().getEncoded());
    boolean ok = false;
    for (SnpTrustAnchor a : anchors) {
      if (a.product() == product && ConstantTime.equals(a.spkiSha384().toByteArray(), spki)) {
        ok = true;
      }
    }
    return ok;
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
    if (!pinned(product, ark)) {
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
    if (at == null) {
      return;
    }
    try {
      c.checkValidity(Date.from(at));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new VerificationException(
          e instanceof CertificateNotYetValidException ? SnpReason.CERTIFICATE_NOT_YET_VALID : SnpReason.CERTIFICATE_EXPIRED,
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
