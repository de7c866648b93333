package org.attest4j.kms;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.attest4j.core.AttestationException;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.kds.EndorsementOrigin;
import org.attest4j.snp.kds.EndorsementQuery;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.Endorsements;
import org.attest4j.snp.kds.KdsReason;

/**
 * The KMS's SEV-SNP endorsement source as the request path sees it: nothing slow and nothing
 * repeated.
 *
 * <ul>
 *   <li><b>Deadline</b> and <b>bounded background pool</b>: a lookup that may touch the network runs
 *       through the service's {@link RequestPathFetches} ({@link KmsReason#ENDORSEMENT_DEADLINE},
 *       {@link KmsReason#ENDORSEMENTS_BUSY}, both retryable).
 *   <li><b>Negative cache.</b> A CHIP_ID/TCB pair the KDS does not know (HTTP 404) is remembered by
 *       {@link RequestPathFetches}: requests for it are refused at once with {@link
 *       KmsReason#UNKNOWN_CHIP}, without asking the KDS again.
 *   <li>Sources known to be local (a fixed chain) are asked directly, on the request thread; so is
 *       the common case of a request that brings its own VEK once the source has returned the
 *       product's ASK/ARK chain (reused for an hour; the verifier checks it against the pinned ARK
 *       at each verification), so cached traffic never waits for a pool thread.
 * </ul>
 *
 * The circuit breaker for a rate-limiting KDS lives in the client ({@code
 * KdsClient.Builder.circuitBreaker}), where a cache hit can still be told from a network call.
 *
 * <p>Thread-safe. Internal.
 */
final class RequestPathEndorsements implements EndorsementSource {
  /** Marks sources that never touch the network. */
  interface Local extends EndorsementSource {}

  private final EndorsementSource inner;
  private final RequestPathFetches fetches;
  /** The last ASK/ARK chain the source gave per product and key kind, with when to stop reusing it. */
  private final ConcurrentHashMap<String, RecentChain> chains = new ConcurrentHashMap<>();

  private record RecentChain(List<X509Certificate> chain, Instant until) {}

  /** How long a chain the source returned is reused for requests that bring their own VEK. */
  private static final Duration CHAIN_REUSE = Duration.ofHours(1);

  /** @param fetches the service's deadline, pool and negative cache (shared with TDX) */
  RequestPathEndorsements(EndorsementSource inner, RequestPathFetches fetches) {
    this.inner = Objects.requireNonNull(inner);
    this.fetches = Objects.requireNonNull(fetches);
  }

  @Override
  public Endorsements find(EndorsementQuery query, Endorsements already) throws AttestationException {
    if (inner instanceof Local) {
      return inner.find(query, already);
    }
    String chainKey = query.product() + "/" + query.signingKey();
    if (!query.includeCrl() && already.vek().isPresent() && already.chain().isEmpty()) {
      // the common case, a guest that sends its VEK: the chain the source gave last time is reused
      // on the request thread (the verifier checks it against the pinned ARK, at this instant)
      RecentChain recent = chains.get(chainKey);
      if (recent != null && fetches.clock().instant().isBefore(recent.until())) {
        return already.fillFrom(Endorsements.of(EndorsementOrigin.CACHE, null, recent.chain(), null));
      }
    }
    return fetches.fetch(
        "snp " + query,
        "endorsements for " + query,
        () -> findAndRemember(chainKey, query, already),
        KdsReason.NOT_FOUND,
        (until, cause) -> unknownChip(query, until, cause));
  }

  private Endorsements findAndRemember(String chainKey, EndorsementQuery query, Endorsements already)
      throws AttestationException {
    Endorsements e = inner.find(query, already);
    if (e.chain().size() == 2) {
      chains.put(chainKey, new RecentChain(e.chain(), fetches.clock().instant().plus(CHAIN_REUSE)));
    }
    return e;
  }

  private static VerificationException unknownChip(EndorsementQuery q, Instant until, Throwable cause) {
    return new VerificationException(
        KmsReason.UNKNOWN_CHIP,
        "AMD KDS has no " + q.signingKey() + " for " + q + " (HTTP 404; remembered until " + until
            + "): the report does not come from a genuine " + q.product() + " chip at that TCB",
        cause);
  }
}
