package org.attest4j.tdx;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * X.509 certificates and CRLs of the Intel SGX PKI: parsing (Bouncy Castle ASN.1), chain building to
 * the pinned Intel SGX Root CA, CRL signature checks. Stateless and thread-safe.
 */
final class Pki {
  /**
   * SHA-256 of the DER SubjectPublicKeyInfo of the Intel SGX Root CA
   * (CN=Intel SGX Root CA, O=Intel Corporation, L=Santa Clara, ST=CA, C=US; valid 2018-05-21 to
   * 2049-12-31). Every chain must end at a certificate with this key.
   */
  static final String INTEL_SGX_ROOT_CA_SPKI_SHA256 =
      "a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e";

  private Pki() {}

  /** A parsed certificate with the values the verifier needs. */
  static final class Cert {
    final Bytes der;
    final Certificate cert;
    final byte[] tbs;
    final byte[] signature;
    final X500Name subject;
    final X500Name issuer;
    final Instant notBefore;
    final Instant notAfter;
    final BigInteger serial;
    final byte[] spkiDer;
    final ECPublicKeyParameters key;
    final boolean ca;
    final KeyUsage keyUsage;
    final Extensions extensions;

    Cert(Bytes der, String role) throws VerificationException {
      this.der = der;
      byte[] d = der.toByteArray();
      try {
        this.cert = Certificate.getInstance(d);
        this.tbs = Der.firstInnerElement(d);
        if (tbs == null) {
          throw invalid(role + " certificate is not a DER SEQUENCE {tbsCertificate, ...}");
        }
        if (!X9ObjectIdentifiers.ecdsa_with_SHA256.equals(cert.getSignatureAlgorithm().getAlgorithm())
            || !cert.getSignatureAlgorithm().equals(cert.getTBSCertificate().getSignature())) {
          throw invalid(
              role + " certificate signature algorithm is "
                  + cert.getSignatureAlgorithm().getAlgorithm() + ", expected ecdsa-with-SHA256");
        }
        if (cert.getSignature().getPadBits() != 0) {
          throw invalid(role + " certificate signature bit string has pad bits");
        }
        this.signature = cert.getSignature().getOctets();
        this.subject = cert.getSubject();
        this.issuer = cert.getIssuer();
        this.notBefore = cert.getStartDate().getDate().toInstant();
        this.notAfter = cert.getEndDate().getDate().toInstant();
        this.serial = cert.getSerialNumber().getValue();
        this.spkiDer = cert.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
        this.key = EcdsaP256.publicKeyFromSpki(cert.getSubjectPublicKeyInfo());
        if (key == null) {
          throw invalid(role + " certificate key is not an ECDSA P-256 key");
        }
        this.extensions = cert.getTBSCertificate().getExtensions();
        BasicConstraints bc = extensions == null ? null : BasicConstraints.fromExtensions(extensions);
        this.ca = bc != null && bc.isCA();
        this.keyUsage = extensions == null ? null : KeyUsage.fromExtensions(extensions);
      } catch (VerificationException e) {
        throw e;
      } catch (java.io.IOException | RuntimeException e) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID, role + " certificate is malformed: " + e.getMessage(), e);
      }
    }

    String subjectCn() {
      return cn(subject);
    }

    String issuerCn() {
      return cn(issuer);
    }

    byte[] spkiSha256() {
      return sha256(spkiDer);
    }

    boolean signedBy(Cert issuerCert) {
      return EcdsaP256.verifyDer(issuerCert.key, tbs, 0, tbs.length, signature);
    }
  }

  /** A parsed CRL. */
  static final class Crl {
    final X500Name issuer;
    final Instant thisUpdate;
    final Instant nextUpdate;
    final Set<BigInteger> revoked;
    final byte[] tbs;
    final byte[] signature;
    final String role;

    Crl(Bytes der, String role) throws VerificationException {
      this.role = role;
      byte[] d = der.toByteArray();
      try {
        CertificateList cl = CertificateList.getInstance(d);
        this.tbs = Der.firstInnerElement(d);
        if (tbs == null) {
          throw new VerificationException(TdxReason.CRL_INVALID, role + " is not a DER SEQUENCE {tbsCertList, ...}");
        }
        if (!X9ObjectIdentifiers.ecdsa_with_SHA256.equals(cl.getSignatureAlgorithm().getAlgorithm())) {
          throw new VerificationException(
              TdxReason.CRL_INVALID, role + " is not signed with ecdsa-with-SHA256");
        }
        this.signature = cl.getSignature().getOctets();
        this.issuer = cl.getIssuer();
        this.thisUpdate = cl.getThisUpdate().getDate().toInstant();
        if (cl.getNextUpdate() == null) {
          throw new VerificationException(TdxReason.CRL_INVALID, role + " has no nextUpdate");
        }
        this.nextUpdate = cl.getNextUpdate().getDate().toInstant();
        Set<BigInteger> set = new HashSet<>();
        Enumeration<?> en = cl.getTBSCertList().getRevokedCertificateEnumeration();
        while (en.hasMoreElements()) {
          TBSCertList.CRLEntry entry = (TBSCertList.CRLEntry) en.nextElement();
          set.add(entry.getUserCertificate().getValue());
        }
        this.revoked = Set.copyOf(set);
      } catch (VerificationException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new VerificationException(
            TdxReason.CRL_INVALID, role + " is malformed: " + e.getMessage(), e);
      }
    }

    void requireSignedBy(Cert issuerCert) throws VerificationException {
      if (!issuer.equals(issuerCert.subject)) {
        throw new VerificationException(
            TdxReason.CRL_INVALID,
            role + " issuer '" + issuer + "' is not '" + issuerCert.subject + "'");
      }
      if (!EcdsaP256.verifyDer(issuerCert.key, tbs, 0, tbs.length, signature)) {
        throw new VerificationException(
            TdxReason.CRL_INVALID, role + " signature by '" + issuerCert.subjectCn() + "' does not verify");
      }
    }

    void requireCurrent(Instant at) throws VerificationException {
      if (at.isBefore(thisUpdate)) {
        throw new VerificationException(
            TdxReason.COLLATERAL_NOT_YET_VALID,
            role + " is not yet valid at " + at + " (thisUpdate " + thisUpdate + ", nextUpdate "
                + nextUpdate + "); check the verifier's clock");
      }
      if (at.isAfter(nextUpdate)) {
        throw new VerificationException(
            TdxReason.COLLATERAL_EXPIRED,
            role + " expired at " + nextUpdate + " (verification time " + at + ", thisUpdate "
                + thisUpdate + "); fetch a fresh CRL");
      }
    }
  }

  /** A verified chain: certificates leaf first, the root last, and the intersection of validity. */
  static final class Chain {
    final List<Cert> certs;
    final Instant notBefore;
    final Instant notAfter;

    Chain(List<Cert> certs) {
      this.certs = List.copyOf(certs);
      Instant nb = Instant.MIN;
      Instant na = Instant.MAX;
      for (Cert c : certs) {
        nb = c.notBefore.isAfter(nb) ? c.notBefore : nb;
        na = c.notAfter.isBefore(na) ? c.notAfter : na;
      }
      this.notBefore = nb;
      this.notAfter = na;
    }

    Cert leaf() {
      return certs.get(0);
    }

    Cert root() {
      return certs.get(certs.size() - 1);
    }

    /** The certificate that issued the leaf. */
    Cert leafIssuer() {
      return certs.get(1);
    }

    void requireValidAt(Instant at, String role) throws VerificationException {
      for (Cert c : certs) {
        if (at.isBefore(c.notBefore)) {
          throw new VerificationException(
              TdxReason.CERT_NOT_YET_VALID,
              role + " certificate '" + c.subjectCn() + "' is not yet valid at " + at + " (valid "
                  + c.notBefore + " to " + c.notAfter + ")");
        }
        if (at.isAfter(c.notAfter)) {
          throw new VerificationException(
              TdxReason.CERT_EXPIRED,
              role + " certificate '" + c.subjectCn() + "' expired at " + c.notAfter
                  + " (verification time " + at + ", valid from " + c.notBefore + ")");
        }
      }
    }
  }

  /**
   * Per-verification memo: certificates parsed once by DER hash (so a key's precomputation is
   * reused across chains) and issuer signatures verified once. Not thread-safe; one per call.
   */
  static final class Memo {
    private final java.util.Map<Bytes, Cert> parsed = new java.util.HashMap<>();
    private final Set<Bytes> verified = new HashSet<>();

    Cert cert(Bytes der, String role) throws VerificationException {
      Bytes k = Bytes.of(sha256(der.toByteArray()));
      Cert c = parsed.get(k);
      if (c == null) {
        c = new Cert(der, role);
        parsed.put(k, c);
      }
      return c;
    }

    boolean signedBy(Cert child, Cert issuer) {
      MessageDigest md = sha256Digest();
      md.update(child.der.toByteArray());
      md.update(issuer.spkiDer);
      Bytes k = Bytes.of(md.digest());
      if (verified.contains(k)) {
        return true;
      }
      boolean ok = child.signedBy(issuer);
      if (ok) {
        verified.add(k);
      }
      return ok;
    }
  }

  /**
   * Parses and verifies a chain given leaf first: every certificate is signed by the next, names
   * chain, issuers are CAs, and the last certificate carries the pinned Intel SGX Root CA key and is
   * self-issued. Validity at a time is checked separately ({@link Chain#requireValidAt}).
   */
  static Chain verifyChain(List<Bytes> ders, String role) throws VerificationException {
    return verifyChain(ders, role, TdxTrustAnchor.intelSgxRootCa(), new Memo());
  }

  /**
   * As {@link #verifyChain(List, String)} with the given trust anchor and memo. The root
   * certificate must carry the anchor's key, be self-issued, and its self-signature must verify
   * ({@link TdxTrustAnchor#requireTrusts}).
   */
  static Chain verifyChain(List<Bytes> ders, String role, TdxTrustAnchor anchor, Memo memo)
      throws VerificationException {
    if (ders.size() < 2 || ders.size() > 5) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID,
          role + " chain has " + ders.size() + " certificates; expected leaf, CA(s) and root");
    }
    List<Cert> certs = new ArrayList<>();
    for (int i = 0; i < ders.size(); i++) {
      certs.add(memo.cert(ders.get(i), i == 0 ? role + " leaf" : role + " CA"));
    }
    anchor.requireTrusts(certs.get(certs.size() - 1), role, memo);
    for (int i = 0; i < certs.size() - 1; i++) {
      Cert c = certs.get(i);
      Cert issuer = certs.get(i + 1);
      if (!c.issuer.equals(issuer.subject)) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID,
            role + " certificate '" + c.subjectCn() + "' names issuer '" + c.issuerCn()
                + "' but the next certificate is '" + issuer.subjectCn() + "'");
      }
      if (!issuer.ca) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID,
            role + " issuer '" + issuer.subjectCn() + "' is not a CA certificate");
      }
      if (issuer.keyUsage != null && !issuer.keyUsage.hasUsages(KeyUsage.keyCertSign)) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID,
            role + " issuer '" + issuer.subjectCn() + "' may not sign certificates");
      }
      if (!memo.signedBy(c, issuer)) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID,
            role + " certificate '" + c.subjectCn() + "' signature by '" + issuer.subjectCn()
                + "' does not verify");
      }
    }
    return new Chain(certs);
  }

  /** Splits PEM text into DER certificates. */
  static List<Bytes> pemCertificates(String pem, String role) throws VerificationException {
    try {
      return TdxQuote.decodePemChain(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (org.attest4j.core.MalformedEvidenceException e) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID, role + " chain is not valid PEM: " + e.getMessage(), e);
    }
  }

  static VerificationException invalid(String msg) {
    return new VerificationException(TdxReason.CERT_CHAIN_INVALID, msg);
  }

  static String cn(X500Name name) {
    RDN[] rdns = name.getRDNs(BCStyle.CN);
    if (rdns.length == 0) {
      return name.toString();
    }
    return IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }

  static byte[] sha256(byte[] data) {
    return EcdsaP256.sha256(data, 0, data.length);
  }

  static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Extension extension(Cert c, ASN1ObjectIdentifier oid) {
    return c.extensions == null ? null : c.extensions.getExtension(oid);
  }
}
