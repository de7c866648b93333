package org.attest4j.core.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.ReasonCode;

/**
 * The in-memory cache of an endorsement client (AMD KDS, Intel PCS): a bounded least-recently-used
 * map whose entries expire at their own instant (by the injected clock), with concurrent loads of
 * the same key coalesced into one (see {@link Coalescer}). Only successful loads are kept.
 *
 * <p>Thread-safe. Internal to attest4j.
 */
public final class ExpiringCache {
  /**
   * A loaded value and the instant from which it is no longer served.
   *
   * @param value the value
   * @param expires the first instant at which the value is stale
   */
  public record Cached(Object value, Instant expires) {}

  /** Loads a value that is not in memory (typically from disk or the network). */
  @FunctionalInterface
  public interface Loader {
    /**
     * The value and its expiry; exceptions are passed to every caller waiting for the key.
     *
     * @return the loaded value with its expiry time
     * @throws AttestationException if the value cannot be loaded
     */
    Cached load() throws AttestationException;
  }

  private final Clock clock;
  private final ReasonCode interrupted;
  private final Coalescer<String, Object> coalescer = new Coalescer<>();
  private final Map<String, Cached> memory;

  /**
   * A cache of at most {@code maxEntries} entries; {@code interrupted} is the reason given when a
   * thread is interrupted while waiting for another's load.
   *
   * @param maxEntries the largest number of entries kept
   * @param clock decides expiry
   * @param interrupted the reason code for a refusal caused by interruption
   */
  public ExpiringCache(int maxEntries, Clock clock, ReasonCode interrupted) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.interrupted = Objects.requireNonNull(interrupted, "interrupted");
    this.memory =
        new LinkedHashMap<>(32, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /**
   * The unexpired value for {@code key}, loading it with {@code loader} when absent. Concurrent
   * calls for the same key share one load. {@code what} names the value in messages.
   *
   * @param key identifies the value
   * @param what names the value in messages
   * @param loader loads the value when it is absent or expired
   * @return the cached or freshly loaded value
   * @throws AttestationException the loader's refusal, or one with the {@code interrupted} reason
   */
  public Object get(String key, String what, Loader loader) throws AttestationException {
    Object hit = memoryGet(key);
    if (hit != null) {
      return hit;
    }
    try {
      return coalescer.run(
          key,
          AttestationException.class,
          () -> {
            Object again = memoryGet(key);
            if (again != null) {
              return again;
            }
            Cached c = loader.load();
            synchronized (memory) {
              memory.put(key, c);
            }
            return c.value();
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EndorsementUnavailableException(
          interrupted, "interrupted while waiting for the " + what, null, e);
    }
  }

  /**
   * How many calls joined a load already running.
   *
   * @return the number of joined calls since construction
   */
  public long joinedCount() {
    return coalescer.joinedCount();
  }

  private Object memoryGet(String key) {
    synchronized (memory) {
      Cached c = memory.get(key);
      if (c == null) {
        return null;
      }
      if (!clock.instant().isBefore(c.expires())) {
        memory.remove(key);
        return null;
      }
      return c.value();
    }
  }
}
