package org.attest4j.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseException;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KeyReleaseStep;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.TdxKeyReleaseRequest;
import org.attest4j.kms.TdxPinnedImage;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TcbStatus;
import org.attest4j.tdx.TdxReason;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;
import org.junit.jupiter.api.Test;

/**
 * What a user of attest4j writes to test a TDX key-release service without TDX hardware, using only
 * the public API (this package is outside the library's): a simulated platform builds a quote, its
 * collateral verifies it, and {@code KeyReleaseService.releaseTdx} releases keys the guest opens.
 * The service is TDX-only (no SEV-SNP configuration).
 */
class SimulatedTdxKeyReleaseUserTest {
  private static final SecureRandom RNG = new SecureRandom();
  private static final Instant NOW = Instant.parse("2026-09-01T08:00:00Z");

  private final SimulatedTdxPlatform platform = SimulatedTdxPlatform.builder().now(NOW).build();
  private final Clock clock = platform.clockInsideValidity();
  private final KmsRootKeys roots = KmsRootKeys.generate(RNG);
  private final X25519KeyPair guestKey = X25519KeyPair.generate(RNG);
  private final Bytes appId = bytes(20, 0x11);
  private final Bytes composeHash = bytes(32, 0x22);
  private final Bytes instanceId = bytes(20, 0x44);
  private final Bytes osImage = bytes(32, 0x0a);
  private final byte[] mrTd = bytes(48, 0x7d).toByteArray();

  private static Bytes bytes(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return Bytes.of(b);
  }

  private KeyReleaseService tdxOnlyService() {
    return KeyReleaseService.builder()
        .rootKeys(roots)
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .tdx(platform.verifier(clock), platform.collateral(), null)
        .tdxImage(new TdxPinnedImage(osImage, Bytes.of(mrTd), bytes(48, 0), bytes(48, 0), bytes(48, 0)))
        .authorization(AllowListAuthorizer.builder().allowOsImage(osImage).allowApp(appId, composeHash).build())
        .build();
  }

  private List<DstackRuntimeEvent> events(KeyReleaseService kms) {
    String provider = "{\"name\":\"kms\",\"id\":\"" + kms.keyProviderId().toHex() + "\"}";
    return List.of(
        DstackRuntimeEvent.of("system-preparing", Bytes.empty()),
        DstackRuntimeEvent.of("app-id", appId),
        DstackRuntimeEvent.of("compose-hash", composeHash),
        DstackRuntimeEvent.of("instance-id", instanceId),
        DstackRuntimeEvent.of(DstackRuntimeEvent.BOOT_MR_DONE, Bytes.empty()),
        DstackRuntimeEvent.of("key-provider", Bytes.of(provider.getBytes(StandardCharsets.UTF_8))),
        DstackRuntimeEvent.of(DstackRuntimeEvent.SYSTEM_READY, Bytes.empty()));
  }

  private static byte[] eventLogJson(List<DstackRuntimeEvent> events) {
    JsonArray a = new JsonArray();
    for (DstackRuntimeEvent e : events) {
      JsonObject o = new JsonObject();
      o.addProperty("imr", 3);
      o.addProperty("event_type", DstackRuntimeEvent.EVENT_TYPE);
      o.addProperty("digest", e.digest().toHex());
      o.addProperty("event", e.name());
      o.addProperty("event_payload", e.payload().toHex());
      a.add(o);
    }
    return a.toString().getBytes(StandardCharsets.UTF_8);
  }

  private TdxKeyReleaseRequest request(KeyReleaseService kms, byte[] quote, List<DstackRuntimeEvent> events, Bytes nonce) {
    return TdxKeyReleaseRequest.builder()
        .quote(Bytes.of(quote))
        .eventLog(Bytes.of(eventLogJson(events)))
        .vmConfig("{\"os_image_hash\":\"" + osImage.toHex() + "\"}")
        .appId(appId)
        .nonce(nonce)
        .build();
  }

  @Test
  void simulatedGuestGetsItsKeys() throws Exception {
    KeyReleaseService kms = tdxOnlyService();
    List<DstackRuntimeEvent> events = events(kms);
    Bytes nonce = kms.issueNonce().nonce();
    byte[] reportData = ReportData.withNonce(guestKey.publicKey(), nonce).toBytes();
    byte[] quote = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events).reportData(reportData).build();

    // the quote verifies on its own with the simulated collateral
    TdxVerdict verdict = platform.verifier(clock).verify(quote, platform.collateral());
    assertEquals(TcbStatus.UP_TO_DATE, verdict.tcbStatus().orElseThrow());

    KeyRelease release = kms.releaseTdx(request(kms, quote, events, nonce));
    byte[] plain = SealedResponse.open(
        release.response().getSealedKeys().toByteArray(),
        guestKey,
        SealBinding.forEvidence(guestKey.publicKey(), quote),
        KmsPublicKey.fromSpki(roots.rootCaPublicKeySpki().toByteArray()));
    AppKeyResponse keys = AppKeyResponse.parseFrom(plain);
    AppKeys expected = AppKeyDeriver.of(roots).derive(appId, instanceId);
    assertArrayEquals(expected.diskCryptKey(), keys.getDiskCryptKey().toByteArray());
    assertArrayEquals(expected.envCryptKey(), keys.getEnvCryptKey().toByteArray());
    assertEquals(appId, release.bootInfo().appId());
  }

  @Test
  void refusals() throws Exception {
    KeyReleaseService kms = tdxOnlyService();
    List<DstackRuntimeEvent> events = events(kms);

    // a debug TD: the strict policy refuses it
    Bytes n1 = kms.issueNonce().nonce();
    byte[] debug = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events).tdAttributes(1L | 1L << 28)
        .reportData(ReportData.withNonce(guestKey.publicKey(), n1).toBytes()).build();
    KeyReleaseException e1 = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(request(kms, debug, events, n1)));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e1.step());
    assertEquals(TdxReason.DEBUG_TD, e1.refusal().reason());

    // a quote from another (simulated) platform: its root is not trusted
    SimulatedTdxPlatform other = SimulatedTdxPlatform.builder().now(NOW).build();
    Bytes n2 = kms.issueNonce().nonce();
    byte[] foreign = other.quoteBuilder().mrTd(mrTd).rtmr3From(events)
        .reportData(ReportData.withNonce(guestKey.publicKey(), n2).toBytes()).build();
    KeyReleaseException e2 = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(request(kms, foreign, events, n2)));
    assertEquals(TdxReason.UNTRUSTED_ROOT, e2.refusal().reason());

    // an event log that does not replay to RTMR3
    Bytes n3 = kms.issueNonce().nonce();
    byte[] q3 = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events)
        .reportData(ReportData.withNonce(guestKey.publicKey(), n3).toBytes()).build();
    List<DstackRuntimeEvent> changed = new ArrayList<>(events);
    changed.set(2, DstackRuntimeEvent.of("compose-hash", bytes(32, 0x23)));
    KeyReleaseException e3 = assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(request(kms, q3, changed, n3)));
    assertTrue(e3.refusal().getMessage().contains("RTMR"), e3.getMessage());
  }
}
