package org.attest4j.core.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.ReasonCode;

/**
 * GET with a bounded deadline per attempt (headers and body), a bounded body size, and bounded
 * retries for endorsement servers (AMD KDS, Intel PCS, PCCS): 429 and 503 honour {@code
 * Retry-After} (up to the policy's maximum), other 5xx, timeouts and connection errors back off
 * exponentially; 404 and other 4xx fail at once. Each failure is an {@link
 * EndorsementUnavailableException} whose reason comes from the caller's {@link Service}. Thread-safe.
 * Internal to attest4j.
 */
public final class EndorsementHttp {
  /**
   * The reason codes used for each kind of failure, taken from the calling module's reason enum.
   *
   * @param timeout an attempt did not finish within the request timeout
   * @param badResponse the body was larger than the limit
   * @param networkError connection or I/O failure
   * @param throttled HTTP 429
   * @param serverUnavailable HTTP 503 and other 5xx
   * @param notFound HTTP 404
   * @param httpError any other non-200 status
   * @param interrupted the thread was interrupted while fetching or waiting
   */
  public record Reasons(
      ReasonCode timeout,
      ReasonCode badResponse,
      ReasonCode networkError,
      ReasonCode throttled,
      ReasonCode serverUnavailable,
      ReasonCode notFound,
      ReasonCode httpError,
      ReasonCode interrupted) {
    /**
     * Rejects null codes.
     *
     * @param timeout a request timed out
     * @param badResponse a 200 response whose body is unusable
     * @param networkError the connection failed
     * @param throttled HTTP 429
     * @param serverUnavailable HTTP 503 and other 5xx
     * @param notFound HTTP 404
     * @param httpError any other non-200 status
     * @param interrupted the thread was interrupted while fetching or waiting
     * @throws NullPointerException if any code is null
     */
    public Reasons {
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(badResponse, "badResponse");
      Objects.requireNonNull(networkError, "networkError");
      Objects.requireNonNull(throttled, "throttled");
      Objects.requireNonNull(serverUnavailable, "serverUnavailable");
      Objects.requireNonNull(notFound, "notFound");
      Objects.requireNonNull(httpError, "httpError");
      Objects.requireNonNull(interrupted, "interrupted");
    }
  }

  /**
   * How one endorsement service is named in messages and logs, and which reasons its failures carry.
   *
   * @param label the service in messages, e.g. {@code "AMD KDS"} or {@code "the PCS"}
   * @param logTag the short tag in debug logs, e.g. {@code "KDS"}
   * @param throttledHint advice appended when every attempt was throttled or unavailable
   * @param notFoundHint advice appended to a 404
   * @param reasons the reason codes
   * @param log the logger for retry messages
   */
  public record Service(
      String label,
      String logTag,
      String throttledHint,
      String notFoundHint,
      Reasons reasons,
      System.Logger log) {
    /**
     * Rejects nulls.
     *
     * @param label the service in messages
     * @param logTag the short tag in debug logs
     * @param throttledHint advice appended when every attempt was throttled or unavailable
     * @param notFoundHint advice appended to a 404
     * @param reasons the reason codes
     * @param log the logger for retry messages
     * @throws NullPointerException if any component is null
     */
    public Service {
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(logTag, "logTag");
      Objects.requireNonNull(throttledHint, "throttledHint");
      Objects.requireNonNull(notFoundHint, "notFoundHint");
      Objects.requireNonNull(reasons, "reasons");
      Objects.requireNonNull(log, "log");
    }
  }

  private final Service service;
  private final Reasons reasons;

  private final HttpClient client;
  private final Duration requestTimeout;
  private final RetryPolicy policy;
  private final Clock clock;
  private final Sleeper sleeper;
  private final int maxBodyBytes;
  private final AtomicLong requests = new AtomicLong();
  private final Duration breakerWindow;
  private final AtomicReference<Instant> openUntil = new AtomicReference<>(Instant.MIN);

