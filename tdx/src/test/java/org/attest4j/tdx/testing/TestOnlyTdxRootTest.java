package org.attest4j.tdx.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.TcbStatus;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxReason;
import org.attest4j.tdx.TdxTrustAnchor;
import org.attest4j.tdx.TdxVerifier;
import org.junit.jupiter.api.Test;

/**
 * Test-only platforms made at different times and in different processes share one PKI: a quote of
 * one verifies with another's root certificate and long-lived collateral; a generated platform's
 * quote does not.
 */
class TestOnlyTdxRootTest {
  private static final Instant THEN = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

  @Test
  void quotesOfOneTestOnlyPlatformVerifyWithAnothersRootAndCollateral() throws Exception {
    SimulatedTdxPlatform kmsSide = SimulatedTdxPlatform.builder().testOnlyRoot().now(THEN).build();
    SimulatedTdxPlatform guest = SimulatedTdxPlatform.builder().testOnlyRoot().now(NOW).build();
    assertEquals(kmsSide.trustAnchor().spkiSha256(), guest.trustAnchor().spkiSha256());
    assertNotEquals(kmsSide.pckSerial(), guest.pckSerial());

    TdxCollateral longLived = TdxCollateral.fromQuoteCollateralJson(kmsSide.collateralBuilder()
        .validity(THEN, THEN.plus(20 * 365, ChronoUnit.DAYS)).build().toQuoteCollateralJson()
        .getBytes(StandardCharsets.UTF_8));
    TdxVerifier verifier = TdxVerifier.builder()
        .trustAnchor(TdxTrustAnchor.ofCertificate(
            kmsSide.rootCertificatePem().getBytes(StandardCharsets.US_ASCII)))
        .build();
    byte[] quote = guest.quoteBuilder().reportData(new byte[64]).build();
    assertEquals(TcbStatus.UP_TO_DATE,
        verifier.verify(org.attest4j.tdx.TdxQuote.parse(quote), longLived, NOW).tcbStatus().orElseThrow());

    byte[] generated = SimulatedTdxPlatform.builder().now(NOW).build().quoteBuilder().build();
    VerificationException e = assertThrows(VerificationException.class,
        () -> verifier.verify(org.attest4j.tdx.TdxQuote.parse(generated), longLived, NOW));
    assertEquals(TdxReason.UNTRUSTED_ROOT, e.reason(), e.getMessage());
  }
}
