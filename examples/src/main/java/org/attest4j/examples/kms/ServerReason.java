package org.attest4j.examples.kms;

import org.attest4j.core.ReasonCode;

/**
 * Refusals the example server makes before a request reaches the key-release service. The
 * constant name is the stable code; it appears in the error JSON as {@code "ServerReason.X"}.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum ServerReason implements ReasonCode {
  /** The client (remote address) used up its token bucket; 429, retry after the given time. */
  RATE_LIMITED,
  /** Every worker is busy and the queue is full; 503, retry shortly. */
  OVERLOADED,
  /** The request body did not arrive within the read deadline; 408. */
  READ_TIMEOUT,
  /** The request body is larger than the limit; 413. */
  BODY_TOO_LARGE
}
