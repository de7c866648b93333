package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.PrpcJson;
import org.attest4j.kms.TdxPinnedImage;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /prpc/GetAppKeyTdx} over real HTTP. The real dstack TDX vector's quote carries no KMS
 * nonce in report_data, so a well-formed request passes steps 0-5 on the server and is refused at
 * step 6 (freshness) with 403; the full success path (steps 7-9) is covered in the kms module by
 * TdxSyntheticReleaseTest. Malformed requests get 400; a KMS without TDX configuration refuses.
 */
class KmsServerTdxTest {
  private static final String V = "vectors/tdx/dstack-v4-90c06f-eventlog-uptodate/";

  static KmsTestbed snpOnly;
  static KmsServer tdxServer;
  static KeyReleaseService tdxService;
  static final List<KmsServer.Outcome> outcomes = new CopyOnWriteArrayList<>();
  static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static JsonObject meta() {
    return SharedData.json(V + "meta.json").getAsJsonObject();
  }

  private static Bytes hex(String h) {
    return Bytes.of(HexFormat.of().parseHex(h));
  }

  @BeforeAll
  static void up() throws Exception {
    snpOnly = new KmsTestbed();
    JsonObject q = meta().getAsJsonObject("quote");
    JsonObject app = meta().getAsJsonObject("dstack_app_info");
    Clock clock = Clock.fixed(Instant.ofEpochSecond(meta().get("verification_time").getAsLong()), ZoneOffset.UTC);
    tdxService =
        KeyReleaseService.builder()
            .snp(KmsTestbed.PLATFORM.verifier(clock), KmsEndorsements.certChain(KmsTestbed.PLATFORM.certChainPem()))
            .minimumTcb(KmsTestbed.PLATFORM.tcb())
            .launch(snpOnly.launch)
            .rootKeys(KmsRootKeys.generate())
            .clock(clock)
            .nonceStore(NonceStore.builder().clock(clock).build())
            .authorization(AllowListAuthorizer.builder().allowOsImage(snpOnly.launch.osImageHash()).build())
            .tdx(TdxVerifier.create(), TdxCollateral.fromDirectory(SharedData.path(V)), null)
            .tdxImage(new TdxPinnedImage(
                hex(app.get("os_image_hash(from vm_config)").getAsString()),
                hex(q.get("mr_td").getAsString()),
                hex(q.get("rtmr0").getAsString()),
                hex(q.get("rtmr1").getAsString()),
                hex(q.get("rtmr2").getAsString())))
            // the vector's guest measured a "local-sgx" key provider, not this KMS
            .tdxRequireKeyProvider(false)
            .build();
    tdxServer = KmsServer.start(tdxService, 0, 2, outcomes::add);
  }

  @AfterAll
  static void down() {
    if (tdxServer != null) {
      tdxServer.close();
    }
    if (snpOnly != null) {
      snpOnly.close();
    }
  }

  private static HttpResponse<String> post(KmsServer s, String pathAndQuery, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(s.baseUri() + pathAndQuery)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject body(HttpResponse<String> r) {
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }

  private static GetAppKeyTdxRequest vectorRequest() throws Exception {
    return GetAppKeyTdxRequest.newBuilder()
        .setQuote(ByteString.copyFrom(SharedData.bytes(V + "quote.bin")))
        .setEventLog(SharedData.text(V + "event_log.json"))
        .setVmConfig(SharedData.text(V + "vm_config.json"))
        .setAppId(meta().getAsJsonObject("dstack_app_info").get("app_id").getAsString())
        .setNonce(ByteString.copyFrom(tdxService.issueNonce().nonce().toByteArray()))
        .build();
  }

  @Test
  void protobufRequestRunsTheTdxFlowUpToFreshness() throws Exception {
    HttpResponse<String> r = post(tdxServer, "/prpc/GetAppKeyTdx", vectorRequest().toByteArray());
    assertEquals(403, r.statusCode(), r.body());
    JsonObject e = body(r);
    assertEquals(6, e.get("step").getAsInt(), r.body());
    assertEquals("CryptoReason.NONCE_MISMATCH", e.get("reason").getAsString(), r.body());
    assertTrue(outcomes.stream().anyMatch(o -> o.method().equals("GetAppKeyTdx") && o.status() == 403));
  }

  @Test
  void jsonRequestAndKmsPrefixRunTheSameFlow() throws Exception {
    String json = PrpcJson.print(vectorRequest());
    HttpResponse<String> r =
        post(tdxServer, "/prpc/KMS.GetAppKeyTdx?json", json.getBytes(StandardCharsets.UTF_8));
    assertEquals(403, r.statusCode(), r.body());
    assertEquals(6, body(r).get("step").getAsInt(), r.body());
  }

  @Test
  void anotherAppsIdIsRefusedAtIdentity() throws Exception {
    GetAppKeyTdxRequest req = vectorRequest().toBuilder().setAppId("11".repeat(20)).build();
    HttpResponse<String> r = post(tdxServer, "/prpc/GetAppKeyTdx", req.toByteArray());
    assertEquals(403, r.statusCode(), r.body());
    assertEquals(5, body(r).get("step").getAsInt(), r.body());
    assertEquals("KmsReason.IDENTITY_MISMATCH", body(r).get("reason").getAsString(), r.body());
  }

  @Test
  void malformedRequestsAre400() throws Exception {
    // not a protobuf
    HttpResponse<String> r = post(tdxServer, "/prpc/GetAppKeyTdx", new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
    assertEquals(400, r.statusCode(), r.body());
    // not JSON
    r = post(tdxServer, "/prpc/GetAppKeyTdx?json", "{\"quote\":".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, r.statusCode(), r.body());
    // a wrongly typed JSON field
    r = post(tdxServer, "/prpc/GetAppKeyTdx?json", "{\"quote\":[1,2]}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, r.statusCode(), r.body());
    // app_id not hex
    r = post(tdxServer, "/prpc/GetAppKeyTdx", vectorRequest().toBuilder().setAppId("zz").build().toByteArray());
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("KmsReason.BAD_REQUEST", body(r).get("reason").getAsString(), r.body());
    // no quote
    r = post(tdxServer, "/prpc/GetAppKeyTdx", vectorRequest().toBuilder().clearQuote().build().toByteArray());
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(0, body(r).get("step").getAsInt(), r.body());
    // an empty body: every field missing
    r = post(tdxServer, "/prpc/GetAppKeyTdx?json", new byte[0]);
    assertEquals(400, r.statusCode(), r.body());
    // a quote that does not parse
    r = post(tdxServer, "/prpc/GetAppKeyTdx",
        vectorRequest().toBuilder().setQuote(ByteString.copyFrom(new byte[] {1, 2, 3})).build().toByteArray());
    assertEquals(400, r.statusCode(), r.body());
    assertEquals(1, body(r).get("step").getAsInt(), r.body());
  }

  @Test
  void getIsNotAllowed() throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create(tdxServer.baseUri() + "/prpc/GetAppKeyTdx")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, r.statusCode(), r.body());
  }

  @Test
  void aKmsWithoutTdxConfigurationRefuses() throws Exception {
    HttpResponse<String> r = snpOnly.post("/prpc/GetAppKeyTdx", vectorRequest().toByteArray());
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("KmsReason.TDX_NOT_CONFIGURED", body(r).get("reason").getAsString(), r.body());
    assertEquals(0, body(r).get("step").getAsInt(), r.body());
  }
}