  /**
   * A fetcher for {@code service} sending through {@code client}, without a circuit breaker.
   *
   * @param service what is fetched, with its messages, reasons and logger
   * @param client the HTTP client that sends the requests
   * @param requestTimeout the timeout of each request
   * @param policy how often and how long to retry
   * @param clock measures Retry-After dates and the breaker window
   * @param sleeper waits between attempts
   * @param maxBodyBytes the largest response body accepted
   */
  public EndorsementHttp(
      Service service,
      HttpClient client,
      Duration requestTimeout,
      RetryPolicy policy,
      Clock clock,
      Sleeper sleeper,
      int maxBodyBytes) {
    this(service, client, requestTimeout, policy, clock, sleeper, maxBodyBytes, null);
  }

  /**
   * A fetcher with a circuit breaker when {@code breakerWindow} is not null: a 429 or 503 answer is
   * not retried (no sleeping through {@code Retry-After}) but fails at once and opens the breaker
   * for the longer of {@code breakerWindow} and the server's {@code Retry-After}; while it is open
   * (by {@code clock}) every fetch fails at once with the throttled reason and the remaining time
   * as its retry-after, without a network call. So a throttling server sees at most one request
   * per window from this client, and no caller waits on it.
   *
   * @param service what is fetched, with its messages, reasons and logger
   * @param client the HTTP client that sends the requests
   * @param requestTimeout the timeout of each request
   * @param policy how often and how long to retry
   * @param clock measures Retry-After dates and the breaker window
   * @param sleeper waits between attempts
   * @param maxBodyBytes the largest response body accepted
   * @param breakerWindow the shortest time the breaker stays open, or {@code null} for no breaker
   */
  public EndorsementHttp(
      Service service,
      HttpClient client,
      Duration requestTimeout,
      RetryPolicy policy,
      Clock clock,
      Sleeper sleeper,
      int maxBodyBytes,
      Duration breakerWindow) {
    this.breakerWindow = breakerWindow;
    this.service = Objects.requireNonNull(service, "service");
    this.reasons = service.reasons();
    this.client = Objects.requireNonNull(client, "client");
    this.requestTimeout = requestTimeout;
    this.policy = policy;
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * The client used when the caller supplies none: {@code connectTimeout}, redirects followed
   * (except HTTPS to HTTP), HTTP/1.1.
   *
   * @param connectTimeout the connect timeout
   * @return a new client
   */
  public static HttpClient defaultClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * Checks a server base URI for a client builder: http or https, no query, no fragment. {@code
   * name} is the server in messages (e.g. {@code "KDS"}).
   *
   * @param uri the base URI to check
   * @param name the server's name in messages
   * @return {@code uri}, unchanged
   * @throws IllegalArgumentException when the URI is unsuitable
   */
  public static URI checkBaseUri(URI uri, String name) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("the " + name + " base URI must be http or https: " + uri);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("the " + name + " base URI must not have a query or fragment: " + uri);
    }
    return uri;
  }

  /**
   * {@code uri} as a string without trailing slashes.
   *
   * @param uri the URI
   * @return its text with every trailing {@code /} removed
   */
  public static String withoutTrailingSlashes(URI uri) {
    String s = uri.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /**
   * Checks a builder's attempt count (1..20, as {@link RetryPolicy} allows).
   *
   * @param n the number of attempts
   * @return {@code n}
   * @throws IllegalArgumentException if {@code n} is outside 1..20
   */
  public static int checkMaxAttempts(int n) {
    if (n < 1 || n > 20) {
      throw new IllegalArgumentException("maxAttempts must be 1..20");
    }
    return n;
  }

  /**
   * Checks a builder's body limit (at least 1024 bytes).
   *
   * @param n the limit in bytes
   * @return {@code n}
   * @throws IllegalArgumentException if {@code n} is below 1024
   */
  public static int checkMaxBodyBytes(int n) {
    if (n < 1024) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1024");
    }
    return n;
  }

  /**
   * Checks that a builder's duration is present and positive.
   *
   * @param d the duration
   * @param name the setting's name in messages
   * @return {@code d}
   * @throws NullPointerException if {@code d} is null
   * @throws IllegalArgumentException if {@code d} is zero or negative
   */
  public static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d;
  }

  /**
   * How many HTTP requests were sent (attempts, retries included).
   *
   * @return the number of requests sent since construction
   */
  public long requestCount() {
    return requests.get();
  }

  /**
   * Fetches {@code uri}, retrying as described in the class comment, and returns the 200 response.
   * {@code what} names the object in messages (e.g. "the VCEK").
   *
   * @param uri the object's URI
   * @param what names the object in messages
   * @return the response with status 200 and a body within the limit
   * @throws EndorsementUnavailableException if no attempt succeeds, the breaker is open, or the thread is interrupted
   */
  public HttpResponse<byte[]> get(URI uri, String what) throws EndorsementUnavailableException {
    requireBreakerClosed(what);
    EndorsementUnavailableException last = null;
    for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
      Duration wait = policy.backoff(attempt);
      HttpResponse<byte[]> resp;
      try {
        resp = send(uri);
      } catch (TimeoutException e) {
        last =
            new EndorsementUnavailableException(
                reasons.timeout(),
                service.label() + " did not answer within " + requestTimeout.toMillis() + " ms for " + what
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
              reasons.badResponse(),
              service.label() + " response for " + what + " is larger than " + maxBodyBytes + " bytes (" + uri + ")",
              null,
              e);
        }
        last =
            new EndorsementUnavailableException(
                reasons.networkError(),
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
        ReasonCode reason = status == 429 ? reasons.throttled() : reasons.serverUnavailable();
        String label = status == 429 ? "429 Too Many Requests" : "503 Service Unavailable";
        if (retryAfter.isPresent() && retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
          throw new EndorsementUnavailableException(
              reason,
              service.label() + " answered " + label + " for " + what + " and asked to retry after "
                  + retryAfter.get().toSeconds() + " s, more than the configured maximum of "
                  + policy.maxRetryAfter().toSeconds() + " s (" + uri + ")",
              retryAfter.get(),
              null);
        }
        if (breakerWindow != null) {
          Duration open = retryAfter.filter(r -> r.compareTo(breakerWindow) > 0).orElse(breakerWindow);
          openUntil.set(clock.instant().plus(open));
          throw new EndorsementUnavailableException(
              reason,
              service.label() + " answered " + label + " for " + what + " (" + uri + "); not asking again for "
                  + open.toSeconds() + " s (circuit breaker); " + service.throttledHint(),
              open,
              null);
        }
        Duration w = retryAfter.orElse(wait);
        last =
            new EndorsementUnavailableException(
                reason,
                service.label() + " answered " + label + " for " + what + " on all " + policy.maxAttempts()
                    + " attempts (" + uri + "); " + service.throttledHint(),
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
                reasons.serverUnavailable(),
                service.label() + " answered HTTP " + status + " for " + what + " on all " + policy.maxAttempts()
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
            reasons.notFound(),
            service.label() + " has no " + what + " at " + uri + " (HTTP 404): " + service.notFoundHint(),
            null,
            null);
      }
      throw new EndorsementUnavailableException(
          reasons.httpError(),
          service.label() + " answered HTTP " + status + " for " + what + " (" + uri + ")",
          null,
          null);
    }
    throw last;
  }

  /**
   * Whether the circuit breaker is open now (always false without one).
   *
   * @return {@code true} while fetches fail at once without a network call
   */
  public boolean breakerOpen() {
    return breakerWindow != null && clock.instant().isBefore(openUntil.get());
  }

  private void requireBreakerClosed(String what) throws EndorsementUnavailableException {
    if (breakerWindow == null) {
      return;
    }
    Instant now = clock.instant();
    Instant until = openUntil.get();
    if (now.isBefore(until)) {
      Duration left = Duration.between(now, until);
      throw new EndorsementUnavailableException(
          reasons.throttled(),
          service.label() + " throttled this client; " + what + " is not asked for until " + until + " (circuit breaker, "
              + Math.max(1, left.toSeconds()) + " s left); retry then",
          left,
          null);
    }
  }

  private static boolean isBodyTooLarge(Throwable t) {
    return BoundedBody.isTooLarge(t);
  }

  private void retryLog(URI uri, int attempt, Duration wait, String why) {
    if (attempt < policy.maxAttempts()) {
      service.log().log(Level.DEBUG, () -> service.logTag() + " " + uri + ": " + why + "; retrying in " + wait.toMillis() + " ms");
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
          reasons.interrupted(), "interrupted while waiting to retry " + service.label(), null, e);
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
          reasons.interrupted(), "interrupted while fetching " + uri, null, e);
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
}
