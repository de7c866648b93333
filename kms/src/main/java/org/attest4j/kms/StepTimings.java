package org.attest4j.kms;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How long each {@link KeyReleaseStep} of one key release took, in nanoseconds. Steps that did not
 * run report zero. Instances are immutable and thread-safe.
 */
public final class StepTimings {
  private static final int STEPS = KeyReleaseStep.values().length;
  private static final StepTimings EMPTY = new StepTimings(new long[STEPS]);

  private final long[] nanos;

  private StepTimings(long[] nanos) {
    this.nanos = nanos;
  }

  /**
   * Timings with every step at zero.
   *
   * @return timings that are all zero
   */
  public static StepTimings empty() {
    return EMPTY;
  }

  /** Timings from per-step nanoseconds indexed by {@link KeyReleaseStep#ordinal()}. */
  static StepTimings ofNanos(long[] nanos) {
    if (nanos.length != STEPS) {
      throw new IllegalArgumentException("need " + STEPS + " step timings, got " + nanos.length);
    }
    return new StepTimings(nanos.clone());
  }

  /**
   * The time the step took (zero if it did not run).
   *
   * @param step the key-release step
   * @return the time the step took (zero if it did not run)
   */
  public Duration of(KeyReleaseStep step) {
    return Duration.ofNanos(nanos[step.ordinal()]);
  }

  /**
   * The time the step took, in nanoseconds.
   *
   * @param step the key-release step
   * @return the time the step took, in nanoseconds
   */
  public long nanos(KeyReleaseStep step) {
    return nanos[step.ordinal()];
  }

  /**
   * The sum over all steps.
   *
   * @return the sum over all steps
   */
  public Duration total() {
    return Duration.ofNanos(Arrays.stream(nanos).sum());
  }

  /**
   * One line per step that ran, {@code "  4 verify measurement      0.021 ms"}.
   *
   * @return the table, one line per step that ran
   */
  public String table() {
    StringBuilder sb = new StringBuilder();
    for (KeyReleaseStep s : KeyReleaseStep.values()) {
      if (nanos[s.ordinal()] > 0) {
        sb.append(
            String.format(
                Locale.ROOT, "  %d %-28s %8.3f ms%n", s.number(), s.label(), nanos[s.ordinal()] / 1e6));
      }
    }
    sb.append(String.format(Locale.ROOT, "    %-28s %8.3f ms%n", "total", total().toNanos() / 1e6));
    return sb.toString();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("StepTimings[");
    boolean first = true;
    for (KeyReleaseStep s : KeyReleaseStep.values()) {
      if (nanos[s.ordinal()] > 0) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(s.name()).append('=').append(String.format(Locale.ROOT, "%.3fms", nanos[s.ordinal()] / 1e6));
      }
    }
    return sb.append(']').toString();
  }
}
