package org.attest4j.examples.agent;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.EnvelopeMode;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetMetaResponse;
import org.attest4j.kms.proto.NonceResponse;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.guest.SnpGuestReport;
import org.attest4j.snp.guest.SnpReportProvider;

/**
 * An example guest agent: asks a KMS for its app keys and opens them. In order: get a nonce
 * ({@code GetNonce}); make a fresh X25519 key; build report_data = public key || SHA-256("attest4j-
 * kms-nonce-v1:" || nonce); get a report from the {@link SnpReportProvider} (configfs-tsm or
 * {@code /dev/sev-guest} on hardware, {@link SimulatedGuest} otherwise); send {@code GetAppKeyAmd}
 * (protobuf) with the report, the VCEK from the host's certificate table, the MrConfigV3 document
 * and the launch shape; open the HPKE envelope, checking that the KMS key that signed it is the
 * {@code key_provider_id} of the guest's own measured MrConfigV3 document and that it answers this
 * very report. Keys are never printed: only fingerprints.
 *
 * <p>The three stages ({@link #prepare}, {@link #send}, {@link #open}) are public so a test or a
 * demo can tamper between them. Instances are immutable and thread-safe.
 */
public final class GuestAgent {
  private final URI kms;
  private final SnpReportProvider reports;
  private final HttpClient http;

  /**
   * A request ready to send, with the transport key that will open the answer.
   *
   * @param request the {@code GetAppKeyAmd} request
   * @param transportKey the X25519 key whose public half is report_data[0..32] (secret)
   */
  public record Prepared(GetAppKeyAmdRequest request, X25519KeyPair transportKey) {
    /**
     * Checks for nulls.
     *
     * @param request the {@code GetAppKeyAmd} request
     * @param transportKey the X25519 key whose public half is report_data[0..32] (secret)
     */
    public Prepared {
      Objects.requireNonNull(request);
      Objects.requireNonNull(transportKey);
    }

    /**
     * This request with another body (same transport key), for tests and demos.
     *
     * @param other the request body to send instead
     * @return this request with another body (same transport key), for tests and demos
     */
    public Prepared withRequest(GetAppKeyAmdRequest other) {
      return new Prepared(other, transportKey);
    }
  }

  private GuestAgent(URI kms, SnpReportProvider reports, HttpClient http) {
    this.kms = Objects.requireNonNull(kms, "kms");
    this.reports = Objects.requireNonNull(reports, "reports");
    this.http = Objects.requireNonNull(http, "http");
  }

  /**
   * An agent for the KMS at {@code kms} (for example {@code http://127.0.0.1:8000}).
   *
   * @param kms the KMS base URI
   * @param reports where the guest's attestation reports come from
   * @param http the HTTP client to use
   * @return an agent for the KMS at {@code kms} (for example {@code http://127.0.0.1:8000})
   */
  public static GuestAgent create(URI kms, SnpReportProvider reports, HttpClient http) {
    return new GuestAgent(kms, reports, http);
  }

