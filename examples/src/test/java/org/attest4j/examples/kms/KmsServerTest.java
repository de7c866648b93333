package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.GuestAgent;
import org.attest4j.examples.agent.ReleasedKeys;
import org.attest4j.kms.PrpcJson;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example KMS over real HTTP on loopback with the simulated platform. */
class KmsServerTest {
  static KmsTestbed bed;

  @BeforeAll
  @BeforeContainer
  static void up() throws Exception {
    if (bed == null) {
      bed = new KmsTestbed();
    }
  }

  @AfterAll
  @AfterContainer
  static void down() {
    if (bed != null) {
      bed.close();
      bed = null;
    }
  }

  private GetAppKeyAmdRequest validRequest() throws Exception {
    GuestAgent agent = bed.agent(bed.guest().build());
    return agent.prepare(bed.mrConfig.documentBytes(), 2, "EPYC-v4").request();
  }

  @Test
  void guestAgentGetsTheDstackKeys() throws Exception {
    ReleasedKeys keys = bed.agent(bed.guest().build()).requestKeys(bed.mrConfig.documentBytes(), 2, "EPYC-v4");
    AppKeys expected = AppKeyDeriver.of(bed.roots).derive(Bytes.of(bed.appId), Bytes.of(new byte[20]));
    assertArrayEquals(expected.diskCryptKey(), keys.diskCryptKey());
    assertArrayEquals(expected.envCryptKey(), keys.envCryptKey());
    assertArrayEquals(expected.k256Key(), keys.k256Key());
    assertEquals("gw", keys.gatewayAppId());
    assertTrue(!keys.toString().contains(java.util.HexFormat.of().formatHex(expected.diskCryptKey())));
  }

