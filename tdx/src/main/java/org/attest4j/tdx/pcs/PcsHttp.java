package org.attest4j.tdx.pcs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.internal.RetryPolicy;
import org.attest4j.core.internal.Sleeper;

/**
 * GET with a bounded deadline per attempt (headers and body), a bounded body size, and bounded
 * retries: 429 and 503 honour {@code Retry-After} (up to the policy's maximum), other 5xx, timeouts
 * and connection errors back off exponentially; 404 and other 4xx fail at once. Thread-safe.
 */
final class PcsHttp {
  private static final System.Logger LOG = System.getLogger(PcsHttp.class.getName());

  private final HttpClient client;
  private final Duration requestTimeout;
  private final RetryPolicy policy;
  private final Clock clock;
  private final Sleeper sleeper;
  private final int maxBodyBytes;
  private final AtomicLong requests = new AtomicLong();

  PcsHttp(
      HttpClient client,
      Duration requestTimeout,
      RetryPolicy policy,
      Clock clock,
      Sleeper sleeper,
      int maxBodyBytes) {
    this.client = client;
    this.requestTimeout = requestTimeout;
    this.policy = policy;
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** How many HTTP requests were sent (attempts, retries included). */
  long requestCount() {
    return requests.get();
  }

  HttpResponse<byte[]> get(URI uri, String what) throws EndorsementUnavailableException {
    EndorsementUnavailableException last = null;
    for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
      Duration wait = policy.backoff(attempt);
      HttpResponse<byte[]> resp;
      try {
        resp = send(uri);
      } catch (TimeoutException e) {
        last =
            new EndorsementUnavailableException(
                PcsReason.TIMEOUT,
                "the PCS did not answer within " + requestTimeout.toMillis() + " ms for " + what
                    + " (" + uri + ", attempt " + attempt + " of " + policy.maxAttempts() + ")",
                null,
                e);
        retryLog(uri, attempt, wait, "timeout");
        if (!sleepBeforeRetry(attempt, wait)) {
          break;
        }
        continue;
      } catch (IOException e) {
        if (isBodyTooLarge(e)) {
          throw new EndorsementUnavailableException(
              PcsReason.BAD_RESPONSE,
              "the PCS response for " + what + " is larger than " + maxBodyBytes + " bytes (" + uri + ")",
              null,
              e);
        }
        last =
            new EndorsementUnavailableException(
                PcsReason.NETWORK_ERROR,
                "could not fetch " + what + " from " + uri + ": " + e.getMessage()
                    + " (attempt " + attempt + " of " + policy.maxAttempts() + ")",
                null,
                e);
        retryLog(uri, attempt, wait, e.toString());
        if (!sleepBeforeRetry(attempt, wait)) {
          break;
        }
        continue;
      }
      int status = resp.statusCode();
      if (status == 200) {
        return resp;
      }
      if (status == 429 || status == 503) {
        Optional<Duration> retryAfter =
            RetryPolicy.parseRetryAfter(resp.headers().firstValue("Retry-After").orElse(null), clock.instant());
        PcsReason reason = status == 429 ? PcsReason.THROTTLED : PcsReason.SERVER_UNAVAILABLE;
        String label = status == 429 ? "429 Too Many Requests" : "503 Service Unavailable";
        if (retryAfter.isPresent() && retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
          throw new EndorsementUnavailableException(
              reason,
              "the PCS answered " + label + " for " + what + " and asked to retry after "
                  + retryAfter.get().toSeconds() + " s, more than the configured maximum of "
                  + policy.maxRetryAfter().toSeconds() + " s (" + uri + ")",
              retryAfter.get(),
              null);
        }
        Duration w = retryAfter.orElse(wait);
        last =
            new EndorsementUnavailableException(
                reason,
                "the PCS answered " + label + " for " + what + " on all " + policy.maxAttempts()
                    + " attempts (" + uri + "); use a cache directory or a local PCCS",
                retryAfter.orElse(null),
                null);
        retryLog(uri, attempt, w, label);
        if (!sleepBeforeRetry(attempt, w)) {
          break;
        }
        continue;
      }
      if (status >= 500) {
        last =
            new EndorsementUnavailableException(
                PcsReason.SERVER_UNAVAILABLE,
                "the PCS answered HTTP " + status + " for " + what + " on all " + policy.maxAttempts()
                    + " attempts (" + uri + ")",
                null,
                null);
        retryLog(uri, attempt, wait, "HTTP " + status);
        if (!sleepBeforeRetry(attempt, wait)) {
          break;
        }
        continue;
      }
      if (status == 404) {
        throw new EndorsementUnavailableException(
            PcsReason.NOT_FOUND,
            "the PCS has no " + what + " at " + uri + " (HTTP 404): check the FMSPC, CA and TCB evaluation data number",
            null,
            null);
      }
      throw new EndorsementUnavailableException(
          PcsReason.HTTP_ERROR,
          "the PCS answered HTTP " + status + " for " + what + " (" + uri + ")",
          null,
          null);
    }
    throw last;
  }

  private static boolean isBodyTooLarge(Throwable t) {
    for (int i = 0; t != null && i < 8; i++, t = t.getCause()) {
      if (t instanceof BodyTooLargeException) {
        return true;
      }
    }
    return false;
  }

  private void retryLog(URI uri, int attempt, Duration wait, String why) {
    if (attempt < policy.maxAttempts()) {
      LOG.log(Level.DEBUG, () -> "PCS " + uri + ": " + why + "; retrying in " + wait.toMillis() + " ms");
    }
  }

  /** Sleeps unless this was the last attempt; false when no retry follows. */
  private boolean sleepBeforeRetry(int attempt, Duration wait) throws EndorsementUnavailableException {
    if (attempt >= policy.maxAttempts()) {
      return false;
    }
    try {
      sleeper.sleep(wait);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EndorsementUnavailableException(
          PcsReason.INTERRUPTED, "interrupted while waiting to retry the PCS", null, e);
    }
  }

  private HttpResponse<byte[]> send(URI uri) throws IOException, TimeoutException, EndorsementUnavailableException {
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .GET()
            .timeout(requestTimeout)
            .header("User-Agent", "attest4j")
            .build();
    requests.incrementAndGet();
    CompletableFuture<HttpResponse<byte[]>> f =
        client.sendAsync(req, info -> new BoundedBody(maxBodyBytes));
    try {
      return f.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new EndorsementUnavailableException(
          PcsReason.INTERRUPTED, "interrupted while fetching " + uri, null, e);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof HttpTimeoutException) {
        TimeoutException t = new TimeoutException(c.getMessage());
        t.initCause(c);
        throw t;
      }
      if (c instanceof IOException) {
        throw (IOException) c;
      }
      throw new IOException(String.valueOf(c), c);
    }
  }

  /** Signals a body over the size limit. */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
      super(message);
    }
  }

  /** Collects the body, failing once it passes the limit. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (out.size() + b.remaining() > limit) {
          subscription.cancel();
          result.completeExceptionally(
              new IOException(new BodyTooLargeException("response body over " + limit + " bytes")));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
