package org.attest4j.kms;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.pcs.PcsReason;

/**
 * The KMS's TDX collateral source as the request path sees it, with the protections the SEV-SNP
 * endorsement fetch has ({@link RequestPathEndorsements}), through the same {@link
 * RequestPathFetches}:
 *
 * <ul>
 *   <li><b>Deadline</b> and <b>bounded background pool</b>: the source is asked on the service's
 *       pool; the request waits at most the endorsement deadline and is then refused with the
 *       retryable {@link KmsReason#ENDORSEMENT_DEADLINE} while the fetch goes on and fills the
 *       source's cache ({@link KmsReason#ENDORSEMENTS_BUSY} when the pool is full).
 *   <li><b>Negative cache.</b> Collateral the PCS does not have for a quote's PCK certificate
 *       ({@link PcsReason#NOT_FOUND}, HTTP 404: an unknown FMSPC or CA) is remembered under the
 *       SHA-256 of the quote's PCK chain for the unknown-chip TTL; the same chain is then refused at
 *       once with the same reason, without asking the PCS again.
 *   <li>A fixed source ({@link TdxCollateralSource#fixed}) is asked directly, on the request
 *       thread; so is, for the common case of a platform seen before, the collateral the source
 *       returned last time for the same PCK chain, reused for at most an hour and never past its
 *       {@link TdxCollateral#notAfter()} (no staler than the source's own cache, which keeps it
 *       until then; the verifier checks its validity at each verification), so cached traffic
 *       never waits for, or is refused for want of, a pool thread.
 * </ul>
 *
 * The circuit breaker for a rate-limiting PCS lives in the client ({@code
 * PcsClient.Builder.circuitBreaker}). Thread-safe. Internal.
 */
final class RequestPathCollateral implements TdxCollateralSource {
  /** Marks sources that never touch the network. */
  interface Local extends TdxCollateralSource {}

  /** How long collateral the source returned is reused on the request thread. */
  private static final Duration REUSE = Duration.ofHours(1);

  /** At most this many PCK chains' collateral is kept (emptied when full: refetched, not wrong). */
  private static final int RECENT_ENTRIES = 1024;

  private record Recent(TdxCollateral collateral, Instant until) {}

  private final TdxCollateralSource inner;
  private final RequestPathFetches fetches;
  private final BoundedCache<String, Recent> recent = new BoundedCache<>(RECENT_ENTRIES);

  /** @param fetches the service's deadline, pool and negative cache (shared with SEV-SNP) */
  RequestPathCollateral(TdxCollateralSource inner, RequestPathFetches fetches) {
    this.inner = Objects.requireNonNull(inner);
    this.fetches = Objects.requireNonNull(fetches);
  }

  @Override
  public TdxCollateral collateralFor(TdxQuote quote) throws AttestationException {
    if (inner instanceof Local) {
      return inner.collateralFor(quote);
    }
    String key = pckChainDigest(quote);
    Recent r = recent.get(key);
    if (r != null && fetches.clock().instant().isBefore(r.until())) {
      return r.collateral();
    }
    return fetches.fetch(
        "tdx " + key,
        "TDX collateral for the quote's PCK certificate",
        () -> fetchAndRemember(key, quote),
        PcsReason.NOT_FOUND,
        (until, cause) ->
            new EndorsementUnavailableException(
                PcsReason.NOT_FOUND,
                "the PCS has no collateral for this quote's PCK certificate (HTTP 404, remembered until " + until
                    + "): check the FMSPC and CA, or the quote does not come from a platform Intel knows",
                null,
                cause));
  }

  private TdxCollateral fetchAndRemember(String key, TdxQuote quote) throws AttestationException {
    TdxCollateral c = inner.collateralFor(quote);
    if (c != null) {
      Instant until = fetches.clock().instant().plus(REUSE);
      recent.put(key, new Recent(c, c.notAfter().isBefore(until) ? c.notAfter() : until));
    }
    return c;
  }

  private static String pckChainDigest(TdxQuote quote) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(quote.pckCertChainPem().toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return inner.toString();
  }
}
