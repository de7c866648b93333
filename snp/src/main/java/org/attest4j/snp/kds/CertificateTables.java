package org.attest4j.snp.kds;

import java.io.ByteArrayInputStream;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReason;

/**
 * Decodes certificate-table entries (DER or PEM, via {@link SnpCertTable.Entry#der()}); malformed
 * entries are malformed evidence. Stateless.
 */
final class CertificateTables {
  private CertificateTables() {}

  static X509Certificate cert(SnpCertTable.Entry entry, String what) throws MalformedEvidenceException {
    byte[] der = entry.der();
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CERTIFICATE, "certificate table " + what + " is not a certificate: " + e.getMessage(), e);
    }
  }

  static X509CRL crl(SnpCertTable.Entry entry) throws MalformedEvidenceException {
    byte[] der = entry.der();
    try {
      return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    } catch (CertificateException | CRLException | RuntimeException e) {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CRL, "certificate table CRL entry is not a CRL: " + e.getMessage(), e);
    }
  }
}
