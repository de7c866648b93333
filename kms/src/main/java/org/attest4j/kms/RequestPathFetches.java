package org.attest4j.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.ReasonCode;

/**
 * The one mechanism that keeps a fetch a request triggers (a VCEK or chain from AMD's KDS, TDX
 * collateral from Intel's PCS) off the request's critical path: used by {@link
 * RequestPathEndorsements} for SEV-SNP and {@link RequestPathCollateral} for TDX, one instance per
 * service, so both share one bounded pool.
 *
 * <ul>
 *   <li><b>Deadline.</b> The fetch runs on a small background pool; the request waits at most the
 *       deadline and is then answered with the retryable {@link KmsReason#ENDORSEMENT_DEADLINE}
 *       while the fetch goes on (not cancelled) and fills the source's cache for the next request.
 *       At most {@code maxBackground} fetches run at once; beyond that a request is answered at once
 *       with the retryable {@link KmsReason#ENDORSEMENTS_BUSY}.
 *   <li><b>Negative cache.</b> A fetch the server answered "not found" for is remembered under its
 *       key for {@code negativeTtl} (by the clock): the same lookup is refused at once, without a
 *       call, with the refusal its caller chose.
 * </ul>
 *
 * Sleeping through {@code Retry-After} is the client's to avoid (its circuit breaker); this class
 * never sleeps. Thread-safe. Internal.
 */
final class RequestPathFetches {
  private static final int NEGATIVE_ENTRIES = 4096;

  /** A fetch that may go to the network. */
  @FunctionalInterface
  interface Fetch<T> {
    T get() throws AttestationException;
  }

  /** The refusal for a remembered "not found", until {@code until}; {@code cause} null on a hit. */
  @FunctionalInterface
  interface NotFound {
    AttestationException refusal(Instant until, Throwable cause);
  }

  private record Negative(Instant until, NotFound refusal) {}

  private final Duration deadline;
  private final Duration negativeTtl;
  private final Clock clock;
  private final ThreadPoolExecutor pool;
  private final Map<String, Negative> unknown; // guarded by itself

  /**
   * @param deadline how long a request waits for a fetch
   * @param negativeTtl how long a "not found" is remembered
   * @param maxBackground how many fetches run at once
   */
  RequestPathFetches(Duration deadline, Duration negativeTtl, int maxBackground, Clock clock) {
    this.deadline = Objects.requireNonNull(deadline);
    this.negativeTtl = Objects.requireNonNull(negativeTtl);
    this.clock = Objects.requireNonNull(clock);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            0,
            maxBackground,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "attest4j-kms-endorsements-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.unknown =
        new LinkedHashMap<>(64, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Negative> eldest) {
            return size() > NEGATIVE_ENTRIES;
          }
        };
  }

  Clock clock() {
    return clock;
  }

  /**
   * Runs {@code fetch} under the deadline: its result, its own refusal, or a retryable refusal
   * when it is not done in time or the pool is full. A refusal with reason {@code notFoundReason}
   * is remembered under {@code key} and answered with {@code notFound} (then, until it expires,
   * without running {@code fetch}).
   *
   * @param what what is fetched, for messages (no request strings)
   */
  <T> T fetch(String key, String what, Fetch<T> fetch, ReasonCode notFoundReason, NotFound notFound)
      throws AttestationException {
    synchronized (unknown) {
      if (!unknown.isEmpty()) {
        Negative n = unknown.get(key);
        if (n != null) {
          if (clock.instant().isBefore(n.until())) {
            throw n.refusal().refusal(n.until(), null);
          }
          unknown.remove(key);
        }
      }
    }
    Future<T> f;
    try {
      f = pool.submit(() -> fetchAndRemember(key, fetch, notFoundReason, notFound));
    } catch (RejectedExecutionException e) {
      throw new EndorsementUnavailableException(
          KmsReason.ENDORSEMENTS_BUSY,
          "endorsement fetches for " + pool.getMaximumPoolSize() + " other requests are still running; retry shortly",
          Duration.ofSeconds(1),
          e);
    }
    try {
      return f.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // not cancelled: the fetch goes on and fills the source's cache for the next request
      throw new EndorsementUnavailableException(
          KmsReason.ENDORSEMENT_DEADLINE,
          "the " + what + " were not fetched within " + deadline.toMillis()
              + " ms; the fetch goes on in the background, retry shortly",
          Duration.ofSeconds(Math.max(1, deadline.toSeconds())),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EndorsementUnavailableException(
          KmsReason.NO_ENDORSEMENT, "interrupted while waiting for the " + what, null, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof AttestationException a) {
        throw a;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  private <T> T fetchAndRemember(String key, Fetch<T> fetch, ReasonCode notFoundReason, NotFound notFound)
      throws AttestationException {
    try {
      return fetch.get();
    } catch (EndorsementUnavailableException e) {
      if (e.reason() == notFoundReason) {
        Instant until = clock.instant().plus(negativeTtl);
        synchronized (unknown) {
          unknown.put(key, new Negative(until, notFound));
        }
        throw notFound.refusal(until, e);
      }
      throw e;
    }
  }

  /** How many negative entries are remembered (tests). */
  int negativeEntries() {
    synchronized (unknown) {
      return unknown.size();
    }
  }
}
