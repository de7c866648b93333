package org.attest4j.tdx.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TcbStatus;
import org.attest4j.tdx.TdReport;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxReason;
import org.attest4j.tdx.TdxTrustAnchor;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.TdxVerifier;
import org.junit.jupiter.api.Test;

/** The simulated platform's quotes and collateral verify only against its own anchor, field by field. */
class SimulatedTdxPlatformTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final SimulatedTdxPlatform P = SimulatedTdxPlatform.builder().now(NOW).build();

  private static byte[] fill(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  void v4QuoteVerifiesUpToDateWithItsCollateral() throws Exception {
    byte[] rd = fill(64, 0x42);
    byte[] q = P.quoteBuilder().mrTd(fill(48, 0x7d)).reportData(rd).userData("hello".getBytes(StandardCharsets.US_ASCII)).build();
    TdxVerdict v = P.verifier(P.clockInsideValidity()).verify(q, P.collateral());
    assertEquals(TcbStatus.UP_TO_DATE, v.tcbStatus().orElseThrow());
    assertEquals(4, v.quote().version());
    assertEquals(Bytes.of(rd), v.quote().body().reportData());
    assertEquals(Bytes.of(fill(48, 0x7d)), v.quote().body().mrTd());
    assertEquals(Bytes.of(Arrays.copyOf("hello".getBytes(StandardCharsets.US_ASCII), 20)), v.quote().userData());
    assertEquals(P.fmspc(), v.pck().fmspc());
    TdxPolicy.strict().enforce(v);
  }

  @Test
  void v5Td10AndTd15QuotesVerify() throws Exception {
    TdxVerifier verifier = P.verifier(P.clockInsideValidity());
    TdxQuote v5td10 = TdxQuote.parse(P.quoteBuilder().version(5).build());
    assertEquals(5, v5td10.version());
    assertEquals(2, v5td10.bodyType());
    verifier.verify(v5td10, P.collateral());

    byte[] svc = fill(48, 0x5c);
    TdxQuote td15 = TdxQuote.parse(P.quoteBuilder().td15(true).teeTcbSvn2(fill(16, 1)).mrServiceTd(svc).build());
    assertEquals(3, td15.bodyType());
    assertEquals(TdReport.SIZE_TD15, td15.signedLength() - TdxQuote.HEADER_SIZE - 6);
    assertEquals(Bytes.of(svc), td15.body().mrServiceTd().orElseThrow());
    TdxVerdict v = verifier.verify(td15, P.collateral());
    // a non-zero mr_servicetd is refused by the strict policy unless allowed
    assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(v));
    TdxPolicy.builder().allowServiceTd(true).build().enforce(v);
  }

  @Test
  void rtmrsFromRuntimeEvents() throws Exception {
    List<DstackRuntimeEvent> events = List.of(
        DstackRuntimeEvent.of("app-id", Bytes.of(fill(20, 1))),
        DstackRuntimeEvent.of("compose-hash", Bytes.of(fill(32, 2))));
    TdxQuote q = TdxQuote.parse(P.quoteBuilder().rtmr(0, fill(48, 9)).rtmr3From(events).build());
    assertEquals(DstackRuntimeEvent.replay(events), q.body().rtmr(3));
    assertEquals(Bytes.of(fill(48, 9)), q.body().rtmr(0));
  }

  @Test
  void intelAnchoredVerifierRefusesTheSimulatedRoot() throws Exception {
    byte[] q = P.quoteBuilder().build();
    VerificationException e = assertThrows(VerificationException.class,
        () -> TdxVerifier.create().verify(TdxQuote.parse(q), P.collateral(), NOW));
    assertEquals(TdxReason.UNTRUSTED_ROOT, e.reason());
    assertFalse(P.trustAnchor().isIntelRoot());
    assertEquals(P.trustAnchor(), TdxTrustAnchor.ofCertificate(P.rootCertificatePem().getBytes(StandardCharsets.US_ASCII)));
    assertTrue(P.pckCertChainPem().contains("BEGIN CERTIFICATE"));
    SimulatedTdxPlatform other = SimulatedTdxPlatform.builder().now(NOW).build();
    VerificationException e2 = assertThrows(VerificationException.class,
        () -> other.verifier(other.clockInsideValidity()).verify(q, P.collateral()));
    assertEquals(TdxReason.UNTRUSTED_ROOT, e2.reason());
  }

  @Test
  void collateralKnobs() throws Exception {
    TdxVerifier verifier = P.verifier(P.clockInsideValidity());
    byte[] q = P.quoteBuilder().build();
    TdxVerdict ood = verifier.verify(q, P.collateralBuilder().platformStatus(TcbStatus.OUT_OF_DATE).advisoryIds("INTEL-SA-01234").build());
    assertEquals(TcbStatus.OUT_OF_DATE, ood.tcbStatus().orElseThrow());
    assertEquals(List.of("INTEL-SA-01234"), ood.advisoryIds());
    assertEquals(TcbStatus.OUT_OF_DATE, verifier.verify(q, P.collateralBuilder().tdxModuleStatus(TcbStatus.OUT_OF_DATE).build()).tcbStatus().orElseThrow());
    assertEquals(TcbStatus.SW_HARDENING_NEEDED, verifier.verify(q, P.collateralBuilder().qeStatus(TcbStatus.SW_HARDENING_NEEDED).build()).tcbStatus().orElseThrow());
    assertEquals(TdxReason.TCB_REVOKED, refused(verifier, q, P.collateralBuilder().platformStatus(TcbStatus.REVOKED).build()));
    assertEquals(TdxReason.CERT_REVOKED, refused(verifier, q, P.collateralBuilder().revokePck().build()));
    assertEquals(TdxReason.CERT_REVOKED, refused(verifier, q, P.collateralBuilder().revokePckCa().build()));
    assertEquals(TdxReason.FMSPC_MISMATCH,
        refused(verifier, q, P.collateralBuilder().tcbInfoFmspc(Bytes.of(HexFormat.of().parseHex("00606a000000"))).build()));
    TdxCollateral future = P.collateralBuilder().validity(NOW.plus(1, ChronoUnit.DAYS), NOW.plus(30, ChronoUnit.DAYS)).build();
    assertEquals(TdxReason.COLLATERAL_NOT_YET_VALID, refused(verifier, q, future));
    TdxCollateral past = P.collateralBuilder().validity(NOW.minus(30, ChronoUnit.DAYS), NOW.minus(1, ChronoUnit.DAYS)).build();
    assertEquals(TdxReason.COLLATERAL_EXPIRED, refused(verifier, q, past));
  }

  @Test
  void platformKnobsAndPolicyRefusals() throws Exception {
    SimulatedTdxPlatform old = SimulatedTdxPlatform.builder().now(NOW)
        .cpuSvn(new byte[] {2, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0}).pceSvn(11)
        .fmspc(Bytes.of(HexFormat.of().parseHex("b0c06f000000"))).build();
    TdxVerdict v = old.verifier(old.clockInsideValidity()).verify(old.quoteBuilder().build(), old.collateral());
    assertEquals("b0c06f000000", v.pck().fmspc().toHex());
    assertEquals(11, v.pck().pceSvn());

    TdxVerifier verifier = P.verifier(P.clockInsideValidity());
    TdxVerdict debug = verifier.verify(P.quoteBuilder().tdAttributes(1L | (1L << 28)).build(), P.collateral());
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(debug));
    assertEquals(TdxReason.DEBUG_TD, e.reason());
    TdxVerdict noSept = verifier.verify(P.quoteBuilder().tdAttributes(0).build(), P.collateral());
    assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(noSept));
    TdxPolicy.builder().requireSeptVeDisable(false).build().enforce(noSept);
  }

  @Test
  void tamperedQuoteIsRefused() throws Exception {
    byte[] q = P.quoteBuilder().reportData(fill(64, 1)).build();
    q[TdxQuote.HEADER_SIZE + 520] ^= 1; // report_data
    assertEquals(TdxReason.QUOTE_SIGNATURE_INVALID, refused(P.verifier(P.clockInsideValidity()), q, P.collateral()));
  }

  @Test
  void builderRejectsWrongSizes() {
    assertThrows(IllegalArgumentException.class, () -> P.quoteBuilder().mrTd(new byte[47]));
    assertThrows(IllegalArgumentException.class, () -> P.quoteBuilder().reportData(new byte[65]));
    assertThrows(IllegalArgumentException.class, () -> P.quoteBuilder().version(3));
    assertThrows(IllegalArgumentException.class, () -> SimulatedTdxPlatform.builder().fmspc(Bytes.of(new byte[5])));
    assertArrayEquals(P.rootCertificateDer(), P.rootCertificateDer());
  }

  private static TdxReason refused(TdxVerifier v, byte[] q, TdxCollateral c) {
    VerificationException e = assertThrows(VerificationException.class, () -> v.verify(q, c));
    return (TdxReason) e.reason();
  }
}
