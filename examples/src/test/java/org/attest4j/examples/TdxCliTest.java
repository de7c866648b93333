package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** {@code attest4j tdx verify} against every TDX vector, as held-out vectors will be run. */
class TdxCliTest {
  record Run(int exit, String out, String err) {
    JsonObject json() {
      return JsonParser.parseString(out).getAsJsonObject();
    }
  }

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The command line a user would type for a vector directory (collateral, event log, vm_config when present). */
  static List<String> argsFor(Path d, boolean json, boolean isoTime) {
    JsonObject meta = SharedData.json("vectors/tdx/" + d.getFileName() + "/meta.json").getAsJsonObject();
    long t = meta.get("verification_time").getAsLong();
    List<String> a = new ArrayList<>(List.of("tdx", "verify", "--quote", d.resolve("quote.bin").toString()));
    a.add("--at");
    a.add(isoTime ? Instant.ofEpochSecond(t).toString() : Long.toString(t));
    if (Files.exists(d.resolve("tcb_info.json"))) {
      a.add("--collateral-dir");
      a.add(d.toString());
    }
    if (Files.exists(d.resolve("event_log.json"))) {
      a.add("--event-log");
      a.add(d.resolve("event_log.json").toString());
    }
    if (Files.exists(d.resolve("ccel_data.bin"))) {
      a.add("--event-log");
      a.add(d.resolve("ccel_data.bin").toString());
    }
    if (Files.exists(d.resolve("vm_config.json"))) {
      a.add("--vm-config");
      a.add(d.resolve("vm_config.json").toString());
    }
    if (json) {
      a.add("--json");
    }
    return a;
  }

