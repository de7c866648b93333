package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.kms.proto.SignCertRequest;
import org.attest4j.ratls.CertConfig;
import org.attest4j.ratls.CertSigningRequest;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsReason;
import org.attest4j.ratls.RatlsReportData;

/**
 * Step 0 of SignCert: the CSR decodes and verifies (its key's signature, the confirm word, the
 * attestation's binding to its key), asks for a validity X.509 can state, and its attestation
 * becomes the inputs of the platform's steps. Stateless and thread-safe.
 */
final class CsrStep {
  /** The latest time X.509 can state: 9999-12-31T23:59:59Z. */
  private static final long MAX_CERT_SECONDS = 253402300799L;

  /**
   * A verified CSR and the inputs of its attestation.
   *
   * @param csr the CSR, its signature verified
   * @param request its attestation with the request's vm_config, bound to the CSR key
   */
  record Decoded(CertSigningRequest csr, RatlsRequest request) {}

  private CsrStep() {}

  /**
   * Decodes and verifies {@code request}'s CSR ({@link RatlsReason#BAD_CSR}, {@link
   * RatlsReason#REPORT_DATA_MISMATCH}, ...).
   */
  static Decoded decode(SignCertRequest request) throws AttestationException {
    CertSigningRequest csr = CertSigningRequest.parse(request.getApiVersion(), request.getCsr().toByteArray());
    csr.verify(request.getSignature().toByteArray());
    checkValidity(csr.config());
    RatlsRequest decoded = RatlsRequest.fromAttestation(csr.attestation().attestation(), request.getVmConfig(),
        RatlsReportData.forCertificateKey(csr.publicKey().toByteArray()));
    return new Decoded(csr, decoded);
  }

  /** A CSR's validity must be expressible and not inverted (rcgen's default notBefore is 1975). */
  private static void checkValidity(CertConfig c) throws MalformedEvidenceException {
    long notBefore = c.notBefore().orElse(RatlsCertificateBuilder.RCGEN_NOT_BEFORE.getEpochSecond());
    long notAfter = c.notAfter().orElse(MAX_CERT_SECONDS);
    if (Long.compareUnsigned(notBefore, MAX_CERT_SECONDS) > 0
        || Long.compareUnsigned(notAfter, MAX_CERT_SECONDS) > 0) {
      throw new MalformedEvidenceException(RatlsReason.BAD_CSR,
          "SignCert: the CSR's validity is after 9999-12-31, which X.509 cannot state");
    }
    if (notAfter < notBefore) {
      throw new MalformedEvidenceException(RatlsReason.BAD_CSR,
          "SignCert: the CSR's not_after precedes its not_before");
    }
  }
}
