package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;

/**
 * Steps 1 and 2 for SEV-SNP: the report parses, then its VCEK/VLEK chain and signature verify with
 * endorsements from the request or the configured source (the only step that may go to the
 * network). Immutable and thread-safe.
 */
final class SnpEvidenceStep {
  private final Ports.EvidencePort evidence;

  /** @param evidence null for a TDX-only KMS (then every SEV-SNP report is refused) */
  SnpEvidenceStep(Ports.EvidencePort evidence) {
    this.evidence = evidence;
  }

  /** Step 1; {@link KmsReason#SNP_NOT_CONFIGURED} when this KMS serves no SEV-SNP guests. */
  Ports.Evidence parse(Bytes report) throws AttestationException {
    if (evidence == null) {
      throw new VerificationException(
          KmsReason.SNP_NOT_CONFIGURED,
          "this KMS serves no SEV-SNP guests: it was built for Intel TDX only, without snp(..) and launch(..)");
    }
    return evidence.parse(report);
  }

  /** Step 2: the verified evidence (the same bytes as {@code parsed}). */
  Ports.Evidence verify(Ports.Evidence parsed, KeyReleaseRequest req) throws AttestationException {
    return evidence.verify(parsed, req);
  }

  /** The dstack TEE variant name for BootInfo. */
  String teeVariant() {
    return evidence.teeVariant();
  }

  @Override
  public String toString() {
    return evidence == null ? "TDX only" : evidence.teeVariant();
  }
}
