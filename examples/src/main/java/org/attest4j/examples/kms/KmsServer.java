package org.attest4j.examples.kms;

import com.google.gson.JsonObject;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseException;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsReason;
import org.attest4j.kms.PrpcJson;
import org.attest4j.kms.proto.AppId;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;

/**
 * An example KMS on loopback, built on the JDK's HTTP server and {@link KeyReleaseService}. It
 * speaks dstack's "prpc" transport: {@code POST /prpc/<Method>} with a protobuf body, or {@code
 * /prpc/<Method>?json} with dstack's JSON (snake_case, hex bytes); {@code /prpc/KMS.<Method>} is
 * accepted too. Methods: {@code GetAppKeyAmd}, {@code GetAppKeyTdx} (Intel TDX guests, served when
 * the service was built with a TDX configuration, see {@link KeyReleaseService#releaseTdx}),
 * {@code GetAppEnvEncryptPubKey}, {@code GetMeta}, {@code GetNonce}.
 *
 * <p>Answers: 200 with the message; 400 for a malformed request (bad protobuf/JSON, wrong types,
 * missing or oversized fields, malformed evidence), 403 when the evidence is refused, 404/405 for
 * an unknown method or HTTP verb, 413 for a body over 64 KiB, 503 with {@code Retry-After} when an
 * endorsement, the authorization webhook or a nonce is temporarily unavailable. Every error body
 * is JSON: {@code {"error": message, "reason": "KmsReason.X", "step": n, "step_name": ...,
 * "retryable": bool}}. No request makes the handler throw; keys never appear in logs.
 *
 * <p>Run it: {@code java -cp attest4j.jar org.attest4j.examples.kms.KmsServer --config kms.json}.
 *
 * <p>Instances are thread-safe; {@link #close()} stops the server.
 */
