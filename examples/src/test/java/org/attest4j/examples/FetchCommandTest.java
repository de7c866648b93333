package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest4j snp fetch} end to end against a loopback KDS that serves the real certificates
 * and matches request paths and queries exactly as AMD KDS spells them.
 */
class FetchCommandTest {
  HttpServer server;
  final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
  final Map<String, Deque<Integer>> failures = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  final List<String> unknown = new java.util.concurrent.CopyOnWriteArrayList<>();
  @TempDir Path tmp;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String key = ex.getRequestURI().getRawPath()
          + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
      hits.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      Deque<Integer> f = failures.get(key);
      Integer status = f == null ? null : f.poll();
      if (status != null) {
        ex.getResponseHeaders().add("Retry-After", "0");
        ex.sendResponseHeaders(status, -1);
        return;
      }
      byte[] b = bodies.get(key);
      if (b == null) {
        unknown.add(key);
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ex.sendResponseHeaders(200, b.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    }
  }

  /** The KDS paths for a vector, spelled out independently of the client. */
  void serveVector(String name) {
    JsonObject m = SharedData.json("vectors/snp-reports/" + name + "/meta.json").getAsJsonObject();
    String product = m.get("product").getAsString();
    String key = m.get("signing_key").getAsString();
    JsonObject tcb = m.getAsJsonObject("reported_tcb");
    String spls =
        "blSPL=" + two(tcb, "bootloader") + "&teeSPL=" + two(tcb, "tee") + "&snpSPL=" + two(tcb, "snp")
            + "&ucodeSPL=" + two(tcb, "microcode");
    if (product.equals("Turin")) {
      spls = "fmcSPL=" + two(tcb, "fmc") + "&" + spls;
    }
    String chip = m.get("chip_id").getAsString();
    String dir = "vectors/snp-reports/" + name + "/";
    if (key.equals("VLEK")) {
      bodies.put("/vlek/v1/" + product + "/cert_chain", SharedData.bytes(dir + "cert_chain.pem"));
    } else {
      String hwid = product.equals("Turin") ? chip.substring(0, 16) : chip;
      bodies.put("/vcek/v1/" + product + "/cert_chain", SharedData.bytes(dir + "cert_chain.pem"));
      bodies.put("/vcek/v1/" + product + "/" + hwid + "?" + spls, SharedData.bytes(dir + "vcek.der"));
    }
  }

  static String vlekPath(String name) {
    JsonObject m = SharedData.json("vectors/snp-reports/" + name + "/meta.json").getAsJsonObject();
    JsonObject tcb = m.getAsJsonObject("reported_tcb");
    return "/vlek/v1/" + m.get("product").getAsString() + "/cert?blSPL=" + two(tcb, "bootloader")
        + "&teeSPL=" + two(tcb, "tee") + "&snpSPL=" + two(tcb, "snp") + "&ucodeSPL=" + two(tcb, "microcode");
  }

  static String two(JsonObject tcb, String field) {
    return String.format(Locale.ROOT, "%02d", tcb.get(field).getAsInt());
  }

  /** Runs the command line, capturing its output. */
  CliRun run(String... args) {
    return CliRun.of(args);
  }


  Path report(String name) {
    return SharedData.path("vectors/snp-reports/" + name + "/report.bin");
  }

  @Test
  void fetchesVcekAndChainForEveryRealVcekReport() throws Exception {
    for (String name :
        List.of("milan-v3-oak-cb", "milan-v3-azure-a", "genoa-v5-oak", "turin-v5-oak", "milan-v2-gsg",
            "milan-v2-virtee", "genoa-v2-oak")) {
      serveVector(name);
      Path out = tmp.resolve(name);
      CliRun r = run("snp", "fetch", "--report", report(name).toString(), "--kds-url", url(), "--out", out.toString());
      assertEquals(0, r.exit(), name + ": " + r.err() + " unknown requests " + unknown);
      assertArrayEquals(SharedData.bytes("vectors/snp-reports/" + name + "/vcek.der"),
          Files.readAllBytes(out.resolve("vcek.der")), name);
      assertArrayEquals(SharedData.bytes("vectors/snp-reports/" + name + "/cert_chain.pem"),
          Files.readAllBytes(out.resolve("cert_chain.pem")), name);
    }
    // v2 Genoa: Milan was tried first (404), then Genoa
    assertTrue(unknown.stream().anyMatch(u -> u.startsWith("/vcek/v1/Milan/") && u.contains("ucodeSPL=62")), unknown.toString());
  }

