package org.attest4j.kms;

import java.time.Instant;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;

/**
 * Remembers single-use values (used KMS nonces and used request digests) until they expire, so
 * that each is accepted once. The only state freshness needs: issued nonces are stateless ({@link
 * NonceStore}), so a store that several KMS replicas share (for example the Redis store of
 * {@code attest4j-redis}) lets them serve one guest together.
 *
 * <p>Implementations must be thread-safe and atomic: of any number of concurrent {@link #markUsed}
 * calls for one unexpired value, in this process or in any replica sharing the store, exactly one
 * returns true. When a use cannot be recorded (store full, store unreachable) they throw rather
 * than answer, so that no request whose single use is unrecorded is ever accepted.
 */
public interface UsedValueStore {
  /** What a value is; stores may keep separate capacities per kind. */
  enum Kind {
    /** A KMS nonce from GetNonce. */
    NONCE,
    /** A request digest (freshness mode request_digest). */
    REQUEST_DIGEST
  }

  /**
   * Records the first use of {@code value}, remembered until {@code expiresAt}.
   *
   * @param kind the kind of value
   * @param value the value (a nonce or a request digest)
   * @param expiresAt when the value can be forgotten (it is refused as expired after that anyway)
   * @return true if this call is the first use, false if it was used before and has not expired
   * @throws EndorsementUnavailableException (retryable) if the use could not be recorded: the store
   *     is full ({@link KmsReason#NONCE_STORE_FULL}) or unavailable ({@link
   *     KmsReason#FRESHNESS_STORE_UNAVAILABLE})
   */
  boolean markUsed(Kind kind, Bytes value, Instant expiresAt) throws EndorsementUnavailableException;
}
