package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.kds.EndorsementVerifier;
import org.attest4j.snp.kds.KdsClient;
import org.attest4j.snp.kds.KdsReason;
import org.attest4j.testsupport.LoopbackServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 2: forged reports (random CHIP_ID, no VCEK in the request, so not signed by that
 * chip) against a loopback KDS that throttles, stalls or does not know the chip. Time is an
 * injected clock; nothing sleeps.
 */
class RequestPathEndorsementsTest {
  static final String CHAIN = "/vcek/v1/Genoa/cert_chain";

  final Fixture fx = new Fixture();
  final MutableClock clock = new MutableClock(fx.clock.instant());
  final LoopbackServer kds;

  RequestPathEndorsementsTest() throws Exception {
    kds = new LoopbackServer("fake-kds") {};
    kds.serve(CHAIN, Fixture.PLATFORM.certChainPem());
  }

  @AfterEach
  void stop() {
    kds.close();
  }

  static final class MutableClock extends Clock {
    final AtomicReference<Instant> now;

    MutableClock(Instant start) {
      now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  KdsClient client() {
    return KdsClient.builder()
        .baseUri(kds.baseUri())
        .clock(clock)
        .verifier(EndorsementVerifier.withAnchors(List.of(Fixture.PLATFORM.trustAnchor())))
        .circuitBreaker(Duration.ofSeconds(10))
        .build();
  }

  KeyReleaseService.Builder service() throws Exception {
    return fx.serviceBuilder(IdentityBinding.HOST_DATA)
        .snp(Fixture.PLATFORM.verifier(clock), client())
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build());
  }

  Fixture.Guest forger() throws Exception {
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    g.chipId = new byte[64];
    Fixture.RNG.nextBytes(g.chipId);
    g.sendVek = false;
    return g;
  }

  int vcekHits() {
    return kds.totalHits() - kds.hits(CHAIN);
  }

  @Test
  void aThrottlingKdsIsAskedAtMostOncePerBreakerWindowAndNoRequestWaits() throws Exception {
    kds.fallback(LoopbackServer.Answer.status(429, Map.of("Retry-After", "10")));
    KeyReleaseService kms = service().build();

    KeyReleaseException first = assertThrows(KeyReleaseException.class, () -> kms.release(forger().request(kms).build()));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, first.step());
    assertEquals(KdsReason.THROTTLED, first.refusal().reason());
    assertTrue(first.refusal().isRetryable(), "a throttled KDS gives a retryable refusal (503)");
    assertEquals(1, vcekHits(), "the 429 is not retried within the request");

    for (int i = 0; i < 20; i++) {
      KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(forger().request(kms).build()));
      assertEquals(KdsReason.THROTTLED, e.refusal().reason());
      EndorsementUnavailableException u = (EndorsementUnavailableException) e.refusal();
      assertTrue(u.retryAfter().isPresent() && u.retryAfter().get().toSeconds() <= 10, "retry-after is the time left");
      clock.advance(Duration.ofMillis(400));
    }
    assertEquals(1, vcekHits(), "no KDS call while the breaker is open");

    // a guest that sends its VCEK is served meanwhile (the chain is cached)
    Fixture.Guest honest = fx.new Guest(fx.fixedCmdline);
    honest.launchedConfig = forger().launchedConfig;
    assertEquals(fx.appId, kms.release(honest.request(kms).build()).bootInfo().appId());

    clock.advance(Duration.ofSeconds(3)); // 8 s + 3 s: the window has passed
    assertThrows(KeyReleaseException.class, () -> kms.release(forger().request(kms).build()));
    assertEquals(2, vcekHits(), "one KDS call in the next window");
    assertEquals(1, kds.hits(CHAIN));
  }

  @Test
  void aStallingKdsHoldsNoRequestPastTheDeadline() throws Exception {
    CountDownLatch kdsStalls = new CountDownLatch(1);
    kds.fallback(LoopbackServer.Answer.blockUntil(kdsStalls, new byte[0]));
    KeyReleaseService kms = service().endorsementDeadline(Duration.ofMillis(300)).build();
    try {
      KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(forger().request(kms).build()));
      assertEquals(KmsReason.ENDORSEMENT_DEADLINE, e.refusal().reason());
      assertTrue(e.refusal().isRetryable());
      assertEquals(1, kdsStalls.getCount(), "the request was answered while the KDS still stalled");
    } finally {
      kdsStalls.countDown();
    }
  }

  @Test
  void aChipTheKdsDoesNotKnowIsRememberedAndRefusedWithoutAskingAgain() throws Exception {
    KeyReleaseService kms = service().unknownChipTtl(Duration.ofMinutes(5)).build(); // 404 for every VCEK
    Fixture.Guest g = forger();
    KeyReleaseException first = assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
    assertEquals(KmsReason.UNKNOWN_CHIP, first.refusal().reason());
    assertTrue(first.refusal() instanceof VerificationException, "not retryable");
    assertEquals(1, vcekHits());
    for (int i = 0; i < 5; i++) {
      KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
      assertEquals(KmsReason.UNKNOWN_CHIP, e.refusal().reason());
    }
    assertEquals(1, vcekHits(), "the negative cache answered");
    clock.advance(Duration.ofMinutes(6));
    assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
    assertEquals(2, vcekHits(), "asked again once the entry expired");
  }

  @Test
  void cheapChecksRunBeforeAnyKdsCall() throws Exception {
    KeyReleaseService kms = service().build();
    Fixture.Guest g = forger();
    g.cmdline = fx.fixedCmdline + " init=/bin/sh";
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step());
    Fixture.Guest debug = forger();
    debug.debug = true;
    assertEquals(
        KeyReleaseStep.APPLY_POLICY,
        assertThrows(KeyReleaseException.class, () -> kms.release(debug.request(kms).build())).step());
    Fixture.Guest stale = forger();
    KeyReleaseRequest noNonceBinding = stale.request(kms).nonce(kms.issueNonce().nonce()).build();
    assertEquals(
        KeyReleaseStep.CHECK_FRESHNESS,
        assertThrows(KeyReleaseException.class, () -> kms.release(noNonceBinding)).step());
    assertEquals(0, kds.totalHits(), "no network call before every local check ran");
  }

  @Test
  void requireVekInRequestRefusesARequestWithoutOneBeforeTheNetwork() throws Exception {
    KeyReleaseService kms = service().requireVekInRequest().build();
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(forger().request(kms).build()));
    assertEquals(KmsReason.VEK_REQUIRED, e.refusal().reason());
    assertEquals(0, kds.totalHits());
  }
}