  @Test
  void fetchedFilesVerifyWithTheVerifier() throws Exception {
    serveVector("turin-v5-oak");
    CliRun r = run("snp", "fetch", "--report", report("turin-v5-oak").toString(), "--kds-url", url(),
        "--out", tmp.toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\"product\": \"Turin\""), r.out());
    org.attest4j.snp.SnpVerifier.builder()
        .clock(java.time.Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC))
        .build()
        .verify(Files.readAllBytes(report("turin-v5-oak")), Files.readAllBytes(tmp.resolve("vcek.der")),
            Files.readAllBytes(tmp.resolve("cert_chain.pem")));
  }

  @Test
  void azureHclReportsAreUnwrapped() throws Exception {
    serveVector("milan-v3-azure-a");
    byte[] hcl = new byte[2600];
    hcl[0] = 'H';
    hcl[1] = 'C';
    hcl[2] = 'L';
    hcl[3] = 'A';
    System.arraycopy(Files.readAllBytes(report("milan-v3-azure-a")), 0, hcl, 0x20, 1184);
    Path file = tmp.resolve("hcl.bin");
    Files.write(file, hcl);
    CliRun r = run("snp", "fetch", "--report", file.toString(), "--kds-url", url(), "--out", tmp.toString());
    assertEquals(0, r.exit(), r.err());
    assertArrayEquals(SharedData.bytes("vectors/snp-reports/milan-v3-azure-a/vcek.der"),
        Files.readAllBytes(tmp.resolve("vcek.der")));
  }

  @Test
  void vlekReportsGetVlekWhenServedElseTheChainAndARefusal() throws Exception {
    serveVector("milan-v3-vlek-aws");
    Path out = tmp.resolve("noVlek");
    CliRun r = run("snp", "fetch", "--report", report("milan-v3-vlek-aws").toString(), "--kds-url", url(),
        "--out", out.toString());
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().contains("certificate table"), r.err());
    assertTrue(Files.exists(out.resolve("cert_chain.pem")));
    assertFalse(Files.exists(out.resolve("vlek.der")));

    bodies.put(vlekPath("milan-v3-vlek-aws"), SharedData.bytes("vectors/snp-reports/milan-v3-vlek-aws/vlek.der"));
    Path out2 = tmp.resolve("vlek");
    CliRun r2 = run("snp", "fetch", "--report", report("milan-v3-vlek-aws").toString(), "--kds-url", url(),
        "--out", out2.toString());
    assertEquals(0, r2.exit(), r2.err());
    assertArrayEquals(SharedData.bytes("vectors/snp-reports/milan-v3-vlek-aws/vlek.der"),
        Files.readAllBytes(out2.resolve("vlek.der")));
    assertArrayEquals(SharedData.bytes("vectors/snp-reports/milan-v3-vlek-aws/cert_chain.pem"),
        Files.readAllBytes(out2.resolve("cert_chain.pem")));
    assertFalse(Files.exists(out2.resolve("vcek.der")));
  }

  @Test
  void throttlingIsRetriedAndTheCacheSurvivesAnOutage() throws Exception {
    serveVector("milan-v3-oak-cb");
    failures.put("/vcek/v1/Milan/cert_chain", new ArrayDeque<>(List.of(429, 503)));
    Path cache = tmp.resolve("cache");
    CliRun r = run("snp", "fetch", "--report", report("milan-v3-oak-cb").toString(), "--kds-url", url(),
        "--cache", cache.toString(), "--out", tmp.resolve("a").toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(3, hits.get("/vcek/v1/Milan/cert_chain").get());

    server.stop(0); // the KDS is gone
    CliRun again = run("snp", "fetch", "--report", report("milan-v3-oak-cb").toString(), "--kds-url", url(),
        "--cache", cache.toString(), "--out", tmp.resolve("b").toString());
    assertEquals(0, again.exit(), again.err());
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a/vcek.der")), Files.readAllBytes(tmp.resolve("b/vcek.der")));

    CliRun offline = run("snp", "fetch", "--report", report("genoa-v5-oak").toString(), "--offline",
        "--cache", cache.toString(), "--out", tmp.resolve("c").toString());
    assertEquals(1, offline.exit());
    assertTrue(offline.err().contains("OFFLINE_CACHE_MISS"), offline.err());
  }

  @Test
  void offlineJsonNamesTheKdsTheCacheCameFrom() throws Exception {
    serveVector("milan-v3-oak-cb");
    Path cache = tmp.resolve("cache");
    CliRun r = run("snp", "fetch", "--report", report("milan-v3-oak-cb").toString(), "--kds-url", url(),
        "--cache", cache.toString(), "--out", tmp.resolve("a").toString(), "--json");
    assertEquals(0, r.exit(), r.err());
    String online = com.google.gson.JsonParser.parseString(r.out()).getAsJsonObject().get("url").getAsString();
    assertTrue(online.startsWith(url() + "/vcek/v1/Milan/"), online);

    server.stop(0);
    // offline without --kds-url: the cache remembers where its VCEK came from
    CliRun offline = run("snp", "fetch", "--report", report("milan-v3-oak-cb").toString(), "--offline",
        "--cache", cache.toString(), "--out", tmp.resolve("b").toString(), "--json");
    assertEquals(0, offline.exit(), offline.err());
    assertEquals(online, com.google.gson.JsonParser.parseString(offline.out()).getAsJsonObject().get("url").getAsString());
    assertFalse(offline.out().contains("kdsintf.amd.com"), offline.out());
  }

  @Test
  void corruptedCertificatesAreRefusedAndNotWritten() throws Exception {
    serveVector("milan-v3-oak-cb");
    bodies.replaceAll((k, v) -> {
      if (!k.contains("cert_chain")) {
        byte[] bad = v.clone();
        bad[bad.length - 5] ^= 1;
        return bad;
      }
      return v;
    });
    CliRun r = run("snp", "fetch", "--report", report("milan-v3-oak-cb").toString(), "--kds-url", url(),
        "--out", tmp.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("UNTRUSTED_RESPONSE"), r.err());
    assertFalse(Files.exists(tmp.resolve("vcek.der")));
  }

  @Test
  void badInputsAreRefusedOrUsageErrors() throws Exception {
    CliRun truncated = run("snp", "fetch", "--report", report("neg-milan-v2-truncated").toString(), "--kds-url", url(),
        "--out", tmp.toString());
    assertEquals(1, truncated.exit());
    CliRun missing = run("snp", "fetch", "--report", tmp.resolve("nope.bin").toString(), "--kds-url", url());
    assertEquals(2, missing.exit());
    CliRun noReport = run("snp", "fetch", "--kds-url", url());
    assertEquals(2, noReport.exit());
    CliRun badProduct = run("snp", "fetch", "--report", report("milan-v2-gsg").toString(), "--product", "Naples");
    assertEquals(2, badProduct.exit());
    Path masked = tmp.resolve("masked.bin");
    byte[] r = Files.readAllBytes(report("milan-v3-oak-cb"));
    Arrays.fill(r, 0x1A0, 0x1E0, (byte) 0);
    Files.write(masked, r);
    CliRun maskedRun = run("snp", "fetch", "--report", masked.toString(), "--kds-url", url(), "--out", tmp.toString());
    assertEquals(1, maskedRun.exit());
    assertTrue(maskedRun.err().contains("MASKED_CHIP_ID"), maskedRun.err());
  }
}
