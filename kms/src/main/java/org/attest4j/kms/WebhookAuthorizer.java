package org.attest4j.kms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.attest4j.core.EndorsementUnavailableException;

/**
 * dstack's auth webhook client: POSTs the {@link BootInfo} as camelCase JSON to {@code
 * {base}/bootAuth/app} and reads {@code {"isAllowed": bool, "gatewayAppId": string, "reason":
 * string}}. Anything other than a 200 answer with a boolean {@code isAllowed} (unreachable
 * server, timeout, other status, bad JSON, a body over 64 KiB) refuses the release with a retryable
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

  /** A builder for the webhook at {@code baseUrl} (for example {@code http://127.0.0.1:3000}). */
  public static Builder builder(URI baseUrl) {
    return new Builder(baseUrl);
  }

  /** The URL this client POSTs to. */
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
    HttpResponse<InputStream> resp;
    byte[] answer;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body()) {
        answer = in.readNBytes(MAX_BODY + 1);
      }
    } catch (IOException e) {
      throw unavailable("auth webhook " + endpoint + " unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while calling auth webhook " + endpoint, e);
    }
    if (resp.statusCode() != 200) {
      throw unavailable("auth webhook " + endpoint + " answered HTTP " + resp.statusCode(), null);
    }
    if (answer.length > MAX_BODY) {
      throw unavailable("auth webhook answer is larger than " + MAX_BODY + " bytes", null);
    }
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

    /** The HTTP client to use (default a new client with the connect timeout). */
    public Builder httpClient(HttpClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Connect and request timeout (default 5 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The JSON dialect (default {@link BootInfo.Dialect#NEXT}). */
    public Builder dialect(BootInfo.Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /** The path under the base URL (default {@code bootAuth/app}; {@code bootAuth/kms} for KMS boots). */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path");
      this.path = path.startsWith("/") ? path.substring(1) : path;
      return this;
    }

    /** The authorizer. */
    public WebhookAuthorizer build() {
      return new WebhookAuthorizer(this);
    }
  }
}