  @TestFactory
  Stream<DynamicTest> everyVectorJson() {
    return SharedData.subdirectories("vectors/tdx").stream()
        .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> checkJson(d)));
  }

  @TestFactory
  Stream<DynamicTest> everyVectorText() {
    return SharedData.subdirectories("vectors/tdx").stream()
        .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
          JsonObject meta = SharedData.json("vectors/tdx/" + d.getFileName() + "/meta.json").getAsJsonObject();
          Run r = run(argsFor(d, false, true).toArray(String[]::new));
          boolean valid = meta.get("valid").getAsBoolean();
          assertEquals(valid ? 0 : 1, r.exit(), r.out() + r.err());
          if (!valid) {
            assertTrue(r.err().contains(meta.get("expected_error_class").getAsString()), r.err());
          }
          if (!(meta.has("collateral") && meta.get("collateral").isJsonNull())) {
            return;
          }
          assertTrue(r.out().contains("no collateral") || r.out().contains("collateral: none"), r.out());
        }));
  }

  private void checkJson(Path d) {
    JsonObject meta = SharedData.json("vectors/tdx/" + d.getFileName() + "/meta.json").getAsJsonObject();
    Run r = run(argsFor(d, true, false).toArray(String[]::new));
    JsonObject j = r.json();
    boolean valid = meta.get("valid").getAsBoolean();
    assertEquals(valid, j.get("valid").getAsBoolean(), r.out());
    assertEquals(valid ? 0 : 1, r.exit());
    if (!valid) {
      assertEquals(meta.get("expected_error_class").getAsString(), j.get("reason").getAsString(), r.out());
      assertFalse(r.err().isBlank(), "reason must be on stderr");
    }
    JsonObject q = meta.getAsJsonObject("quote");
    if (!q.has("parse_error")) {
      for (Map.Entry<String, JsonElement> e : q.entrySet()) {
        if (e.getKey().equals("pck_not_before") || e.getKey().equals("pck_not_after")) {
          // meta uses +00:00, we print Z: compare as instants
          if (j.getAsJsonObject("quote").has(e.getKey())) {
            assertEquals(java.time.OffsetDateTime.parse(e.getValue().getAsString()).toInstant().toString(),
                j.getAsJsonObject("quote").get(e.getKey()).getAsString());
          }
          continue;
        }
        if (!j.getAsJsonObject("quote").has(e.getKey()) && e.getKey().startsWith("pck_")) {
          continue; // PCK values appear only once the PCK chain verified
        }
        assertEquals(e.getValue(), j.getAsJsonObject("quote").get(e.getKey()), e.getKey());
      }
      for (String k : new String[] {"mr_td", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "report_data"}) {
        assertEquals(q.get(k), j.get(k), k);
      }
    }
    if (meta.has("expected") && valid) {
      JsonObject ex = meta.getAsJsonObject("expected");
      for (String k : new String[] {"tcb_status", "advisory_ids", "platform_tcb_level_status",
          "tdx_module_status", "qe_tcb_status", "tcb_date"}) {
        assertEquals(ex.get(k), j.get(k), k);
      }
      assertEquals(meta.get("collateral_window"), j.get("collateral_window"));
    }
    if (meta.has("dstack_app_info") && valid) {
      JsonObject ai = meta.getAsJsonObject("dstack_app_info");
      for (Map.Entry<String, JsonElement> e : ai.entrySet()) {
        assertEquals(e.getValue(), j.getAsJsonObject("dstack_app_info").get(e.getKey()), e.getKey());
        assertEquals(e.getValue(), j.get(e.getKey()), e.getKey());
      }
    }
    if (meta.has("event_log")) {
      JsonObject el = meta.getAsJsonObject("event_log");
      if (el.has("replay_matches_quote") && el.get("replay_matches_quote").getAsBoolean()) {
        assertTrue(j.getAsJsonObject("event_log").get("replay_matches_quote").getAsBoolean());
      }
      for (String k : new String[] {"runtime_event_names", "rtmr3_boottime_up_to_boot-mr-done",
          "events_including_specid", "log_end_offset"}) {
        if (el.has(k)) {
          assertEquals(el.get(k), j.getAsJsonObject("event_log").get(k), k);
        }
      }
    }
    if (meta.has("quote_alone_valid")) {
      assertEquals(meta.get("quote_alone_valid"), j.get("quote_alone_valid"));
    }
    if (meta.has("mismatching_rtmr")) {
      assertEquals(meta.get("mismatching_rtmr"), j.get("mismatching_rtmr"));
    }
    if (meta.has("collateral") && meta.get("collateral").isJsonNull()) {
      assertTrue(j.get("tcb_status").isJsonNull());
      assertTrue(j.get("note").getAsString().contains("no collateral"));
    }
  }

  @Test
  void collateralJsonEqualsCollateralDir() {
    Path d = SharedData.path("vectors/tdx/dstack-v4-90c06f-eventlog-uptodate");
    Run r = run("tdx", "verify", "--quote", d.resolve("quote.bin").toString(),
        "--collateral", d.resolve("collateral.dcap-qvl.json").toString(), "--at", "2026-03-20T10:41:14Z", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals("UpToDate", r.json().get("tcb_status").getAsString());
  }

  @Test
  void expiredCollateralRefused() {
    Path d = SharedData.path("vectors/tdx/dcapqvl-v4-b0c06f-uptodate");
    Run r = run("tdx", "verify", "--quote", d.resolve("quote.bin").toString(),
        "--collateral-dir", d.toString(), "--at", "2025-07-19T10:00:36Z", "--json");
    assertEquals(1, r.exit());
    assertFalse(r.json().get("valid").getAsBoolean());
    assertTrue(r.json().get("reason").getAsString().endsWith("EXPIRED"), r.out());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run("tdx", "verify").exit());
    assertEquals(2, run("tdx", "verify", "--quote", "/nonexistent/quote.bin").exit());
    assertEquals(2, run("tdx", "verify", "--quote", "x", "--at", "yesterday").exit());
    assertEquals(2, run("tdx", "verify", "--quote", "x", "--collateral", "a", "--collateral-dir", "b").exit());
    assertEquals(2, run("tdx", "verify", "--quote", "x", "--frobnicate").exit());
    assertEquals(2, run("tdx").exit());
  }

  @Test
  void policyFlags() {
    Path d = SharedData.path("vectors/tdx/dcapqvl-v4-b0c06f-uptodate");
    Run r = run("tdx", "verify", "--quote", d.resolve("quote.bin").toString(), "--collateral-dir", d.toString(),
        "--at", "1752919234", "--require-up-to-date", "--report-data", "00".repeat(64), "--json");
    assertEquals(1, r.exit());
    assertEquals("REPORT_DATA_MISMATCH", r.json().get("reason").getAsString());
  }
}
