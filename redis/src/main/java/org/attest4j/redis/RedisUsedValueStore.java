package org.attest4j.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.kms.KmsReason;
import org.attest4j.kms.UsedValueStore;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Used nonces and request digests in Redis: {@code SET attest4j:used:<kind>:<hex> 1 NX PX <ttl>}.
 * Redis executes the command atomically, so of any number of concurrent first uses of one value,
 * from any replica, exactly one gets {@code OK} (the check against {@code attest4j:since} and the
 * SET run in one Lua script, so they are atomic too). When the command fails (Redis down, timeout), the
 * use is reported as unrecordable with a retryable {@link KmsReason#FRESHNESS_STORE_UNAVAILABLE}:
 * the request is refused (the client retries), never accepted unrecorded. A timeout after Redis
 * applied the command makes the retry a replay, which is refused: fail closed.
 *
 * <p>Thread-safe; holds no state besides the shared {@link RedisStore}.
 */
final class RedisUsedValueStore implements UsedValueStore {
  private final RedisStore redis;
  private final Clock clock;
  private final Duration lifetime;

  RedisUsedValueStore(RedisStore redis, Clock clock, Duration lifetime) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
  }

  @Override
  public boolean markUsed(Kind kind, Bytes value, Instant expiresAt) throws EndorsementUnavailableException {
    long ttl = expiresAt.toEpochMilli() - clock.millis();
    String key = "used:" + (kind == Kind.NONCE ? "nonce:" : "digest:") + value.toHex();
    try {
      long now = clock.millis();
      // -1: the value's lifetime began before Redis's memory of used values did (a restart without
      // persistence): it may have been used, so it is refused like a used one
      return redis.useOnce(key, Math.max(1, ttl), expiresAt.toEpochMilli() - lifetime.toMillis(), now) == 1;
    } catch (JedisException e) {
      throw unavailable("could not record the use of this " + (kind == Kind.NONCE ? "nonce" : "request digest")
          + " in " + redis, e);
    }
  }

  static EndorsementUnavailableException unavailable(String what, RuntimeException e) {
    return new EndorsementUnavailableException(
        KmsReason.FRESHNESS_STORE_UNAVAILABLE, what + " (" + e.getClass().getSimpleName() + "); retry shortly",
        Duration.ofSeconds(1), e);
  }

  @Override
  public String toString() {
    return "RedisUsedValueStore[" + redis + "]";
  }
}