  @Test
  void concurrentGuestsAllGetKeys() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Callable<byte[]>> tasks = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        tasks.add(() -> bed.agent(bed.guest().build()).requestKeys(bed.mrConfig.documentBytes(), 2, "EPYC-v4").diskCryptKey());
      }
      Set<String> disks = new HashSet<>();
      for (Future<byte[]> f : pool.invokeAll(tasks)) {
        disks.add(java.util.HexFormat.of().formatHex(f.get()));
      }
      assertEquals(1, disks.size(), "every instance of the app gets the same disk key");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentReplaysOfOneRequestSucceedExactlyOnce() throws Exception {
    byte[] body = validRequest().toByteArray();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tasks.add(() -> bed.post("/prpc/GetAppKeyAmd", body).statusCode());
      }
      int ok = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        int s = f.get();
        assertTrue(s == 200 || s == 403, "status " + s);
        ok += s == 200 ? 1 : 0;
      }
      assertEquals(1, ok);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void jsonFormWorksEndToEnd() throws Exception {
    GetAppKeyAmdRequest req = validRequest();
    HttpResponse<String> r = bed.post("/prpc/GetAppKeyAmd?json", PrpcJson.print(req).getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode(), r.body());
    JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
    assertEquals("ENVELOPE_HPKE_V1", o.get("envelope").getAsString());
    assertTrue(o.get("sealed_keys").getAsString().matches("[0-9a-f]+"));
    AppKeyAmdResponse parsed = PrpcJson.parse(r.body(), AppKeyAmdResponse.getDefaultInstance());
    assertTrue(parsed.getSealedKeys().size() > 144);
  }

  @Test
  void metaNonceAndEnvKeyInBothForms() throws Exception {
    HttpResponse<String> meta = bed.post("/prpc/GetMeta?json", new byte[0]);
    assertEquals(200, meta.statusCode(), meta.body());
    JsonObject m = JsonParser.parseString(meta.body()).getAsJsonObject();
    assertEquals(bed.roots.rootK256PublicKey().toHex(), m.get("k256_pubkey").getAsString());
    assertEquals("FRESHNESS_KMS_NONCE", m.get("freshness").getAsString());
    HttpResponse<String> get = bed.http.send(HttpRequest.newBuilder(URI.create(bed.server.baseUri() + "/prpc/KMS.GetNonce?json")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, get.statusCode());
    assertEquals(64, JsonParser.parseString(get.body()).getAsJsonObject().get("nonce").getAsString().length());
    String appHex = java.util.HexFormat.of().formatHex(bed.appId);
    HttpResponse<String> env = bed.post("/prpc/GetAppEnvEncryptPubKey?json",
        ("{\"app_id\":\"" + appHex + "\"}").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, env.statusCode(), env.body());
    JsonObject e = JsonParser.parseString(env.body()).getAsJsonObject();
    assertEquals(AppKeyDeriver.of(bed.roots).derive(Bytes.of(bed.appId), Bytes.empty()).envPublicKey().toHex(),
        e.get("public_key").getAsString());
    assertEquals(130, e.get("signature").getAsString().length());
  }

  @Test
  void refusalsCarryStepAndReason() throws Exception {
    GuestAgent agent = bed.agent(bed.guest().debug(true).build());
    AgentException e = assertThrows(AgentException.class, () -> agent.requestKeys(bed.mrConfig.documentBytes(), 2, "EPYC-v4"));
    assertEquals(403, e.status());
    assertEquals(3, e.step());
    assertTrue(e.reason().contains("DEBUG_ALLOWED"), e.reason());
  }

  // ------------------------------------------------------------------ malformed requests

  private static void assertClientError(HttpResponse<String> r, int... expected) {
    assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, "status " + r.statusCode() + ": " + r.body());
    if (expected.length > 0) {
      assertEquals(expected[0], r.statusCode(), r.body());
    }
    JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
    assertTrue(!o.get("error").getAsString().isBlank());
  }

  @Test
  void truncatedProtobufIsRefused() throws Exception {
    byte[] body = validRequest().toByteArray();
    for (int cut : new int[] {1, 2, 10, 100, body.length / 2, body.length - 1}) {
      assertClientError(bed.post("/prpc/GetAppKeyAmd", java.util.Arrays.copyOf(body, cut)));
    }
  }

  @Test
  void wrongWireTypeIsRefused() throws Exception {
    // field 10 (vcpus, varint) sent as a length-delimited field
    byte[] bad = {(byte) 0x52, 0x03, 'a', 'b', 'c'};
    assertClientError(bed.post("/prpc/GetAppKeyAmd", bad), 400);
  }

  @Test
  void missingFieldsAreRefused() throws Exception {
    assertClientError(bed.post("/prpc/GetAppKeyAmd", new byte[0]), 400);
    assertClientError(bed.post("/prpc/GetAppKeyAmd?json", "{}".getBytes(StandardCharsets.UTF_8)), 400);
    GetAppKeyAmdRequest noNonce = validRequest().toBuilder().clearNonce().build();
    assertClientError(bed.post("/prpc/GetAppKeyAmd", noNonce.toByteArray()));
    GetAppKeyAmdRequest noShape = validRequest().toBuilder().clearVcpus().build();
    assertClientError(bed.post("/prpc/GetAppKeyAmd", noShape.toByteArray()));
  }

  @Test
  void oversizedRequestsAreRefused() throws Exception {
    assertClientError(bed.post("/prpc/GetAppKeyAmd", new byte[KmsServer.MAX_BODY + 1]), 413);
    GetAppKeyAmdRequest bigCert = validRequest().toBuilder().setVcekPem(ByteString.copyFrom(new byte[20_000])).build();
    assertClientError(bed.post("/prpc/GetAppKeyAmd", bigCert.toByteArray()), 413);
    GetAppKeyAmdRequest bigDoc = validRequest().toBuilder().setMrConfig("x".repeat(9000)).build();
    assertClientError(bed.post("/prpc/GetAppKeyAmd", bigDoc.toByteArray()), 413);
    GetAppKeyAmdRequest bigReport = validRequest().toBuilder().setSnpReport(ByteString.copyFrom(new byte[5000])).build();
    assertClientError(bed.post("/prpc/GetAppKeyAmd", bigReport.toByteArray()), 413);
    GetAppKeyAmdRequest longHex = validRequest().toBuilder().setAppId("ab".repeat(100)).build();
    assertClientError(bed.post("/prpc/GetAppKeyAmd", longHex.toByteArray()), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"snp_report\":",
      "{\"snp_report\":\"zz\"}",
      "{\"vcpus\":\"two\"}",
      "{\"vcpus\":-2}",
      "{\"ovmf_sections\":\"none\"}",
      "{\"app_id\":17}",
      "{\"nonce\":[1,2]}",
      "{\"what\":1}",
      "[]",
      "nonsense",
  })
  void malformedJsonIsRefused(String body) throws Exception {
    assertClientError(bed.post("/prpc/GetAppKeyAmd?json", body.getBytes(StandardCharsets.UTF_8)), 400);
  }

  @Test
  void invalidUtf8JsonIsRefused() throws Exception {
    assertClientError(bed.post("/prpc/GetAppKeyAmd?json", new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'}), 400);
  }

  @Test
  void wrongTypeInJsonForAppEnvKeyIsRefused() throws Exception {
    assertClientError(bed.post("/prpc/GetAppEnvEncryptPubKey?json", "{\"app_id\":\"abcd\"}".getBytes(StandardCharsets.UTF_8)), 400);
    assertClientError(bed.post("/prpc/GetAppEnvEncryptPubKey", new byte[] {0x0a, 0x05, 1}), 400);
  }

  @Test
  void unknownMethodsAndVerbs() throws Exception {
    assertClientError(bed.post("/prpc/GetKmsKey", new byte[0]), 404);
    assertClientError(bed.post("/other", new byte[0]), 404);
    HttpResponse<String> get = bed.http.send(HttpRequest.newBuilder(URI.create(bed.server.baseUri() + "/prpc/GetAppKeyAmd")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertClientError(get, 405);
  }

  @Property(tries = 150)
  void arbitraryBytesNeverGiveA5xx(@ForAll byte[] body) throws Exception {
    up();
    int s = bed.post("/prpc/GetAppKeyAmd", body).statusCode();
    assertTrue(s >= 400 && s < 500, "status " + s);
    int j = bed.post("/prpc/GetAppKeyAmd?json", body).statusCode();
    assertTrue(j >= 400 && j < 500, "status " + j);
  }

  @Property(tries = 60)
  void mutatedValidRequestsNeverGiveA5xx(@ForAll int position, @ForAll byte value) throws Exception {
    up();
    byte[] body = validRequest().toByteArray();
    int p = Math.floorMod(position, body.length);
    if (body[p] == value) {
      value ^= 1;
    }
    body[p] = value;
    int s = bed.post("/prpc/GetAppKeyAmd", body).statusCode();
    assertTrue(s == 200 || (s >= 400 && s < 500), "status " + s);
    assertNotEquals(500, s);
  }
}
