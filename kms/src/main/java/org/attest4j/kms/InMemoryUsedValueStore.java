package org.attest4j.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;

/**
 * The embedded {@link UsedValueStore}: used values in this JVM's memory, with a separate capacity
 * per {@link UsedValueStore.Kind} (default 100,000 each). Expired values are dropped as new ones
 * arrive; when a kind is full of live values, {@link #markUsed} refuses with a retryable {@link
 * KmsReason#NONCE_STORE_FULL} rather than forget a live value (which would reopen replay). Only a
 * request that passed signature verification gets this far, so the capacity bounds genuine
 * traffic, not an anonymous flood.
 *
 * <p>Instances are thread-safe; {@link #markUsed} returns true for exactly one caller per value.
 */
public final class InMemoryUsedValueStore implements UsedValueStore {
  private record Order(Bytes key, long expiresAtMillis) {}

  private static final class Shelf {
    final int capacity;
    final ConcurrentHashMap<Bytes, Long> entries = new ConcurrentHashMap<>();
    final Queue<Order> order = new ConcurrentLinkedQueue<>();

    Shelf(int capacity) {
      this.capacity = capacity;
    }
  }

  private final Clock clock;
  private final Map<Kind, Shelf> shelves = new EnumMap<>(Kind.class);

  private InMemoryUsedValueStore(Builder b) {
    this.clock = b.clock;
    shelves.put(Kind.NONCE, new Shelf(b.nonceCapacity));
    shelves.put(Kind.REQUEST_DIGEST, new Shelf(b.digestCapacity));
  }

  /**
   * A builder: 100,000 values of each kind, the system UTC clock.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean markUsed(Kind kind, Bytes value, Instant expiresAt) throws EndorsementUnavailableException {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    Shelf s = shelves.get(kind);
    long now = clock.millis();
    long exp = expiresAt.toEpochMilli();
    purge(s, now);
    if (s.entries.size() >= s.capacity) {
      Order head = s.order.peek();
      Duration wait = Duration.ofMillis(head == null ? 1000 : Math.max(1000, head.expiresAtMillis - now));
      throw new EndorsementUnavailableException(
          KmsReason.NONCE_STORE_FULL,
          "the store of used " + label(kind) + " holds " + s.entries.size() + " live values (capacity " + s.capacity
              + "); retry later",
          wait,
          null);
    }
    Long prev = s.entries.putIfAbsent(value, exp);
    if (prev != null && (now <= prev || !s.entries.replace(value, prev, exp))) {
      return false;
    }
    s.order.add(new Order(value, exp));
    return true;
  }

  /**
   * The number of values of {@code kind} held (live, or expired but not yet dropped).
   *
   * @param kind the kind
   * @return the count
   */
  public int size(Kind kind) {
    return shelves.get(kind).entries.size();
  }

  private static void purge(Shelf s, long now) {
    Order head;
    while ((head = s.order.peek()) != null && head.expiresAtMillis < now) {
      if (s.order.remove(head)) {
        s.entries.remove(head.key, head.expiresAtMillis);
      }
    }
  }

  static String label(Kind kind) {
    return kind == Kind.NONCE ? "nonces" : "request digests";
  }

  @Override
  public String toString() {
    return "InMemoryUsedValueStore[nonces=" + size(Kind.NONCE) + "/" + shelves.get(Kind.NONCE).capacity
        + ", request digests=" + size(Kind.REQUEST_DIGEST) + "/" + shelves.get(Kind.REQUEST_DIGEST).capacity + "]";
  }

  /** Builds an {@link InMemoryUsedValueStore}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private int nonceCapacity = 100_000;
    private int digestCapacity = 100_000;

    private Builder() {}

    /**
     * The clock (default the system UTC clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The most used nonces remembered at once (default 100,000).
     *
     * @param capacity a positive count
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder nonceCapacity(int capacity) {
      this.nonceCapacity = positive(capacity);
      return this;
    }

    /**
     * The most used request digests remembered at once (default 100,000).
     *
     * @param capacity a positive count
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder requestDigestCapacity(int capacity) {
      this.digestCapacity = positive(capacity);
      return this;
    }

    private static int positive(int c) {
      if (c < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + c);
      }
      return c;
    }

    /**
     * The store.
     *
     * @return a new store
     */
    public InMemoryUsedValueStore build() {
      return new InMemoryUsedValueStore(this);
    }
  }
}
