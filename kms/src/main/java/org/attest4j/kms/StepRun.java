package org.attest4j.kms;

import java.lang.System.Logger.Level;
import org.attest4j.core.AttestationException;
import org.attest4j.core.VerificationException;

/**
 * One request's progress through the steps: the step it is in, the time each step took, and the
 * refusal that names the step. One per request and confined to its thread; not shared.
 */
final class StepRun {
  private static final System.Logger LOG = System.getLogger(KeyReleaseService.class.getName());
  private static final int STEPS = KeyReleaseStep.values().length;

  /** A part of a request's flow that may refuse. */
  interface Body<T> {
    T run() throws AttestationException;
  }

  private final long[] nanos = new long[STEPS];
  private KeyReleaseStep step = KeyReleaseStep.DECODE_REQUEST;
  private long started = System.nanoTime();

  /** Ends the current step and starts {@code next} (which may be a step that ran before). */
  void begin(KeyReleaseStep next) {
    long now = System.nanoTime();
    nanos[step.ordinal()] += now - started;
    step = next;
    started = now;
  }

  /** The step the request is in. */
  KeyReleaseStep step() {
    return step;
  }

  /** Ends the current step; the timings so far. */
  StepTimings finish() {
    long now = System.nanoTime();
    nanos[step.ordinal()] += now - started;
    started = now;
    return StepTimings.ofNanos(nanos);
  }

  /**
   * Runs {@code body}, turning a refusal into a {@link KeyReleaseException} naming the current
   * step, and an unexpected runtime failure into {@link KmsReason#INTERNAL_ERROR} (fail closed).
   */
  <T> T guarded(Body<T> body) throws KeyReleaseException {
    try {
      return body.run();
    } catch (AttestationException e) {
      throw refuse(e);
    } catch (RuntimeException e) {
      throw refuse(internal(e));
    }
  }

  /** The refusal of the current step, logged at INFO with its reason code. */
  KeyReleaseException refuse(AttestationException e) {
    KeyReleaseException k = new KeyReleaseException(step, e, finish());
    LOG.log(Level.INFO, () -> "refused: " + k.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    return k;
  }

  /** An unexpected runtime failure as a refusal; the stack trace is logged, never key material. */
  static AttestationException internal(RuntimeException e) {
    LOG.log(Level.WARNING, "key release failed unexpectedly; refused", e);
    return new VerificationException(
        KmsReason.INTERNAL_ERROR, "unexpected " + e.getClass().getSimpleName() + "; the request was refused");
  }
}
