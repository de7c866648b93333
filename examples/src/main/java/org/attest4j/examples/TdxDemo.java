package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.attest4j.core.AttestationException;
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
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.TdxKeyReleaseRequest;
import org.attest4j.kms.TdxPinnedImage;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;

/**
 * The Intel TDX part of {@code attest4j demo}: a simulated TDX platform (synthetic Intel-shaped PKI
 * and collateral, trusted explicitly) runs a dstack-style guest whose quote binds its key and a KMS
 * nonce and whose RTMR3 replays its event log; a TDX-only {@link KeyReleaseService} releases its
 * app keys, which the guest opens; then tampered, debug, replayed, mis-logged and untrusted-root
 * requests are refused with their step and reason. Key values are never printed.
 *
 * <p>Not thread-safe (it prints as it goes).
 */
final class TdxDemo {
  private final PrintWriter out;
  private final SecureRandom rng = new SecureRandom();
  private boolean ok = true;

  TdxDemo(PrintWriter out) {
    this.out = out;
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  private void step(String text) {
    out.println();
    out.println("== " + text);
    out.flush();
  }

  private static Bytes filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return Bytes.of(b);
  }

  /** Runs every step; true when each one behaved as expected. */
  boolean run() {
    // the demo prints what matters; keep the library's INFO logs (one line per refusal) off the console
    java.util.logging.Logger lib = java.util.logging.Logger.getLogger("org.attest4j");
    java.util.logging.Level saved = lib.getLevel();
    lib.setLevel(java.util.logging.Level.WARNING);
    try {
      return steps();
    } catch (Exception e) {
      out.println("   UNEXPECTED FAILURE: " + e);
      out.flush();
      return false;
    } finally {
      lib.setLevel(saved);
    }
  }

  private boolean steps() throws Exception {
    step("1. Simulated Intel TDX platform: synthetic root, PCK CA, PCK certificate (FMSPC 90C06F000000), TCB signing, collateral");
    long t0 = System.nanoTime();
    SimulatedTdxPlatform platform = SimulatedTdxPlatform.create();
    long t1 = System.nanoTime();
    Clock clock = platform.clockInsideValidity();
    out.println("   " + platform + "  (" + ms(t1 - t0) + "; trusted only because its anchor is passed explicitly)");

    Bytes osImage = filled(32, 0x0a);
    Bytes appId = filled(20, 0x11);
    Bytes composeHash = filled(32, 0x22);
    Bytes instanceId = filled(20, 0x44);
    byte[] mrTd = filled(48, 0x7d).toByteArray();
    KmsRootKeys roots = KmsRootKeys.generate(rng);
    KeyReleaseService kms = KeyReleaseService.builder()
        .rootKeys(roots)
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .tdx(platform.verifier(clock), platform.collateral(), null)
        .tdxImage(new TdxPinnedImage(osImage, Bytes.of(mrTd), filled(48, 0), filled(48, 0), filled(48, 0)))
        .authorization(AllowListAuthorizer.builder().allowOsImage(osImage).allowApp(appId, composeHash).build())
        .build();
    out.println("   KMS: TDX only, strict TdxPolicy, one pinned OS image (MRTD + RTMR0-2), app " + appId.toHex());

    step("2. The guest: dstack runtime events into RTMR3, report_data = its X25519 key + a KMS nonce, a v4 quote");
    String provider = "{\"name\":\"kms\",\"id\":\"" + kms.keyProviderId().toHex() + "\"}";
    List<DstackRuntimeEvent> events = List.of(
        DstackRuntimeEvent.of("system-preparing", Bytes.empty()),
        DstackRuntimeEvent.of("app-id", appId),
        DstackRuntimeEvent.of("compose-hash", composeHash),
        DstackRuntimeEvent.of("instance-id", instanceId),
        DstackRuntimeEvent.of(DstackRuntimeEvent.BOOT_MR_DONE, Bytes.empty()),
        DstackRuntimeEvent.of("key-provider", Bytes.of(provider.getBytes(StandardCharsets.UTF_8))),
        DstackRuntimeEvent.of(DstackRuntimeEvent.SYSTEM_READY, Bytes.empty()));
    X25519KeyPair guestKey = X25519KeyPair.generate(rng);
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(guestKey.publicKey(), nonce).toBytes();
    byte[] quote = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events).reportData(rd).build();
    String vmConfig = "{\"os_image_hash\":\"" + osImage.toHex() + "\"}";
    out.println("   quote: " + quote.length + " bytes, RTMR3 = replay of " + events.size() + " events");

