package org.attest4j.tdx.pcs;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.TdxReason;

/** The built-in {@link CollateralVerifier}: pinned root SPKI, signatures, validity. Immutable. */
final class IntelChainVerifier implements CollateralVerifier {
  /** SHA-256 of the Intel SGX Root CA's DER SubjectPublicKeyInfo (shared/intel-roots/README.md). */
  static final String INTEL_ROOT_SPKI_SHA256 = "a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e";

  static final IntelChainVerifier INTEL = new IntelChainVerifier(HexFormat.of().parseHex(INTEL_ROOT_SPKI_SHA256));

  private final byte[] rootSpkiSha256;

  private IntelChainVerifier(byte[] rootSpkiSha256) {
    this.rootSpkiSha256 = rootSpkiSha256;
  }

  static IntelChainVerifier trusting(X509Certificate root) {
    return new IntelChainVerifier(sha256(root.getPublicKey().getEncoded()));
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<X509Certificate> verifyChain(String pem, String role, Instant at) throws AttestationException {
    List<X509Certificate> chain = parse(pem, role);
    X509Certificate root = chain.get(chain.size() - 1);
    if (!ConstantTime.equals(rootSpkiSha256, sha256(root.getPublicKey().getEncoded()))) {
      throw new VerificationException(
          TdxReason.UNTRUSTED_ROOT,
          "the " + role + " chain ends in '" + root.getSubjectX500Principal().getName()
              + "', not the pinned Intel SGX Root CA");
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : root;
      try {
        c.verify(issuer.getPublicKey());
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID,
            "the " + role + " certificate '" + c.getSubjectX500Principal().getName()
                + "' is not signed by '" + issuer.getSubjectX500Principal().getName() + "'",
            e);
      }
      if (at != null) {
        try {
          c.checkValidity(Date.from(at));
        } catch (java.security.cert.CertificateNotYetValidException e) {
          throw new VerificationException(
              TdxReason.CERT_NOT_YET_VALID,
              "the " + role + " certificate '" + c.getSubjectX500Principal().getName() + "' is not yet valid at "
                  + at + " (notBefore " + c.getNotBefore().toInstant() + ")",
              e);
        } catch (CertificateException e) {
          throw new VerificationException(
              TdxReason.CERT_EXPIRED,
              "the " + role + " certificate '" + c.getSubjectX500Principal().getName() + "' expired at "
                  + c.getNotAfter().toInstant() + " (verification time " + at + ")",
              e);
        }
      }
    }
    return chain;
  }

  static List<X509Certificate> parse(String pem, String role) throws VerificationException {
    try {
      Collection<? extends Certificate> all =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : all) {
        out.add((X509Certificate) c);
      }
      int blocks = count(pem, "-----BEGIN CERTIFICATE-----");
      if (out.isEmpty() || out.size() != blocks || blocks != count(pem, "-----END CERTIFICATE-----")) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID, "the " + role + " chain is empty or truncated");
      }
      return out;
    } catch (CertificateException | RuntimeException e) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID, "the " + role + " chain does not parse: " + e.getMessage(), e);
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
