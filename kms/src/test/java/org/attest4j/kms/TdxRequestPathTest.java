package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.ReasonCode;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.tdx.TdReport;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxReason;
import org.attest4j.tdx.pcs.PcsClient;
import org.attest4j.tdx.pcs.PcsReason;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;
import org.attest4j.testsupport.LoopbackServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, "cheap checks first" and "nothing slow on the request path" for Intel TDX: a quote the
 * policy or the pinned image refuses anyway costs no collateral fetch, and the fetch a request
 * does trigger (the tdx module's {@link PcsClient} against a loopback PCS that throttles, stalls
 * or does not know the platform) runs under the service's endorsement deadline, background pool and
 * negative cache. Time is an injected clock; nothing sleeps.
 */
class TdxRequestPathTest {
  private static final Bytes OS_IMAGE = Fixture.rep(0x0a, 32);
  private static final String VM_CONFIG =
      "{\"spec_version\":1,\"os_image_hash\":\"" + OS_IMAGE.toHex() + "\",\"cpu_count\":2}";

  private final Fixture f = new Fixture();
  private final SyntheticTdxGuest tdx = new SyntheticTdxGuest();
  private final X25519KeyPair guestKey = X25519KeyPair.generate(Fixture.RNG);
  private final RequestPathEndorsementsTest.MutableClock clock =
      new RequestPathEndorsementsTest.MutableClock(tdx.clock().instant());
  private final LoopbackServer pcs;

  TdxRequestPathTest() throws Exception {
    pcs = new LoopbackServer("fake-pcs") {};
  }

  @AfterEach
  void stop() {
    pcs.close();
  }

  /** Counts the calls the KMS makes; answers with the simulated platform's collateral. */
  private final AtomicInteger collateralCalls = new AtomicInteger();

  private final TdxCollateralSource counting =
      quote -> {
        collateralCalls.incrementAndGet();
        return tdx.collateral();
      };

  private PcsClient pcsClient() {
    return PcsClient.builder().baseUri(pcs.baseUri()).clock(clock).circuitBreaker(Duration.ofSeconds(10)).build();
  }

  private TdxCollateralSource fromPcs() {
    PcsClient client = pcsClient();
    return quote -> client.collateral(quote, PcsClient.UpdateType.STANDARD);
  }

  private KeyReleaseService.Builder service(TdxCollateralSource source, TdxPinnedImage image) throws Exception {
    return f.serviceBuilder(IdentityBinding.HOST_DATA)
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .tdx(tdx.verifier(), source, null)
        .tdxImage(image)
        .authorization(
            AllowListAuthorizer.builder()
                .allowOsImage(OS_IMAGE)
                .allowApp(f.appId, f.composeHash)
                .gatewayAppId("gateway")
                .build());
  }

  private SyntheticTdxGuest.Events events() {
    String provider = "{\"name\":\"kms\",\"id\":\"" + f.roots.rootCaPublicKeySpki().toHex() + "\"}";
    return SyntheticTdxGuest.dstackEvents(f.appId, f.composeHash, f.instanceId, provider);
  }

  /** A request with a fresh nonce whose quote was built with {@code tweak}. */
  private TdxKeyReleaseRequest request(KeyReleaseService kms, UnaryOperator<SimulatedTdxPlatform.QuoteBuilder> tweak)
      throws Exception {
    SyntheticTdxGuest.Events ev = events();
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(guestKey.publicKey(), nonce).toBytes();
    return TdxKeyReleaseRequest.builder()
        .quote(Bytes.of(tdx.quote(ev.rtmr3(), rd, tweak)))
        .eventLog(Bytes.of(ev.json()))
        .vmConfig(VM_CONFIG)
        .appId(f.appId)
        .nonce(nonce)
        .build();
  }

