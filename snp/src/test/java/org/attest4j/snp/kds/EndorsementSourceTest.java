package org.attest4j.snp.kds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.VerifiedSnpReport;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sources composed in front of the verifier, end to end with real and simulated reports. */
class EndorsementSourceTest {
  static SimulatedSnpPlatform sim;

  FakeKds kds;
  RecordingSleeper sleeper = new RecordingSleeper();
  @TempDir Path cacheDir;

  @BeforeAll
  static void platform() {
    sim = SimulatedSnpPlatform.create(Product.GENOA);
  }

  @BeforeEach
  void start() throws Exception {
    kds = new FakeKds();
  }

  @AfterEach
  void stop() {
    kds.close();
  }

  @Test
  void realReportVerifiesWithCertificatesFetchedFromKds() throws Exception {
    byte[] report = SharedData.bytes("vectors/snp-reports/milan-v3-oak-cb/report.bin");
    kds.serve("/vcek/v1/Milan/cert_chain", SharedData.bytes("amd-roots/milan_vcek_cert_chain.pem"));
    KdsClient c =
        KdsClient.builder().baseUri(kds.baseUri()).clock(KdsClientTest.NOW).sleeper(sleeper)
            .cacheDirectory(cacheDir).build();
    SnpReport parsed = SnpReport.parse(report);
    EndorsementQuery q = EndorsementQuery.forReport(parsed);
    URI u = c.vcekUri(q.product(), q.hwId(), q.reportedTcb());
    kds.serve(u.getRawPath() + "?" + u.getRawQuery(),
        SharedData.bytes("vectors/snp-reports/milan-v3-oak-cb/vcek.der"));

    Endorsements e = c.require(q);
    VerifiedSnpReport v =
        SnpVerifier.builder().clock(KdsClientTest.NOW).build().verify(parsed, e.toVcekChain());
    assertEquals(Product.MILAN, v.product());
    assertEquals(SigningKey.VCEK, v.signingKey());
  }

  @Test
  void v2ReportsNeedTheProduct() throws Exception {
    SnpReport v2 = SnpReport.parse(SharedData.bytes("vectors/snp-reports/milan-v2-gsg/report.bin"));
    assertThrows(MalformedEvidenceException.class, () -> EndorsementQuery.forReport(v2));
    assertEquals(Product.MILAN, EndorsementQuery.forReport(v2, Product.MILAN).product());
  }

  @Test
  void certificateTableSuppliesEverythingWithoutTheNetwork() throws Exception {
    Clock clock = sim.clockInsideValidity();
    byte[] report = sim.reportBuilder().sign();
    SnpReport parsed = SnpReport.parse(report);
    SnpCertTable table = SnpCertTable.parse(sim.certTable());
    KdsClient c =
        KdsClient.builder().baseUri(kds.baseUri()).clock(clock).sleeper(sleeper)
            .verifier(EndorsementVerifier.withAnchors(List.of(sim.trustAnchor()))).build();
    EndorsementSource source = EndorsementSource.firstOf(EndorsementSource.fromCertificateTable(table), c);
    Endorsements e = source.require(EndorsementQuery.forReport(parsed));
    assertEquals(EndorsementOrigin.CERTIFICATE_TABLE, e.vekOrigin().orElseThrow());
    assertEquals(EndorsementOrigin.CERTIFICATE_TABLE, e.chainOrigin().orElseThrow());
    assertEquals(0, kds.totalHits());
    assertEquals(Product.GENOA, sim.verifier(clock).verify(parsed, e.toVcekChain()).product());
  }

