package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.CryptoReason;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxReason;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/**
 * The TDX key-release path against the real dstack vector. Its quote's report_data (0x1234 then
 * zeros) carries neither our X25519 key nor a KMS nonce, so the flow can only get as far as step 6:
 * these tests check that every earlier step passes on the real quote and that each tampering is
 * refused at its own step.
 */
class TdxKeyReleaseTest {
  private static final String V = "vectors/tdx/dstack-v4-90c06f-eventlog-uptodate/";
  private static final String TAMPERED = "vectors/tdx/neg-eventlog-tampered-compose-hash/";
  private static final String RTMR3 = "vectors/tdx/neg-changed-rtmr3/";

  private final Fixture f = new Fixture();

  private static Bytes hex(String h) {
    return Bytes.of(HexFormat.of().parseHex(h));
  }

  private static JsonObject meta(String dir) {
    return SharedData.json(dir + "meta.json").getAsJsonObject();
  }

  private static Clock vectorClock() {
    long t = meta(V).get("verification_time").getAsLong();
    return Clock.fixed(Instant.ofEpochSecond(t), ZoneOffset.UTC);
  }

  private static TdxPinnedImage vectorImage() {
    JsonObject q = meta(V).getAsJsonObject("quote");
    JsonObject app = meta(V).getAsJsonObject("dstack_app_info");
    return new TdxPinnedImage(
        hex(app.get("os_image_hash(from vm_config)").getAsString()),
        hex(q.get("mr_td").getAsString()),
        hex(q.get("rtmr0").getAsString()),
        hex(q.get("rtmr1").getAsString()),
        hex(q.get("rtmr2").getAsString()));
  }

  private static Bytes vectorAppId() {
    return hex(meta(V).getAsJsonObject("dstack_app_info").get("app_id").getAsString());
  }

  private KeyReleaseService.Builder builder(String collateralDir, TdxPinnedImage image) throws Exception {
    Clock clock = vectorClock();
    TdxCollateral collateral = TdxCollateral.fromDirectory(SharedData.path(collateralDir));
    KeyReleaseService.Builder b =
        f.serviceBuilder(IdentityBinding.HOST_DATA)
            .clock(clock)
            .nonceStore(NonceStore.builder().clock(clock).build())
            .tdx(TdxVerifier.create(), collateral, null);
    if (image != null) {
      b.tdxImage(image);
    }
    return b;
  }

  private KeyReleaseService service() throws Exception {
    return builder(V, vectorImage()).tdxRequireKeyProvider(false).build();
  }

  private TdxKeyReleaseRequest.Builder request(String dir, KeyReleaseService kms, Bytes appId) throws Exception {
    return TdxKeyReleaseRequest.builder()
        .quote(Bytes.of(SharedData.bytes(dir + "quote.bin")))
        .eventLog(Bytes.of(SharedData.bytes(dir + "event_log.json")))
        .vmConfig(SharedData.text(V + "vm_config.json"))
        .appId(appId)
        .nonce(kms.issueNonce().nonce());
  }

