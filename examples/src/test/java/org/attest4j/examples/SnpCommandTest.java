package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code attest4j snp show|verify} against every shared SNP vector. */
class SnpCommandTest {
  static final String DIR = "vectors/snp-reports";
  /** meta.json keys that describe provenance, not the report. */
  static final Set<String> NOT_COMPARED = Set.of("name", "source", "vek_file", "cert_chain_file", "note");

  record Run(int code, String out, String err) {
    JsonObject json() {
      return JsonParser.parseString(out).getAsJsonObject();
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static String windowStart(JsonObject meta) {
    JsonObject m = meta;
    if (!m.has("chain_validity_window")) {
      m = SharedData.json(DIR + "/" + meta.get("derived_from").getAsString() + "/meta.json").getAsJsonObject();
    }
    return m.getAsJsonObject("chain_validity_window").get("not_before").getAsString();
  }

  /** Every key of {@code expected} is in {@code actual} with an equal value (objects compared recursively). */
  static void assertSubset(JsonObject expected, JsonObject actual, String path) {
    for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
      if (NOT_COMPARED.contains(e.getKey())) {
        continue;
      }
      String p = path + "." + e.getKey();
      assertTrue(actual.has(e.getKey()), "missing " + p);
      JsonElement a = actual.get(e.getKey());
      if (e.getValue().isJsonObject()) {
        assertTrue(a.isJsonObject(), p);
        assertSubset(e.getValue().getAsJsonObject(), a.getAsJsonObject(), p);
      } else {
        assertEquals(e.getValue(), a, p);
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> verifyJsonMatchesMetaForEveryVector() {
    return SharedData.subdirectories(DIR).stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
      JsonObject meta = SharedData.json(DIR + "/" + d.getFileName() + "/meta.json").getAsJsonObject();
      Path vek = Files.exists(d.resolve("vlek.der")) ? d.resolve("vlek.der") : d.resolve("vcek.der");
      // the window start itself (inclusive) and an ISO-8601 form with 'T'
      String at = windowStart(meta).replace(' ', 'T');
      Run r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", vek.toString(),
          "--chain", d.resolve("cert_chain.pem").toString(), "--at", at, "--json");
      JsonObject out = r.json();
      if (meta.get("valid").getAsBoolean()) {
        assertEquals(0, r.code(), r.err());
        assertTrue(out.get("valid").getAsBoolean());
        assertSubset(meta, out, d.getFileName().toString());
      } else {
        assertEquals(1, r.code(), r.out());
        assertFalse(out.get("valid").getAsBoolean());
        assertFalse(out.get("reason").getAsString().isBlank());
        assertTrue(out.get("reason_code").getAsString().startsWith("SnpReason."));
        assertTrue(r.err().contains("REJECTED"), r.err());
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> showJsonMatchesMetaForEveryValidVector() {
    return SharedData.subdirectories(DIR).stream()
        .filter(d -> SharedData.json(DIR + "/" + d.getFileName() + "/meta.json").getAsJsonObject().get("valid").getAsBoolean())
        .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
          JsonObject meta = SharedData.json(DIR + "/" + d.getFileName() + "/meta.json").getAsJsonObject();
          Run r = run("snp", "show", "--report", d.resolve("report.bin").toString(), "--json",
              "--product", meta.get("product").getAsString());
          assertEquals(0, r.code(), r.err());
          JsonObject out = r.json();
          for (String k : new String[] {"version", "product", "signing_key", "measurement", "report_data", "host_data",
              "chip_id", "policy", "platform_info", "vmpl", "reported_tcb", "current_tcb", "launch_tcb", "committed_tcb",
              "guest_svn", "current_version", "committed_version", "report_sha256"}) {
            assertEquals(meta.get(k), out.get(k), d.getFileName() + " " + k);
          }
        }));
  }

  @Test
  void showV2WithoutProductGivesRawTcbOnly() {
    Path d = SharedData.path(DIR + "/milan-v2-gsg");
    Run r = run("snp", "show", "--report", d.resolve("report.bin").toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject out = r.json();
    assertTrue(out.get("product").isJsonNull());
    assertEquals("0x4405000000000002", out.getAsJsonObject("reported_tcb").get("raw").getAsString());
    assertFalse(out.getAsJsonObject("reported_tcb").has("snp"));
    // text mode
    Run t = run("snp", "show", "--report", d.resolve("report.bin").toString());
    assertEquals(0, t.code());
    assertTrue(t.out().contains("measurement: b07af962"), t.out());
  }

  @Test
  void strictPolicyRejectsDebugReportWithReason() {
    Path d = SharedData.path(DIR + "/milan-v2-gsg");
    Run r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vcek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--at", "2025-01-01T00:00:00Z", "--policy", "strict", "--json");
    assertEquals(1, r.code());
    JsonObject out = r.json();
    assertFalse(out.get("valid").getAsBoolean());
    assertEquals("SnpReason.DEBUG_ALLOWED", out.get("reason_code").getAsString());
    assertEquals("guest_policy.debug", out.getAsJsonArray("violations").get(0).getAsJsonObject().get("rule").getAsString());
    assertTrue(r.err().contains("debug"), r.err());
  }

  @Test
  void expiredChainAndWrongProductAreRefused() {
    Path d = SharedData.path(DIR + "/milan-v3-vlek-aws");
    Run r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vlek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--at", "2026-01-01T00:00:00Z", "--json");
    assertEquals(1, r.code());
    assertEquals("SnpReason.CERTIFICATE_EXPIRED", r.json().get("reason_code").getAsString());
    Run ok = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vlek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--at", "2025-06-01T00:00:00Z", "--json");
    assertEquals(0, ok.code(), ok.err());
    assertEquals("CN=cc-us-east-2.amazonaws.com", ok.json().get("csp_id").getAsString());
    Run wrong = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vlek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--at", "2025-06-01T00:00:00Z", "--product", "Genoa");
    assertEquals(1, wrong.code());
    assertTrue(wrong.err().contains("PRODUCT_MISMATCH"), wrong.err());
  }

  @Test
  void textOutputOnSuccess() {
    Path d = SharedData.path(DIR + "/genoa-v5-oak");
    Run r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vcek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--at", "2026-01-01");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("OK: SEV-SNP report verified (Genoa, v5, VCEK, root AMD ARK-Genoa)"), r.out());
  }

  @Test
  void usageErrorsExitTwo(@TempDir Path tmp) {
    Path d = SharedData.path(DIR + "/genoa-v5-oak");
    String rep = d.resolve("report.bin").toString();
    String vek = d.resolve("vcek.der").toString();
    String chain = d.resolve("cert_chain.pem").toString();
    assertEquals(2, run("snp", "verify", "--report", rep, "--chain", chain).code());
    assertEquals(2, run("snp", "verify", "--report", rep, "--vek", vek, "--chain", chain, "--at", "yesterday").code());
    assertEquals(2, run("snp", "verify", "--report", rep, "--vek", vek, "--chain", chain, "--policy", "lax").code());
    assertEquals(2, run("snp", "verify", "--report", rep, "--vek", vek, "--chain", chain, "--product", "Venice").code());
    assertEquals(2, run("snp", "verify", "--report", tmp.resolve("nope.bin").toString(), "--vek", vek, "--chain", chain).code());
    assertEquals(2, run("snp", "show").code());
    assertEquals(2, run("snp", "verify", "--report", rep, "--vek", vek, "--chain", chain, "--bogus").code());
    assertEquals(2, run("snp", "show", "--report", rep, "extra").code());
    assertEquals(2, run("snp").code());
  }

  @Test
  void garbageInputsAreRefusedNotCrashed(@TempDir Path tmp) throws Exception {
    Path d = SharedData.path(DIR + "/genoa-v5-oak");
    Path junk = tmp.resolve("junk");
    Files.write(junk, new byte[] {1, 2, 3});
    Run r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", junk.toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--at", "2026-01-01T00:00:00Z", "--json");
    assertEquals(1, r.code());
    assertNotNull(r.json().get("reason"));
    r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vcek.der").toString(),
        "--chain", junk.toString(), "--json");
    assertEquals(1, r.code());
    r = run("snp", "verify", "--report", d.resolve("report.bin").toString(), "--vek", d.resolve("vcek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--crl", junk.toString(), "--json");
    assertEquals(1, r.code());
    assertEquals("SnpReason.MALFORMED_CRL", r.json().get("reason_code").getAsString());
  }
}
