package org.attest4j.snp;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * An X.509 certificate decoded with Bouncy Castle's ASN.1 classes, keeping the exact TBS bytes for
 * signature checks. Package-private; immutable and thread-safe after construction.
 */
final class AmdCert {
  static final BigInteger F4 = BigInteger.valueOf(65537);

  final String what;
  final byte[] der;
  final byte[] sha256;
  final Certificate cert;
  final byte[] tbs;
  final byte[] signature;
  final X500Name subject;
  final X500Name issuer;
  final String subjectCn;
  final String issuerCn;
  final BigInteger serial;
  final Instant notBefore;
  final Instant notAfter;
  final byte[] spkiDer;
  final AsymmetricKeyParameter publicKey;
  final Extensions extensions;

  private AmdCert(String what, byte[] der) throws MalformedEvidenceException {
    this.what = what;
    this.der = der;
    this.sha256 = Crypto.sha256(der);
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      this.cert = Certificate.getInstance(p);
      this.tbs = Der.firstElement(der);
      this.signature = cert.getSignature().getOctets();
      this.subject = cert.getSubject();
      this.issuer = cert.getIssuer();
      this.subjectCn = cn(subject);
      this.issuerCn = cn(issuer);
      this.serial = cert.getSerialNumber().getValue();
      this.notBefore = cert.getStartDate().getDate().toInstant();
      this.notAfter = cert.getEndDate().getDate().toInstant();
      SubjectPublicKeyInfo spki = cert.getSubjectPublicKeyInfo();
      this.spkiDer = spki.getEncoded(ASN1Encoding.DER);
      AsymmetricKeyParameter key;
      try {
        if (PKCSObjectIdentifiers.rsaEncryption.equals(spki.getAlgorithm().getAlgorithm())) {
          // Bouncy Castle's default RSAKeyParameters constructor runs Miller-Rabin tests on the
          // modulus (several ms for RSA-4096). The ARK key is pinned and an ASK/ASVK key is used only
          // after the ARK's signature over it verified, so the moduli are AMD's (or the caller's own
          // root's) and the test adds nothing here.
          org.bouncycastle.asn1.pkcs.RSAPublicKey rsa =
              org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey());
          key = new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent(), true);
        } else {
          key = PublicKeyFactory.createKey(spki);
        }
      } catch (IOException | RuntimeException e) {
        key = null; // an unsupported or invalid key: rejected by the verifier with a precise reason
      }
      this.publicKey = key;
      this.extensions = cert.getTBSCertificate().getExtensions();
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CERTIFICATE, what + " certificate cannot be decoded as X.509 DER: " + e.getMessage(), e);
    }
  }

  static AmdCert parse(byte[] der, String what) throws MalformedEvidenceException {
    if (der == null || der.length == 0) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CERTIFICATE, what + " certificate is empty");
    }
    return new AmdCert(what, der.clone());
  }

  private static String cn(X500Name name) {
    RDN[] rdns = name.getRDNs(BCStyle.CN);
    if (rdns.length == 0 || rdns[0].getFirst() == null) {
      return "";
    }
    return rdns[0].getFirst().getValue() instanceof ASN1String s ? s.getString() : rdns[0].getFirst().getValue().toString();
  }

  boolean selfIssued() {
    return subject.equals(issuer);
  }

  /** The PSS parameters AMD uses: SHA-384, MGF1-SHA-384, salt 48, trailer 1. */
  static boolean isAmdPss(AlgorithmIdentifier alg) {
    if (!PKCSObjectIdentifiers.id_RSASSA_PSS.equals(alg.getAlgorithm()) || alg.getParameters() == null) {
      return false;
    }
    try {
      RSASSAPSSparams p = RSASSAPSSparams.getInstance(alg.getParameters());
      AlgorithmIdentifier mgf = p.getMaskGenAlgorithm();
      return NISTObjectIdentifiers.id_sha384.equals(p.getHashAlgorithm().getAlgorithm())
          && PKCSObjectIdentifiers.id_mgf1.equals(mgf.getAlgorithm())
          && NISTObjectIdentifiers.id_sha384.equals(AlgorithmIdentifier.getInstance(mgf.getParameters()).getAlgorithm())
          && p.getSaltLength().intValueExact() == 48
          && p.getTrailerField().intValueExact() == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** X.509 v3 with AMD's RSASSA-PSS parameters in both signature fields. */
  void checkFormat() throws VerificationException {
    if (cert.getVersionNumber() != 3) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_ALGORITHM, what + " (CN=" + subjectCn + ") is X.509 v" + cert.getVersionNumber() + ", not v3");
    }
    AlgorithmIdentifier outer = cert.getSignatureAlgorithm();
    if (!isAmdPss(outer) || !outer.equals(cert.getTBSCertificate().getSignature())) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_ALGORITHM,
          what + " (CN=" + subjectCn + ") is not signed with RSASSA-PSS SHA-384/MGF1-SHA-384/salt 48 (algorithm "
              + outer.getAlgorithm() + ")");
    }
  }

  /** The RSA-4096, e=65537 key of an ARK/ASK/ASVK. */
  RSAKeyParameters rsaKey() throws VerificationException {
    if (!(publicKey instanceof RSAKeyParameters k) || k.isPrivate()) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_ALGORITHM, what + " (CN=" + subjectCn + ") does not hold an RSA public key");
    }
    if (k.getModulus().bitLength() != 4096 || !F4.equals(k.getExponent())) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_ALGORITHM,
          what + " (CN=" + subjectCn + ") key is RSA-" + k.getModulus().bitLength() + " e=" + k.getExponent()
              + ", expected RSA-4096 e=65537");
    }
    return k;
  }

  boolean signedBy(RSAKeyParameters issuerKey) {
    return Crypto.verifyRsaPss384(issuerKey, tbs, signature);
  }

  /** Requires basicConstraints CA=true and keyUsage keyCertSign (AMD's ARK, ASK and ASVK all have both). */
  void checkCa() throws VerificationException {
    try {
      BasicConstraints bc = extensions == null ? null : BasicConstraints.fromExtensions(extensions);
      KeyUsage ku = extensions == null ? null : KeyUsage.fromExtensions(extensions);
      if (bc == null || !bc.isCA()) {
        throw new VerificationException(
            SnpReason.BAD_CERTIFICATE_ALGORITHM, what + " (CN=" + subjectCn + ") is not a CA (basicConstraints)");
      }
      if (ku == null || !ku.hasUsages(KeyUsage.keyCertSign)) {
        throw new VerificationException(
            SnpReason.BAD_CERTIFICATE_ALGORITHM, what + " (CN=" + subjectCn + ") lacks keyUsage keyCertSign");
      }
    } catch (IllegalArgumentException e) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_ALGORITHM, what + " (CN=" + subjectCn + ") has malformed CA extensions: " + e.getMessage());
    }
  }

  void checkValidity(Instant now) throws VerificationException {
    if (now.isBefore(notBefore)) {
      throw new VerificationException(
          SnpReason.CERTIFICATE_NOT_YET_VALID,
          what + " (CN=" + subjectCn + ") is not valid before " + notBefore + " (verification time " + now + ")");
    }
    if (now.isAfter(notAfter)) {
      throw new VerificationException(
          SnpReason.CERTIFICATE_EXPIRED,
          what + " (CN=" + subjectCn + ") expired at " + notAfter + " (verification time " + now + ")");
    }
  }

  /** The DER contents (extnValue octets) of extension {@code oid}, or null. */
  byte[] extensionValue(ASN1ObjectIdentifier oid) {
    if (extensions == null) {
      return null;
    }
    Extension e = extensions.getExtension(oid);
    return e == null ? null : e.getExtnValue().getOctets();
  }

  static Integer asInteger(byte[] value) {
    try {
      return ASN1Integer.getInstance(ASN1Primitive.fromByteArray(value)).intValueExact();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String asString(byte[] value) {
    try {
      return ASN1Primitive.fromByteArray(value) instanceof ASN1String s ? s.getString() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
