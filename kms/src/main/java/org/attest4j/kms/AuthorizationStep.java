package org.attest4j.kms;

import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.PolicyViolationException;

/**
 * Step 7 for every path: the authorization hook allows the boot, else {@link
 * KmsReason#NOT_AUTHORIZED} with every reason it gave. Immutable and thread-safe (the hook is).
 */
final class AuthorizationStep {
  private final AuthorizationHook hook;
  private final String what;

  /**
   * @param hook the hook asked
   * @param what what is booting, for messages ({@code "app"}, {@code "KMS replica"})
   */
  AuthorizationStep(AuthorizationHook hook, String what) {
    this.hook = hook;
    this.what = what;
  }

  /** The hook's decision on {@code info}; a refusal or no decision at all is refused. */
  AuthorizationDecision authorize(BootInfo info, AppIdentity id) throws AttestationException {
    AuthorizationDecision decision = hook.authorize(info);
    if (decision == null || !decision.allowed()) {
      String why = decision == null ? "no decision" : decision.reason();
      throw new PolicyViolationException(
          List.of(
              new PolicyViolationException.Violation(
                  KmsReason.NOT_AUTHORIZED,
                  "authorization",
                  "the authorization hook refused " + what + " " + id.appId() + " (compose hash " + id.composeHash()
                      + ", tcbStatus " + info.tcbStatus() + "): " + (why.isEmpty() ? "no reason given" : why))));
    }
    return decision;
  }
}
