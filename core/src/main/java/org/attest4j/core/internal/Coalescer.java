package org.attest4j.core.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coalesces concurrent requests for the same key into one computation: the first caller runs it,
 * later callers arriving while it runs wait for and share its result (or its exception). Once the
 * computation ends the key is forgotten, so a later call computes afresh (callers cache results
 * themselves).
 *
 * <p>Thread-safe. Internal to attest4j.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Coalescer<K, V> {
  /**
   * A computation that may throw a checked exception of type {@code E}.
   *
   * @param <V> the result type
   * @param <E> the checked exception type
   */
  @FunctionalInterface
  public interface Computation<V, E extends Exception> {
    /**
     * Runs the computation once.
     *
     * @return the computed value
     * @throws E if the computation fails
     */
    V compute() throws E;
  }

  private final ConcurrentHashMap<K, CompletableFuture<V>> inflight = new ConcurrentHashMap<>();
  private final AtomicLong joined = new AtomicLong();

  /**
   * Runs {@code computation} for {@code key}, or joins the one already running for it.
   *
   * @param <E> the checked exception type of {@code computation}
   * @param key identifies the computation; equal keys share one run
   * @param computation the work to run when no run for {@code key} is in flight
   * @param type the checked exception type the computation throws, rethrown as such to every caller
   * @return the computation's result, shared by every caller that joined
   * @throws E if the computation threw it
   * @throws InterruptedException if interrupted while waiting for another caller's run
   */
  public <E extends Exception> V run(K key, Class<E> type, Computation<V, E> computation)
      throws E, InterruptedException {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = inflight.putIfAbsent(key, mine);
    if (existing != null) {
      joined.incrementAndGet();
      return await(existing, type);
    }
    try {
      V v = computation.compute();
      mine.complete(v);
      return v;
    } catch (Exception | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inflight.remove(key, mine);
    }
  }

  private static <V, E extends Exception> V await(CompletableFuture<V> f, Class<E> type)
      throws E, InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (type.isInstance(c)) {
        throw type.cast(c);
      }
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      if (c instanceof InterruptedException) {
        throw new InterruptedException("the shared fetch was interrupted");
      }
      throw new IllegalStateException("shared computation failed", c);
    } catch (CancellationException e) {
      throw new InterruptedException("the shared fetch was cancelled");
    }
  }

  /**
   * How many calls joined a computation already running (for tests and metrics).
   *
   * @return the number of joined calls since construction
   */
  public long joinedCount() {
    return joined.get();
  }

  /**
   * How many computations are running now.
   *
   * @return the number of keys with a computation in flight
   */
  public int inflightCount() {
    return inflight.size();
  }
}
