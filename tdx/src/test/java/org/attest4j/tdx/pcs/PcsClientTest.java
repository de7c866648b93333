package org.attest4j.tdx.pcs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PCS client against a loopback PCS serving real Intel collateral from the shared vectors. */
class PcsClientTest {
  static final String V = "vectors/tdx/dcapqvl-v4-b0c06f-uptodate/";
  static final String FMSPC = "B0C06F000000";

  FakePcs pcs;
  RecordingSleeper sleeper = new RecordingSleeper();
  @TempDir Path cacheDir;
  Clock at;
  byte[] tcbBody;
  byte[] qeBody;

  @BeforeEach
  void start() throws Exception {
    pcs = new FakePcs();
    JsonObject meta = SharedData.json(V + "meta.json").getAsJsonObject();
    at = Clock.fixed(Instant.ofEpochSecond(meta.get("verification_time").getAsLong()), ZoneOffset.UTC);
    tcbBody = body("tcbInfo", "tcb_info.json", "tcb_info.sig.hex");
    qeBody = body("enclaveIdentity", "qe_identity.json", "qe_identity.sig.hex");
    pcs.serve("/tdx/certification/v4/tcb?fmspc=" + FMSPC + "&update=standard", tcbBody,
        Map.of("TCB-Info-Issuer-Chain", pct(SharedData.text(V + "tcb_info_issuer_chain.pem"))));
    pcs.serve("/tdx/certification/v4/qe/identity?update=standard", qeBody,
        Map.of("SGX-Enclave-Identity-Issuer-Chain", pct(SharedData.text(V + "qe_identity_issuer_chain.pem"))));
    pcs.serve("/sgx/certification/v4/pckcrl?ca=platform&encoding=der", SharedData.bytes(V + "pck_crl.der"),
        Map.of("SGX-PCK-CRL-Issuer-Chain", pct(SharedData.text(V + "pck_crl_issuer_chain.pem"))));
    // a PCCS serves the root CA CRL as hex
    pcs.serve("/sgx/certification/v4/rootcacrl",
        HexFormat.of().formatHex(SharedData.bytes(V + "root_ca_crl.der")).getBytes(StandardCharsets.US_ASCII));
  }

  @AfterEach
  void stop() {
    pcs.close();
  }

  /** The PCS response body: the exact signed JSON bytes wrapped with the signature. */
  static byte[] body(String field, String jsonFile, String sigFile) {
    String json = new String(SharedData.bytes(V + jsonFile), StandardCharsets.UTF_8);
    String sig = SharedData.text(V + sigFile).trim();
    return ("{\"" + field + "\":" + json + ",\"signature\":\"" + sig + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** Percent-encodes every byte but the unreserved characters, as Intel's headers do. */
  static String pct(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' || c == '~') {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }

  PcsClient.Builder client() {
    return PcsClient.builder()
        .baseUri(pcs.baseUri())
        .clock(at)
        .sleeper(sleeper)
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8));
  }

  @Test
  void urlsFollowThePcsV4Api() {
    PcsClient intel = PcsClient.builder().build();
    assertEquals("https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=B0C06F000000&update=early",
        intel.tcbInfoUri("b0c06f000000", PcsClient.UpdateType.EARLY).toString());
    assertEquals("https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=B0C06F000000&tcbEvaluationDataNumber=17",
        intel.tcbInfoUri(FMSPC, 17).toString());
    assertEquals("https://api.trustedservices.intel.com/tdx/certification/v4/qe/identity?update=standard",
        intel.qeIdentityUri(PcsClient.UpdateType.STANDARD).toString());
    assertEquals("https://api.trustedservices.intel.com/tdx/certification/v4/qe/identity?tcbEvaluationDataNumber=18",
        intel.qeIdentityUri(18).toString());
    assertEquals("https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=processor&encoding=der",
        intel.pckCrlUri(PcsClient.PckCa.PROCESSOR).toString());
    assertEquals(PcsClient.INTEL_ROOT_CA_CRL_URI, intel.rootCaCrlUri());
    PcsClient pccs = PcsClient.builder().baseUri("https://pccs.local:8081/sgx/certification/v4/").build();
    assertEquals("https://pccs.local:8081/sgx/certification/v4/rootcacrl", pccs.rootCaCrlUri().toString());
    assertEquals("https://pccs.local:8081/tdx/certification/v4/qe/identity?update=early",
        pccs.qeIdentityUri(PcsClient.UpdateType.EARLY).toString());
    assertThrows(IllegalArgumentException.class, () -> intel.tcbInfoUri("B0C06F", PcsClient.UpdateType.STANDARD));
  }

  @Test
  void fetchesVerifiedCollateralThatVerifiesTheQuote() throws Exception {
    PcsClient c = client().build();
    SignedCollateral tcb = c.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD);
    assertArrayEquals(SharedData.bytes(V + "tcb_info.json"), tcb.json());
    assertEquals(17, tcb.tcbEvaluationDataNumber());
    TdxCollateral collateral = c.collateral(FMSPC, PcsClient.PckCa.PLATFORM, PcsClient.UpdateType.STANDARD);
    assertArrayEquals(SharedData.bytes(V + "root_ca_crl.der"), collateral.rootCaCrlDer().toByteArray());
    TdxVerdict verdict =
        TdxVerifier.builder().clock(at).build().verify(SharedData.bytes(V + "quote.bin"), collateral);
    assertEquals(org.attest4j.tdx.TcbStatus.UP_TO_DATE, verdict.tcbStatus().orElseThrow());
    assertEquals(1, pcs.hits("/tdx/certification/v4/tcb?fmspc=" + FMSPC + "&update=standard"));
  }

