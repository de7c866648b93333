package org.attest4j.kms;

import org.attest4j.core.AttestationException;

/**
 * Step 3 for SEV-SNP: the SNP policy and the TCB floor accept the report, checked on the parsed
 * report before any endorsement is fetched and again on the verified one. Immutable and
 * thread-safe.
 */
final class SnpPolicyStep {
  private final Ports.EvidencePort evidence;

  SnpPolicyStep(Ports.EvidencePort evidence) {
    this.evidence = evidence;
  }

  /**
   * The rules that need no endorsement (signing key, VEK present, masked CHIP_ID, policy, TCB
   * floor), on the parsed report: no network call before they pass.
   */
  void precheck(Ports.Evidence parsed, KeyReleaseRequest req) throws AttestationException {
    evidence.precheck(parsed, req);
  }

  /** The policy on the verified report. */
  void apply(Ports.Evidence verified) throws AttestationException {
    evidence.applyPolicy(verified);
  }
}
