package org.attest4j.redis;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import org.attest4j.kms.UsedValueStore;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.EndorsementVerifier;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The connections to Redis (or Valkey) shared by a KMS replica's stores: {@link #usedValues} (used
 * nonces and request digests, {@code SET key 1 NX PX ttl}: of concurrent uses across replicas
 * exactly one wins) and {@link #endorsementCache} (verified VCEK/VLEK and chains, so replicas fetch
 * each from AMD's KDS once). Keys start with {@code attest4j:}.
 *
 * <p>While Redis is unreachable, commands fail at once (no queueing: connecting, each reply and the
 * wait for a free connection are bounded by the command timeout) and the stores answer as their
 * contracts say: the used-value store throws a retryable {@link
 * org.attest4j.core.EndorsementUnavailableException} (the KMS answers 503, never accepting a
 * request whose single use it could not record); the endorsement cache falls through to its
 * upstream source. A connection that failed is closed and the next command opens a new one, so the
 * store reconnects by itself when Redis is back; a command that finds its connection closed by Redis
 * (Redis restarted) drops the idle ones and runs once more on a new connection.
 *
 * <p>Thread-safe: a pool of blocking Jedis connections (up to 64, one per concurrent caller), each
 * command written and read on the calling thread; {@link #close()} closes them.
 */
public final class RedisStore implements AutoCloseable {
  /** The most connections open at once: enough for every worker thread of a KMS replica. */
  static final int POOL_SIZE = 64;

  private final JedisPooled jedis;
  private final String name;

  private RedisStore(JedisPooled jedis, String name) {
    this.jedis = jedis;
    this.name = name;
  }

  /**
   * Connects to {@code url} ({@code redis://[USER:PASSWORD@]HOST[:PORT][/DB]}, or {@code rediss://} for
   * TLS).
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
    String scheme = url.getScheme();
    if (!("redis".equals(scheme) || "rediss".equals(scheme)) || url.getHost() == null) {
      throw notRedis(url);
    }
    int port = url.getPort() > 0 ? url.getPort() : 6379;
    int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, commandTimeout.toMillis()));
    boolean tls = "rediss".equals(scheme);
    DefaultJedisClientConfig.Builder config;
    try {
      config = DefaultJedisClientConfig.builder()
          .connectionTimeoutMillis(timeoutMillis)
          .socketTimeoutMillis(timeoutMillis)
          .user(JedisURIHelper.getUser(url))
          .password(JedisURIHelper.getPassword(url))
          .database(JedisURIHelper.getDBIndex(url))
          .ssl(tls);
    } catch (RuntimeException e) {
      throw notRedis(url); // a path that is not a database number
    }
    if (tls) {
      // Jedis checks the certificate chain but not the host name unless asked to
      SSLParameters p = new SSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      config.sslParameters(p);
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMinIdle(0);
    pool.setBlockWhenExhausted(true);
    pool.setMaxWait(Duration.ofMillis(timeoutMillis));
    String name = "redis://" + url.getHost() + ":" + port;
    JedisPooled jedis = new JedisPooled(new HostAndPort(url.getHost(), port), config.build(), pool);
    try {
      RedisStore store = new RedisStore(jedis, name);
      store.markSince(System.currentTimeMillis());
      return store;
    } catch (JedisException e) {
      jedis.close();
      throw RedisUsedValueStore.unavailable("cannot connect to " + name, e);
    }
  }

  private static IllegalArgumentException notRedis(URI url) {
    return new IllegalArgumentException("not a Redis URL: " + url.getScheme() + "://" + url.getHost() + ":" + url.getPort());
  }

  /**
   * The store of used nonces and request digests on these connections.
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
    List<byte[]> keys = List.of(key(key), key("since"));
    List<byte[]> args = List.of(
        bytes(Long.toString(Math.max(1, ttlMillis))), bytes(Long.toString(beganAtMillis)), bytes(Long.toString(nowMillis)));
    // a retry after a dropped connection is safe: SET NX lets one use through at most
    Object r = call(() -> {
      try {
        // by digest: Redis neither receives nor hashes the script text per release
        return jedis.evalsha(USE_ONCE_SHA1, keys, args);
      } catch (JedisNoScriptException e) {
        // a fresh or restarted Redis has no scripts: EVAL runs it and caches it under the digest
        return jedis.eval(USE_ONCE_BYTES, keys, args);
      }
    });
    return r instanceof Long l ? l : 0;
  }

  /** Marks when Redis's memory of used values starts, unless it is already marked. */
  void markSince(long nowMillis) {
    call(() -> jedis.set(key("since"), bytes(Long.toString(nowMillis)), SetParams.setParams().nx()));
  }

  private static final String USE_ONCE =
      "local since = redis.call('GET', KEYS[2])\n"
      + "if not since then redis.call('SET', KEYS[2], ARGV[3]); since = ARGV[3] end\n"
      + "if tonumber(ARGV[2]) < tonumber(since) then return -1 end\n"
      + "if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 else return 0 end\n";

  private static final byte[] USE_ONCE_BYTES = USE_ONCE.getBytes(StandardCharsets.UTF_8);

  /** The SHA-1 of {@link #USE_ONCE} in hex, the name Redis caches it under (EVALSHA). */
  private static final byte[] USE_ONCE_SHA1 = bytes(sha1Hex(USE_ONCE));

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

  /** SET NX PX: true if the key was set. */
  boolean setIfAbsent(String key, byte[] value, long ttlMillis) {
    return "OK".equals(call(() -> jedis.set(key(key), value, SetParams.setParams().nx().px(Math.max(1, ttlMillis)))));
  }

  byte[] get(String key) {
    return call(() -> jedis.get(key(key)));
  }

  void set(String key, byte[] value, long ttlMillis) {
    call(() -> jedis.set(key(key), value, SetParams.setParams().px(Math.max(1, ttlMillis))));
  }

  void delete(String key) {
    call(() -> jedis.del(key(key)));
  }

  /**
   * Runs {@code command}; if its connection turns out closed by Redis (a restart closes every pooled
   * one), drops the idle connections and runs it once more on a new one. Not after a timeout: Redis
   * may be stuck or unreachable, and the caller's time is bounded by one timeout.
   */
  private <T> T call(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisConnectionException e) {
      if (timedOut(e)) {
        throw e;
      }
      jedis.getPool().clear();
      return command.get();
    }
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static byte[] key(String k) {
    return ("attest4j:" + k).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    jedis.close();
  }

  @Override
  public String toString() {
    return "RedisStore[" + name + "]";
  }
}
