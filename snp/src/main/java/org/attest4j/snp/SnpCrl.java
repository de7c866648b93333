package org.attest4j.snp;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CertificateList;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.crypto.params.RSAKeyParameters;

/**
 * An ARK-signed CRL (AMD KDS {@code /crl}), DER or PEM. Its signature is checked lazily against the
 * chain's ARK and the result remembered per ARK. Package-private; thread-safe.
 */
final class SnpCrl {
  final byte[] der;
  final X500Name issuer;
  final Instant thisUpdate;
  final Instant nextUpdate; // may be null
  final Set<BigInteger> revoked;
  private final CertificateList crl;
  private final byte[] tbs;
  private final ConcurrentHashMap<Bytes, Boolean> verifiedBy = new ConcurrentHashMap<>();

  private SnpCrl(byte[] der) throws MalformedEvidenceException {
    this.der = der;
    try {
      crl = CertificateList.getInstance(ASN1Primitive.fromByteArray(der));
      tbs = Der.firstElement(der);
      issuer = crl.getIssuer();
      thisUpdate = crl.getThisUpdate().getDate().toInstant();
      nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().getDate().toInstant();
      Set<BigInteger> r = new HashSet<>();
      Enumeration<?> e = crl.getRevokedCertificateEnumeration();
      while (e.hasMoreElements()) {
        r.add(((TBSCertList.CRLEntry) e.nextElement()).getUserCertificate().getValue());
      }
      revoked = Set.copyOf(r);
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CRL, "CRL cannot be decoded as X.509 DER: " + e.getMessage(), e);
    }
  }

  static SnpCrl parse(byte[] derOrPem) throws MalformedEvidenceException {
    if (derOrPem == null || derOrPem.length == 0) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CRL, "CRL is empty");
    }
    byte[] der;
    if (Pem.looksLikePem(derOrPem)) {
      List<byte[]> blocks = Pem.decodeAll(derOrPem, "X509 CRL", "CRL");
      if (blocks.size() != 1) {
        throw new MalformedEvidenceException(SnpReason.MALFORMED_CRL, "expected one PEM X509 CRL block, found " + blocks.size());
      }
      der = blocks.get(0);
    } else {
      der = derOrPem.clone();
    }
    return new SnpCrl(der);
  }

  /** Checks signature (by {@code ark}), window at {@code now}, and that none of {@code serials} is revoked. */
  void check(AmdCert ark, RSAKeyParameters arkKey, Instant now, List<CertificateRef> serials) throws VerificationException {
    Boolean ok = verifiedBy.get(Bytes.of(ark.sha256));
    if (ok == null) {
      ok = AmdCert.isAmdPss(crl.getSignatureAlgorithm())
          && crl.getSignatureAlgorithm().equals(crl.getTBSCertList().getSignature())
          && Crypto.verifyRsaPss384(arkKey, tbs, crl.getSignature().getOctets());
      verifiedBy.put(Bytes.of(ark.sha256), ok);
    }
    if (!ok) {
      throw new VerificationException(
          SnpReason.CRL_INVALID, "the CRL is not signed by " + ark.subjectCn + " with RSASSA-PSS SHA-384/salt 48");
    }
    if (now.isBefore(thisUpdate)) {
      throw new VerificationException(
          SnpReason.CRL_INVALID, "the CRL's thisUpdate " + thisUpdate + " is after the verification time " + now);
    }
    if (nextUpdate == null) {
      throw new VerificationException(
          SnpReason.CRL_INVALID, "the CRL has no nextUpdate, so its freshness cannot be judged; use the CRL AMD KDS serves");
    }
    if (now.isAfter(nextUpdate)) {
      throw new VerificationException(
          SnpReason.CRL_INVALID, "the CRL expired at nextUpdate " + nextUpdate + " (verification time " + now
              + "); fetch a fresh one from AMD KDS");
    }
    for (CertificateRef ref : serials) {
      if (revoked.contains(ref.serial())) {
        throw new VerificationException(
            SnpReason.CERTIFICATE_REVOKED,
            ref.what() + " (CN=" + ref.cn() + ") serial 0x" + ref.serial().toString(16) + " is revoked by the "
                + ark.subjectCn + " CRL");
      }
    }
  }

  record CertificateRef(String what, String cn, BigInteger serial) {}
}
