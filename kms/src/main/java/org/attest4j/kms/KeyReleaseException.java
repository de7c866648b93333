package org.attest4j.kms;

import java.util.Objects;
import org.attest4j.core.AttestationException;

/**
 * A key release was refused. It names the {@link #step() step} that refused and wraps the typed
 * refusal of that step ({@link #refusal()}, also {@link #getCause()}): a {@code
 * MalformedEvidenceException}, {@code VerificationException}, {@code PolicyViolationException} or
 * {@code EndorsementUnavailableException} with its own reason code. {@link #reason()} is that
 * refusal's reason, so callers can switch on it directly.
 *
 * <p>The message reads "step N (label) refused: detail" and never contains key material. The
 * timings of the steps that ran are available from {@link #timings()}. Instances are immutable.
 */
public final class KeyReleaseException extends AttestationException {
  private static final long serialVersionUID = 1L;

  /** The step that refused. */
  private final KeyReleaseStep step;
  private final transient AttestationException refusal;
  private final transient StepTimings timings;

  /**
   * Wraps the refusal of one step.
   *
   * @param step the step that refused
   * @param refusal its typed refusal
   * @param timings the timings of the steps that ran (may be {@link StepTimings#empty()})
   */
  public KeyReleaseException(KeyReleaseStep step, AttestationException refusal, StepTimings timings) {
    super(
        Objects.requireNonNull(refusal, "refusal").reason(),
        Objects.requireNonNull(step, "step") + " refused: " + refusal.getMessage(),
        refusal);
    this.step = step;
    this.refusal = refusal;
    this.timings = Objects.requireNonNull(timings, "timings");
  }

  /**
   * The step that refused.
   *
   * @return the step that refused
   */
  public KeyReleaseStep step() {
    return step;
  }

  /**
   * The typed refusal of that step.
   *
   * @return the typed refusal of that step
   */
  public AttestationException refusal() {
    return refusal;
  }

  /**
   * The timings of the steps that ran before and including the refusing one.
   *
   * @return the timings of the steps that ran before and including the refusing one
   */
  public StepTimings timings() {
    return timings;
  }

  /** Retryable exactly when the step's refusal is (unavailable endorsements or authorization). */
  @Override
  public boolean isRetryable() {
    return refusal.isRetryable();
  }
}
