package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;

class AuthorizationTest {
  static Bytes rep(int b, int n) {
    byte[] a = new byte[n];
    java.util.Arrays.fill(a, (byte) b);
    return Bytes.of(a);
  }

  static BootInfo info(String tcb) {
    return new BootInfo(
        BootInfo.TEE_VARIANT_SEV_SNP,
        rep(1, 32),
        rep(2, 32),
        rep(3, 32),
        rep(0x11, 20),
        rep(0x22, 32),
        rep(0x33, 20),
        rep(4, 32),
        Bytes.of("{\"name\":\"kms\",\"id\":\"00\"}".getBytes(StandardCharsets.UTF_8)),
        tcb,
        List.of());
  }

  @Test
  void bootInfoJsonIsCamelCaseHexWithout0x() {
    JsonObject o = info("UpToDate").toJson();
    assertEquals("dstack-amd-sev-snp", o.get("teeVariant").getAsString());
    assertEquals("11".repeat(20), o.get("appId").getAsString());
    assertEquals("UpToDate", o.get("tcbStatus").getAsString());
    assertTrue(o.get("advisoryIds").getAsJsonArray().isEmpty());
    assertFalse(o.toString().contains("0x"));
    JsonObject legacy = info("UpToDate").toJson(BootInfo.Dialect.PR630);
    assertEquals("dstack-sev-snp", legacy.get("attestationMode").getAsString());
    assertFalse(legacy.has("teeVariant"));
  }

  @Test
  void allowListFollowsAuthSimpleRules() throws Exception {
    String cfg =
        "{\"gatewayAppId\":\"gw\",\"osImages\":[\"0x" + "02".repeat(32) + "\"],"
            + "\"apps\":{\"" + "11".repeat(20) + "\":{\"composeHashes\":[\"" + "22".repeat(32)
            + "\"],\"devices\":[],\"allowAnyDevice\":true}}}";
    AllowListAuthorizer a = AllowListAuthorizer.fromJson(cfg);
    AuthorizationDecision ok = a.authorize(info("UpToDate"));
    assertTrue(ok.allowed(), ok.reason());
    assertEquals("gw", ok.gatewayAppId());
    AuthorizationDecision tcb = a.authorize(info("OutOfDate"));
    assertFalse(tcb.allowed());
    assertTrue(tcb.reason().contains("TCB"));
    AllowListAuthorizer other =
        AllowListAuthorizer.builder().allowOsImage(rep(2, 32)).allowApp(rep(0x99, 20), rep(0x22, 32)).build();
    assertTrue(other.authorize(info("UpToDate")).reason().contains("not registered"));
  }

