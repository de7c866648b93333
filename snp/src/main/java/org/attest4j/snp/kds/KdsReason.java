package org.attest4j.snp.kds;

import org.attest4j.core.ReasonCode;

/**
 * Why AMD KDS endorsements (VCEK, VLEK, certificate chains, CRLs) could not be obtained. Carried by
 * {@link org.attest4j.core.EndorsementUnavailableException}, which is retryable.
 */
public enum KdsReason implements ReasonCode {
  /** The KDS answered 429 Too Many Requests on every attempt, or asked to wait too long. */
  THROTTLED,
  /** The KDS answered 503 or another 5xx on every attempt. */
  SERVER_UNAVAILABLE,
  /** The KDS answered 404: no such certificate (wrong product, hwID or TCB). */
  NOT_FOUND,
  /** The KDS answered another unexpected HTTP status (400, 401, 403, ...). */
  HTTP_ERROR,
  /** No response within the request timeout on every attempt. */
  TIMEOUT,
  /** A connection or transfer error on every attempt. */
  NETWORK_ERROR,
  /** The body is not the expected certificate, chain or CRL (truncated, corrupted or too large). */
  BAD_RESPONSE,
  /** The body parsed but does not verify (chain, pinned root, signature, hwID or TCB mismatch). */
  UNTRUSTED_RESPONSE,
  /** The CRL's nextUpdate has passed and no fresh CRL could be had. */
  CRL_EXPIRED,
  /** Offline mode and nothing usable in the cache. */
  OFFLINE_CACHE_MISS,
  /** The report's CHIP_ID is all zero (MASK_CHIP_ID), so no VCEK can be looked up. */
  MASKED_CHIP_ID,
  /** The KDS does not hand out VLEKs without CSP credentials; take it from the certificate table. */
  VLEK_NOT_PUBLIC,
  /** The request was incomplete (for example no VCEK/VLEK source in a composite). */
  INCOMPLETE,
  /** The fetching thread was interrupted. */
  INTERRUPTED
}