  @Test
  void chosenEvaluationDataNumberAndEarlyUpdate() throws Exception {
    pcs.serve("/tdx/certification/v4/tcb?fmspc=" + FMSPC + "&tcbEvaluationDataNumber=17", tcbBody,
        Map.of("TCB-Info-Issuer-Chain", pct(SharedData.text(V + "tcb_info_issuer_chain.pem"))));
    pcs.serve("/tdx/certification/v4/qe/identity?update=early", qeBody,
        Map.of("SGX-Enclave-Identity-Issuer-Chain", pct(SharedData.text(V + "qe_identity_issuer_chain.pem"))));
    PcsClient c = client().build();
    assertEquals(17, c.tcbInfo(FMSPC, 17).tcbEvaluationDataNumber());
    assertEquals(17, c.qeIdentity(PcsClient.UpdateType.EARLY).tcbEvaluationDataNumber());
  }

  @Test
  void throttlingHonoursRetryAfterWithinTheBound() throws Exception {
    String path = "/tdx/certification/v4/qe/identity?update=standard";
    pcs.then(path, FakePcs.Answer.status(429, Map.of("Retry-After", "4")));
    pcs.then(path, FakePcs.Answer.status(503, Map.of()));
    PcsClient c = client().build();
    c.qeIdentity(PcsClient.UpdateType.STANDARD);
    assertEquals(List.of(Duration.ofSeconds(4), Duration.ofSeconds(2)), sleeper.waits);
    assertEquals(3, pcs.hits(path));

    pcs.then("/sgx/certification/v4/pckcrl?ca=processor&encoding=der", FakePcs.Answer.status(429, Map.of("Retry-After", "86400")));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.pckCrl(PcsClient.PckCa.PROCESSOR));
    assertEquals(PcsReason.THROTTLED, e.reason());
    assertEquals(Duration.ofDays(1), e.retryAfter().orElseThrow());
  }

  @Test
  void timeoutsAreBounded() {
    CountDownLatch never = new CountDownLatch(1);
    pcs.always(FakePcs.Answer.blockUntil(never, qeBody));
    try {
      PcsClient c = client().requestTimeout(Duration.ofMillis(300)).maxAttempts(2).build();
      EndorsementUnavailableException e =
          assertThrows(EndorsementUnavailableException.class, () -> c.qeIdentity(PcsClient.UpdateType.STANDARD));
      assertEquals(PcsReason.TIMEOUT, e.reason());
    } finally {
      never.countDown();
    }
  }

  @Test
  void corruptedOrTruncatedCollateralIsRefusedAndNotCached() throws Exception {
    String path = "/tdx/certification/v4/tcb?fmspc=" + FMSPC + "&update=standard";
    byte[] tampered = new String(tcbBody, StandardCharsets.UTF_8).replace("\"UpToDate\"", "\"OutOfDate\"")
        .getBytes(StandardCharsets.UTF_8);
    Map<String, String> chain = Map.of("TCB-Info-Issuer-Chain", pct(SharedData.text(V + "tcb_info_issuer_chain.pem")));
    pcs.then(path, new FakePcs.Answer(200, tampered, chain, null));
    pcs.then(path, new FakePcs.Answer(200, java.util.Arrays.copyOf(tcbBody, tcbBody.length / 2), chain, null));
    pcs.then(path, new FakePcs.Answer(200, tcbBody, Map.of(), null)); // no issuer chain header
    PcsClient c = client().cacheDirectory(cacheDir).build();
    EndorsementUnavailableException sig =
        assertThrows(EndorsementUnavailableException.class, () -> c.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD));
    assertEquals(PcsReason.UNTRUSTED_RESPONSE, sig.reason());
    EndorsementUnavailableException cut =
        assertThrows(EndorsementUnavailableException.class, () -> c.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD));
    assertEquals(PcsReason.BAD_RESPONSE, cut.reason());
    EndorsementUnavailableException noChain =
        assertThrows(EndorsementUnavailableException.class, () -> c.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD));
    assertEquals(PcsReason.BAD_RESPONSE, noChain.reason());
    assertFalse(Files.exists(cacheDir.resolve("pcs-tdx-tcb-" + FMSPC + "-standard.json")));
    c.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD);
    assertTrue(Files.exists(cacheDir.resolve("pcs-tdx-tcb-" + FMSPC + "-standard.json")));
  }

  @Test
  void aChainFromAnotherRootIsRefused() throws Exception {
    String path = "/sgx/certification/v4/pckcrl?ca=platform&encoding=der";
    // the AMD Milan chain in place of Intel's
    pcs.serve(path, SharedData.bytes(V + "pck_crl.der"),
        Map.of("SGX-PCK-CRL-Issuer-Chain", pct(SharedData.text("amd-roots/milan_vcek_cert_chain.pem"))));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> client().build().pckCrl(PcsClient.PckCa.PLATFORM));
    assertEquals(PcsReason.UNTRUSTED_RESPONSE, e.reason());
  }

  @Test
  void cacheSurvivesRestartAndOutageAndIsDroppedWhenStale() throws Exception {
    PcsClient first = client().cacheDirectory(cacheDir).build();
    first.collateral(FMSPC, PcsClient.PckCa.PLATFORM, PcsClient.UpdateType.STANDARD);
    int hits = pcs.totalHits();
    assertEquals(4, hits);

    pcs.always(FakePcs.Answer.status(503, Map.of()));
    PcsClient restarted = client().cacheDirectory(cacheDir).build();
    restarted.collateral(FMSPC, PcsClient.PckCa.PLATFORM, PcsClient.UpdateType.STANDARD);
    assertEquals(hits, pcs.totalHits());
    assertEquals(0, restarted.httpRequestCount());

    // after nextUpdate the cached TCB info is stale: offline it is not served
    SignedCollateral tcb = restarted.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD);
    Clock later = Clock.fixed(tcb.nextUpdate().plusSeconds(1), ZoneOffset.UTC);
    PcsClient offlineLater = client().clock(later).cacheDirectory(cacheDir).offline(true).build();
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> offlineLater.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD));
    assertEquals(PcsReason.OFFLINE_CACHE_MISS, e.reason());
    // and a PCS serving only stale collateral is refused as such
    pcs.always(null);
    PcsClient onlineLater = client().clock(later).build();
    EndorsementUnavailableException stale =
        assertThrows(EndorsementUnavailableException.class, () -> onlineLater.tcbInfo(FMSPC, PcsClient.UpdateType.STANDARD));
    assertEquals(PcsReason.STALE, stale.reason());
  }

  @Test
  void concurrentRequestsAreCoalesced() throws Exception {
    String path = "/tdx/certification/v4/qe/identity?update=standard";
    CountDownLatch release = new CountDownLatch(1);
    pcs.then(path, new FakePcs.Answer(200, qeBody,
        Map.of("SGX-Enclave-Identity-Issuer-Chain", pct(SharedData.text(V + "qe_identity_issuer_chain.pem"))), release));
    PcsClient c = client().build();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<SignedCollateral>> fs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        fs.add(pool.submit(() -> c.qeIdentity(PcsClient.UpdateType.STANDARD)));
      }
      while (c.coalescedCount() < 5) {
        Thread.onSpinWait();
      }
      release.countDown();
      for (Future<SignedCollateral> f : fs) {
        assertArrayEquals(SharedData.bytes(V + "qe_identity.json"), f.get().json());
      }
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertEquals(1, pcs.hits(path));
  }

  @Test
  void rootCaCrlAsDerFromAConfiguredUrl() throws Exception {
    pcs.serve("/IntelSGXRootCA.der", SharedData.bytes(V + "root_ca_crl.der"));
    PcsClient c = client().rootCaCrlUri(pcs.baseUri().resolve("/IntelSGXRootCA.der")).build();
    assertArrayEquals(SharedData.bytes(V + "root_ca_crl.der"), c.rootCaCrl().der());
  }

  @Test
  void rawJsonKeepsExactBytes() {
    byte[] body = "{ \"a\" : [1, {\"x\":\"}\"}], \"tcbInfo\" :{\"k\": \"v\\\"}\" , \"n\":[ ]} ,\"signature\":\"ab\"}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals("{\"k\": \"v\\\"}\" , \"n\":[ ]}", new String(RawJson.valueOf(body, "tcbInfo"), StandardCharsets.UTF_8));
    assertEquals("\"ab\"", new String(RawJson.valueOf(body, "signature"), StandardCharsets.UTF_8));
    assertEquals(null, RawJson.valueOf("{\"a\":".getBytes(StandardCharsets.UTF_8), "a"));
    assertEquals(null, RawJson.valueOf("[]".getBytes(StandardCharsets.UTF_8), "a"));
  }

  @Test
  void noStrayFilesInTheCache() throws Exception {
    client().cacheDirectory(cacheDir).build().collateral(FMSPC, PcsClient.PckCa.PLATFORM, PcsClient.UpdateType.STANDARD);
    try (Stream<Path> s = Files.list(cacheDir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
    }
  }
}
