package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.time.Clock;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.CryptoReason;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;
import org.attest4j.tdx.TdxReason;
import org.junit.jupiter.api.Test;

/**
 * The TDX key-release path end to end (steps 0-9) on a synthetic quote from the tdx test-jar's
 * Intel-shaped PKI: report_data carries the guest's X25519 key and a KMS nonce, the dstack event
 * log replays to the quote's RTMR3 and names this KMS as key provider, and the guest opens the
 * sealed keys.
 */
class TdxSyntheticReleaseTest {
  private static final Bytes OS_IMAGE = Fixture.rep(0x0a, 32);
  private static final String VM_CONFIG = "{\"spec_version\":1,\"os_image_hash\":\"" + OS_IMAGE.toHex() + "\",\"cpu_count\":2}";

  private final Fixture f = new Fixture();
  private final SyntheticTdxGuest tdx = new SyntheticTdxGuest();
  private final X25519KeyPair guestKey = X25519KeyPair.generate(Fixture.RNG);

  private String thisKmsProvider() {
    return "{\"name\":\"kms\",\"id\":\"" + f.roots.rootCaPublicKeySpki().toHex() + "\"}";
  }

  private KeyReleaseService service() throws Exception {
    Clock clock = tdx.clock();
    return f.serviceBuilder(IdentityBinding.HOST_DATA)
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .tdx(tdx.verifier(), tdx.collateral(), null)
        .tdxImage(tdx.pinnedImage(OS_IMAGE))
        .authorization(
            AllowListAuthorizer.builder()
                .allowOsImage(OS_IMAGE)
                .allowApp(f.appId, f.composeHash)
                .gatewayAppId("gateway")
                .build())
        .build();
  }

  /** A request whose quote binds the guest key and a fresh nonce and whose log replays to RTMR3. */
  private TdxKeyReleaseRequest.Builder request(KeyReleaseService kms, SyntheticTdxGuest.Events events)
      throws Exception {
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(guestKey.publicKey(), nonce).toBytes();
    return TdxKeyReleaseRequest.builder()
        .quote(Bytes.of(tdx.quote(events.rtmr3(), rd)))
        .eventLog(Bytes.of(events.json()))
        .vmConfig(VM_CONFIG)
        .appId(f.appId)
        .nonce(nonce);
  }

  private SyntheticTdxGuest.Events goodEvents() {
    return SyntheticTdxGuest.dstackEvents(f.appId, f.composeHash, f.instanceId, thisKmsProvider());
  }

  private AppKeyResponse open(AppKeyAmdResponse resp, Bytes quote) throws Exception {
    byte[] plain =
        SealedResponse.open(
            resp.getSealedKeys().toByteArray(),
            guestKey,
            SealBinding.forEvidence(guestKey.publicKey(), quote.toByteArray()),
            KmsPublicKey.fromSpki(f.roots.rootCaPublicKeySpki().toByteArray()));
    return AppKeyResponse.parseFrom(plain);
  }

  private void assertDstackKeys(AppKeyResponse keys) throws Exception {
    AppKeys expected = AppKeyDeriver.of(f.roots).derive(f.appId, f.instanceId);
    assertArrayEquals(expected.diskCryptKey(), keys.getDiskCryptKey().toByteArray());
    assertArrayEquals(expected.envCryptKey(), keys.getEnvCryptKey().toByteArray());
    assertArrayEquals(expected.k256Key(), keys.getK256Key().toByteArray());
    assertEquals("gateway", keys.getGatewayAppId());
  }

  @Test
  void releasesSealedKeysEndToEnd() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest req =
        request(kms, goodEvents()).composeHash(f.composeHash).instanceId(f.instanceId).build();
    KeyRelease rel = kms.releaseTdx(req);