  @Test
  void certificateTableEntriesMayBePemOrPaddedDerUnderEitherGuidOrder() throws Exception {
    Clock clock = sim.clockInsideValidity();
    SnpReport parsed = SnpReport.parse(sim.reportBuilder().sign());
    byte[] paddedAsk = java.util.Arrays.copyOf(sim.askDer(), sim.askDer().length + 64);
    for (org.attest4j.testsupport.SnpCertTableBytes b : List.of(
        org.attest4j.testsupport.SnpCertTableBytes.bigEndian(), org.attest4j.testsupport.SnpCertTableBytes.mixedEndian())) {
      byte[] bytes = b.addPem(org.attest4j.testsupport.SnpCertTableBytes.VCEK, sim.vcekDer())
          .add(org.attest4j.testsupport.SnpCertTableBytes.ASK, paddedAsk)
          .addPem(org.attest4j.testsupport.SnpCertTableBytes.ARK, sim.arkDer())
          .build();
      Endorsements e = EndorsementSource.fromCertificateTable(SnpCertTable.parse(bytes))
          .require(EndorsementQuery.forReport(parsed));
      assertArrayEquals(sim.vcekDer(), e.vek().orElseThrow().getEncoded());
      assertArrayEquals(sim.askDer(), e.chain().get(0).getEncoded());
      assertEquals(Product.GENOA, sim.verifier(clock).verify(parsed, e.toVcekChain()).product());
    }
  }

  @Test
  void aTableWithOnlyTheVcekGetsTheChainFromKds() throws Exception {
    Clock clock = sim.clockInsideValidity();
    SnpReport parsed = SnpReport.parse(sim.reportBuilder().sign());
    SnpCertTable onlyVcek =
        SnpCertTable.of(
            List.of(
                new SnpCertTable.Entry(
                    SnpCertTable.EntryType.VCEK.guid(), SnpCertTable.EntryType.VCEK, Bytes.of(sim.vcekDer()))));
    kds.serve("/vcek/v1/Genoa/cert_chain", sim.certChainPem());
    KdsClient c =
        KdsClient.builder().baseUri(kds.baseUri()).clock(clock).sleeper(sleeper)
            .verifier(EndorsementVerifier.withAnchors(List.of(sim.trustAnchor()))).build();
    Endorsements e =
        EndorsementSource.firstOf(EndorsementSource.fromCertificateTable(onlyVcek), c)
            .require(EndorsementQuery.forReport(parsed));
    assertEquals(EndorsementOrigin.CERTIFICATE_TABLE, e.vekOrigin().orElseThrow());
    assertEquals(EndorsementOrigin.KDS, e.chainOrigin().orElseThrow());
    sim.verifier(clock).verify(parsed, e.toVcekChain());
  }

