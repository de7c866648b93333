package org.attest4j.kms;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.VerificationException;

/**
 * Single-use freshness values: nonces the KMS issues for report_data[32..64], and request digests
 * that may be used once within their lifetime. Memory is bounded: at most {@code capacity}
 * values (issued, used or remembered) are held; expired ones are dropped as new ones arrive, and
 * when the store is full of live values {@link #issue()} refuses with a retryable {@link
 * KmsReason#NONCE_STORE_FULL} rather than forgetting a live value (which would reopen replay).
 *
 * <p>Used values are remembered until they expire, so a replay is reported as {@link
 * KmsReason#REPLAYED} rather than as unknown. Time comes from the injected {@link Clock}.
 *
 * <p>Instances are thread-safe: {@link #consume} succeeds for exactly one caller per nonce even
 * under concurrent attempts.
 */
public final class NonceStore {
  /** The nonce length in bytes. */
  public static final int NONCE_LENGTH = 32;

  /** A nonce issued by {@link #issue()}: 32 random bytes and the instant after which it is refused. */
  public record IssuedNonce(Bytes nonce, Instant expiresAt) {
    /** Checks the components. */
    public IssuedNonce {
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  private static final class Entry {
    final long expiresAtMillis;
    final AtomicBoolean used;

    Entry(long expiresAtMillis, boolean used) {
      this.expiresAtMillis = expiresAtMillis;
      this.used = new AtomicBoolean(used);
    }
  }

  private record Order(Bytes key, long expiresAtMillis) {}

  private final Clock clock;
  private final Duration lifetime;
  private final int capacity;
  private final SecureRandom random;
  private final ConcurrentHashMap<Bytes, Entry> entries = new ConcurrentHashMap<>();
  private final Queue<Order> order = new ConcurrentLinkedQueue<>();

  private NonceStore(Builder b) {
    this.clock = b.clock;
    this.lifetime = b.lifetime;
    this.capacity = b.capacity;
    this.random = b.random;
  }

  /** A builder with a 60-second lifetime, capacity 100,000, the system UTC clock. */
  public static Builder builder() {
    return new Builder();
  }

  /** How long an issued nonce stays valid. */
  public Duration lifetime() {
    return lifetime;
  }

  /** The clock this store reads. */
  public Clock clock() {
    return clock;
  }

  /**
   * Issues a fresh random nonce, valid for {@link #lifetime()}.
   *
   * @throws EndorsementUnavailableException with {@link KmsReason#NONCE_STORE_FULL} (retryable) if
   *     the store holds {@code capacity} live values
   */
  public IssuedNonce issue() throws EndorsementUnavailableException {
    long now = clock.millis();
    makeRoom(now);
    byte[] n = new byte[NONCE_LENGTH];
    random.nextBytes(n);
    Bytes key = Bytes.of(n);
    long exp = now + lifetime.toMillis();
    entries.put(key, new Entry(exp, false));
    order.add(new Order(key, exp));
    return new IssuedNonce(key, Instant.ofEpochMilli(exp));
  }

  /**
   * Uses an issued nonce once.
   *
   * @throws VerificationException {@link KmsReason#NONCE_UNKNOWN} if this store never issued it (or
   *     forgot it after it expired), {@link KmsReason#EXPIRED} if it is past its lifetime, {@link
   *     KmsReason#REPLAYED} if it was already used
   */
  public void consume(Bytes nonce) throws VerificationException {
    Objects.requireNonNull(nonce, "nonce");
    Entry e = entries.get(nonce);
    if (e == null) {
      throw new VerificationException(
          KmsReason.NONCE_UNKNOWN,
          "nonce " + abbreviate(nonce) + " was not issued by this KMS or has expired and been forgotten");
    }
    long now = clock.millis();
    if (now > e.expiresAtMillis) {
      throw new VerificationException(
          KmsReason.EXPIRED,
          "nonce " + abbreviate(nonce) + " expired at " + Instant.ofEpochMilli(e.expiresAtMillis)
              + ", now " + Instant.ofEpochMilli(now));
    }
    if (!e.used.compareAndSet(false, true)) {
      throw new VerificationException(
          KmsReason.REPLAYED, "nonce " + abbreviate(nonce) + " has already been used");
    }
  }

  /**
   * Records a value (a request digest) that may be used once until {@code expiresAt}.
   *
   * @throws VerificationException {@link KmsReason#REPLAYED} if it was recorded before and has not
   *     expired, {@link KmsReason#EXPIRED} if {@code expiresAt} has passed
   * @throws EndorsementUnavailableException {@link KmsReason#NONCE_STORE_FULL} if the store is full
   */
  public void useOnce(Bytes value, Instant expiresAt) throws AttestationException {
    Objects.requireNonNull(value, "value");
    long now = clock.millis();
    long exp = expiresAt.toEpochMilli();
    if (now > exp) {
      throw new VerificationException(
          KmsReason.EXPIRED, "request expired at " + expiresAt + ", now " + Instant.ofEpochMilli(now));
    }
    makeRoom(now);
    Entry fresh = new Entry(exp, true);
    Entry prev = entries.putIfAbsent(value, fresh);
    if (prev != null) {
      if (now <= prev.expiresAtMillis || !entries.replace(value, prev, fresh)) {
        throw new VerificationException(
            KmsReason.REPLAYED, "request digest " + abbreviate(value) + " has already been used");
      }
    }
    order.add(new Order(value, exp));
  }

  /** The number of values currently held (live or expired but not yet dropped). */
  public int size() {
    return entries.size();
  }

  private void makeRoom(long now) throws EndorsementUnavailableException {
    purgeExpired(now);
    if (entries.size() >= capacity) {
      throw new EndorsementUnavailableException(
          KmsReason.NONCE_STORE_FULL,
          "nonce store holds " + entries.size() + " live values (capacity " + capacity + "); retry later",
          lifetime,
          null);
    }
  }

  private void purgeExpired(long now) {
    Order head;
    while ((head = order.peek()) != null && head.expiresAtMillis < now) {
      if (order.remove(head)) {
        Entry e = entries.get(head.key);
        if (e != null && e.expiresAtMillis < now) {
          entries.remove(head.key, e);
        }
      }
    }
  }

  private static String abbreviate(Bytes b) {
    String h = b.toHex();
    return h.length() <= 16 ? h : h.substring(0, 16) + "...";
  }

  @Override
  public String toString() {
    return "NonceStore[lifetime=" + lifetime + ", capacity=" + capacity + ", size=" + entries.size() + "]";
  }

  /** Builds a {@link NonceStore}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration lifetime = Duration.ofSeconds(60);
    private int capacity = 100_000;
    private SecureRandom random;

    private Builder() {}

    /** The clock (default the system UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a nonce or request digest stays usable (default 60 s; 1 s to 1 h). */
    public Builder lifetime(Duration lifetime) {
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("nonce lifetime must be between 1 s and 1 h: " + lifetime);
      }
      this.lifetime = lifetime;
      return this;
    }

    /** The most values held at once (default 100,000). */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /** The random source (default a new {@link SecureRandom}). */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The store. */
    public NonceStore build() {
      if (random == null) {
        random = new SecureRandom();
      }
      return new NonceStore(this);
    }
  }
}