  @Test
  void allowListRefusesUnknownKeysAndWrongTypes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    for (String bad :
        new String[] {
          "{\"osImage\":[]}", "{\"osImages\":\"aa\"}", "{\"osImages\":[\"zz\"]}", "[]", "{", "{} {}",
          "{\"apps\":{\"11\":{\"allowAnyDevice\":1}}}", "{'osImages':[]}", "{\"osImages\":[],\"osImages\":[]}"
        }) {
      org.attest4j.core.InvalidConfigurationException e =
          assertThrows(org.attest4j.core.InvalidConfigurationException.class, () -> AllowListAuthorizer.fromJson(bad), bad);
      assertFalse(e.getMessage().isBlank());
    }
    assertEquals(
        org.attest4j.core.CoreReason.IO_ERROR,
        assertThrows(
                org.attest4j.core.InvalidConfigurationException.class,
                () -> AllowListAuthorizer.fromJson(dir.resolve("missing.json")))
            .reason());
  }

  @Test
  void allowListReadsAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path f = dir.resolve("auth.json");
    java.nio.file.Files.writeString(
        f, "{\"osImages\":[\"" + "02".repeat(32) + "\"],\"apps\":{\"" + "11".repeat(20)
            + "\":{\"composeHashes\":[\"" + "22".repeat(32) + "\"],\"devices\":[],\"allowAnyDevice\":true}}}");
    assertTrue(AllowListAuthorizer.fromJson(f).authorize(info("UpToDate")).allowed());
  }

  @Test
  void webhookPostsBootInfoAndReadsDecision() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/bootAuth/app",
        ex -> {
          seen.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] body = "{\"isAllowed\":false,\"gatewayAppId\":\"\",\"reason\":\"compose hash not allowed\"}"
              .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.createContext(
        "/broken/bootAuth/app",
        ex -> {
          ex.sendResponseHeaders(500, -1);
          ex.close();
        });
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      WebhookAuthorizer w = WebhookAuthorizer.builder(base).timeout(Duration.ofSeconds(5)).build();
      AuthorizationDecision d = w.authorize(info("UpToDate"));
      assertFalse(d.allowed());
      assertEquals("compose hash not allowed", d.reason());
      JsonObject sent = JsonParser.parseString(seen.get()).getAsJsonObject();
      assertEquals("dstack-amd-sev-snp", sent.get("teeVariant").getAsString());
      assertEquals("33".repeat(20), sent.get("instanceId").getAsString());

      WebhookAuthorizer broken = WebhookAuthorizer.builder(URI.create(base + "/broken")).build();
      EndorsementUnavailableException e =
          assertThrows(EndorsementUnavailableException.class, () -> broken.authorize(info("UpToDate")));
      assertEquals(KmsReason.AUTHORIZATION_UNAVAILABLE, e.reason());
    } finally {
      server.stop(0);
    }
  }

  /** Item 5 of issue 13: headers then nothing; the call is cut at its deadline, body included. */
  @Test
  void webhookThatStallsAfterHeadersIsCutAtItsDeadline() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch headersSent = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "stalling-webhook");
      t.setDaemon(true);
      return t;
    }));
    server.createContext(
        "/bootAuth/app",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] body = "{\"isAllowed\":true}".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().flush();
          if (calls.incrementAndGet() == 1) { // the first call (warming up the client) answers in full
            ex.getResponseBody().write(body);
            ex.close();
            return;
          }
          headersSent.countDown();
          try {
            release.await(); // stall until the client has given up
            ex.getResponseBody().write(body);
          } catch (InterruptedException | IOException e) {
            Thread.currentThread().interrupt();
          } finally {
            ex.close();
          }
        });
    server.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      // warm the JVM's HTTP client and its connection with a generous deadline first
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      WebhookAuthorizer warm = WebhookAuthorizer.builder(base).httpClient(client).timeout(Duration.ofSeconds(60)).build();
      assertTrue(warm.authorize(info("UpToDate")).allowed());
      WebhookAuthorizer w = WebhookAuthorizer.builder(base).httpClient(client).timeout(Duration.ofSeconds(1)).build();
      EndorsementUnavailableException e =
          assertThrows(EndorsementUnavailableException.class, () -> w.authorize(info("UpToDate")));
      assertEquals(KmsReason.AUTHORIZATION_UNAVAILABLE, e.reason());
      assertTrue(e.getMessage().contains("did not answer completely"), e.getMessage());
      // the refusal came while the webhook was still holding its body back
      assertTrue(headersSent.getCount() == 0 && release.getCount() == 1);
      assertTrue(e.isRetryable());
    } finally {
      release.countDown();
      server.stop(0);
    }
  }

  @Test
  void webhookAnswersWithoutBooleanAreRefused() {
    for (String bad : List.of("{}", "[]", "{\"isAllowed\":\"true\"}", "nonsense{", "{\"isAllowed\":true,\"reason\":5}")) {
      assertThrows(EndorsementUnavailableException.class, () -> WebhookAuthorizer.parseDecision(bad), bad);
    }
  }

  @Test
  void unreachableWebhookFailsClosed() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    WebhookAuthorizer w =
        WebhookAuthorizer.builder(URI.create("http://127.0.0.1:" + port)).timeout(Duration.ofSeconds(2)).build();
    assertThrows(EndorsementUnavailableException.class, () -> w.authorize(info("UpToDate")));
  }
}
