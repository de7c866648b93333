package org.attest4j.tdx.pcs;

import org.attest4j.core.ReasonCode;

/**
 * Why Intel PCS / PCCS collateral (PCK CRL, root CA CRL, TCB info, QE identity) could not be
 * obtained. Carried by {@link org.attest4j.core.EndorsementUnavailableException}, which is
 * retryable.
 */
public enum PcsReason implements ReasonCode {
  /** 429 Too Many Requests on every attempt, or a Retry-After longer than allowed. */
  THROTTLED,
  /** 503 or another 5xx on every attempt. */
  SERVER_UNAVAILABLE,
  /** 404: no such collateral (unknown FMSPC, CA or TCB evaluation data number). */
  NOT_FOUND,
  /** Another unexpected HTTP status. */
  HTTP_ERROR,
  /** No response within the request timeout on every attempt. */
  TIMEOUT,
  /** A connection or transfer error on every attempt. */
  NETWORK_ERROR,
  /** The body or a header is malformed, truncated or too large. */
  BAD_RESPONSE,
  /** The collateral parsed but does not verify (issuer chain, pinned Intel root, signature). */
  UNTRUSTED_RESPONSE,
  /** The collateral's nextUpdate has passed (stale) and nothing fresher could be had. */
  STALE,
  /** Offline mode and nothing usable in the cache. */
  OFFLINE_CACHE_MISS,
  /** The fetching thread was interrupted. */
  INTERRUPTED
}
