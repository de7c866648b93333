package org.attest4j.kms;

import java.util.Objects;

/**
 * The answer of an {@link AuthorizationHook}: dstack's {@code {isAllowed, gatewayAppId, reason}}.
 *
 * @param allowed whether the boot may receive keys
 * @param gatewayAppId the gateway app id to return to the guest (may be empty)
 * @param reason why not (empty when allowed)
 */
public record AuthorizationDecision(boolean allowed, String gatewayAppId, String reason) {
  /**
   * Checks the components are not null.
   *
   * @param allowed whether the boot may receive keys
   * @param gatewayAppId the gateway app id to return to the guest (may be empty)
   * @param reason why not (empty when allowed)
   */
  public AuthorizationDecision {
    Objects.requireNonNull(gatewayAppId, "gatewayAppId");
    Objects.requireNonNull(reason, "reason");
  }

  /**
   * An allowing decision.
   *
   * @param gatewayAppId the gateway app id to return to the guest (may be empty)
   * @return an allowing decision
   */
  public static AuthorizationDecision allow(String gatewayAppId) {
    return new AuthorizationDecision(true, gatewayAppId, "");
  }

  /**
   * A refusing decision with its reason.
   *
   * @param reason why the boot is refused
   * @return a refusing decision with its reason
   */
  public static AuthorizationDecision deny(String reason) {
    return new AuthorizationDecision(false, "", reason);
  }
}
