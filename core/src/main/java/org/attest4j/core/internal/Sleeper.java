package org.attest4j.core.internal;

import java.time.Duration;

/**
 * Waits between retries. Production code uses {@link #system()}; tests inject a recorder so that no
 * test ever really sleeps. Implementations must be thread-safe. Internal to attest4j.
 */
@FunctionalInterface
public interface Sleeper {
  /**
   * Waits for {@code duration}.
   *
   * @param duration how long to wait
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * The real sleeper ({@link Thread#sleep(long)}).
   *
   * @return a sleeper that blocks the calling thread
   */
  static Sleeper system() {
    return d -> {
      if (!d.isNegative() && !d.isZero()) {
        Thread.sleep(d.toMillis());
      }
    };
  }
}
