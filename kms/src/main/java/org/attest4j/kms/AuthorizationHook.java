package org.attest4j.kms;

import org.attest4j.core.AttestationException;

/**
 * Step 7 of the key release: decides whether a verified boot may receive its app keys, given
 * dstack's {@link BootInfo}. Implementations: {@link WebhookAuthorizer} (dstack's auth webhook
 * over HTTP) and {@link AllowListAuthorizer} (a static allow-list, like dstack's auth-simple).
 *
 * <p>Implementations must be thread-safe; the service calls them concurrently. An exception (for
 * example an unreachable webhook) refuses the release: the flow fails closed.
 */
@FunctionalInterface
public interface AuthorizationHook {
  /**
   * Decides about one boot.
   *
   * @param bootInfo the boot info
   * @return allow (with the gateway app id) or deny (with a reason)
   * @throws AttestationException if no decision could be had (the release is refused)
   */
  AuthorizationDecision authorize(BootInfo bootInfo) throws AttestationException;
}