  /**
   * An agent with a new HTTP client (5 s connect timeout).
   *
   * @param kms the KMS base URI
   * @param reports where the guest's attestation reports come from
   * @return an agent with a new HTTP client (5 s connect timeout)
   */
  public static GuestAgent create(URI kms, SnpReportProvider reports) {
    return create(kms, reports, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
  }

  /**
   * Runs all three stages: the keys, opened and checked.
   *
   * @param mrConfigDocument the guest's MrConfigV3 document, exact bytes
   * @param vcpus the guest's vCPU count, as launched
   * @param vcpuType the guest's vCPU type, for example {@code "EPYC-v4"}
   * @return the released keys, opened and checked
   * @throws AgentException if the KMS refuses, cannot be reached, or its answer is refused
   */
  public ReleasedKeys requestKeys(byte[] mrConfigDocument, int vcpus, String vcpuType) throws AgentException {
    Prepared p = prepare(mrConfigDocument, vcpus, vcpuType);
    return open(p, send(p.request()), mrConfigDocument);
  }

  /**
   * Stage 1: nonce, transport key, report_data, report, request.
   *
   * @param mrConfigDocument the MrConfigV3 document the guest was launched with (its digest is
   *     HOST_DATA)
   * @param vcpus the guest's vCPU count, as launched
   * @param vcpuType the guest's vCPU type, for example {@code "EPYC-v4"}
   * @return the prepared request with the transport key that will open the answer
   * @throws AgentException if the nonce cannot be obtained or the report cannot be made
   */
  public Prepared prepare(byte[] mrConfigDocument, int vcpus, String vcpuType) throws AgentException {
    NonceResponse nonce = call("GetNonce", new byte[0], NonceResponse.getDefaultInstance());
    X25519KeyPair key = X25519KeyPair.generate();
    try {
      byte[] reportData = ReportData.withNonce(key.publicKey(), Bytes.of(nonce.getNonce().toByteArray())).toBytes();
      SnpGuestReport r = reports.getReport(reportData);
      GetAppKeyAmdRequest.Builder req =
          GetAppKeyAmdRequest.newBuilder()
              .setSnpReport(ByteString.copyFrom(r.report()))
              .setMrConfig(new String(mrConfigDocument, StandardCharsets.UTF_8))
              .setVcpus(vcpus)
              .setVcpuType(vcpuType)
              .setNonce(nonce.getNonce())
              .setEnvelope(EnvelopeMode.ENVELOPE_HPKE_V1);
      Optional<SnpCertTable> table = r.parseCertificateTable();
      Optional<Bytes> vcek = table.flatMap(SnpCertTable::vcek);
      vcek.ifPresent(v -> req.setVcekPem(ByteString.copyFrom(v.toByteArray())));
      return new Prepared(req.build(), key);
    } catch (AttestationException e) {
      throw new AgentException(0, e.reason().qualifiedCode(), -1, "cannot get a report: " + e.getMessage(), e);
    }
  }

  /**
   * Stage 2: {@code POST /prpc/GetAppKeyAmd}.
   *
   * @param request the request to send
   * @return the KMS's answer, not yet opened
   * @throws AgentException if the KMS refuses or cannot be reached
   */
  public AppKeyAmdResponse send(GetAppKeyAmdRequest request) throws AgentException {
    return call("GetAppKeyAmd", request.toByteArray(), AppKeyAmdResponse.getDefaultInstance());
  }

  /**
   * Stage 3: opens the envelope, trusting only the KMS key named in the guest's own MrConfigV3
   * document, and only for the report this guest sent.
   *
   * @param prepared the request as prepared in stage 1, with its transport key
   * @param response the KMS's answer
   * @param mrConfigDocument the guest's MrConfigV3 document, exact bytes
   * @return the released keys
   * @throws AgentException if the envelope does not open under the trusted KMS key
   */
  public ReleasedKeys open(Prepared prepared, AppKeyAmdResponse response, byte[] mrConfigDocument)
      throws AgentException {
    try {
      KmsPublicKey trusted = MrConfigV3.parse(mrConfigDocument).kmsPublicKey();
      if (response.getEnvelope() != EnvelopeMode.ENVELOPE_HPKE_V1) {
        throw new AgentException(0, "UNEXPECTED_ENVELOPE", -1,
            "the KMS answered with envelope " + response.getEnvelope() + "; this agent accepts only HPKE", null);
      }
      SealBinding binding =
          SealBinding.forEvidence(prepared.transportKey().publicKey(), prepared.request().getSnpReport().toByteArray());
      byte[] plain = SealedResponse.open(response.getSealedKeys().toByteArray(), prepared.transportKey(), binding, trusted);
      try {
        return new ReleasedKeys(AppKeyResponse.parseFrom(plain));
      } finally {
        java.util.Arrays.fill(plain, (byte) 0);
      }
    } catch (AttestationException e) {
      throw new AgentException(0, e.reason().qualifiedCode(), -1, "the guest refused the KMS answer: " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException e) {
      throw new AgentException(0, "MALFORMED_RESPONSE", -1, "the opened envelope is not an AppKeyResponse", e);
    }
  }

  /**
   * {@code GetMeta}: the KMS's public metadata (its envelope-signing key, envelope modes, freshness).
   *
   * @return the answer
   * @throws AgentException if the KMS cannot be reached or refuses
   */
  public GetMetaResponse meta() throws AgentException {
    return call(http, kms, "GetMeta", new byte[0], GetMetaResponse.getDefaultInstance());
  }

  private <T extends com.google.protobuf.Message> T call(String method, byte[] body, T prototype) throws AgentException {
    return call(http, kms, method, body, prototype);
  }

  static <T extends com.google.protobuf.Message> T call(HttpClient http, URI kms, String method, byte[] body,
      T prototype) throws AgentException {
    return call(http, kms, method, body, prototype, CALL_DEADLINE);
  }

  /** The most a KMS answer may hold (a certificate chain or keys are a few KB). */
  static final int MAX_RESPONSE_BYTES = 1 << 20;
  /** One deadline for a whole KMS call: connection, headers and body. */
  static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

  /**
   * A KMS call under one deadline for the whole exchange (the request timeout alone does not cover
   * the body) and with the answer bounded ({@value #MAX_RESPONSE_BYTES} bytes): a hostile KMS or
   * onboarding source can neither stall nor flood the caller.
   */
  static <T extends com.google.protobuf.Message> T call(HttpClient http, URI kms, String method, byte[] body,
      T prototype, Duration deadline) throws AgentException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(kms + "/prpc/" + method))
            .timeout(deadline)
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> call =
        http.sendAsync(req, info -> new org.attest4j.core.internal.BoundedBody(MAX_RESPONSE_BYTES));
    HttpResponse<byte[]> resp;
    try {
      resp = call.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      call.cancel(true);
      throw new AgentException(0, "TIMEOUT", -1, "KMS " + kms + " did not answer " + method
          + " completely within " + deadline.toMillis() + " ms", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      if (org.attest4j.core.internal.BoundedBody.isTooLarge(c)) {
        throw new AgentException(0, "RESPONSE_TOO_LARGE", -1, "KMS " + kms + " answered " + method
            + " with more than " + MAX_RESPONSE_BYTES + " bytes", c);
      }
      if (c instanceof java.net.http.HttpTimeoutException) {
        throw new AgentException(0, "TIMEOUT", -1, "KMS " + kms + " did not answer " + method
            + " within " + deadline.toMillis() + " ms", c);
      }
      throw new AgentException(0, "UNREACHABLE", -1, "KMS " + kms + " unreachable: " + c.getMessage(), c);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new AgentException(0, "INTERRUPTED", -1, "interrupted", e);
    }
    if (resp.statusCode() != 200) {
      String msg = new String(resp.body(), StandardCharsets.UTF_8);
      String reason = "HTTP_" + resp.statusCode();
      int step = -1;
      try {
        JsonElement e = JsonParser.parseString(msg);
        if (e.isJsonObject()) {
          JsonObject o = e.getAsJsonObject();
          msg = o.has("error") ? o.get("error").getAsString() : msg;
          reason = o.has("reason") ? o.get("reason").getAsString() : reason;
          step = o.has("step") ? o.get("step").getAsInt() : -1;
        }
      } catch (RuntimeException ignored) {
        // not JSON: keep the text
      }
      throw new AgentException(resp.statusCode(), reason, step, msg, null);
    }
    try {
      @SuppressWarnings("unchecked")
      T t = (T) prototype.getParserForType().parseFrom(resp.body());
      return t;
    } catch (InvalidProtocolBufferException e) {
      throw new AgentException(resp.statusCode(), "MALFORMED_RESPONSE", -1, "the KMS answer is not a " + method + " response", e);
    }
  }

  /**
   * {@code GuestAgent --simulate --ratls [--tdx] --kms URL}: the simulated guest of {@link
   * #simulate} (or, with {@code tdx}, a {@link SimulatedTdxGuest} of the example app on the
   * test-only simulated TDX root with the example TDX image), deployed for the KMS whose root key
   * {@code GetMeta} reports, gets its keys the way dstack guests do today, over RA-TLS ({@link
   * RatlsGuest}).
   */
  private static int simulateRatls(URI uri, PrintStream out, PrintStream err, boolean tdx) {
    err.println("SIMULATED guest: a software " + (tdx ? "Intel TDX platform (" : "SEV-SNP platform (Genoa, ")
        + "test-only root; no hardware, nothing real is attested), RA-TLS");
    try {
      GetMetaResponse meta = call(RatlsGuest.uncheckedClient(), uri, "GetMeta", new byte[0],
          GetMetaResponse.getDefaultInstance());
      byte[] instanceId = new byte[20];
      new java.security.SecureRandom().nextBytes(instanceId);
      byte[] kmsSpki = meta.getEnvelopeSigningKey().toByteArray();
      ReleasedKeys keys;
      if (tdx) {
        SimulatedTdxGuest guest = SimulatedTdxGuest.boot(ExampleLaunch.appId(),
            ExampleLaunch.composeHash(), instanceId, Bytes.of(kmsSpki));
        keys = RatlsGuest.create(uri).requestKeys(guest.kmsSpki(), SimulatedTdxGuest.vmConfig(), guest::attest);
      } else {
        MrConfigV3 mr = ExampleLaunch.mrConfig(kmsSpki, instanceId);
        keys = RatlsGuest.create(uri, ExampleLaunch.guest(mr.hostData()))
            .requestKeys(mr.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
      }
      out.println("keys released over RA-TLS " + (tdx ? "to a TDX guest " : "") + "by " + uri + " (fingerprints):");
      printFingerprints(keys, out);
      return 0;
    } catch (AgentException e) {
      err.println("refused: " + e.reason() + (e.step() >= 0 ? " at step " + e.step() : "") + ": "
          + e.getMessage());
      return 1;
    } catch (AttestationException e) {
      err.println("refused: the KMS metadata is unusable: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Prints the fingerprints of released keys (never the keys).
   *
   * @param keys the released keys
   * @param out where to print
   */
  public static void printFingerprints(ReleasedKeys keys, PrintStream out) {
    for (Map.Entry<String, String> e : keys.fingerprints().entrySet()) {
      out.printf("    %-15s %s%n", e.getKey(), e.getValue());
    }
  }

  /**
   * Asks a KMS for this guest's keys using the SEV-SNP hardware interface (configfs-tsm, else
   * {@code /dev/sev-guest}): {@code --kms URL --mr-config FILE --vcpus N --vcpu-type NAME}. Prints
   * key fingerprints; exit 0 on success, 1 when refused, 2 for usage errors. With {@code --simulate
   * --kms URL} the guest runs on a simulated platform instead ({@link #simulate}).
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("--simulate")) {
      System.exit(simulate(args, System.out, System.err));
    }
    java.util.Map<String, String> a = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    if (args.length % 2 != 0 || !a.keySet().containsAll(java.util.List.of("--kms", "--mr-config", "--vcpus", "--vcpu-type"))) {
      System.err.println("usage: GuestAgent --kms URL --mr-config FILE --vcpus N --vcpu-type NAME"
          + "\n       GuestAgent --simulate [--ratls [--tdx]] --kms URL");
      System.exit(2);
    }
    try {
      SnpReportProvider hw = SnpReportProvider.detect();
      byte[] doc = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(a.get("--mr-config")));
      ReleasedKeys keys =
          create(URI.create(a.get("--kms")), hw).requestKeys(doc, Integer.parseInt(a.get("--vcpus")), a.get("--vcpu-type"));
      System.out.println("keys released by " + a.get("--kms") + " (fingerprints):");
      printFingerprints(keys, System.out);
    } catch (AgentException e) {
      System.err.println("refused: " + e.reason() + (e.step() >= 0 ? " at step " + e.step() : "") + ": " + e.getMessage());
      System.exit(1);
    } catch (AttestationException e) {
      System.err.println("no SEV-SNP guest interface: " + e.getMessage());
      System.exit(1);
    } catch (IOException | NumberFormatException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  /**
   * {@code GuestAgent --simulate --kms URL}: a guest launched as {@link ExampleLaunch} describes, on a
   * <strong>simulated</strong> SEV-SNP platform with the test-only root (announced on {@code err}),
   * asks the KMS for its keys. The guest's MrConfigV3 names the KMS key that {@code GetMeta}
   * reports, as an operator would when deploying the app for that KMS. With {@code --ratls} it gets
   * them over RA-TLS ({@link RatlsGuest}); with {@code --ratls --tdx} the guest is a {@link
   * SimulatedTdxGuest} on a simulated Intel TDX platform instead.
   *
   * @param args {@code --simulate [--ratls [--tdx]] --kms URL}
   * @param out where the released keys' fingerprints go
   * @param err where the simulation notice and a refusal go
   * @return 0 when keys were released and opened, 1 when refused or unreachable, 2 for usage errors
   */
  public static int simulate(String[] args, PrintStream out, PrintStream err) {
    java.util.List<String> flags = new java.util.ArrayList<>();
    int i = 1;
    while (i < args.length && (args[i].equals("--ratls") || args[i].equals("--tdx"))
        && !flags.contains(args[i])) {
      flags.add(args[i++]);
    }
    boolean ratls = flags.contains("--ratls");
    boolean tdx = flags.contains("--tdx");
    String[] a = args.length == i + 2 ? new String[] {args[0], args[i], args[i + 1]} : new String[0];
    if (a.length != 3 || !a[0].equals("--simulate") || !a[1].equals("--kms") || tdx && !ratls) {
      err.println("usage: GuestAgent --simulate [--ratls [--tdx]] --kms URL");
      return 2;
    }
    URI uri;
    try {
      uri = URI.create(a[2].endsWith("/") ? a[2].substring(0, a[2].length() - 1) : a[2]);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      if (ratls && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("--ratls needs an https:// URL");
      }
    } catch (IllegalArgumentException e) {
      err.println("--kms " + a[2] + ": " + e.getMessage());
      return 2;
    }
    if (ratls) {
      return simulateRatls(uri, out, err, tdx);
    }
    err.println("SIMULATED guest: a software SEV-SNP platform (Genoa, test-only root; no hardware, nothing real is attested)");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    try {
      GetMetaResponse meta = call(http, uri, "GetMeta", new byte[0], GetMetaResponse.getDefaultInstance());
      byte[] instanceId = new byte[20];
      new java.security.SecureRandom().nextBytes(instanceId);
      MrConfigV3 mr = ExampleLaunch.mrConfig(meta.getEnvelopeSigningKey().toByteArray(), instanceId);
      SimulatedGuest guest = ExampleLaunch.guest(mr.hostData());
      ReleasedKeys keys = create(uri, guest, http).requestKeys(mr.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
      out.println("keys released by " + uri + " (fingerprints):");
      printFingerprints(keys, out);
      return 0;
    } catch (AgentException e) {
      err.println("refused: " + e.reason() + (e.step() >= 0 ? " at step " + e.step() : "") + ": " + e.getMessage());
      return 1;
    } catch (AttestationException e) {
      err.println("refused: the KMS metadata is unusable: " + e.getMessage());
      return 1;
    }
  }
}
