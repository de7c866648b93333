package org.attest4j.kms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.internal.BoundedBody;

/**
 * dstack's auth webhook client: POSTs the {@link BootInfo} as camelCase JSON to {@code
 * {base}/bootAuth/app} and reads {@code {"isAllowed": bool, "gatewayAppId": string, "reason":
 * string}}. The {@linkplain Builder#timeout timeout} is a total deadline for the whole exchange
 * (connect, headers and body): a webhook that sends its headers and then stalls is cut at it.
 * Anything other than a complete 200 answer with a boolean {@code isAllowed} within the deadline
 * (unreachable server, timeout, other status, bad JSON, a body over 64 KiB) refuses the release with a retryable
 * {@link KmsReason#AUTHORIZATION_UNAVAILABLE}: the flow fails closed.
 *
 * <p>Instances are immutable and thread-safe (the underlying {@link HttpClient} is).
 */
public final class WebhookAuthorizer implements AuthorizationHook {
  private static final int MAX_BODY = 64 * 1024;

  private final URI endpoint;
  private final HttpClient client;
  private final Duration timeout;
  private final BootInfo.Dialect dialect;

  private WebhookAuthorizer(Builder b) {
    String base = b.baseUrl.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + b.path);
    this.client =
        b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.timeout).build();
    this.timeout = b.timeout;
    this.dialect = b.dialect;
  }

  /**
   * A builder for the webhook at {@code baseUrl} (for example {@code http://127.0.0.1:3000}).
   *
   * @param baseUrl a builder for the webhook at {@code baseUrl} (for example {@code http://127.0.0.1:3000})
   * @return a new builder
   */
  public static Builder builder(URI baseUrl) {
    return new Builder(baseUrl);
  }

  /**
   * The URL this client POSTs to.
   *
   * @return the URL this client POSTs to
   */
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public AuthorizationDecision authorize(BootInfo bootInfo) throws EndorsementUnavailableException {
    byte[] body = bootInfo.toJson(dialect).toString().getBytes(StandardCharsets.UTF_8);
    HttpRequest req =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    // one deadline for the whole exchange, body included: a webhook that sends its headers and
    // then stalls is cut at the deadline like one that never answers
    CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(req, info -> new BoundedBody(MAX_BODY));
    HttpResponse<byte[]> resp;
    try {
      resp = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw unavailable(
          "auth webhook " + endpoint + " did not answer completely within " + timeout.toMillis()
              + " ms (headers and body); the release was refused",
          e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      if (c instanceof java.net.http.HttpTimeoutException) {
        throw unavailable(
            "auth webhook " + endpoint + " did not answer completely within " + timeout.toMillis()
                + " ms (headers and body); the release was refused",
            c);
      }
      if (BoundedBody.isTooLarge(c)) {
        throw unavailable("auth webhook answer is larger than " + MAX_BODY + " bytes", c);
      }
      throw unavailable("auth webhook " + endpoint + " unreachable: " + c.getMessage(), c);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while calling auth webhook " + endpoint, e);
    }
    if (resp.statusCode() != 200) {
      throw unavailable("auth webhook " + endpoint + " answered HTTP " + resp.statusCode(), null);
    }
    byte[] answer = resp.body();
    return parseDecision(new String(answer, StandardCharsets.UTF_8));
  }

  /** Parses a webhook answer; package-private for tests. */
  static AuthorizationDecision parseDecision(String json) throws EndorsementUnavailableException {
    try {
      JsonElement el = JsonParser.parseString(json);
      if (!el.isJsonObject()) {
        throw unavailable("auth webhook answer is not a JSON object", null);
      }
      JsonObject o = el.getAsJsonObject();
      JsonElement allowed = o.get("isAllowed");
      if (allowed == null
          || !allowed.isJsonPrimitive()
          || !allowed.getAsJsonPrimitive().isBoolean()) {
        throw unavailable("auth webhook answer has no boolean isAllowed", null);
      }
      String gateway = optionalString(o, "gatewayAppId");
      String reason = optionalString(o, "reason");
      return new AuthorizationDecision(allowed.getAsBoolean(), gateway, reason);
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      throw unavailable("auth webhook answer is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static String optionalString(JsonObject o, String key) throws EndorsementUnavailableException {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return "";
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw unavailable("auth webhook answer field " + key + " is not a string", null);
    }
    return e.getAsString();
  }

  private static EndorsementUnavailableException unavailable(String msg, Throwable cause) {
    return new EndorsementUnavailableException(KmsReason.AUTHORIZATION_UNAVAILABLE, msg, null, cause);
  }

  @Override
  public String toString() {
    return "WebhookAuthorizer[" + endpoint + ", " + dialect + "]";
  }

  /** Builds a {@link WebhookAuthorizer}. Not thread-safe. */
  public static final class Builder {
    private final URI baseUrl;
    private HttpClient client;
    private Duration timeout = Duration.ofSeconds(5);
    private BootInfo.Dialect dialect = BootInfo.Dialect.NEXT;
    private String path = "bootAuth/app";

    private Builder(URI baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      String scheme = baseUrl.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("webhook URL must be http or https: " + baseUrl);
      }
    }

    /**
     * The HTTP client to use (default a new client with the connect timeout).
     *
     * @param client the HTTP client to use (default a new client with the connect timeout)
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The total deadline of one call, connect, headers and body (default 5 s); also the connect
     * timeout of the client built when none is given.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("the webhook timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The JSON dialect (default {@link BootInfo.Dialect#NEXT}).
     *
     * @param dialect the JSON dialect (default {@link BootInfo.Dialect#NEXT})
     * @return this builder
     */
    public Builder dialect(BootInfo.Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * The path under the base URL (default {@code bootAuth/app}; {@code bootAuth/kms} for KMS boots).
     *
     * @param path the path under the base URL (default {@code bootAuth/app}
     * @return this builder
     */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path");
      this.path = path.startsWith("/") ? path.substring(1) : path;
      return this;
    }

    /**
     * The authorizer.
     *
     * @return the new {@code WebhookAuthorizer}
     */
    public WebhookAuthorizer build() {
      return new WebhookAuthorizer(this);
    }
  }
}