    BootInfo info = rel.bootInfo();
    assertEquals(BootInfo.TEE_VARIANT_TDX, info.teeVariant());
    assertEquals(f.appId, info.appId());
    assertEquals(f.composeHash, info.composeHash());
    assertEquals(f.instanceId, info.instanceId());
    assertEquals(OS_IMAGE, info.osImageHash());
    assertEquals("UpToDate", info.tcbStatus());
    // device_id of a verified quote: SHA-256(PPID), not the SHA-256("") of the unverified decoding
    Bytes ppid = tdx.verifier().verify(req.quote().toByteArray(), tdx.collateral()).pck().ppid();
    assertEquals(16, ppid.length());
    assertEquals(Bytes.of(java.security.MessageDigest.getInstance("SHA-256").digest(ppid.toByteArray())),
        info.deviceId());
    assertTrue(!info.deviceId().equals(Bytes.of(java.security.MessageDigest.getInstance("SHA-256").digest())),
        "not SHA-256 of nothing");
    assertEquals(tdx.pinnedImage(OS_IMAGE).mrTd(), rel.measurement());
    AppKeyAmdResponse resp = rel.response();
    assertEquals(org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_HPKE_V1, resp.getEnvelope());
    assertTrue(resp.getDiskCryptKey().isEmpty(), "no plaintext key outside the envelope");
    assertDstackKeys(open(resp, req.quote()));
    for (KeyReleaseStep s : KeyReleaseStep.values()) {
      if (s != KeyReleaseStep.DECODE_REQUEST) {
        assertTrue(rel.timings().nanos(s) > 0, s + " timed");
      }
    }
  }

  @Test
  void sameKeysAsTheSnpPathForTheSameApp() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest req = request(kms, goodEvents()).build();
    AppKeyResponse tdxKeys = open(kms.releaseTdx(req).response(), req.quote());

    KeyReleaseService snp = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = f.new Guest(f.fixedCmdline);
    g.key = guestKey;
    g.launchedConfig = f.mrConfig(f.appId, f.composeHash, f.instanceId, f.roots.rootCaPublicKeySpki());
    KeyReleaseRequest snpReq = g.request(snp).build();
    AppKeyAmdResponse snpResp = snp.release(snpReq).response();
    AppKeyResponse snpKeys = open(snpResp, snpReq.report());
    assertEquals(snpKeys.getDiskCryptKey(), tdxKeys.getDiskCryptKey());
    assertEquals(snpKeys.getEnvCryptKey(), tdxKeys.getEnvCryptKey());
    assertEquals(snpKeys.getK256Key(), tdxKeys.getK256Key());
  }

  @Test
  void protoRequestReleasesToo() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest req = request(kms, goodEvents()).build();
    GetAppKeyTdxRequest p =
        GetAppKeyTdxRequest.newBuilder()
            .setQuote(ByteString.copyFrom(req.quote().toByteArray()))
            .setEventLog(new String(req.eventLog().toByteArray(), java.nio.charset.StandardCharsets.UTF_8))
            .setVmConfig(req.vmConfig())
            .setAppId(f.appId.toHex())
            .setNonce(ByteString.copyFrom(req.nonce().toByteArray()))
            .build();
    assertDstackKeys(open(kms.releaseTdx(p).response(), req.quote()));
  }

  @Test
  void nonceIsSingleUse() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest req = request(kms, goodEvents()).build();
    kms.releaseTdx(req);
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(req));
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step(), e.getMessage());
  }

  @Test
  void reportDataForAnotherNonceRefusedAtFreshness() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest req = request(kms, goodEvents()).nonce(kms.issueNonce().nonce()).build();
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(req));
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step(), e.getMessage());
    assertEquals(CryptoReason.NONCE_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void anotherKmsAsKeyProviderRefusedAtIdentity() throws Exception {
    KeyReleaseService kms = service();
    String other = "{\"name\":\"kms\",\"id\":\"" + "ab".repeat(91) + "\"}";
    SyntheticTdxGuest.Events ev = SyntheticTdxGuest.dstackEvents(f.appId, f.composeHash, f.instanceId, other);
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(request(kms, ev).build()));
    assertEquals(KeyReleaseStep.BIND_IDENTITY, e.step(), e.getMessage());
    assertEquals(KmsReason.KEY_PROVIDER_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void forgedSignatureRefusedAtSignature() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest good = request(kms, goodEvents()).build();
    byte[] q = good.quote().toByteArray();
    // the first byte of the ECDSA quote signature (after the 48-byte header, the 584-byte TD
    // report and the 4-byte signature length)
    q[48 + 584 + 4] ^= 1;
    TdxKeyReleaseRequest req = TdxKeyReleaseRequest.builder()
        .quote(Bytes.of(q)).eventLog(good.eventLog()).vmConfig(VM_CONFIG).appId(f.appId).nonce(good.nonce()).build();
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(req));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, e.step(), e.getMessage());
    assertEquals(TdxReason.QUOTE_SIGNATURE_INVALID, e.reason(), e.getMessage());
  }

  @Test
  void collateralOutsideItsWindowRefusedAtSignature() throws Exception {
    Clock late = Clock.fixed(tdx.clock().instant().plus(java.time.Duration.ofDays(400)), java.time.ZoneOffset.UTC);
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA)
        .clock(late)
        .nonceStore(NonceStore.builder().clock(late).build())
        .tdx(tdx.verifier(), tdx.collateral(), null)
        .tdxImage(tdx.pinnedImage(OS_IMAGE))
        .build();
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(request(kms, goodEvents()).build()));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, e.step(), e.getMessage());
  }

  @Test
  void logThatDoesNotReplayToRtmr3RefusedAtMeasurement() throws Exception {
    KeyReleaseService kms = service();
    TdxKeyReleaseRequest good = request(kms, goodEvents()).build();
    SyntheticTdxGuest.Events otherInstance =
        SyntheticTdxGuest.dstackEvents(f.appId, f.composeHash, Fixture.rep(0x45, 20), thisKmsProvider());
    TdxKeyReleaseRequest req = TdxKeyReleaseRequest.builder()
        .quote(good.quote()).eventLog(Bytes.of(otherInstance.json())).vmConfig(VM_CONFIG)
        .appId(f.appId).nonce(good.nonce()).build();
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(req));
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step(), e.getMessage());
    assertEquals(TdxReason.RTMR_MISMATCH, e.reason(), e.getMessage());
  }

  @Test
  void unauthorizedComposeHashRefusedAtAuthorize() throws Exception {
    KeyReleaseService kms = service();
    SyntheticTdxGuest.Events ev =
        SyntheticTdxGuest.dstackEvents(f.appId, Fixture.rep(0x23, 32), f.instanceId, thisKmsProvider());
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(request(kms, ev).build()));
    assertEquals(KeyReleaseStep.AUTHORIZE, e.step(), e.getMessage());
    assertEquals(KmsReason.NOT_AUTHORIZED, e.reason(), e.getMessage());
  }

  @Test
  void eventsAfterSystemReadyDoNotCount() throws Exception {
    KeyReleaseService kms = service();
    SyntheticTdxGuest.Events ev = goodEvents().add("app-id", Fixture.rep(0x77, 20));
    KeyRelease rel = kms.releaseTdx(request(kms, ev).build());
    assertEquals(f.appId, rel.bootInfo().appId());
  }
}
