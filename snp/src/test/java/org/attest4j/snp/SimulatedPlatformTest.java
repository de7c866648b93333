package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The simulated platform produces evidence the verifier accepts only when its root is trusted. */
class SimulatedPlatformTest {
  private static final Map<Product, SimulatedSnpPlatform> PLATFORMS = new EnumMap<>(Product.class);

  static synchronized SimulatedSnpPlatform platform(Product p) {
    return PLATFORMS.computeIfAbsent(p, SimulatedSnpPlatform::create);
  }

  static synchronized SimulatedSnpPlatform vlekPlatform() {
    return VLEK.get();
  }

  private static final java.util.function.Supplier<SimulatedSnpPlatform> VLEK = new java.util.function.Supplier<>() {
    SimulatedSnpPlatform p;

    @Override
    public synchronized SimulatedSnpPlatform get() {
      if (p == null) {
        p = SimulatedSnpPlatform.builder(Product.MILAN).signingKey(SigningKey.VLEK).cspId("CN=test-csp").build();
      }
      return p;
    }
  };

  @ParameterizedTest
  @EnumSource(Product.class)
  void signedReportVerifiesWithExplicitRoot(Product product) throws Exception {
    SimulatedSnpPlatform p = platform(product);
    byte[] m = new byte[48];
    m[0] = 7;
    byte[] report = p.reportBuilder().measurement(m).reportData(new byte[] {1, 2, 3}).sign();
    VerifiedSnpReport v = p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem());
    assertEquals(product, v.product());
    assertEquals(ProductSource.CPUID, v.productSource());
    assertEquals(SigningKey.VCEK, v.signingKey());
    assertEquals(p.tcb(), v.report().reportedTcb());
    assertEquals(7, v.report().measurement().get(0));
    assertEquals(3, v.report().reportData().get(2));
    assertFalse(v.trustAnchor().isAmdRoot());
    // hwID length follows the product
    assertEquals(product.hwIdLength(), v.vek().hwId().orElseThrow().length());
  }

  @Test
  void simulatedRootIsNotTrustedByDefault() {
    SimulatedSnpPlatform p = platform(Product.GENOA);
    byte[] report = p.reportBuilder().sign();
    VerificationException e = assertThrows(VerificationException.class,
        () -> SnpVerifier.builder().clock(p.clockInsideValidity()).build().verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.UNTRUSTED_ROOT, e.reason());
  }

  @Test
  void v2ReportTakesProductFromCertificate() throws Exception {
    SimulatedSnpPlatform p = platform(Product.GENOA);
    byte[] report = p.reportBuilder().version(2).sign();
    VerifiedSnpReport v = p.verifier(p.clockInsideValidity()).verify(report, p.vekPem(), p.certChainPem());
    assertEquals(ProductSource.CERTIFICATE, v.productSource());
    assertEquals(Product.GENOA, v.product());
    assertFalse(SnpReport.parse(report).product().isPresent());
  }

  @Test
  void productFromCpuidCertificateOrCallerElseFailClosed() throws Exception {
    SimulatedSnpPlatform p = platform(Product.TURIN);
    Clock clock = p.clockInsideValidity();
    // all-zero CPUID in a v3 report: like v2, the pinned chain names the product
    byte[] zero = p.reportBuilder().version(3).cpuid(0, 0, 0).sign();
    VerifiedSnpReport v = p.verifier(clock).verify(zero, p.vekDer(), p.certChainPem());
    assertEquals(Product.TURIN, v.product());
    assertEquals(ProductSource.CERTIFICATE, v.productSource());
    // a CPUID this library does not know (Venice) fails closed ...
    byte[] venice = p.reportBuilder().cpuid(0x1A, 0x50, 0).sign();
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifier(clock).verify(venice, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.UNKNOWN_PRODUCT, e.reason());
    // ... unless the caller names the product
    v = p.verifierBuilder().clock(clock).product(Product.TURIN).build().verify(venice, p.vekDer(), p.certChainPem());
    assertEquals(ProductSource.CALLER, v.productSource());
    // a signed CPUID that contradicts the chain is refused
    byte[] milanCpuid = p.reportBuilder().cpuid(0x19, 0x01, 1).sign();
    e = assertThrows(VerificationException.class, () -> p.verifier(clock).verify(milanCpuid, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.PRODUCT_MISMATCH, e.reason());
  }

  @Test
  void cacheMakesSecondVerificationReuseChain() throws Exception {
    SimulatedSnpPlatform p = platform(Product.MILAN);
    SnpVerifier verifier = p.verifier(p.clockInsideValidity());
    VerifiedSnpReport a = verifier.verify(p.reportBuilder().sign(), p.vekDer(), p.certChainPem());
    VerifiedSnpReport b = verifier.verify(p.reportBuilder().guestSvn(2).sign(), p.vekDer(), p.certChainPem());
    assertFalse(a.chainFromCache());
    assertTrue(b.chainFromCache());
    // a cached chain is still checked against the clock
    SnpVerifier late = p.verifierBuilder().clock(Clock.fixed(p.notAfter().plusSeconds(1), ZoneOffset.UTC)).build();
    VerificationException e = assertThrows(VerificationException.class,
        () -> late.verify(p.reportBuilder().sign(), p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CERTIFICATE_EXPIRED, e.reason());
  }

  @Test
  void newVcekUnderCachedAskVerifiesAndIsNotServedFromChainCache() throws Exception {
    SimulatedSnpPlatform p = platform(Product.TURIN);
    SnpVerifier v = p.verifier(p.clockInsideValidity());
    v.verify(p.reportBuilder().sign(), p.vekDer(), p.certChainPem());
    TcbVersion newer = TcbVersion.builder(Product.TURIN).fmc(1).bootloader(2).tee(1).snp(5).microcode(90).build();
    SimulatedSnpPlatform updated = p.withTcb(newer);
    VerifiedSnpReport r = v.verify(updated.reportBuilder().sign(), updated.vekDer(), updated.certChainPem());
    assertFalse(r.chainFromCache());
    assertEquals(newer, r.report().reportedTcb());
    // the old VCEK does not vouch for a report at the new TCB, even with everything cached
    VerificationException e = assertThrows(VerificationException.class,
        () -> v.verify(updated.reportBuilder().sign(), p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.BAD_REPORT_SIGNATURE, e.reason());
  }

  @Test
  void tamperedReportIsRejected() throws Exception {
    SimulatedSnpPlatform p = platform(Product.TURIN);
    byte[] report = p.reportBuilder().sign();
    report[0x90] ^= 1;
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.BAD_REPORT_SIGNATURE, e.reason());
  }

  @Test
  void reportedTcbMustMatchVcek() throws Exception {
    SimulatedSnpPlatform p = platform(Product.TURIN);
    TcbVersion other = TcbVersion.builder(Product.TURIN).fmc(1).bootloader(1).tee(1).snp(3).microcode(82).build();
    byte[] report = p.reportBuilder().reportedTcb(other).sign();
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.TCB_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("snp=4 vs 3"), e.getMessage());
    // after a "firmware update" the platform's new VCEK matches
    SimulatedSnpPlatform updated = p.withTcb(other);
    byte[] r2 = updated.reportBuilder().sign();
    assertEquals(other, p.verifier(p.clockInsideValidity()).verify(r2, updated.vekDer(), updated.certChainPem())
        .report().reportedTcb());
  }

  @Test
  void chipIdMustMatchHwId() {
    SimulatedSnpPlatform p = platform(Product.MILAN);
    byte[] chip = p.chipId().toByteArray();
    chip[5] ^= 1;
    byte[] report = p.reportBuilder().chipId(chip).sign();
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CHIP_ID_MISMATCH, e.reason());
  }

  @Test
  void turinChipIdTailMustBeZero() {
    SimulatedSnpPlatform p = platform(Product.TURIN);
    byte[] chip = p.chipId().toByteArray();
    chip[40] = 1;
    byte[] report = p.reportBuilder().chipId(chip).sign();
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CHIP_ID_MISMATCH, e.reason());
  }

  @Test
  void maskedChipIdStillVerifies() throws Exception {
    SimulatedSnpPlatform p = platform(Product.GENOA);
    byte[] report = p.reportBuilder().chipId(new byte[64]).sign();
    assertTrue(p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem()).report().chipId().isZero());
  }

  @Test
  void maskChipKeyReportIsUnsigned() {
    SimulatedSnpPlatform p = platform(Product.GENOA);
    byte[] report = p.reportBuilder().maskChipKey(true).sign();
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.UNSIGNED_REPORT, e.reason());
  }

  @Test
  void vlekChainsThroughAsvkAndExposesCspId() throws Exception {
    SimulatedSnpPlatform p = vlekPlatform();
    byte[] report = p.reportBuilder().sign();
    VerifiedSnpReport v = p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem());
    assertEquals(SigningKey.VLEK, v.signingKey());
    assertEquals("CN=test-csp", v.cspId().orElseThrow());
    assertEquals("SEV-VLEK-Milan", v.ask().subjectCn());
  }

  @Test
  void vcekReportWithVlekCertificateIsRejected() {
    SimulatedSnpPlatform vcek = platform(Product.MILAN);
    SimulatedSnpPlatform vlek = vlekPlatform();
    byte[] report = vcek.reportBuilder().sign();
    SnpVerifier v = SnpVerifier.builder().trustAmdRoots(false).addTrustAnchor(vlek.trustAnchor())
        .clock(vlek.clockInsideValidity()).build();
    VerificationException e = assertThrows(VerificationException.class,
        () -> v.verify(report, vlek.vekDer(), vlek.certChainPem()));
    assertEquals(SnpReason.SIGNING_KEY_MISMATCH, e.reason());
  }

  @Test
  void certTableRoundTripsAndVerifies() throws Exception {
    SimulatedSnpPlatform p = platform(Product.GENOA);
    SnpCertTable t = SnpCertTable.parse(p.certTable());
    assertArrayEquals(p.vekDer(), t.vcek().orElseThrow().toByteArray());
    assertArrayEquals(p.askDer(), t.ask().orElseThrow().toByteArray());
    assertArrayEquals(p.arkDer(), t.ark().orElseThrow().toByteArray());
    assertFalse(t.vlek().isPresent());
    SnpReport r = SnpReport.parse(p.reportBuilder().sign());
    assertEquals(Product.GENOA, p.verifier(p.clockInsideValidity()).verify(r, t).product());
  }

  @Test
  void crlWindowSignatureAndRevocation() throws Exception {
    SimulatedSnpPlatform p = platform(Product.MILAN);
    Clock clock = p.clockInsideValidity();
    Instant now = clock.instant();
    byte[] report = p.reportBuilder().sign();
    byte[] good = p.crlDer(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)));
    assertEquals(Product.MILAN, p.verifierBuilder().clock(clock).addCrl(good).requireCrl(true).build()
        .verify(report, p.vekDer(), p.certChainPem()).product());
    byte[] revoked = p.crlDer(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)), p.askSerial());
    VerificationException e = assertThrows(VerificationException.class,
        () -> p.verifierBuilder().clock(clock).addCrl(revoked).build().verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CERTIFICATE_REVOKED, e.reason());
    byte[] stale = p.crlDer(now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(1)));
    e = assertThrows(VerificationException.class,
        () -> p.verifierBuilder().clock(clock).addCrl(stale).build().verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CRL_INVALID, e.reason());
    // a CRL signed by another ARK with the same name is not accepted
    SimulatedSnpPlatform other = vlekPlatform(); // another ARK-Milan with its own key
    byte[] forged = other.crlDer(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)));
    e = assertThrows(VerificationException.class,
        () -> p.verifierBuilder().clock(clock).addCrl(forged).build().verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CRL_INVALID, e.reason());
    // required but absent
    e = assertThrows(VerificationException.class,
        () -> p.verifierBuilder().clock(clock).requireCrl(true).build().verify(report, p.vekDer(), p.certChainPem()));
    assertEquals(SnpReason.CRL_INVALID, e.reason());
    // PEM form
    String pem = "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder().encodeToString(good) + "\n-----END X509 CRL-----\n";
    assertEquals(Product.MILAN, p.verifierBuilder().clock(clock).addCrl(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .requireCrl(true).build().verify(report, p.vekDer(), p.certChainPem()).product());
  }
}
