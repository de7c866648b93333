package org.attest4j.core;

/**
 * The platform could not produce evidence: no guest attestation interface (neither configfs-tsm nor
 * a guest device), permission denied, or the firmware or hypervisor refused the request. Guest-side
 * providers throw it; verifiers never do. {@link #isRetryable()} is true only when the reason says
 * the condition is transient (for example a busy hypervisor).
 */
public class EvidenceUnavailableException extends AttestationException {
  private static final long serialVersionUID = 1L;

  /** Whether a later attempt may succeed; returned by {@link #isRetryable()}. */
  private final boolean retryable;

  /**
   * A non-retryable failure.
   *
   * @param reason the machine-readable reason code
   * @param message what could not be obtained and why; no secrets
   */
  public EvidenceUnavailableException(ReasonCode reason, String message) {
    this(reason, message, false, null);
  }

  /**
   * A failure that is retryable when {@code retryable} (e.g. a busy hypervisor).
   *
   * @param reason the machine-readable reason code
   * @param message what could not be obtained and why; no secrets
   * @param retryable whether a later attempt may succeed
   * @param cause the underlying failure, or {@code null}
   */
  public EvidenceUnavailableException(
      ReasonCode reason, String message, boolean retryable, Throwable cause) {
    super(reason, message, cause);
    this.retryable = retryable;
  }

  @Override
  public boolean isRetryable() {
    return retryable;
  }
}
