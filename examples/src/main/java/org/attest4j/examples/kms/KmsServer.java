package org.attest4j.examples.kms;

import com.google.gson.JsonObject;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;
import org.attest4j.core.internal.LogSafe;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseException;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsReason;
import org.attest4j.kms.PrpcJson;
import org.attest4j.kms.proto.AppId;
import org.attest4j.kms.RatlsKeyRelease;
import org.attest4j.kms.RatlsRequest;
import org.attest4j.kms.proto.GetKmsKeyRequest;
import org.attest4j.kms.proto.KmsKeyResponse;
import org.attest4j.kms.proto.SignCertRequest;
import org.attest4j.kms.proto.SignCertResponse;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetAppKeyRequest;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The example KMS server: {@link KeyReleaseService} over HTTP/1.1 (or HTTPS) on Jetty 12's core
 * API, on loopback. It speaks dstack's "prpc" transport: {@code POST /prpc/<Method>} with a
 * protobuf body, or {@code /prpc/<Method>?json} with dstack's JSON (snake_case, hex bytes);
 * {@code /prpc/KMS.<Method>} is accepted too. Methods: {@code GetAppKeyAmd}, {@code GetAppKeyTdx}
 * (Intel TDX guests, served when the service was built with a TDX configuration, see {@link
 * KeyReleaseService#releaseTdx}), {@code GetAppEnvEncryptPubKey}, {@code GetMeta}, {@code GetNonce}
 * ({@code ?envelope=hpke|aes_siv_pr630} binds the nonce to an envelope; default the KMS's
 * default envelope).
 *
 * <p>Answers: 200 with the message; 400 for a malformed request (bad protobuf/JSON, duplicate keys,
 * wrong types, missing or oversized fields, malformed evidence), 403 when the evidence is refused,
 * 404/405 for an unknown method or HTTP verb, 408 when the body does not arrive within the read
 * deadline, 413 for a body over the limit, 429 when the client's rate limit is used up, 503 with
 * {@code Retry-After} when every worker is busy or an endorsement, the authorization webhook or the
 * freshness store is temporarily unavailable. Every error body is JSON: {@code {"error": message,
 * "reason": "KmsReason.X", "step": n, "step_name": ..., "retryable": bool}}. No request makes the
 * handler throw; keys never appear in logs, and request-derived text is escaped ({@link LogSafe}).
 *
 * <p>Slow clients cost no thread: Jetty reads headers and bodies with non-blocking I/O, the body is
 * collected asynchronously under the read deadline, and only a complete request is handed to the
 * bounded worker pool ({@link HttpLimits}).
 *
 * <p>Run it: {@code java -cp attest4j.jar org.attest4j.examples.kms.KmsServer --config kms.json}.
 *
 * <p>Instances are thread-safe; {@link #close()} stops the server.
 */
public final class KmsServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KmsServer.class.getName());

  /** The default largest request body accepted ({@link HttpLimits#maxBodyBytes()}). */
  public static final int MAX_BODY = 64 * 1024;

  /**
   * What happened to one key request (for metrics, logs and the demo).
   *
   * @param method the RPC method
   * @param status the HTTP status sent
   * @param release the release, when keys were released
   * @param refusal the refusal, when refused
   */
  public record Outcome(String method, int status, KeyRelease release, KeyReleaseException refusal) {}

  private final KeyReleaseService service;
  private final Consumer<Outcome> observer;
  private final HttpLimits limits;
  private final Function<InetSocketAddress, String> clientKey;
  private final ClientRateLimiter rates;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService timer;
  private final Server server;
  private final ServerConnector connector;
  private final boolean tls;
  private final RatlsEndpoint ratls;
  private final AutoCloseable onClose;

  private KmsServer(Builder b) throws IOException {
    this.service = Objects.requireNonNull(b.service, "service");
    this.observer = b.observer != null ? b.observer : o -> {};
    this.limits = b.limits;
    this.clientKey = b.clientKey;
    this.onClose = b.onClose;
    this.rates = limits.ratePerSecond() > 0
        ? new ClientRateLimiter(limits.ratePerSecond(), limits.rateBurst(), 100_000, System::nanoTime) : null;
    AtomicInteger n = new AtomicInteger();
    BlockingQueue<Runnable> queue = limits.workerQueue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(limits.workerQueue());
    this.workers = new ThreadPoolExecutor(limits.workerThreads(), limits.workerThreads(), 60, TimeUnit.SECONDS, queue, r -> {
      Thread t = new Thread(r, "kms-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kms-read-deadline");
      t.setDaemon(true);
      return t;
    });
    QueuedThreadPool io = new QueuedThreadPool(16, 4);
    io.setName("kms-io");
    io.setDaemon(true);
    this.server = new Server(io);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setIdleTimeout(limits.idleTimeout().toMillis());
    http.setRequestHeaderSize(8 * 1024);
    this.ratls = b.ratls;
    if (ratls != null) {
      b.tls = ratls.tls();
    }
    this.tls = b.tls != null;
    if (b.tls == null) {
      connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    } else {
      http.addCustomizer(new SecureRequestCustomizer(false));
      // a separate bucket per client for handshakes that present a certificate, taken before it is checked
      ClientRateLimiter handshakes = limits.ratePerSecond() > 0
          ? new ClientRateLimiter(limits.ratePerSecond(), limits.rateBurst(), 100_000, System::nanoTime) : null;
      connector = new ServerConnector(server, 1, 1,
          new SslConnectionFactory(sslContext(b.tls, handshakes, clientKey), "http/1.1"),
          new HttpConnectionFactory(http));
    }
    connector.setHost(b.bind.getHostAddress());
    connector.setPort(b.port);
    connector.setIdleTimeout(limits.idleTimeout().toMillis());
    connector.setAcceptQueueSize(128);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
    connector.addBean(new ClientConnectionLimit(limits.maxConnectionsPerClient(), clientKey));
    server.setHandler(new Prpc());
    try {
      server.start();
    } catch (Exception e) {
      close();
      throw new IOException("cannot start the KMS server on port " + b.port + ": " + e.getMessage(), e);
    }
    LOG.log(Level.DEBUG, () -> "KMS listening on " + baseUri() + " (" + service + ", " + limits + ")");
  }

  private static SslContextFactory.Server sslContext(TlsOptions t, ClientRateLimiter handshakes,
      Function<InetSocketAddress, String> clientKey) {
    Optional<javax.net.ssl.X509TrustManager> trust = t.clientTrust()
        .map(m -> handshakes == null ? m : new HandshakeGate(m, handshakes, clientKey));
    SslContextFactory.Server ssl = new SslContextFactory.Server() {
      @Override
      protected TrustManager[] getTrustManagers(KeyStore trustStore, Collection<? extends CRL> crls) throws Exception {
        return trust.isPresent() ? new TrustManager[] {trust.get()} : super.getTrustManagers(trustStore, crls);
      }
    };
    if (t.inMemoryKeyStore().isPresent()) {
      ssl.setKeyStore(t.inMemoryKeyStore().get());
      ssl.setKeyManagerPassword(new String(t.password()));
    } else {
      ssl.setKeyStorePath(t.keyStore().toAbsolutePath().toString());
      ssl.setKeyStoreType("PKCS12");
      ssl.setKeyStorePassword(new String(t.password()));
    }
    if (trust.isPresent() && t.clientCertificateRequired()) {
      ssl.setNeedClientAuth(true);
    } else if (trust.isPresent()) {
      ssl.setWantClientAuth(true);
    }
    ssl.setSniRequired(false);
    return ssl;
  }

  /**
   * A builder for a server of {@code service}: any free loopback port, {@link HttpLimits#DEFAULTS},
   * plain HTTP, clients keyed by remote IP address.
   *
   * @param service the key-release service
   * @return a new builder
   */
  public static Builder builder(KeyReleaseService service) {
    return new Builder(service);
  }

  /**
   * Starts a server for {@code service} on loopback with default limits but no rate limit (for
   * tests, demos and load generators; {@link #builder} sets everything).
   *
   * @param service the key-release service
   * @param port the port (0: any free port)
   * @param threads worker threads
   * @param observer told about every GetAppKeyAmd and GetAppKeyTdx outcome ({@link Outcome#method()}; may be null)
   * @return the running server
   * @throws IOException if the port cannot be bound
   */
  public static KmsServer start(KeyReleaseService service, int port, int threads, Consumer<Outcome> observer)
      throws IOException {
    return builder(service).port(port).limits(HttpLimits.DEFAULTS.withWorkerThreads(threads).withRate(0, 1))
        .observer(observer).start();
  }

  /**
   * Starts a server from a configuration (root keys are created in its key directory on first
   * start) with the in-memory freshness store.
   *
   * @param config the configuration
   * @param clock the clock
   * @return the running server
   * @throws IOException if a file cannot be read or the port cannot be bound
   * @throws AttestationException if the configuration is malformed
   */
  public static KmsServer start(KmsConfig config, Clock clock) throws IOException, AttestationException {
    return start(config, clock, KmsConfig.IN_MEMORY, null);
  }

  /**
   * Starts a server from a configuration with the given freshness store.
   *
   * @param config the configuration
   * @param clock the clock
   * @param shared where used nonces / request digests and cached endorsements live
   * @param onClose closed after the server stops (for example the Redis connection); may be null
   * @return the running server
   * @throws IOException if a file cannot be read or the port cannot be bound
   * @throws AttestationException if the configuration is malformed
   */
  public static KmsServer start(KmsConfig config, Clock clock, KmsConfig.SharedState shared,
      AutoCloseable onClose) throws IOException, AttestationException {
    return start(config, clock, shared, onClose, null);
  }

  /**
   * Starts a server from a configuration with the given freshness store; with {@code "ratls":
   * true}, its {@code kms:rpc} certificate carries {@code ownAttestation}'s attestation for the
   * report_data that binds the server key (a KMS running in a TEE; replicas onboarding from it
   * require this).
   *
   * @param config the configuration
   * @param clock the clock
   * @param shared where used nonces / request digests and cached endorsements live
   * @param onClose closed after the server stops (for example the Redis connection); may be null
   * @param ownAttestation makes the KMS's attestation for a report_data; null for none (also
   *     ignored without {@code "ratls": true})
   * @return the running server
   * @throws IOException if a file cannot be read or the port cannot be bound
   * @throws AttestationException if the configuration is malformed
   */
  public static KmsServer start(KmsConfig config, Clock clock, KmsConfig.SharedState shared,
      AutoCloseable onClose,
      Function<org.attest4j.core.Bytes, org.attest4j.ratls.VersionedAttestation> ownAttestation)
      throws IOException, AttestationException {
    HttpLimits limits = config.httpLimits();
    Optional<TlsOptions> tls = config.tls();
    KeyReleaseService service = config.buildService(clock, shared);
    Builder b = builder(service).port(config.port()).limits(limits).onClose(onClose);
    tls.ifPresent(b::tls);
    if (config.ratls()) {
      KmsCertificateAuthority ca = KmsCertificateAuthority.of(config.rootKeys(clock), clock);
      if (ownAttestation == null) {
        b.ratls(ca);
      } else {
        b.ratls(ca, ownAttestation);
      }
    }
    return b.start();
  }

  /**
   * {@code http://127.0.0.1:<port>} (or {@code https://}).
   *
   * @return the base URI
   */
  public URI baseUri() {
    return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + connector.getLocalPort());
  }

  /**
   * The key-release service behind the server.
   *
   * @return the service
   */
  public KeyReleaseService service() {
    return service;
  }

  /**
   * The limits in force.
   *
   * @return the limits
   */
  public HttpLimits limits() {
    return limits;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "stopping Jetty failed", e);
    }
    workers.shutdownNow();
    timer.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (onClose != null) {
      try {
        onClose.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "closing the freshness store failed", e);
      }
    }
  }

  /** Configures and starts a {@link KmsServer}. Not thread-safe. */
  public static final class Builder {
    private final KeyReleaseService service;
    private int port;
    private InetAddress bind = InetAddress.getLoopbackAddress();
    private HttpLimits limits = HttpLimits.DEFAULTS;
    private TlsOptions tls;
    private RatlsEndpoint ratls;
    private Consumer<Outcome> observer;
    private Function<InetSocketAddress, String> clientKey = a -> a.getAddress().getHostAddress();
    private AutoCloseable onClose;

    private Builder(KeyReleaseService service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * The port (default 0: any free port).
     *
     * @param port 0..65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The HTTP limits (default {@link HttpLimits#DEFAULTS}).
     *
     * @param limits the limits
     * @return this builder
     */
    public Builder limits(HttpLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Serve HTTPS instead of HTTP.
     *
     * @param tls the TLS options
     * @return this builder
     */
    public Builder tls(TlsOptions tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Serve dstack's RA-TLS RPCs on HTTPS (spec dstack-ratls §5): {@code GetTempCaCert}, and {@code
     * GetAppKey} for SEV-SNP guests whose TLS client certificate carries their attestation. The
     * server certificate is a fresh key certified by the root CA with special usage {@code kms:rpc}
     * for {@code 127.0.0.1}; client certificates are checked against the temp CA when sent.
     * Replaces {@link #tls(TlsOptions)}.
     *
     * @param ca the KMS's certificate authority (from the same root keys as the service)
     * @return this builder
     * @throws IOException if the TLS identity cannot be made
     */
    public Builder ratls(KmsCertificateAuthority ca) throws IOException {
      this.ratls = RatlsEndpoint.create(Objects.requireNonNull(ca, "ca"), "127.0.0.1");
      return this;
    }

    /**
     * As {@link #ratls(KmsCertificateAuthority)}, for a KMS that runs in a TEE: its server
     * certificate carries its own attestation (extension .8), made for the report_data that binds
     * the server key, so KMS replicas and guests can check where it runs ({@code GetKmsKey}
     * onboarding requires it).
     *
     * @param ca the KMS's certificate authority
     * @param ownAttestation makes the KMS's attestation for a report_data (64 bytes)
     * @return this builder
     * @throws IOException if the TLS identity or the attestation cannot be made
     */
    public Builder ratls(KmsCertificateAuthority ca,
        java.util.function.Function<org.attest4j.core.Bytes, org.attest4j.ratls.VersionedAttestation> ownAttestation)
        throws IOException {
      this.ratls = RatlsEndpoint.create(Objects.requireNonNull(ca, "ca"), "127.0.0.1",
          Objects.requireNonNull(ownAttestation, "ownAttestation"));
      return this;
    }

    /**
     * Told about every GetAppKeyAmd and GetAppKeyTdx outcome.
     *
     * @param observer the observer (may be null)
     * @return this builder
     */
    public Builder observer(Consumer<Outcome> observer) {
      this.observer = observer;
      return this;
    }

    /**
     * How a client is named for rate limiting (default: its IP address). Behind a trusted proxy,
     * map the proxy's address to something else here; never trust a client-supplied header.
     *
     * @param key maps the remote socket address to a client key
     * @return this builder
     */
    public Builder clientKey(Function<InetSocketAddress, String> key) {
      this.clientKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * Closed after the server stops (for example a shared store's connection).
     *
     * @param resource the resource (may be null)
     * @return this builder
     */
    public Builder onClose(AutoCloseable resource) {
      this.onClose = resource;
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server
     * @throws IOException if the port cannot be bound or TLS cannot be set up
     */
    public KmsServer start() throws IOException {
      return new KmsServer(this);
    }
  }

  // ------------------------------------------------------------------------------------------

  private static final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient ReasonCode reason;
    final transient Duration retryAfter;
    final String allow;

    HttpError(int status, String message) {
      this(status, message, null, null, null);
    }

    HttpError(int status, String message, ReasonCode reason, Duration retryAfter, String allow) {
      super(message, null, false, false);
      this.status = status;
      this.reason = reason;
      this.retryAfter = retryAfter;
      this.allow = allow;
    }
  }

  /** One HTTP exchange: answered once, by whichever of body, deadline or worker gets there first. */
  private final class Exchange {
    final Request request;
    final Response response;
    final Callback callback;
    final AtomicBoolean answered = new AtomicBoolean();
    String method = "?";
    boolean json;
    boolean closeAfter;

    Exchange(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
    }

    void send(int status, String contentType, byte[] body, boolean close) {
      send(status, contentType, body, close, java.util.Map.of());
    }

    void send(int status, String contentType, byte[] body, boolean close, java.util.Map<HttpHeader, String> headers) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      try {
        response.setStatus(status);
        headers.forEach((h, v) -> response.getHeaders().put(h, v));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        if (close || closeAfter) {
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.write(true, ByteBuffer.wrap(body), callback);
      } catch (RuntimeException e) {
        callback.failed(e);
      }
    }
  }

  private final class Prpc extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Exchange ex = new Exchange(request, response, callback);
      try {
        route(ex);
      } catch (HttpError e) {
        // answered before the body was read: close the connection rather than drain an unread body
        ex.closeAfter = true;
        error(ex, e);
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "unexpected failure while routing " + LogSafe.of(ex.method), e);
        error(ex, new HttpError(500, "internal error"));
      }
      return true;
    }
  }

  private static final java.util.Set<String> METHODS =
      java.util.Set.of("GetAppKeyAmd", "GetAppKeyTdx", "GetAppEnvEncryptPubKey", "GetMeta", "GetNonce");
  private static final java.util.Set<String> RATLS_METHODS = java.util.Set.of("GetTempCaCert", "GetAppKey", "SignCert", "GetKmsKey");
  /** The methods that cost a nonce or a full attestation verification (which may fetch endorsements). */
  private static final java.util.Set<String> RATE_LIMITED =
      java.util.Set.of("GetNonce", "GetAppKeyAmd", "GetAppKeyTdx", "GetAppKey", "SignCert", "GetKmsKey");

  private void route(Exchange ex) throws HttpError {
    String path = ex.request.getHttpURI().getPath();
    if (path == null || !path.startsWith("/prpc/")) {
      throw new HttpError(404, "no such path " + path + "; use /prpc/<Method>");
    }
    String method = path.substring("/prpc/".length());
    if (method.startsWith("KMS.")) {
      method = method.substring(4);
    }
    ex.method = method;
    String query = ex.request.getHttpURI().getQuery();
    ex.json = query != null && (query.equals("json") || query.startsWith("json&") || query.contains("&json"));
    if (!METHODS.contains(method) && !(ratls != null && RATLS_METHODS.contains(method))) {
      throw new HttpError(404, "unknown method " + LogSafe.of(method)
          + " (this KMS serves GetAppKeyAmd, GetAppKeyTdx, GetAppEnvEncryptPubKey, GetMeta, GetNonce"
          + (ratls != null ? ", GetTempCaCert, GetAppKey, SignCert, GetKmsKey" : "") + ")");
    }
    String verb = ex.request.getMethod();
    boolean noArgs = method.equals("GetMeta") || method.equals("GetNonce") || method.equals("GetTempCaCert");
    if (!verb.equals("POST") && !(noArgs && verb.equals("GET"))) {
      throw new HttpError(405, "use POST for " + method, null, null, noArgs ? "GET, POST" : "POST");
    }
    if (rates != null && RATE_LIMITED.contains(method)) {
      SocketAddress remote = ex.request.getConnectionMetaData().getRemoteSocketAddress();
      String client = remote instanceof InetSocketAddress isa ? clientKey.apply(isa) : String.valueOf(remote);
      Optional<Duration> wait = rates.tryAcquire(client);
      if (wait.isPresent()) {
        throw new HttpError(429, "too many requests from this client; retry after " + wait.get().toMillis() + " ms",
            ServerReason.RATE_LIMITED, wait.get(), null);
      }
    }
    long len = ex.request.getLength();
    if (len > limits.maxBodyBytes()) {
      HttpError tooLarge = new HttpError(413, "request body of " + len + " bytes is larger than " + limits.maxBodyBytes(),
          ServerReason.BODY_TOO_LARGE, null, null);
      if (len > 16L * limits.maxBodyBytes()) {
        throw tooLarge; // answered at once; the connection is closed
      }
      // modestly too large: read and drop it (under the deadline) so the client can read the answer
      ScheduledFuture<?> drainDeadline = timer.schedule(() -> error(ex, tooLarge), limits.readDeadline().toMillis(),
          TimeUnit.MILLISECONDS);
      Content.Source.consumeAll(ex.request, Callback.from(() -> {
        drainDeadline.cancel(false);
        error(ex, tooLarge);
      }, x -> {
        drainDeadline.cancel(false);
        error(ex, tooLarge);
      }));
      return;
    }
    ScheduledFuture<?> deadline = timer.schedule(
        () -> error(ex, new HttpError(408, "the request body did not arrive within " + limits.readDeadline().toMillis() + " ms",
            ServerReason.READ_TIMEOUT, null, null)),
        limits.readDeadline().toMillis(), TimeUnit.MILLISECONDS);
    Content.Source.asByteArrayAsync(ex.request, limits.maxBodyBytes()).whenComplete((body, failure) -> {
      deadline.cancel(false);
      if (ex.answered.get()) {
        return;
      }
      if (failure != null) {
        Throwable c = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        if (c instanceof IllegalArgumentException || c instanceof IllegalStateException) {
          error(ex, new HttpError(413, "request body is larger than " + limits.maxBodyBytes() + " bytes",
              ServerReason.BODY_TOO_LARGE, null, null));
        } else {
          error(ex, new HttpError(400, "could not read the request: " + c.getClass().getSimpleName()));
        }
        return;
      }
      try {
        workers.execute(() -> process(ex, body));
      } catch (RejectedExecutionException e) {
        error(ex, new HttpError(503, "every worker is busy; retry shortly", ServerReason.OVERLOADED, Duration.ofSeconds(1), null));
      }
    });
  }

  private void process(Exchange ex, byte[] body) {
    try {
      switch (ex.method) {
        case "GetAppKeyAmd" -> getAppKeyAmd(ex, body);
        case "GetAppKeyTdx" -> getAppKeyTdx(ex, body);
        case "GetAppEnvEncryptPubKey" -> send(ex, service.appEnvEncryptPublicKey(decode(body, ex.json, AppId.getDefaultInstance())));
        case "GetMeta" -> send(ex, service.meta());
        case "GetTempCaCert" -> send(ex, ratls.tempCaCert());
        case "GetAppKey" -> getAppKey(ex, body);
        case "SignCert" -> signCert(ex, body);
        case "GetKmsKey" -> getKmsKey(ex, body);
        case "GetNonce" -> {
          Optional<EnvelopeMode> env = envelopeParam(ex.request.getHttpURI().getQuery());
          send(ex, env.isPresent() ? service.issueNonceRpc(env.get()) : service.issueNonceRpc());
        }
        default -> throw new HttpError(404, "unknown method " + ex.method);
      }
    } catch (HttpError e) {
      error(ex, e);
    } catch (KeyReleaseException e) {
      error(ex, status(e.refusal()), e.getMessage(), e.refusal(), e);
    } catch (AttestationException e) {
      error(ex, status(e), e.getMessage(), e, null);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "unexpected failure while handling " + LogSafe.of(ex.method), e);
      error(ex, new HttpError(500, "internal error"));
    }
  }

  private static Optional<EnvelopeMode> envelopeParam(String query) throws HttpError {
    if (query == null) {
      return Optional.empty();
    }
    for (String p : query.split("&")) {
      if (p.startsWith("envelope=")) {
        String v = p.substring("envelope=".length());
        return Optional.of(switch (v) {
          case "hpke" -> EnvelopeMode.HPKE_V1;
          case "aes_siv_pr630" -> EnvelopeMode.AES_SIV_PR630;
          default -> throw new HttpError(400, "envelope must be hpke or aes_siv_pr630, not " + v);
        });
      }
    }
    return Optional.empty();
  }

  private void getAppKeyAmd(Exchange ex, byte[] body) throws AttestationException {
    GetAppKeyAmdRequest req = decode(body, ex.json, GetAppKeyAmdRequest.getDefaultInstance());
    KeyRelease rel;
    try {
      rel = service.release(req);
    } catch (KeyReleaseException e) {
      observe(new Outcome("GetAppKeyAmd", status(e.refusal()), null, e));
      throw e;
    }
    observe(new Outcome("GetAppKeyAmd", 200, rel, null));
    send(ex, rel.response());
    LOG.log(Level.DEBUG, () -> "released keys for app " + rel.bootInfo().appId() + " in " + rel.timings().total().toNanos() / 1000 + " us");
  }

  private void getAppKey(Exchange ex, byte[] body) throws AttestationException, HttpError {
    GetAppKeyRequest req = decode(body, ex.json, GetAppKeyRequest.getDefaultInstance());
    Object data = ex.request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
    java.security.cert.X509Certificate[] peer =
        data instanceof EndPoint.SslSessionData ssl ? ssl.peerCertificates() : null;
    if (peer == null || peer.length == 0) {
      throw new HttpError(401, "GetAppKey needs an RA-TLS client certificate (from GetTempCaCert's temp CA)"
          + " carrying the guest's attestation");
    }
    byte[] der;
    try {
      der = peer[0].getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new HttpError(400, "the client certificate cannot be encoded");
    }
    RatlsKeyRelease rel;
    try {
      rel = ratls.getAppKey(service, der, req);
    } catch (KeyReleaseException e) {
      observe(new Outcome("GetAppKey", status(e.refusal()), null, e));
      throw e;
    }
    send(ex, rel.response());
    LOG.log(Level.DEBUG, () -> "released keys over RA-TLS for app " + rel.bootInfo().appId());
  }

  /** The TLS client certificate (DER), or a 401 naming what the method needs. */
  private static byte[] clientCertificate(Exchange ex, String method) throws HttpError {
    Object data = ex.request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
    java.security.cert.X509Certificate[] peer =
        data instanceof EndPoint.SslSessionData ssl ? ssl.peerCertificates() : null;
    if (peer == null || peer.length == 0) {
      throw new HttpError(401, method + " needs an RA-TLS client certificate (from GetTempCaCert's temp CA)"
          + " carrying the caller's attestation");
    }
    try {
      return peer[0].getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new HttpError(400, "the client certificate cannot be encoded");
    }
  }

  /** SignCert: the CSR's own attestation is the evidence; the TLS client certificate is not used. */
  private void signCert(Exchange ex, byte[] body) throws AttestationException {
    SignCertRequest req = decode(body, ex.json, SignCertRequest.getDefaultInstance());
    SignCertResponse resp;
    try {
      resp = service.signCert(req);
    } catch (KeyReleaseException e) {
      observe(new Outcome("SignCert", status(e.refusal()), null, e));
      throw e;
    }
    send(ex, resp);
  }

  /** GetKmsKey: replica onboarding, the caller's client-certificate attestation required. */
  private void getKmsKey(Exchange ex, byte[] body) throws AttestationException, HttpError {
    GetKmsKeyRequest req = decode(body, ex.json, GetKmsKeyRequest.getDefaultInstance());
    byte[] der = clientCertificate(ex, "GetKmsKey");
    KmsKeyResponse resp;
    try {
      resp = service.releaseKmsKeys(RatlsRequest.decode(der, req));
    } catch (KeyReleaseException e) {
      observe(new Outcome("GetKmsKey", status(e.refusal()), null, e));
      throw e;
    }
    send(ex, resp);
  }

  private void getAppKeyTdx(Exchange ex, byte[] body) throws AttestationException {
    GetAppKeyTdxRequest req = decode(body, ex.json, GetAppKeyTdxRequest.getDefaultInstance());
    KeyRelease rel;
    try {
      rel = service.releaseTdx(req);
    } catch (KeyReleaseException e) {
      observe(new Outcome("GetAppKeyTdx", status(e.refusal()), null, e));
      throw e;
    }
    observe(new Outcome("GetAppKeyTdx", 200, rel, null));
    send(ex, rel.response());
    LOG.log(Level.DEBUG, () -> "released keys for TDX app " + rel.bootInfo().appId() + " in "
        + rel.timings().total().toNanos() / 1000 + " us");
  }

  private void observe(Outcome o) {
    try {
      observer.accept(o);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "KMS observer failed", e);
    }
  }

  private static <T extends Message> T decode(byte[] body, boolean json, T prototype)
      throws MalformedEvidenceException {
    if (json) {
      String text;
      try {
        text =
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(body))
                .toString();
      } catch (CharacterCodingException e) {
        throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "the JSON body is not UTF-8");
      }
      if (text.isBlank()) {
        text = "{}";
      }
      return PrpcJson.parse(text, prototype);
    }
    try {
      @SuppressWarnings("unchecked")
      T t = (T) prototype.getParserForType().parseFrom(body);
      return t;
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "malformed protobuf " + prototype.getDescriptorForType().getName() + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "malformed protobuf " + prototype.getDescriptorForType().getName());
    }
  }

  private static int status(AttestationException e) {
    if (e.reason() == KmsReason.REQUEST_TOO_LARGE) {
      return 413;
    }
    if (e instanceof MalformedEvidenceException) {
      return 400;
    }
    if (e instanceof EndorsementUnavailableException) {
      return 503;
    }
    if (e.reason() == KmsReason.INTERNAL_ERROR) {
      return 500;
    }
    return 403;
  }

  private static void send(Exchange ex, Message m) {
    if (ex.json) {
      ex.send(200, "application/json", PrpcJson.print(m).getBytes(StandardCharsets.UTF_8), false);
    } else {
      ex.send(200, "application/x-protobuf", m.toByteArray(), false);
    }
  }

  private static void error(Exchange ex, HttpError e) {
    JsonObject o = new JsonObject();
    o.addProperty("error", e.getMessage());
    if (e.reason != null) {
      o.addProperty("reason", e.reason.qualifiedCode());
      o.addProperty("retryable", e.retryAfter != null);
    }
    java.util.Map<HttpHeader, String> h = new java.util.EnumMap<>(HttpHeader.class);
    if (e.retryAfter != null) {
      h.put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, (e.retryAfter.toMillis() + 999) / 1000)));
    }
    if (e.allow != null) {
      h.put(HttpHeader.ALLOW, e.allow);
    }
    finish(ex, e.status, o, e.status == 408 || e.status == 413, h);
  }

  private static void error(Exchange ex, int status, String message, AttestationException e, KeyReleaseException k) {
    java.util.Map<HttpHeader, String> h = new java.util.EnumMap<>(HttpHeader.class);
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    if (e != null) {
      o.addProperty("reason", e.reason().qualifiedCode());
      o.addProperty("retryable", e.isRetryable());
      if (e instanceof EndorsementUnavailableException u) {
        Duration ra = u.retryAfter().orElse(Duration.ofSeconds(1));
        h.put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, ra.toSeconds())));
      }
    }
    if (k != null) {
      o.addProperty("step", k.step().number());
      o.addProperty("step_name", k.step().label());
    }
    finish(ex, status, o, false, h);
  }

  private static void finish(Exchange ex, int status, JsonObject o, boolean close, java.util.Map<HttpHeader, String> h) {
    ex.send(status, "application/json", o.toString().getBytes(StandardCharsets.UTF_8), close, h);
    LOG.log(Level.DEBUG, () -> "HTTP " + status + " for " + LogSafe.of(ex.method) + ": " + LogSafe.of(o.get("error").getAsString()));
  }

  /**
   * Runs a KMS from a configuration file until interrupted: {@code --config FILE [--simulate]
   * [--onboard-from URL]}. The first line on standard output is {@code listening on
   * http://127.0.0.1:PORT} ({@code https://} with {@code "ratls": true}).
   *
   * <ul>
   *   <li>{@code --simulate}: this KMS runs on the <strong>simulated</strong> SEV-SNP platform
   *       ({@link SimulatedKms}, test-only root, announced on standard error): its RA-TLS {@code
   *       kms:rpc} certificate carries its attestation, which replicas require;
   *   <li>{@code --onboard-from URL} (needs {@code --simulate}, {@code "ratls": true}, {@code
   *       "allow_replica_onboarding": true} and a key directory without root keys): first take the
   *       root keys from the KMS at {@code URL} ({@link ReplicaOnboarding}: both sides attested,
   *       the source judged by this configuration's replica policy), store them, then serve.
   * </ul>
   *
   * A missing or invalid configuration or a usage error is one line on standard error with exit
   * status 2; a refused onboarding (the source's certificate is not attested, not {@code kms:rpc}
   * or not allowed, or it refused) is one line with exit status 1, and nothing is stored.
   *
   * @param args command-line arguments
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    List<String> notes = new ArrayList<>();
    KmsServer s;
    try {
      s = launch(args, Clock.systemUTC(), notes, System.err);
    } catch (Refused e) {
      System.err.println(e.getMessage());
      System.exit(e.exitStatus);
      return;
    }
    System.out.println("listening on " + s.baseUri());
    notes.forEach(System.out::println);
    System.out.println("serving /prpc/ GetAppKeyAmd, GetAppKeyTdx, GetAppEnvEncryptPubKey, GetMeta, GetNonce"
        + (s.ratls != null ? ", GetTempCaCert, GetAppKey, SignCert, GetKmsKey" : ""));
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    Thread.currentThread().join();
  }

  /** A start that did not happen: the one-line reason and the exit status. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitStatus;

    Refused(int exitStatus, String message) {
      super(message, null, false, false);
      this.exitStatus = exitStatus;
    }
  }

  /**
   * What {@link #main} does before it prints the listening line: parse the arguments, onboard
   * when asked, start the server. Notices for the operator go to {@code err}; {@code notes}
   * receives the lines to print after the listening line.
   */
  static KmsServer launch(String[] args, Clock clock, List<String> notes, java.io.PrintStream err)
      throws Refused {
    String configFile = null;
    String onboardFrom = null;
    boolean simulate = false;
    String usage = "usage: KmsServer --config kms.json [--simulate] [--onboard-from https://SOURCE]";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--simulate")) {
        simulate = true;
      } else if (a.equals("--config") && i + 1 < args.length) {
        configFile = args[++i];
      } else if (a.equals("--onboard-from") && i + 1 < args.length) {
        onboardFrom = args[++i];
      } else {
        throw new Refused(2, usage);
      }
    }
    if (configFile == null) {
      throw new Refused(2, usage);
    }
    if (onboardFrom != null && !simulate) {
      throw new Refused(2, "kms: --onboard-from needs --simulate: this example attests the replica only on the"
          + " simulated platform (a replica on hardware passes its report provider to KmsOnboarding)");
    }
    org.attest4j.redis.RedisStore redis = null;
    try {
      KmsConfig config = KmsConfig.load(Path.of(configFile));
      if (simulate && !config.ratls()) {
        throw new Refused(2, "kms: --simulate attests this KMS's RA-TLS certificate; it needs \"ratls\": true in "
            + configFile);
      }
      if (simulate) {
        err.println("SIMULATED KMS: a software SEV-SNP platform (Genoa, test-only root; no hardware,"
            + " nothing real is attested) attests this KMS's RA-TLS certificate");
      }
      if (onboardFrom != null) {
        onboard(config, onboardFrom, clock, err);
      }
      Optional<URI> redisUrl = config.redisUrl();
      KmsConfig.SharedState shared = KmsConfig.IN_MEMORY;
      if (redisUrl.isPresent()) {
        org.attest4j.redis.RedisStore r = org.attest4j.redis.RedisStore.connect(redisUrl.get(), Duration.ofSeconds(1));
        redis = r;
        shared = new KmsConfig.SharedState() {
          @Override
          public org.attest4j.kms.UsedValueStore usedValues(KmsConfig c, Clock clock) throws AttestationException {
            return r.usedValues(clock, Duration.ofSeconds(c.nonceLifetimeSeconds()));
          }

          @Override
          public org.attest4j.snp.kds.EndorsementSource endorsements(org.attest4j.snp.kds.EndorsementSource upstream,
              org.attest4j.snp.kds.EndorsementVerifier verifier, Clock clock) {
            return r.endorsementCache(upstream, verifier, clock, Duration.ofHours(24));
          }
        };
        notes.add("sharing used nonces, request digests and endorsements through " + r);
      }
      Function<org.attest4j.core.Bytes, org.attest4j.ratls.VersionedAttestation> own = simulate
          ? SimulatedKms.attester(config.rootKeys(clock).rootCaPublicKeySpki()) : null;
      return start(config, clock, shared, redis, own);
    } catch (java.nio.file.NoSuchFileException e) {
      closeQuietly(redis);
      throw new Refused(2, "kms: cannot start: no such file " + e.getFile());
    } catch (IOException | AttestationException | IllegalArgumentException e) {
      closeQuietly(redis);
      throw new Refused(2, "kms: cannot start: " + configFile + ": " + oneLine(e.getMessage()));
    }
  }

  /** {@code --onboard-from}: the keys are stored, or a {@link Refused} with status 1. */
  private static void onboard(KmsConfig config, String from, Clock clock, java.io.PrintStream err)
      throws Refused, IOException, AttestationException {
    URI source = ReplicaOnboarding.sourceUri(from);
    org.attest4j.crypto.KmsRootKeys keys;
    try {
      keys = ReplicaOnboarding.onboard(config, source, clock,
          (rd, root) -> SimulatedKms.attester(root).apply(rd), SimulatedKms.vmConfig());
    } catch (org.attest4j.examples.agent.AgentException e) {
      throw new Refused(1, "kms: onboarding from " + source + " refused: " + e.reason()
          + (e.step() >= 0 ? " at step " + e.step() : "") + ": " + oneLine(e.getMessage()));
    }
    err.println("onboarded from " + source + ": its attested kms:rpc certificate passed this KMS's"
        + " replica policy; root keys " + keys + " stored in " + config.keyDirectory());
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "closing failed", e);
      }
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
