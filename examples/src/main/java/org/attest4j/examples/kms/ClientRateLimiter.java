package org.attest4j.examples.kms;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client key (the remote address): {@code ratePerSecond} tokens a second, at
 * most {@code burst} saved. Memory is bounded: when more than {@code maxClients} buckets exist,
 * buckets that have refilled completely (idle clients) are dropped, which loses nothing.
 *
 * <p>Thread-safe.
 */
final class ClientRateLimiter {
  private final double perNano;
  private final double burst;
  private final int maxClients;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  ClientRateLimiter(double ratePerSecond, int burst, int maxClients, LongSupplier nanos) {
    this.perNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.maxClients = maxClients;
    this.nanos = nanos;
  }

  /**
   * Takes a token for {@code client}.
   *
   * @return empty if allowed, else how long until a token is available
   */
  java.util.Optional<Duration> tryAcquire(String client) {
    long now = nanos.getAsLong();
    if (buckets.size() > maxClients) {
      evictFull(now);
    }
    Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.last) * perNano);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perNano)));
    }
  }

  private void evictFull(long now) {
    for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
      Bucket b = it.next().getValue();
      synchronized (b) {
        if (b.tokens + (now - b.last) * perNano >= burst) {
          it.remove();
        }
      }
    }
  }

  int clients() {
    return buckets.size();
  }
}
