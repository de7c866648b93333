package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxVerdict;

/** Step 3 for TDX: the {@link TdxPolicy} accepts the verdict. Immutable and thread-safe. */
final class TdxPolicyStep {
  private final TdxPolicy policy;

  TdxPolicyStep(TdxPolicy policy) {
    this.policy = policy;
  }

  /** Refuses with every rule of the policy that failed. */
  void enforce(TdxVerdict verdict) throws AttestationException {
    policy.enforce(verdict);
  }
}
