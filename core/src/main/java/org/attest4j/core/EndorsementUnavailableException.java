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

  /**
   * Endorsements unavailable, without a retry hint.
   *
   * @param reason the machine-readable reason code
   * @param message what could not be fetched and why; no secrets
   */
  public EndorsementUnavailableException(ReasonCode reason, String message) {
    this(reason, message, null, null);
  }

  /**
   * Endorsements unavailable; {@code retryAfter} (nullable) is the server's hint.
   *
   * @param reason the machine-readable reason code
   * @param message what could not be fetched and why; no secrets
   * @param retryAfter the delay the server asked for (Retry-After), or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public EndorsementUnavailableException(
      ReasonCode reason, String message, Duration retryAfter, Throwable cause) {
    super(reason, message, cause);
    this.retryAfter = retryAfter;
  }

  /**
   * The delay the endorsement server asked for, if any.
   *
   * @return the server's requested delay, or empty if it gave none
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
