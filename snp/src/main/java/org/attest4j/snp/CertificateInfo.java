package org.attest4j.snp;

import java.math.BigInteger;
import java.time.Instant;
import org.attest4j.core.Bytes;

/**
 * Facts about a verified certificate of the chain (ARK, ASK or ASVK).
 *
 * @param subjectCn subject common name, e.g. {@code ARK-Milan}, {@code SEV-Milan}, {@code SEV-VLEK-Milan}
 * @param issuerCn issuer common name
 * @param serialNumber serial number
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param sha256 SHA-256 of the DER certificate
 */
public record CertificateInfo(
    String subjectCn, String issuerCn, BigInteger serialNumber, Instant notBefore, Instant notAfter, Bytes sha256) {
  static CertificateInfo of(AmdCert c) {
    return new CertificateInfo(c.subjectCn, c.issuerCn, c.serial, c.notBefore, c.notAfter, Bytes.of(c.sha256));
  }
}