  private static KeyReleaseException refused(KeyReleaseService kms, TdxKeyReleaseRequest req) {
    return assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(req));
  }

  /** The reason the verified path gives: the strict policy's first failed rule on the verdict. */
  private ReasonCode verifiedPolicyReason(TdxKeyReleaseRequest req) throws AttestationException {
    var violations =
        TdxPolicy.strict().evaluate(tdx.verifier().verify(req.quote().toByteArray(), tdx.collateral()));
    assertFalse(violations.isEmpty(), "the verified path refuses this quote too");
    return violations.get(0).reason();
  }

  @Test
  void quotesThePolicyRefusesAnywayCostNoCollateralFetchAndKeepTheirReason() throws Exception {
    KeyReleaseService kms = service(counting, tdx.pinnedImage(OS_IMAGE)).build();
    List<UnaryOperator<SimulatedTdxPlatform.QuoteBuilder>> refusedByPolicy =
        List.of(
            q -> q.tdAttributes(TdReport.TD_ATTR_SEPT_VE_DISABLE | TdReport.TD_ATTR_DEBUG),
            q -> q.tdAttributes(0), // no SEPT_VE_DISABLE
            q -> q.tdAttributes(TdReport.TD_ATTR_SEPT_VE_DISABLE | TdReport.TD_ATTR_MIGRATABLE));
    List<ReasonCode> expected =
        List.of(
            TdxReason.DEBUG_TD,
            TdxReason.TD_ATTRIBUTES_NOT_ALLOWED,
            TdxReason.TD_ATTRIBUTES_NOT_ALLOWED);
    for (int i = 0; i < refusedByPolicy.size(); i++) {
      TdxKeyReleaseRequest req = request(kms, refusedByPolicy.get(i));
      KeyReleaseException e = refused(kms, req);
      assertEquals(KeyReleaseStep.APPLY_POLICY, e.step(), e.getMessage());
      assertEquals(expected.get(i), e.reason(), e.getMessage());
      assertEquals(verifiedPolicyReason(req), e.reason(), "the reason the verified quote gets at step 3");
    }
    assertEquals(0, collateralCalls.get(), "no collateral fetch for a quote the policy refuses anyway");

    // a non-zero mr_signer_seam is left to step 2, where the verifier compares it with the
    // collateral's TDX module signer: the reason stays TDX_MODULE_MISMATCH, at the cost of a fetch
    KeyReleaseException seam =
        refused(kms, request(kms, q -> q.mrSignerSeam(Fixture.rep(0x01, 48).toByteArray())));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, seam.step(), seam.getMessage());
    assertEquals(TdxReason.TDX_MODULE_MISMATCH, seam.reason(), seam.getMessage());
    assertEquals(1, collateralCalls.get());

    // the control: a quote the policy accepts is verified with the collateral of its platform
    // (fetched for the quote above, from the same platform, and reused)
    assertEquals(f.appId, kms.releaseTdx(request(kms, q -> q)).bootInfo().appId());
    assertEquals(1, collateralCalls.get());
  }

  @Test
  void theCollateralOfAPlatformSeenBeforeIsReusedForAnHour() throws Exception {
    KeyReleaseService kms = service(counting, tdx.pinnedImage(OS_IMAGE)).maxBackgroundFetches(1).build();
    for (int i = 0; i < 3; i++) {
      assertEquals(f.appId, kms.releaseTdx(request(kms, q -> q)).bootInfo().appId());
    }
    assertEquals(1, collateralCalls.get(), "asked once, then reused on the request thread");
    clock.advance(Duration.ofMinutes(61));
    assertEquals(f.appId, kms.releaseTdx(request(kms, q -> q)).bootInfo().appId());
    assertEquals(2, collateralCalls.get(), "asked again after an hour");
  }

  @Test
  void quotesThePinnedImageRefusesCostNoCollateralFetch() throws Exception {
    TdxPinnedImage p = tdx.pinnedImage(OS_IMAGE);
    KeyReleaseService kms = service(counting, p).build();
    KeyReleaseException mrTd = refused(kms, request(kms, q -> q.mrTd(Fixture.rep(0x7e, 48).toByteArray())));
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, mrTd.step(), mrTd.getMessage());
    assertEquals(KmsReason.MEASUREMENT_MISMATCH, mrTd.reason(), mrTd.getMessage());
    KeyReleaseException rtmr1 = refused(kms, request(kms, q -> q.rtmr(1, Fixture.rep(0x66, 48).toByteArray())));
    assertEquals(KmsReason.MEASUREMENT_MISMATCH, rtmr1.reason(), rtmr1.getMessage());
    assertTrue(rtmr1.getMessage().contains("RTMR1"), rtmr1.getMessage());
    KeyReleaseException rtmr3 = refused(kms, request(kms, q -> q.rtmr(3, Fixture.rep(0x33, 48).toByteArray())));
    assertEquals(TdxReason.RTMR_MISMATCH, rtmr3.reason(), rtmr3.getMessage());
    KeyReleaseService otherImage =
        service(counting, new TdxPinnedImage(Fixture.rep(0x0b, 32), p.mrTd(), p.rtmr0(), p.rtmr1(), p.rtmr2()))
            .build();
    KeyReleaseException unpinned = refused(otherImage, request(otherImage, q -> q));
    assertEquals(KmsReason.OS_IMAGE_NOT_PINNED, unpinned.reason(), unpinned.getMessage());
    assertEquals(0, collateralCalls.get(), "no collateral fetch for a quote the measurement refuses anyway");
  }

  @Test
  void aThrottlingPcsIsAnsweredRetryableAtOnceAndAskedOncePerBreakerWindow() throws Exception {
    pcs.fallback(LoopbackServer.Answer.status(429, Map.of("Retry-After", "10")));
    KeyReleaseService kms = service(fromPcs(), tdx.pinnedImage(OS_IMAGE)).build();

    KeyReleaseException first = refused(kms, request(kms, q -> q));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, first.step(), first.getMessage());
    assertEquals(PcsReason.THROTTLED, first.refusal().reason(), first.getMessage());
    assertTrue(first.refusal().isRetryable(), "a throttled PCS gives a retryable refusal (503)");
    int calls = pcs.totalHits();
    assertEquals(1, calls, "the 429 is not retried within the request");

    for (int i = 0; i < 10; i++) {
      KeyReleaseException e = refused(kms, request(kms, q -> q));
      assertEquals(PcsReason.THROTTLED, e.refusal().reason(), e.getMessage());
      EndorsementUnavailableException u = (EndorsementUnavailableException) e.refusal();
      assertTrue(u.retryAfter().isPresent() && u.retryAfter().get().toSeconds() <= 10, "retry-after is the time left");
      clock.advance(Duration.ofMillis(500));
    }
    assertEquals(calls, pcs.totalHits(), "no PCS call while the breaker is open");

    clock.advance(Duration.ofSeconds(6)); // 5 s + 6 s: the window has passed
    refused(kms, request(kms, q -> q));
    assertEquals(calls + 1, pcs.totalHits(), "one PCS call in the next window");
  }

  @Test
  void aStallingPcsHoldsNoRequestThreadPastTheDeadline() throws Exception {
    CountDownLatch pcsStalls = new CountDownLatch(1);
    pcs.fallback(LoopbackServer.Answer.blockUntil(pcsStalls, new byte[0]));
    KeyReleaseService kms =
        service(fromPcs(), tdx.pinnedImage(OS_IMAGE))
            .endorsementDeadline(Duration.ofMillis(200))
            .maxBackgroundFetches(4)
            .build();
    int concurrent = 8;
    List<TdxKeyReleaseRequest> requests = new ArrayList<>();
    for (int i = 0; i < concurrent; i++) {
      requests.add(request(kms, q -> q));
    }
    ExecutorService clients = Executors.newFixedThreadPool(concurrent);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<KeyReleaseException>> answers = new ArrayList<>();
      for (TdxKeyReleaseRequest r : requests) {
        answers.add(
            clients.submit(
                () -> {
                  start.await();
                  return assertThrows(KeyReleaseException.class, () -> kms.releaseTdx(r));
                }));
      }
      start.countDown();
      int deadline = 0;
      int busy = 0;
      for (Future<KeyReleaseException> a : answers) {
        // a bounded wait on the outcome, not a timing assertion: every request thread comes back
        KeyReleaseException e = a.get(60, TimeUnit.SECONDS);
        assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, e.step(), e.getMessage());
        assertTrue(e.refusal().isRetryable(), e.getMessage());
        if (e.refusal().reason() == KmsReason.ENDORSEMENT_DEADLINE) {
          deadline++;
        } else if (e.refusal().reason() == KmsReason.ENDORSEMENTS_BUSY) {
          busy++;
        } else {
          throw new AssertionError("unexpected refusal " + e.refusal().reason() + ": " + e.getMessage());
        }
      }
      assertEquals(1, pcsStalls.getCount(), "every request was answered while the PCS still stalled");
      assertEquals(4, deadline, "the 4 background fetches the pool allows");
      assertEquals(concurrent - 4, busy, "the rest refused at once, without a thread of their own");
    } finally {
      pcsStalls.countDown();
      clients.shutdownNow();
    }
  }

  @Test
  void collateralThePcsDoesNotHaveIsRememberedUntilTheTtl() throws Exception {
    // no fallback: the loopback PCS answers 404 for everything (an FMSPC it does not know)
    KeyReleaseService kms = service(fromPcs(), tdx.pinnedImage(OS_IMAGE)).unknownChipTtl(Duration.ofMinutes(5)).build();
    KeyReleaseException first = refused(kms, request(kms, q -> q));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, first.step(), first.getMessage());
    assertEquals(PcsReason.NOT_FOUND, first.refusal().reason(), first.getMessage());
    int calls = pcs.totalHits();
    assertTrue(calls >= 1);
    for (int i = 0; i < 5; i++) {
      KeyReleaseException e = refused(kms, request(kms, q -> q));
      assertEquals(PcsReason.NOT_FOUND, e.refusal().reason(), "the same reason as the PCS's own 404");
    }
    assertEquals(calls, pcs.totalHits(), "the negative cache answered");
    clock.advance(Duration.ofMinutes(6));
    refused(kms, request(kms, q -> q));
    assertTrue(pcs.totalHits() > calls, "asked again once the entry expired");
  }
}