    step("3. releaseTdx: verify quote + collateral, policy, RTMR3 replay, pinned image, app identity, nonce, derive, seal");
    try {
      long a = System.nanoTime();
      KeyRelease rel = kms.releaseTdx(request(quote, events, vmConfig, appId, nonce));
      long b = System.nanoTime();
      byte[] plain = SealedResponse.open(rel.response().getSealedKeys().toByteArray(), guestKey,
          SealBinding.forEvidence(guestKey.publicKey(), quote), KmsPublicKey.fromSpki(roots.rootCaPublicKeySpki().toByteArray()));
      AppKeyResponse keys = AppKeyResponse.parseFrom(plain);
      AppKeys expected = AppKeyDeriver.of(roots).derive(appId, instanceId);
      boolean same = Arrays.equals(expected.diskCryptKey(), keys.getDiskCryptKey().toByteArray())
          && Arrays.equals(expected.envCryptKey(), keys.getEnvCryptKey().toByteArray());
      ok &= same;
      out.println("   OK: keys released to the TDX guest in " + ms(b - a) + " (TCB " + rel.bootInfo().tcbStatus()
          + "); the guest opened the HPKE envelope: " + keys.getDiskCryptKey().size() + "-byte disk key, "
          + keys.getEnvCryptKey().size() + "-byte env key" + (same ? ", equal to AppKeyDeriver's" : ", NOT the expected keys"));
    } catch (KeyReleaseException e) {
      ok = false;
      out.println("   UNEXPECTED REFUSAL: " + e.getMessage());
    }

    step("4. The same request again (nonce already used)");
    refuse(() -> kms.releaseTdx(request(quote, events, vmConfig, appId, nonce)), "REPLAYED");

    step("5. A tampered quote (one bit of report_data flipped after signing)");
    Bytes n5 = kms.issueNonce().nonce();
    byte[] q5 = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events)
        .reportData(ReportData.withNonce(guestKey.publicKey(), n5).toBytes()).build();
    q5[48 + 520] ^= 1;
    refuse(() -> kms.releaseTdx(request(q5, events, vmConfig, appId, n5)), "QUOTE_SIGNATURE_INVALID");

    step("6. A genuine quote from a debug TD (td_attributes.DEBUG)");
    Bytes n6 = kms.issueNonce().nonce();
    byte[] q6 = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events).tdAttributes(1L | 1L << 28)
        .reportData(ReportData.withNonce(guestKey.publicKey(), n6).toBytes()).build();
    refuse(() -> kms.releaseTdx(request(q6, events, vmConfig, appId, n6)), "DEBUG_TD");

    step("7. A genuine quote whose event log claims another compose hash than the one measured");
    Bytes n7 = kms.issueNonce().nonce();
    byte[] q7 = platform.quoteBuilder().mrTd(mrTd).rtmr3From(events)
        .reportData(ReportData.withNonce(guestKey.publicKey(), n7).toBytes()).build();
    List<DstackRuntimeEvent> lying = new ArrayList<>(events);
    lying.set(2, DstackRuntimeEvent.of("compose-hash", filled(32, 0x23)));
    refuse(() -> kms.releaseTdx(request(q7, lying, vmConfig, appId, n7)), "RTMR_MISMATCH");

    step("8. The genuine quote of step 2 against Intel's pinned root only (production configuration)");
    long a = System.nanoTime();
    try {
      TdxVerifier.create().verify(quote, platform.collateral());
      ok = false;
      out.println("   UNEXPECTEDLY ACCEPTED");
    } catch (AttestationException e) {
      out.println("   REJECTED (" + ms(System.nanoTime() - a) + "): [" + e.reason().qualifiedCode() + "] " + e.getMessage());
      ok &= e.reason().name().equals("UNTRUSTED_ROOT");
    }

    out.println();
    out.println(ok ? "tdx demo: every step behaved as expected" : "tdx demo: SOME STEP DID NOT BEHAVE AS EXPECTED");
    out.flush();
    return ok;
  }

  private static TdxKeyReleaseRequest request(byte[] quote, List<DstackRuntimeEvent> events, String vmConfig,
      Bytes appId, Bytes nonce) {
    JsonArray log = new JsonArray();
    for (DstackRuntimeEvent e : events) {
      JsonObject o = new JsonObject();
      o.addProperty("imr", 3);
      o.addProperty("event_type", DstackRuntimeEvent.EVENT_TYPE);
      o.addProperty("digest", e.digest().toHex());
      o.addProperty("event", e.name());
      o.addProperty("event_payload", e.payload().toHex());
      log.add(o);
    }
    return TdxKeyReleaseRequest.builder()
        .quote(Bytes.of(quote))
        .eventLog(Bytes.of(log.toString().getBytes(StandardCharsets.UTF_8)))
        .vmConfig(vmConfig)
        .appId(appId)
        .nonce(nonce)
        .build();
  }

  interface Release {
    void run() throws KeyReleaseException;
  }

  private void refuse(Release r, String expectedCode) {
    long t0 = System.nanoTime();
    try {
      r.run();
      ok = false;
      out.println("   UNEXPECTEDLY RELEASED");
    } catch (KeyReleaseException e) {
      long t1 = System.nanoTime();
      AttestationException why = e.refusal();
      out.println("   REFUSED at step '" + e.step() + "' (" + ms(t1 - t0) + "): [" + why.reason().qualifiedCode() + "] "
          + why.getMessage());
      ok &= why.reason().name().equals(expectedCode);
    }
  }
}
