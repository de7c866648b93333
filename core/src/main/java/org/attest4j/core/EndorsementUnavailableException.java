package org.attest4j.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Certificates, CRLs or collateral needed to verify evidence could not be obtained (network failure,
 * throttling, offline mode with an empty cache). This is the only retryable refusal; {@link
 * #retryAfter()} carries the server's hint when it gave one.
 */
public class EndorsementUnavailableException extends AttestationException {
  private static final long serialVersionUID = 1L;

  private final transient Duration retryAfter;

  /** Endorsements unavailable, without a retry hint. */
  public EndorsementUnavailableException(ReasonCode reason, String message) {
    this(reason, message, null, null);
  }

  /** Endorsements unavailable; {@code retryAfter} (nullable) is the server's hint. */
  public EndorsementUnavailableException(
      ReasonCode reason, String message, Duration retryAfter, Throwable cause) {
    super(reason, message, cause);
    this.retryAfter = retryAfter;
  }

  /** The delay the endorsement server asked for, if any. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