  @Test
  void simulatedRootsAreRefusedUnlessTrusted() {
    kds.serve("/vcek/v1/Genoa/cert_chain", sim.certChainPem());
    KdsClient amdOnly =
        KdsClient.builder().baseUri(kds.baseUri()).clock(sim.clockInsideValidity()).sleeper(sleeper).build();
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> amdOnly.certChain(Product.GENOA, SigningKey.VCEK));
    assertEquals(KdsReason.UNTRUSTED_RESPONSE, e.reason());
  }

  // ---------------------------------------------------------------- CRLs

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void crlsAreVerifiedAndKeptOnlyUntilNextUpdate() throws Exception {
    Instant t0 = sim.clockInsideValidity().instant();
    MutableClock clock = new MutableClock(t0);
    byte[] crl1 = sim.crlDer(t0.minusSeconds(60), t0.plus(Duration.ofHours(1)));
    byte[] crl2 = sim.crlDer(t0.plus(Duration.ofHours(1)), t0.plus(Duration.ofHours(25)), BigInteger.TEN);
    kds.serve("/vcek/v1/Genoa/cert_chain", sim.certChainPem());
    kds.then("/vcek/v1/Genoa/crl", FakeKds.Answer.body(crl1));
    kds.serve("/vcek/v1/Genoa/crl", crl2);
    KdsClient c =
        KdsClient.builder().baseUri(kds.baseUri()).clock(clock).sleeper(sleeper).cacheDirectory(cacheDir)
            .verifier(EndorsementVerifier.withAnchors(List.of(sim.trustAnchor()))).build();

    X509CRL first = c.crl(Product.GENOA, SigningKey.VCEK);
    assertArrayEquals(crl1, first.getEncoded());
    c.crl(Product.GENOA, SigningKey.VCEK);
    assertEquals(1, kds.hits("/vcek/v1/Genoa/crl"));

    // a restarted client reads it from disk while it is fresh
    KdsClient restarted =
        KdsClient.builder().baseUri(kds.baseUri()).clock(clock).sleeper(sleeper).cacheDirectory(cacheDir)
            .verifier(EndorsementVerifier.withAnchors(List.of(sim.trustAnchor()))).offline(true).build();
    assertArrayEquals(crl1, restarted.crl(Product.GENOA, SigningKey.VCEK).getEncoded());

    // after nextUpdate the cached CRL is dropped: offline it is unavailable, online it is refetched
    clock.now = t0.plus(Duration.ofHours(2));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> restarted.crl(Product.GENOA, SigningKey.VCEK));
    assertEquals(KdsReason.OFFLINE_CACHE_MISS, e.reason());
    X509CRL second = c.crl(Product.GENOA, SigningKey.VCEK);
    assertArrayEquals(crl2, second.getEncoded());
    assertTrue(second.getRevokedCertificate(BigInteger.TEN) != null);
    assertEquals(2, kds.hits("/vcek/v1/Genoa/crl"));
  }

  @Test
  void staleOrForeignCrlsAreRefused() throws Exception {
    Instant t0 = sim.clockInsideValidity().instant();
    Clock clock = Clock.fixed(t0, ZoneId.of("UTC"));
    kds.serve("/vcek/v1/Genoa/cert_chain", sim.certChainPem());
    kds.serve("/vcek/v1/Genoa/crl", sim.crlDer(t0.minus(Duration.ofDays(2)), t0.minus(Duration.ofDays(1))));
    KdsClient c =
        KdsClient.builder().baseUri(kds.baseUri()).clock(clock).sleeper(sleeper).cacheDirectory(cacheDir)
            .verifier(EndorsementVerifier.withAnchors(List.of(sim.trustAnchor()))).build();
    EndorsementUnavailableException stale =
        assertThrows(EndorsementUnavailableException.class, () -> c.crl(Product.GENOA, SigningKey.VCEK));
    assertEquals(KdsReason.CRL_EXPIRED, stale.reason());

    SimulatedSnpPlatform other = SimulatedSnpPlatform.builder(Product.GENOA).build();
    kds.serve("/vcek/v1/Genoa/crl", other.crlDer(t0.minusSeconds(10), t0.plus(Duration.ofDays(1))));
    EndorsementUnavailableException foreign =
        assertThrows(EndorsementUnavailableException.class, () -> c.crl(Product.GENOA, SigningKey.VCEK));
    assertEquals(KdsReason.UNTRUSTED_RESPONSE, foreign.reason());
  }

  @Test
  void queriesAskingForTheCrlGetIt() throws Exception {
    Instant t0 = sim.clockInsideValidity().instant();
    Clock clock = Clock.fixed(t0, ZoneId.of("UTC"));
    SnpReport parsed = SnpReport.parse(sim.reportBuilder().sign());
    kds.serve("/vcek/v1/Genoa/cert_chain", sim.certChainPem());
    kds.serve("/vcek/v1/Genoa/crl", sim.crlDer(t0.minusSeconds(10), t0.plus(Duration.ofDays(1))));
    KdsClient c =
        KdsClient.builder().baseUri(kds.baseUri()).clock(clock).sleeper(sleeper)
            .verifier(EndorsementVerifier.withAnchors(List.of(sim.trustAnchor()))).build();
    Endorsements e =
        EndorsementSource.firstOf(EndorsementSource.fromCertificateTable(SnpCertTable.parse(sim.certTable())), c)
            .require(EndorsementQuery.forReport(parsed).withCrl());
    assertEquals(EndorsementOrigin.KDS, e.crlOrigin().orElseThrow());
  }
}
