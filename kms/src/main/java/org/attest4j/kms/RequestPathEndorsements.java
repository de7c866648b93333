package org.attest4j.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.kds.EndorsementOrigin;
import org.attest4j.snp.kds.EndorsementQuery;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.Endorsements;
import org.attest4j.snp.kds.KdsReason;

/**
 * The KMS's endorsement source as the request path sees it: nothing slow and nothing repeated.
 *
 * <ul>
 *   <li><b>Deadline.</b> A lookup that may touch the network runs on a small background pool; the
 *       request waits at most the deadline and is then answered with the retryable {@link
 *       KmsReason#ENDORSEMENT_DEADLINE} while the fetch goes on and fills the source's cache for
 *       the next request. At most {@code maxBackground} fetches run at once; beyond that a request
 *       is answered at once with the retryable {@link KmsReason#ENDORSEMENTS_BUSY}.
 *   <li><b>Negative cache.</b> A CHIP_ID/TCB pair the KDS does not know (HTTP 404) is remembered
 *       for {@code negativeTtl} (by the clock): requests for it are refused at once with {@link
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
  private static final int NEGATIVE_ENTRIES = 4096;

  /** Marks sources that never touch the network. */
  interface Local extends EndorsementSource {}

  private final EndorsementSource inner;
  private final Duration deadline;
  private final Duration negativeTtl;
  private final Clock clock;
  private final ThreadPoolExecutor pool;
  private final Map<String, Instant> unknown; // guarded by itself
  /** The last ASK/ARK chain the source gave per product and key kind, with when to stop reusing it. */
  private final java.util.concurrent.ConcurrentHashMap<String, RecentChain> chains =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record RecentChain(List<X509Certificate> chain, Instant until) {}

  /** How long a chain the source returned is reused for requests that bring their own VEK. */
  private static final Duration CHAIN_REUSE = Duration.ofHours(1);

  RequestPathEndorsements(
      EndorsementSource inner, Duration deadline, Duration negativeTtl, int maxBackground, Clock clock) {
    this.inner = Objects.requireNonNull(inner);
    this.deadline = Objects.requireNonNull(deadline);
    this.negativeTtl = Objects.requireNonNull(negativeTtl);
    this.clock = Objects.requireNonNull(clock);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            0,
            maxBackground,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "attest4j-kms-endorsements-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.unknown =
        new LinkedHashMap<>(64, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > NEGATIVE_ENTRIES;
          }
        };
  }

  @Override
  public Endorsements find(EndorsementQuery query, Endorsements already) throws AttestationException {
    if (inner instanceof Local) {
      return inner.find(query, already);
    }
    Instant now = clock.instant();
    String chainKey = query.product() + "/" + query.signingKey();
    if (!query.includeCrl() && already.vek().isPresent() && already.chain().isEmpty()) {
      // the common case, a guest that sends its VEK: the chain the source gave last time is reused
      // on the request thread (the verifier checks it against the pinned ARK, at this instant)
      RecentChain recent = chains.get(chainKey);
      if (recent != null && now.isBefore(recent.until())) {
        return already.fillFrom(Endorsements.of(EndorsementOrigin.CACHE, null, recent.chain(), null));
      }
    }
    String key = query.toString();
    synchronized (unknown) {
      Instant until = unknown.get(key);
      if (until != null && now.isBefore(until)) {
        throw unknownChip(query, until, null);
      }
    }
    Future<Endorsements> f;
    try {
      f = pool.submit(() -> findAndRemember(key, query, already));
    } catch (RejectedExecutionException e) {
      throw new EndorsementUnavailableException(
          KmsReason.ENDORSEMENTS_BUSY,
          "endorsement fetches for " + pool.getMaximumPoolSize() + " other requests are still running; retry shortly",
          Duration.ofSeconds(1),
          e);
    }
    try {
      return f.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // not cancelled: the fetch goes on and fills the source's cache for the next request
      throw new EndorsementUnavailableException(
          KmsReason.ENDORSEMENT_DEADLINE,
          "the endorsements for " + query + " were not fetched within " + deadline.toMillis()
              + " ms; the fetch goes on in the background, retry shortly",
          Duration.ofSeconds(Math.max(1, deadline.toSeconds())),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EndorsementUnavailableException(
          KmsReason.NO_ENDORSEMENT, "interrupted while waiting for the endorsements for " + query, null, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof AttestationException a) {
        throw a;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  private Endorsements findAndRemember(String key, EndorsementQuery query, Endorsements already)
      throws AttestationException {
    try {
      Endorsements e = inner.find(query, already);
      if (e.chain().size() == 2) {
        chains.put(query.product() + "/" + query.signingKey(), new RecentChain(e.chain(), clock.instant().plus(CHAIN_REUSE)));
      }
      return e;
    } catch (EndorsementUnavailableException e) {
      if (e.reason() == KdsReason.NOT_FOUND) {
        Instant until = clock.instant().plus(negativeTtl);
        synchronized (unknown) {
          unknown.put(key, until);
        }
        throw unknownChip(query, until, e);
      }
      throw e;
    }
  }

  private static VerificationException unknownChip(EndorsementQuery q, Instant until, Throwable cause) {
    return new VerificationException(
        KmsReason.UNKNOWN_CHIP,
        "AMD KDS has no " + q.signingKey() + " for " + q + " (HTTP 404; remembered until " + until
            + "): the report does not come from a genuine " + q.product() + " chip at that TCB",
        cause);
  }

  /** How many negative entries are remembered (tests). */
  int negativeEntries() {
    synchronized (unknown) {
      return unknown.size();
    }
  }
}