  private static KeyReleaseException refused(KeyReleaseService kms, TdxKeyReleaseRequest req) {
    return assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(req));
  }

  @Test
  void realQuotePassesEveryStepBeforeFreshnessAndIsRefusedThere() throws Exception {
    KeyReleaseService kms = service();
    KeyReleaseException e = refused(kms, request(V, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step(), e.getMessage());
    // report_data[32..64] is zero, not the nonce we issued: the SNP path's own check and reason
    assertEquals(CryptoReason.NONCE_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void realQuoteWithMatchingClaimsStillRefusedAtFreshness() throws Exception {
    KeyReleaseService kms = service();
    JsonObject app = meta(V).getAsJsonObject("dstack_app_info");
    TdxKeyReleaseRequest req =
        request(V, kms, vectorAppId())
            .composeHash(hex(app.get("compose_hash").getAsString()))
            .instanceId(hex(app.get("instance_id").getAsString()))
            .build();
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, refused(kms, req).step());
  }

  @Test
  void requestDigestModeAlsoRefusedAtFreshness() throws Exception {
    KeyReleaseService kms = builder(V, vectorImage()).tdxRequireKeyProvider(false)
        .freshness(FreshnessMode.REQUEST_DIGEST).build();
    TdxKeyReleaseRequest req =
        request(V, kms, vectorAppId()).nonce(Bytes.empty())
            .requestTime(kms.clock().instant().getEpochSecond()).build();
    KeyReleaseException e = refused(kms, req);
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step(), e.getMessage());
    assertEquals(CryptoReason.REQUEST_DIGEST_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void tamperedEventLogRefusedAtMeasurement() throws Exception {
    KeyReleaseService kms = service();
    KeyReleaseException e = refused(kms, request(TAMPERED, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step(), e.getMessage());
    assertEquals(TdxReason.RTMR_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void changedRtmr3RefusedAtMeasurementBeforeTheCollateral() throws Exception {
    // the quote's RTMR3 was changed after signing: the event log no longer replays to it, which is
    // found on the parsed quote before step 2 would fetch collateral (the signature would fail too)
    KeyReleaseService kms = builder(RTMR3, vectorImage()).tdxRequireKeyProvider(false).build();
    KeyReleaseException e = refused(kms, request(RTMR3, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step(), e.getMessage());
    assertEquals(TdxReason.RTMR_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void anotherAppsIdRefusedAtIdentity() throws Exception {
    KeyReleaseService kms = service();
    KeyReleaseException e = refused(kms, request(V, kms, f.appId).build());
    assertEquals(KeyReleaseStep.BIND_IDENTITY, e.step(), e.getMessage());
    assertEquals(KmsReason.IDENTITY_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void otherComposeHashRefusedAtIdentity() throws Exception {
    KeyReleaseService kms = service();
    KeyReleaseException e = refused(kms, request(V, kms, vectorAppId()).composeHash(f.composeHash).build());
    assertEquals(KeyReleaseStep.BIND_IDENTITY, e.step(), e.getMessage());
    assertEquals(KmsReason.IDENTITY_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void keyProviderOfAnotherKindRefusedByDefault() throws Exception {
    // the vector's guest measured {"name":"local-sgx",...}: not this KMS
    KeyReleaseService kms = builder(V, vectorImage()).build();
    KeyReleaseException e = refused(kms, request(V, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.BIND_IDENTITY, e.step(), e.getMessage());
    assertEquals(KmsReason.KEY_PROVIDER_MISMATCH, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("local-sgx"), e.getMessage());
  }

  @Test
  void unpinnedOsImageRefusedAtMeasurement() throws Exception {
    TdxPinnedImage p = vectorImage();
    KeyReleaseService kms =
        builder(V, new TdxPinnedImage(Fixture.rep(0x55, 32), p.mrTd(), p.rtmr0(), p.rtmr1(), p.rtmr2()))
            .tdxRequireKeyProvider(false).build();
    KeyReleaseException e = refused(kms, request(V, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step(), e.getMessage());
    assertEquals(KmsReason.OS_IMAGE_NOT_PINNED, e.reason(), e.getMessage());
  }

  @Test
  void pinnedImageWithOtherRegistersRefusedAtMeasurement() throws Exception {
    TdxPinnedImage p = vectorImage();
    KeyReleaseService kms =
        builder(V, new TdxPinnedImage(p.osImageHash(), p.mrTd(), p.rtmr0(), Fixture.rep(0x66, 48), p.rtmr2()))
            .tdxRequireKeyProvider(false).build();
    KeyReleaseException e = refused(kms, request(V, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step(), e.getMessage());
    assertEquals(KmsReason.MEASUREMENT_MISMATCH, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("RTMR1"), e.getMessage());
  }

  @Test
  void withoutTdxConfigurationRefusedAtDecode() throws Exception {
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyReleaseException e = refused(kms, request(V, kms, vectorAppId()).build());
    assertEquals(KeyReleaseStep.DECODE_REQUEST, e.step());
    assertEquals(KmsReason.TDX_NOT_CONFIGURED, e.reason());
  }

  @Test
  void tdxWithoutPinnedImageDoesNotBuild() throws Exception {
    assertThrows(IllegalStateException.class, () -> builder(V, null).build());
  }

  @Test
  void protoRequestDecodesAndRunsTheSameFlow() throws Exception {
    KeyReleaseService kms = service();
    GetAppKeyTdxRequest p =
        GetAppKeyTdxRequest.newBuilder()
            .setQuote(ByteString.copyFrom(SharedData.bytes(V + "quote.bin")))
            .setEventLog(SharedData.text(V + "event_log.json"))
            .setVmConfig(SharedData.text(V + "vm_config.json"))
            .setAppId(vectorAppId().toHex())
            .setNonce(ByteString.copyFrom(kms.issueNonce().nonce().toByteArray()))
            .build();
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(p)).step());
    KeyReleaseException bad =
        assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(p.toBuilder().setAppId("zz").build()));
    assertEquals(KeyReleaseStep.DECODE_REQUEST, bad.step());
    assertEquals(KmsReason.BAD_REQUEST, bad.reason());
    KeyReleaseException noApp =
        assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(p.toBuilder().clearAppId().build()));
    assertEquals(KeyReleaseStep.DECODE_REQUEST, noApp.step());
  }

  @Test
  void garbageQuoteRefusedAtParse() throws Exception {
    KeyReleaseService kms = service();
    KeyReleaseException e =
        refused(kms, request(V, kms, vectorAppId()).quote(Bytes.of(new byte[] {1, 2, 3})).build());
    assertEquals(KeyReleaseStep.PARSE_REPORT, e.step());
    assertEquals(TdxReason.QUOTE_PARSE_ERROR, e.reason());
  }

  @Test
  void requestDigestCoversTheClaims() {
    TdxKeyReleaseRequest a = TdxKeyReleaseRequest.builder().appId(f.appId).vmConfig("{}").requestTime(5).build();
    TdxKeyReleaseRequest b = TdxKeyReleaseRequest.builder().appId(f.appId).vmConfig("{}").requestTime(6).build();
    TdxKeyReleaseRequest c = TdxKeyReleaseRequest.builder().appId(f.appId).vmConfig("{ }").requestTime(5).build();
    assertTrue(!a.requestDigest().equals(b.requestDigest()) && !a.requestDigest().equals(c.requestDigest()));
    assertEquals(a.requestDigest(), TdxKeyReleaseRequest.builder().appId(f.appId).vmConfig("{}").requestTime(5)
        .build().requestDigest());
  }
}
