package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerdict;

/**
 * Step 3 for TDX: the {@link TdxPolicy} accepts the quote, its rules that need no collateral
 * checked on the parsed quote before the collateral is fetched and all of them again on the
 * verdict. Immutable and thread-safe.
 */
final class TdxPolicyStep {
  private final TdxPolicy policy;

  TdxPolicyStep(TdxPolicy policy) {
    this.policy = policy;
  }

  /**
   * The rules decided by the TD report alone (debug TD, td_attributes, mr_servicetd, expected
   * MRTD; {@link TdxPolicy#enforceUnverified}), on the parsed quote: no collateral fetch before
   * they pass. The verified quote carries the same bytes, so {@link #enforce} would refuse the same
   * rules with the same reason.
   */
  void precheck(TdxQuote parsed) throws AttestationException {
    policy.enforceUnverified(parsed.body());
  }

  /** Refuses with every rule of the policy that failed. */
  void enforce(TdxVerdict verdict) throws AttestationException {
    policy.enforce(verdict);
  }
}
