package org.attest4j.snp.kds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
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
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.TcbVersion;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KdsClientTest {
  static final Clock NOW = Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC);

  /** One real report's identity and certificates from the shared vectors. */
  static final class Vector {
    final Product product;
    final SigningKey key;
    final byte[] chipId;
    final TcbVersion tcb;
    final byte[] vek;
    final byte[] chain;

    Vector(String name) {
      JsonObject m = SharedData.json("vectors/snp-reports/" + name + "/meta.json").getAsJsonObject();
      product = Product.fromName(m.get("product").getAsString()).orElseThrow();
      key = SigningKey.valueOf(m.get("signing_key").getAsString());
      chipId = HexFormat.of().parseHex(m.get("chip_id").getAsString());
      String raw = m.getAsJsonObject("reported_tcb").get("raw").getAsString().substring(2);
      tcb = TcbVersion.of(product, Long.parseUnsignedLong(raw, 16));
      vek = SharedData.bytes("vectors/snp-reports/" + name + "/" + (key == SigningKey.VLEK ? "vlek.der" : "vcek.der"));
      chain = SharedData.bytes("vectors/snp-reports/" + name + "/cert_chain.pem");
    }

    String chainPath() {
      return "/" + (key == SigningKey.VLEK ? "vlek" : "vcek") + "/v1/" + product.kdsName() + "/cert_chain";
    }
  }

  FakeKds kds;
  RecordingSleeper sleeper = new RecordingSleeper();
  @TempDir Path cacheDir;

  @BeforeEach
  void start() throws Exception {
    kds = new FakeKds();
  }

  @AfterEach
  void stop() {
    kds.close();
  }

  KdsClient.Builder client() {
    return KdsClient.builder()
        .baseUri(kds.baseUri())
        .clock(NOW)
        .sleeper(sleeper)
        .requestTimeout(Duration.ofSeconds(5))
        .maxAttempts(4)
        .backoff(Duration.ofSeconds(1), Duration.ofSeconds(8))
        .maxRetryAfter(Duration.ofSeconds(30));
  }

  String vcekPath(KdsClient c, Vector v) {
    var u = c.vcekUri(v.product, v.chipId, v.tcb);
    return u.getRawPath() + "?" + u.getRawQuery();
  }

  Vector serve(String name, KdsClient c) {
    Vector v = new Vector(name);
    kds.serve(v.chainPath(), v.chain);
    if (v.key == SigningKey.VCEK) {
      kds.serve(vcekPath(c, v), v.vek);
    }
    return v;
  }

  // ---------------------------------------------------------------- URLs

  @Test
  void urlsFollowTheKdsSpecification() {
    KdsClient c = KdsClient.builder().build();
    Vector milan = new Vector("milan-v3-oak-cb");
    assertEquals(
        "https://kdsintf.amd.com/vcek/v1/Milan/" + HexFormat.of().formatHex(milan.chipId)
            + "?blSPL=04&teeSPL=00&snpSPL=24&ucodeSPL=219",
        c.vcekUri(Product.MILAN, milan.chipId, milan.tcb).toString());
    Vector turin = new Vector("turin-v5-oak");
    assertEquals(
        "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3"
            + "?fmcSPL=00&blSPL=01&teeSPL=00&snpSPL=02&ucodeSPL=71",
        c.vcekUri(Product.TURIN, turin.chipId, turin.tcb).toString());
    assertEquals("https://kdsintf.amd.com/vcek/v1/Genoa/cert_chain",
        c.certChainUri(Product.fromName("Siena").orElseThrow(), SigningKey.VCEK).toString());
    assertEquals("https://kdsintf.amd.com/vlek/v1/Genoa/cert_chain",
        c.certChainUri(Product.fromName("Bergamo").orElseThrow(), SigningKey.VLEK).toString());
    assertEquals("https://kdsintf.amd.com/vcek/v1/Turin/crl", c.crlUri(Product.TURIN, SigningKey.VCEK).toString());
    assertEquals("https://kdsintf.amd.com/vlek/v1/Milan/crl", c.crlUri(Product.MILAN, SigningKey.VLEK).toString());
    assertEquals("https://kdsintf.amd.com/vlek/v1/Milan/cert?blSPL=04&teeSPL=00&snpSPL=24&ucodeSPL=217",
        c.vlekUri(Product.MILAN, new Vector("milan-v3-vlek-aws").tcb).toString());
    KdsClient mirror = KdsClient.builder().baseUri("http://mirror.example/amd/").build();
    assertEquals("http://mirror.example/amd/vcek/v1/Milan/cert_chain",
        mirror.certChainUri(Product.MILAN, SigningKey.VCEK).toString());
    assertThrows(IllegalArgumentException.class, () -> KdsClient.builder().baseUri("ftp://x"));
  }

  // ---------------------------------------------------------------- fetching real certificates

  @Test
  void fetchesRealVceksForEveryProduct() throws Exception {
    KdsClient c = client().build();
    for (String name : List.of("milan-v3-oak-cb", "genoa-v5-oak", "turin-v5-oak", "milan-v2-gsg")) {
      Vector v = serve(name, c);
      Clock at = name.equals("milan-v2-gsg") ? Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC) : NOW;
      KdsClient cc = client().clock(at).build();
      X509Certificate vcek = cc.vcek(v.product, v.chipId, v.tcb);
      assertArrayEquals(v.vek, vcek.getEncoded(), name);
      List<X509Certificate> chain = cc.certChain(v.product, SigningKey.VCEK);
      assertEquals(2, chain.size());
      assertEquals(1, kds.hits(vcekPath(cc, v)), name);
    }
    assertTrue(sleeper.waits.isEmpty());
  }

  @Test
  void fetchesTheVlekChainButNotAVlek() throws Exception {
    Clock vlekTime = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    KdsClient c = client().clock(vlekTime).build();
    Vector v = serve("milan-v3-vlek-aws", c);
    List<X509Certificate> chain = c.certChain(Product.MILAN, SigningKey.VLEK);
    assertTrue(chain.get(0).getSubjectX500Principal().getName().contains("SEV-VLEK-Milan"));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vlek(Product.MILAN, v.tcb));
    assertEquals(KdsReason.VLEK_NOT_PUBLIC, e.reason());
    assertTrue(e.getMessage().contains("certificate table"), e.getMessage());
    // with VLEK fetching on, a VLEK query still just lacks the VLEK
    KdsClient fetching = client().clock(vlekTime).fetchVlek(true).build();
    Endorsements partial = fetching.find(EndorsementQuery.of(v.product, SigningKey.VLEK, v.chipId, v.tcb));
    assertTrue(partial.vek().isEmpty());
    assertEquals(2, partial.chain().size());
    assertTrue(e.isRetryable());

    // a mirror that does serve the VLEK
    var u = c.vlekUri(Product.MILAN, v.tcb);
    kds.serve(u.getRawPath() + "?" + u.getRawQuery(), v.vek);
    assertArrayEquals(v.vek, c.vlek(Product.MILAN, v.tcb).getEncoded());
  }

  // ---------------------------------------------------------------- retries

  @Test
  void retriesAfter429HonouringRetryAfter() throws Exception {
    KdsClient c = client().build();
    Vector v = serve("milan-v3-oak-cb", c);
    String path = vcekPath(c, v);
    kds.then(path, FakeKds.Answer.status(429, Map.of("Retry-After", "7")));
    assertArrayEquals(v.vek, c.vcek(v.product, v.chipId, v.tcb).getEncoded());
    assertEquals(2, kds.hits(path));
    assertEquals(List.of(Duration.ofSeconds(7)), sleeper.waits);
  }

  @Test
  void retryAfterAsHttpDateIsHonouredOn503() throws Exception {
    KdsClient c = client().build();
    Vector v = serve("milan-v3-oak-cb", c);
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.instant().plusSeconds(12), ZoneOffset.UTC));
    kds.then(v.chainPath(), FakeKds.Answer.status(503, Map.of("Retry-After", date)));
    assertEquals(2, c.certChain(Product.MILAN, SigningKey.VCEK).size());
    assertEquals(List.of(Duration.ofSeconds(12)), sleeper.waits);
  }

  @Test
  void retryAfterBeyondTheBoundStopsAtOnce() throws Exception {
    KdsClient c = client().build();
    Vector v = serve("milan-v3-oak-cb", c);
    kds.then(v.chainPath(), FakeKds.Answer.status(429, Map.of("Retry-After", "3600")));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.certChain(Product.MILAN, SigningKey.VCEK));
    assertEquals(KdsReason.THROTTLED, e.reason());
    assertEquals(Duration.ofSeconds(3600), e.retryAfter().orElseThrow());
    assertEquals(1, kds.hits(v.chainPath()));
    assertTrue(sleeper.waits.isEmpty());
  }

  @Test
  void persistentThrottlingGivesUpAfterMaxAttemptsWithBackoff() throws Exception {
    KdsClient c = client().build();
    Vector v = serve("milan-v3-oak-cb", c);
    kds.always(FakeKds.Answer.status(429, Map.of()));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.certChain(Product.MILAN, SigningKey.VCEK));
    assertEquals(KdsReason.THROTTLED, e.reason());
    assertEquals(4, kds.hits(v.chainPath()));
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), sleeper.waits);
  }

  @Test
  void serverErrorsAreRetriedAndNotFoundIsNot() throws Exception {
    KdsClient c = client().build();
    Vector v = serve("milan-v3-oak-cb", c);
    kds.then(v.chainPath(), FakeKds.Answer.status(500, Map.of()));
    kds.then(v.chainPath(), FakeKds.Answer.status(502, Map.of()));
    assertEquals(2, c.certChain(Product.MILAN, SigningKey.VCEK).size());
    assertEquals(3, kds.hits(v.chainPath()));

    byte[] otherChip = v.chipId.clone();
    otherChip[0] ^= 1;
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vcek(v.product, otherChip, v.tcb));
    assertEquals(KdsReason.NOT_FOUND, e.reason());
    assertEquals(1, kds.hits(vcekPath(c, v).replace(HexFormat.of().formatHex(v.chipId), HexFormat.of().formatHex(otherChip))));
  }

  @Test
  void timeoutsAreBoundedAndRetried() throws Exception {
    KdsClient c = client().requestTimeout(Duration.ofMillis(300)).maxAttempts(2).build();
    Vector v = serve("milan-v3-oak-cb", c);
    CountDownLatch never = new CountDownLatch(1);
    kds.always(FakeKds.Answer.blockUntil(never, v.chain));
    try {
      EndorsementUnavailableException e =
          assertThrows(EndorsementUnavailableException.class, () -> c.certChain(Product.MILAN, SigningKey.VCEK));
      assertEquals(KdsReason.TIMEOUT, e.reason());
      assertEquals(2, kds.hits(v.chainPath()));
      assertEquals(List.of(Duration.ofSeconds(1)), sleeper.waits);
    } finally {
      never.countDown();
    }
  }

  // ---------------------------------------------------------------- bad bodies are refused and never cached

  @Test
  void truncatedBodiesAreRefusedAndNeverCached() throws Exception {
    KdsClient c = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", c);
    String path = vcekPath(c, v);
    kds.then(path, FakeKds.Answer.body(java.util.Arrays.copyOf(v.vek, v.vek.length - 10)));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vcek(v.product, v.chipId, v.tcb));
    assertEquals(KdsReason.BAD_RESPONSE, e.reason());
    assertFalse(hasCachedVcek());
    // the next call fetches again and gets the good one
    assertArrayEquals(v.vek, c.vcek(v.product, v.chipId, v.tcb).getEncoded());
    assertEquals(2, kds.hits(path));
    assertTrue(hasCachedVcek());
  }

  @Test
  void truncatedChainIsRefused() throws Exception {
    KdsClient c = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", c);
    kds.then(v.chainPath(), FakeKds.Answer.body(java.util.Arrays.copyOf(v.chain, v.chain.length / 2)));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.certChain(Product.MILAN, SigningKey.VCEK));
    assertEquals(KdsReason.BAD_RESPONSE, e.reason());
    assertFalse(Files.exists(cacheDir.resolve("kds-vcek-Milan-cert_chain.pem")));
  }

  @Test
  void corruptedBodiesAreRefusedAndNeverCached() throws Exception {
    KdsClient c = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", c);
    String path = vcekPath(c, v);
    byte[] bad = v.vek.clone();
    bad[bad.length - 20] ^= 0x01; // inside the ASK's signature
    kds.then(path, FakeKds.Answer.body(bad));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vcek(v.product, v.chipId, v.tcb));
    assertEquals(KdsReason.UNTRUSTED_RESPONSE, e.reason());
    assertFalse(hasCachedVcek());
  }

  @Test
  void anotherChipsVcekIsRefused() throws Exception {
    KdsClient c = client().cacheDirectory(cacheDir).build();
    Vector v = new Vector("turin-v5-oak");
    kds.serve(v.chainPath(), v.chain);
    kds.serve(vcekPath(c, v), SharedData.bytes("vectors/snp-reports/neg-turin-v5-wrong-vcek/vcek.der"));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vcek(v.product, v.chipId, v.tcb));
    assertEquals(KdsReason.UNTRUSTED_RESPONSE, e.reason());
    assertTrue(e.getMessage().contains("hwID"), e.getMessage());
    assertFalse(hasCachedVcek());
  }

  @Test
  void anotherProductsChainIsRefused() throws Exception {
    KdsClient c = client().build();
    kds.serve("/vcek/v1/Milan/cert_chain", SharedData.bytes("amd-roots/genoa_vcek_cert_chain.pem"));
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.certChain(Product.MILAN, SigningKey.VCEK));
    assertEquals(KdsReason.UNTRUSTED_RESPONSE, e.reason());
  }

  @Test
  void oversizedBodiesAreRefused() throws Exception {
    KdsClient c = client().maxBodyBytes(4096).build();
    kds.serve("/vcek/v1/Milan/cert_chain", new byte[100_000]);
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.certChain(Product.MILAN, SigningKey.VCEK));
    assertEquals(KdsReason.BAD_RESPONSE, e.reason());
  }

  // ---------------------------------------------------------------- caching

  @Test
  void cacheHitAfterRestart() throws Exception {
    KdsClient first = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", first);
    first.vcek(v.product, v.chipId, v.tcb);
    int hits = kds.totalHits();
    assertEquals(2, hits);
    assertTrue(hasCachedVcek());
    try (Stream<Path> s = Files.list(cacheDir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
    }

    KdsClient restarted = client().cacheDirectory(cacheDir).build();
    assertArrayEquals(v.vek, restarted.vcek(v.product, v.chipId, v.tcb).getEncoded());
    assertEquals(hits, kds.totalHits());
    assertEquals(0, restarted.httpRequestCount());

    // the memory cache serves repeated calls
    restarted.vcek(v.product, v.chipId, v.tcb);
    assertEquals(0, restarted.httpRequestCount());
  }

  @Test
  void kdsOutageIsServedFromTheCache() throws Exception {
    KdsClient first = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", first);
    first.vcek(v.product, v.chipId, v.tcb);
    kds.always(FakeKds.Answer.status(503, Map.of("Retry-After", "5")));

    KdsClient during = client().cacheDirectory(cacheDir).build();
    Endorsements e = during.require(EndorsementQuery.of(v.product, SigningKey.VCEK, v.chipId, v.tcb));
    assertArrayEquals(v.vek, e.vek().orElseThrow().getEncoded());
    assertEquals(0, during.httpRequestCount());
    assertTrue(sleeper.waits.isEmpty());

    // something not cached is unavailable during the outage, with the server's hint
    byte[] other = v.chipId.clone();
    other[5] ^= 1;
    EndorsementUnavailableException ex =
        assertThrows(EndorsementUnavailableException.class, () -> during.vcek(v.product, other, v.tcb));
    assertEquals(KdsReason.SERVER_UNAVAILABLE, ex.reason());
    assertEquals(Duration.ofSeconds(5), ex.retryAfter().orElseThrow());
  }

  @Test
  void tamperedCacheFilesAreDiscardedAndRefetched() throws Exception {
    KdsClient first = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", first);
    first.vcek(v.product, v.chipId, v.tcb);
    Path file = cachedVcek();
    byte[] b = Files.readAllBytes(file);
    b[b.length - 30] ^= 0x40;
    Files.write(file, b);

    KdsClient offline = client().cacheDirectory(cacheDir).offline(true).build();
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> offline.vcek(v.product, v.chipId, v.tcb));
    assertEquals(KdsReason.OFFLINE_CACHE_MISS, e.reason());
    assertFalse(Files.exists(file));

    KdsClient online = client().cacheDirectory(cacheDir).build();
    assertArrayEquals(v.vek, online.vcek(v.product, v.chipId, v.tcb).getEncoded());
    assertArrayEquals(v.vek, Files.readAllBytes(file));
  }

  @Test
  void cacheFromAnotherChipIsNotTrusted() throws Exception {
    KdsClient first = client().cacheDirectory(cacheDir).build();
    Vector v = serve("turin-v5-oak", first);
    first.vcek(v.product, v.chipId, v.tcb);
    Files.write(cachedVcek(), SharedData.bytes("vectors/snp-reports/neg-turin-v5-wrong-vcek/vcek.der"));
    KdsClient offline = client().cacheDirectory(cacheDir).offline(true).build();
    assertThrows(EndorsementUnavailableException.class, () -> offline.vcek(v.product, v.chipId, v.tcb));
  }

  @Test
  void offlineModeNeverTouchesTheNetwork() throws Exception {
    KdsClient c = client().cacheDirectory(cacheDir).offline(true).build();
    Vector v = serve("milan-v3-oak-cb", c);
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vcek(v.product, v.chipId, v.tcb));
    assertEquals(KdsReason.OFFLINE_CACHE_MISS, e.reason());
    assertEquals(0, kds.totalHits());
    // as a source, offline misses are just absent parts
    Endorsements none = c.find(EndorsementQuery.of(v.product, SigningKey.VCEK, v.chipId, v.tcb));
    assertTrue(none.vek().isEmpty());
    assertTrue(none.chain().isEmpty());
  }

  @Test
  void maskedChipIdIsRefusedWithoutARequest() throws Exception {
    KdsClient c = client().build();
    Vector v = new Vector("milan-v3-oak-cb");
    EndorsementUnavailableException e =
        assertThrows(EndorsementUnavailableException.class, () -> c.vcek(v.product, new byte[64], v.tcb));
    assertEquals(KdsReason.MASKED_CHIP_ID, e.reason());
    assertEquals(0, kds.totalHits());
  }

  // ---------------------------------------------------------------- coalescing

  @Test
  void concurrentRequestsForOneCertificateAreCoalesced() throws Exception {
    KdsClient c = client().cacheDirectory(cacheDir).build();
    Vector v = serve("milan-v3-oak-cb", c);
    c.certChain(v.product, SigningKey.VCEK); // warm the chain so only the VCEK is contended
    String path = vcekPath(c, v);
    CountDownLatch release = new CountDownLatch(1);
    kds.then(path, FakeKds.Answer.blockUntil(release, v.vek));
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<X509Certificate>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(pool.submit(() -> c.vcek(v.product, v.chipId, v.tcb)));
      }
      // wait (without sleeping) until the other n-1 callers have joined the running fetch
      while (c.coalescedCount() < n - 1) {
        Thread.onSpinWait();
      }
      release.countDown();
      for (Future<X509Certificate> f : results) {
        assertArrayEquals(v.vek, f.get().getEncoded());
      }
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertEquals(1, kds.hits(path));
  }

  // ---------------------------------------------------------------- sources

  @Test
  void sourcesComposeAndKdsIsAskedOnlyForWhatIsMissing() throws Exception {
    KdsClient c = client().build();
    Vector v = serve("milan-v3-oak-cb", c);
    X509Certificate vcek = KdsClient.parseCert(v.vek, "VCEK");
    EndorsementSource source =
        EndorsementSource.firstOf(EndorsementSource.fromRequest(vcek, List.of(), null), c);
    Endorsements e = source.require(EndorsementQuery.of(v.product, SigningKey.VCEK, v.chipId, v.tcb));
    assertEquals(EndorsementOrigin.REQUEST, e.vekOrigin().orElseThrow());
    assertEquals(EndorsementOrigin.KDS, e.chainOrigin().orElseThrow());
    assertEquals(0, kds.hits(vcekPath(c, v)));
    assertEquals(1, kds.hits(v.chainPath()));
  }

  @Test
  void vlekReportsGetTheirChainFromKdsAndTheVlekFromTheHost() throws Exception {
    Clock vlekTime = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    KdsClient c = client().clock(vlekTime).build();
    Vector v = serve("milan-v3-vlek-aws", c);
    EndorsementQuery q = EndorsementQuery.of(v.product, SigningKey.VLEK, v.chipId, v.tcb);
    EndorsementUnavailableException e = assertThrows(EndorsementUnavailableException.class, () -> c.require(q));
    assertEquals(KdsReason.INCOMPLETE, e.reason());
    assertTrue(e.getMessage().contains("certificate table"), e.getMessage());

    X509Certificate vlek = KdsClient.parseCert(v.vek, "VLEK");
    Endorsements got =
        EndorsementSource.firstOf(EndorsementSource.fromRequest(vlek, List.of(), null), c).require(q);
    assertEquals(EndorsementOrigin.KDS, got.chainOrigin().orElseThrow());
    assertTrue(got.chain().get(0).getSubjectX500Principal().getName().contains("SEV-VLEK-Milan"));
  }

  @Test
  void aFailingSourceFallsThroughToTheNext() throws Exception {
    KdsClient down = client().build();
    kds.always(FakeKds.Answer.status(404, Map.of()));
    Vector v = new Vector("milan-v3-oak-cb");
    X509Certificate vcek = KdsClient.parseCert(v.vek, "VCEK");
    List<X509Certificate> chain = KdsClient.parseChain(v.chain, "chain");
    Endorsements e =
        EndorsementSource.firstOf(down, EndorsementSource.fromRequest(vcek, chain, null))
            .require(EndorsementQuery.of(v.product, SigningKey.VCEK, v.chipId, v.tcb));
    assertEquals(EndorsementOrigin.REQUEST, e.chainOrigin().orElseThrow());
  }

  private boolean hasCachedVcek() throws Exception {
    return cachedVcekOrNull() != null;
  }

  private Path cachedVcek() throws Exception {
    Path p = cachedVcekOrNull();
    assertTrue(p != null, "a cached VCEK");
    return p;
  }

  private Path cachedVcekOrNull() throws Exception {
    if (!Files.isDirectory(cacheDir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(cacheDir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("kds-vcek-") && p.toString().endsWith(".der"))
          .findFirst()
          .orElse(null);
    }
  }
}
