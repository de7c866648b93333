package org.attest4j.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.attest4j.kms.UsedValueStore;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.EndorsementVerifier;

/**
 * One connection to Redis (or Valkey) shared by a KMS replica's stores: {@link #usedValues} (used
 * nonces and request digests, {@code SET key 1 NX PX ttl}: of concurrent uses across replicas
 * exactly one wins) and {@link #endorsementCache} (verified VCEK/VLEK and chains, so replicas fetch
 * each from AMD's KDS once). Keys start with {@code attest4j:}.
 *
 * <p>While Redis is unreachable, commands fail at once (no queueing) and the stores answer as their
 * contracts say: the used-value store throws a retryable {@link
 * org.attest4j.core.EndorsementUnavailableException} (the KMS answers 503, never accepting a
 * request whose single use it could not record); the endorsement cache falls through to its
 * upstream source. The connection reconnects by itself when Redis is back.
 *
 * <p>Thread-safe (Lettuce multiplexes one connection over all callers); {@link #close()} ends it.
 */
public final class RedisStore implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final String name;

  private RedisStore(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection, String name) {
    this.client = client;
    this.connection = connection;
    this.name = name;
  }

  /**
   * Connects to {@code url} ({@code redis://HOST:PORT[/DB]} or {@code rediss://} for TLS).
   *
   * @param url the server
   * @param commandTimeout how long one command may take before it counts as a failure
   * @return the store
   * @throws IllegalArgumentException if the URL is not a Redis URL
   * @throws org.attest4j.core.EndorsementUnavailableException if Redis cannot be reached now
   */
  public static RedisStore connect(URI url, Duration commandTimeout)
      throws org.attest4j.core.EndorsementUnavailableException {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a Redis URL: " + url.getScheme() + "://" + url.getHost() + ":" + url.getPort());
    }
    uri.setTimeout(commandTimeout);
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build());
    String name = "redis://" + url.getHost() + ":" + (url.getPort() > 0 ? url.getPort() : 6379);
    try {
      RedisStore store = new RedisStore(client, client.connect(ByteArrayCodec.INSTANCE), name);
      store.markSince(System.currentTimeMillis());
      return store;
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw RedisUsedValueStore.unavailable("cannot connect to " + name, e);
    }
  }

  /**
   * The store of used nonces and request digests on this connection.
   *
   * <p>Redis without persistence forgets everything when it restarts. So that no value used before
   * a restart can be used again after it, Redis holds {@code attest4j:since}, the instant its memory
   * of used values starts (set when absent, at connect time and after a restart); a value whose
   * lifetime began before that instant is refused as possibly used, until values issued after the
   * restart take over (at most {@code lifetime}).
   *
   * @param clock the clock for time-to-live computations
   * @param lifetime the longest lifetime of a nonce or request digest (the KMS's nonce lifetime)
   * @return the store
   */
  public UsedValueStore usedValues(Clock clock, Duration lifetime) {
    return new RedisUsedValueStore(this, clock, lifetime);
  }

  /**
   * The outcome of {@link #useOnce}: 1 first use, 0 used before, -1 began before Redis's memory.
   */
  long useOnce(String key, long ttlMillis, long beganAtMillis, long nowMillis) {
    byte[][] keys = {key(key), key("since")};
    byte[][] args = {
      bytes(Long.toString(Math.max(1, ttlMillis))), bytes(Long.toString(beganAtMillis)), bytes(Long.toString(nowMillis))
    };
    Long r;
    try {
      // by digest: Redis neither receives nor hashes the script text per release
      r = commands().evalsha(USE_ONCE_SHA1, io.lettuce.core.ScriptOutputType.INTEGER, keys, args);
    } catch (io.lettuce.core.RedisNoScriptException e) {
      // a fresh or restarted Redis has no scripts: EVAL runs it and caches it under the digest
      r = commands().eval(USE_ONCE, io.lettuce.core.ScriptOutputType.INTEGER, keys, args);
    }
    return r == null ? 0 : r;
  }

  /** Marks when Redis's memory of used values starts, unless it is already marked. */
  void markSince(long nowMillis) {
    commands().set(key("since"), bytes(Long.toString(nowMillis)), SetArgs.Builder.nx());
  }

  private static final String USE_ONCE =
      "local since = redis.call('GET', KEYS[2])\n"
      + "if not since then redis.call('SET', KEYS[2], ARGV[3]); since = ARGV[3] end\n"
      + "if tonumber(ARGV[2]) < tonumber(since) then return -1 end\n"
      + "if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 else return 0 end\n";

  /** The SHA-1 of {@link #USE_ONCE}, the name Redis caches it under (EVALSHA). */
  private static final String USE_ONCE_SHA1 = sha1Hex(USE_ONCE);

  private static String sha1Hex(String script) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A cache in front of {@code upstream} (for example a {@link org.attest4j.snp.kds.KdsClient}):
   * VCEK/VLEK certificates and chains are kept in Redis for {@code ttl}, only after {@code verifier}
   * accepted them, and are verified again on every read (an entry that no longer verifies is
   * dropped and fetched anew).
   *
   * @param upstream where missing endorsements come from
   * @param verifier decides whether a chain and certificate may be trusted
   * @param clock the clock for validity checks
   * @param ttl how long an entry is kept
   * @return the caching source
   */
  public EndorsementSource endorsementCache(EndorsementSource upstream, EndorsementVerifier verifier, Clock clock,
      Duration ttl) {
    return new RedisEndorsementCache(this, upstream, verifier, clock, ttl);
  }

  RedisCommands<byte[], byte[]> commands() {
    return connection.sync();
  }

  /** SET NX PX: true if the key was set. */
  boolean setIfAbsent(String key, byte[] value, long ttlMillis) {
    return "OK".equals(commands().set(key(key), value, SetArgs.Builder.nx().px(Math.max(1, ttlMillis))));
  }

  byte[] get(String key) {
    return commands().get(key(key));
  }

  void set(String key, byte[] value, long ttlMillis) {
    commands().set(key(key), value, SetArgs.Builder.px(Math.max(1, ttlMillis)));
  }

  void delete(String key) {
    commands().del(key(key));
  }

  private static byte[] key(String k) {
    return ("attest4j:" + k).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Override
  public String toString() {
    return "RedisStore[" + name + "]";
  }
}