public final class KmsServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(KmsServer.class.getName());

  /** The largest request body accepted. */
  public static final int MAX_BODY = 64 * 1024;

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
    // and delayed ACKs add about 40 ms to every answer. The property is read when the first
    // server starts; an explicit setting by the application wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

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
  private final HttpServer server;
  private final ExecutorService executor;
  private final Consumer<Outcome> observer;

  private KmsServer(KeyReleaseService service, int port, int threads, Consumer<Outcome> observer) throws IOException {
    this.service = Objects.requireNonNull(service, "service");
    this.observer = observer != null ? observer : o -> {};
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    this.executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "kms-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    LOG.log(Level.INFO, () -> "KMS listening on " + baseUri() + " (" + service + ")");
  }

  /**
   * Starts a server for {@code service} on loopback.
   *
   * @param port the port (0: any free port)
   * @param threads handler threads
   * @param observer told about every GetAppKeyAmd and GetAppKeyTdx outcome ({@link Outcome#method()}; may be null)
   */
  public static KmsServer start(KeyReleaseService service, int port, int threads, Consumer<Outcome> observer)
      throws IOException {
    return new KmsServer(service, port, threads, observer);
  }

  /**
   * Starts a server from a configuration (root keys are created in its key directory on first
   * start).
   */
  public static KmsServer start(KmsConfig config, Clock clock) throws IOException, AttestationException {
    return new KmsServer(config.buildService(clock), config.port(), 4, null);
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The key-release service behind the server. */
  public KeyReleaseService service() {
    return service;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------------------------------

  private static final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private void handle(HttpExchange ex) {
    String method = "?";
    try {
      String path = ex.getRequestURI().getPath();
      if (!path.startsWith("/prpc/")) {
        throw new HttpError(404, "no such path " + path + "; use /prpc/<Method>");
      }
      method = path.substring("/prpc/".length());
      if (method.startsWith("KMS.")) {
        method = method.substring(4);
      }
      String query = ex.getRequestURI().getRawQuery();
      boolean json = query != null && (query.equals("json") || query.startsWith("json&") || query.contains("&json"));
      String verb = ex.getRequestMethod();
      boolean noArgs = method.equals("GetMeta") || method.equals("GetNonce");
      if (!verb.equals("POST") && !(noArgs && verb.equals("GET"))) {
        ex.getResponseHeaders().add("Allow", noArgs ? "GET, POST" : "POST");
        throw new HttpError(405, "use POST for " + method);
      }
      byte[] body = readBody(ex);
      switch (method) {
        case "GetAppKeyAmd" -> getAppKeyAmd(ex, body, json);
        case "GetAppKeyTdx" -> getAppKeyTdx(ex, body, json);
        case "GetAppEnvEncryptPubKey" -> {
          AppId req = decode(body, json, AppId.getDefaultInstance());
          send(ex, 200, service.appEnvEncryptPublicKey(req), json);
        }
        case "GetMeta" -> send(ex, 200, service.meta(), json);
        case "GetNonce" -> send(ex, 200, service.issueNonceRpc(), json);
        default -> throw new HttpError(404, "unknown method " + method
            + " (this KMS serves GetAppKeyAmd, GetAppKeyTdx, GetAppEnvEncryptPubKey, GetMeta, GetNonce)");
      }
    } catch (HttpError e) {
      error(ex, e.status, e.getMessage(), null, null);
    } catch (KeyReleaseException e) {
      error(ex, status(e.refusal()), e.getMessage(), e.refusal(), e);
    } catch (AttestationException e) {
      error(ex, status(e), e.getMessage(), e, null);
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "I/O failure while handling " + method + ": " + e.getMessage());
      error(ex, 400, "could not read the request: " + e.getMessage(), null, null);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "unexpected failure while handling " + method, e);
      error(ex, 500, "internal error", null, null);
    } finally {
      ex.close();
    }
  }

  private void getAppKeyAmd(HttpExchange ex, byte[] body, boolean json) throws IOException, AttestationException {
    GetAppKeyAmdRequest req = decode(body, json, GetAppKeyAmdRequest.getDefaultInstance());
    KeyRelease rel;
    try {
      rel = service.release(req);
    } catch (KeyReleaseException e) {
      observe(new Outcome("GetAppKeyAmd", status(e.refusal()), null, e));
      throw e;
    }
    observe(new Outcome("GetAppKeyAmd", 200, rel, null));
    send(ex, 200, rel.response(), json);
    LOG.log(Level.DEBUG, () -> "released keys for app " + rel.bootInfo().appId() + " in " + rel.timings().total().toNanos() / 1000 + " us");
  }

  private void getAppKeyTdx(HttpExchange ex, byte[] body, boolean json) throws IOException, AttestationException {
    GetAppKeyTdxRequest req = decode(body, json, GetAppKeyTdxRequest.getDefaultInstance());
    KeyRelease rel;
    try {
      rel = service.releaseTdx(req);
    } catch (KeyReleaseException e) {
      observe(new Outcome("GetAppKeyTdx", status(e.refusal()), null, e));
      throw e;
    }
    observe(new Outcome("GetAppKeyTdx", 200, rel, null));
    send(ex, 200, rel.response(), json);
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

  private static byte[] readBody(HttpExchange ex) throws IOException, HttpError {
    String len = ex.getRequestHeaders().getFirst("Content-Length");
    if (len != null) {
      try {
        if (Long.parseLong(len.trim()) > MAX_BODY) {
          throw new HttpError(413, "request body of " + len.trim() + " bytes is larger than " + MAX_BODY);
        }
      } catch (NumberFormatException e) {
        throw new HttpError(400, "bad Content-Length");
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(MAX_BODY + 1);
      if (b.length > MAX_BODY) {
        throw new HttpError(413, "request body is larger than " + MAX_BODY + " bytes");
      }
      return b;
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

  private static void send(HttpExchange ex, int status, Message m, boolean json) throws IOException {
    byte[] out;
    if (json) {
      out = PrpcJson.print(m).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
    } else {
      out = m.toByteArray();
      ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    }
    ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static void error(HttpExchange ex, int status, String message, AttestationException e, KeyReleaseException k) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    if (e != null) {
      o.addProperty("reason", e.reason().qualifiedCode());
      o.addProperty("retryable", e.isRetryable());
      if (e instanceof EndorsementUnavailableException u) {
        Duration ra = u.retryAfter().orElse(Duration.ofSeconds(1));
        ex.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, ra.toSeconds())));
      }
    }
    if (k != null) {
      o.addProperty("step", k.step().number());
      o.addProperty("step_name", k.step().label());
    }
    byte[] out = o.toString().getBytes(StandardCharsets.UTF_8);
    try {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, out.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    } catch (IOException | RuntimeException io) {
      LOG.log(Level.DEBUG, "could not send the error answer", io);
    }
    LOG.log(Level.DEBUG, () -> "HTTP " + status + ": " + message);
  }

  /**
   * Runs a KMS from a configuration file until interrupted: {@code --config FILE}. The first line
   * on standard output is {@code listening on http://127.0.0.1:PORT}; a missing or invalid
   * configuration is reported in one line on standard error with exit status 2.
   *
   * @param args command-line arguments
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2 || !args[0].equals("--config")) {
      System.err.println("usage: KmsServer --config kms.json");
      System.exit(2);
    }
    KmsServer s;
    try {
      s = start(KmsConfig.load(Path.of(args[1])), Clock.systemUTC());
    } catch (java.nio.file.NoSuchFileException e) {
      System.err.println("kms: cannot start: no such file " + e.getFile());
      System.exit(2);
      return;
    } catch (IOException | AttestationException e) {
      System.err.println("kms: cannot start: " + args[1] + ": " + oneLine(e.getMessage()));
      System.exit(2);
      return;
    }
    System.out.println("listening on " + s.baseUri());
    System.out.println("serving /prpc/ GetAppKeyAmd, GetAppKeyTdx, GetAppEnvEncryptPubKey, GetMeta, GetNonce");
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(s::close));
    Thread.currentThread().join();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
