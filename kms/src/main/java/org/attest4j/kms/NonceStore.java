package org.attest4j.kms;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.crypto.KmsRootKeys;

/**
 * Single-use freshness values: nonces the KMS issues for report_data[32..64], and request digests
 * that may be used once within their lifetime.
 *
 * <p>The default implementation ({@link #builder()}) issues <em>stateless</em> nonces: {@code
 * version || envelope || issue time || random} followed by an HMAC-SHA256 tag under a KMS secret,
 * so issuing one stores nothing (a GetNonce flood cannot fill anything) and any replica holding the
 * same secret can check it. Only <em>used</em> nonces and request digests are remembered, in a
 * {@link UsedValueStore}, until they expire. A nonce is issued for one {@link EnvelopeMode} and
 * refused for another, so a man in the middle cannot downgrade the envelope a guest asked for.
 *
 * <p>Implementations are thread-safe: {@link #consume} succeeds for exactly one caller per nonce
 * (across replicas when the used-value store is shared).
 */
public interface NonceStore {
  /** The nonce length in bytes. */
  int NONCE_LENGTH = 32;

  /**
   * A nonce issued by {@link #issue()}: 32 bytes and the instant after which it is refused.
   *
   * @param nonce the nonce
   * @param expiresAt when it expires
   */
  record IssuedNonce(Bytes nonce, Instant expiresAt) {
    /**
     * Checks the components.
     *
     * @param nonce the nonce
     * @param expiresAt the expires at
     */
    public IssuedNonce {
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * How long an issued nonce (or a request digest) stays valid.
   *
   * @return the lifetime
   */
  Duration lifetime();

  /**
   * The clock this store reads.
   *
   * @return the clock
   */
  Clock clock();

  /**
   * Issues a fresh nonce, valid for {@link #lifetime()}, usable with any envelope.
   *
   * @return the nonce
   * @throws EndorsementUnavailableException if the store cannot issue one now (retryable)
   */
  default IssuedNonce issue() throws EndorsementUnavailableException {
    return issue(Optional.empty());
  }

  /**
   * Issues a fresh nonce, valid for {@link #lifetime()}, usable only with {@code envelope} when
   * present.
   *
   * @param envelope the envelope the nonce is bound to; empty: any
   * @return the nonce
   * @throws EndorsementUnavailableException if the store cannot issue one now (retryable)
   */
  IssuedNonce issue(Optional<EnvelopeMode> envelope) throws EndorsementUnavailableException;

  /**
   * Uses an issued nonce once, with any envelope it allows.
   *
   * @param nonce the nonce
   * @throws AttestationException as {@link #consume(Bytes, EnvelopeMode)}
   */
  default void consume(Bytes nonce) throws AttestationException {
    consume(nonce, null);
  }

  /**
   * Uses an issued nonce once, for a response in {@code envelope}.
   *
   * @param nonce the nonce
   * @param envelope the envelope the response will use (null: not checked)
   * @throws org.attest4j.core.VerificationException {@link KmsReason#NONCE_UNKNOWN} if this KMS
   *     did not issue it, {@link KmsReason#EXPIRED} if it is past its lifetime, {@link
   *     KmsReason#ENVELOPE_MODE_NOT_ALLOWED} if it was issued for another envelope, {@link
   *     KmsReason#REPLAYED} if it was already used
   * @throws EndorsementUnavailableException (retryable) if its use could not be recorded
   */
  void consume(Bytes nonce, EnvelopeMode envelope) throws AttestationException;

  /**
   * Records a value (a request digest) that may be used once until {@code expiresAt}.
   *
   * @param value the value
   * @param expiresAt when it expires
   * @throws org.attest4j.core.VerificationException {@link KmsReason#REPLAYED} if it was recorded
   *     before and has not expired, {@link KmsReason#EXPIRED} if {@code expiresAt} has passed
   * @throws EndorsementUnavailableException (retryable) if its use could not be recorded
   */
  void useOnce(Bytes value, Instant expiresAt) throws AttestationException;

  /**
   * A builder for the default store: stateless MAC nonces and an in-memory {@link UsedValueStore}
   * ({@link InMemoryUsedValueStore}), 60-second lifetime, the system UTC clock, a random secret.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /** Builds the default {@link NonceStore}. Not thread-safe. */
  final class Builder {
    Clock clock = Clock.systemUTC();
    Duration lifetime = Duration.ofSeconds(60);
    int capacity = 100_000;
    UsedValueStore used;
    byte[] secret;
    SecureRandom random;

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
     * How long a nonce or request digest stays usable (default 60 s; 1 s to 1 h).
     *
     * @param lifetime the lifetime
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder lifetime(Duration lifetime) {
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.compareTo(Duration.ofSeconds(1)) < 0 || lifetime.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("nonce lifetime must be between 1 s and 1 h: " + lifetime);
      }
      this.lifetime = lifetime;
      return this;
    }

    /**
     * The capacity of each kind in the default in-memory used-value store (default 100,000);
     * ignored when {@link #usedValues} is set.
     *
     * @param capacity a positive count
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder capacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
      this.capacity = capacity;
      return this;
    }

    /**
     * Where used nonces and request digests are remembered (default an {@link
     * InMemoryUsedValueStore} with {@link #capacity} per kind).
     *
     * @param store the store
     * @return this builder
     */
    public Builder usedValues(UsedValueStore store) {
      this.used = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The MAC secret (at least 32 bytes; copied). Replicas that check each other's nonces need the
     * same secret. Default: 32 random bytes, so only this instance accepts its nonces.
     *
     * @param secret the secret
     * @return this builder
     * @throws IllegalArgumentException if shorter than 32 bytes
     */
    public Builder secret(byte[] secret) {
      if (secret.length < 32) {
        throw new IllegalArgumentException("the nonce secret must be at least 32 bytes");
      }
      this.secret = secret.clone();
      return this;
    }

    /**
     * The MAC secret derived from the KMS root keys (HMAC-SHA256 keyed with the root k256 key over
     * {@code "attest4j-kms-nonce-mac-v1"}), so replicas on one key directory accept each other's
     * nonces and nothing else does.
     *
     * @param roots the root keys
     * @return this builder
     */
    public Builder secretFrom(KmsRootKeys roots) {
      byte[] k = roots.rootK256Key();
      try {
        this.secret = StatelessNonceStore.hmac(k, "attest4j-kms-nonce-mac-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      } finally {
        java.util.Arrays.fill(k, (byte) 0);
      }
      return this;
    }

    /**
     * The random source (default a new {@link SecureRandom}).
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * The store.
     *
     * @return a new store
     */
    public NonceStore build() {
      SecureRandom r = random != null ? random : new SecureRandom();
      byte[] s = secret;
      if (s == null) {
        s = new byte[32];
        r.nextBytes(s);
      }
      UsedValueStore u = used != null ? used
          : InMemoryUsedValueStore.builder().clock(clock).nonceCapacity(capacity).requestDigestCapacity(capacity).build();
      return new StatelessNonceStore(clock, lifetime, u, s, r);
    }
  }
}
