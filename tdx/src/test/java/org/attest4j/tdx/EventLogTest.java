package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/** CCEL and dstack event-log replay, runtime-event digests, dstack app identity. */
class EventLogTest {
  private static final String GOTDX = "vectors/tdx/gotdx-v4-cos-ccel-sigonly/";
  private static final String DSTACK = "vectors/tdx/dstack-v4-90c06f-eventlog-uptodate/";

  static Bytes hex(String s) {
    return Bytes.of(HexFormat.of().parseHex(s));
  }

  @Test
  void ccelReplayMatchesQuote() throws Exception {
    JsonObject meta = SharedData.json(GOTDX + "meta.json").getAsJsonObject();
    TdxQuote quote = TdxQuote.parse(SharedData.bytes(GOTDX + "quote.bin"));
    CcelEventLog log = CcelEventLog.parse(SharedData.bytes(GOTDX + "ccel_data.bin"),
        SharedData.bytes(GOTDX + "ccel_acpi_table.bin"));
    JsonObject el = meta.getAsJsonObject("event_log");
    assertEquals(el.get("events_including_specid").getAsInt(), log.events().size() + 1);
    assertEquals(el.get("log_end_offset").getAsInt(), log.endOffset());
    assertEquals(262144, log.acpiTable().orElseThrow().logAreaLength());
    assertEquals(0xBEDBF000L, log.acpiTable().orElseThrow().logAreaAddress());
    assertEquals(2, log.acpiTable().orElseThrow().ccType());
    Rtmrs replayed = log.replay();
    replayed.requireMatches(quote.body());
    assertEquals(quote.body().rtmrs(), replayed);
  }

  @Test
  void ccelTamperedDigestMismatches() throws Exception {
    TdxQuote quote = TdxQuote.parse(SharedData.bytes(GOTDX + "quote.bin"));
    byte[] data = SharedData.bytes(GOTDX + "ccel_data.bin");
    CcelEventLog log = CcelEventLog.parse(data);
    // find the first RTMR1 event's digest bytes in the area and flip one bit
    CcelEvent e = log.events().stream().filter(x -> x.rtmrIndex() == 1).findFirst().orElseThrow();
    int at = indexOf(data, e.sha384Digest().toByteArray());
    data[at] ^= 1;
    Rtmrs replayed = CcelEventLog.parse(data).replay();
    VerificationException ex = assertThrows(VerificationException.class, () -> replayed.requireMatches(quote.body()));
    assertEquals(TdxReason.RTMR_MISMATCH, ex.reason());
    assertTrue(ex.getMessage().contains("RTMR1"), ex.getMessage());
    assertEquals(List.of(1), replayed.mismatches(quote.body().rtmrs()));
  }

  @Test
  void ccelBadAcpiTableRefused() {
    byte[] t = SharedData.bytes(GOTDX + "ccel_acpi_table.bin");
    t[40] ^= 1; // breaks the checksum
    MalformedEvidenceException ex = assertThrows(MalformedEvidenceException.class,
        () -> CcelEventLog.parse(SharedData.bytes(GOTDX + "ccel_data.bin"), t));
    assertEquals(TdxReason.EVENT_LOG_MALFORMED, ex.reason());
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void dstackLogReplaysAndGivesAppInfo() throws Exception {
    JsonObject meta = SharedData.json(DSTACK + "meta.json").getAsJsonObject();
    TdxQuote quote = TdxQuote.parse(SharedData.bytes(DSTACK + "quote.bin"));
    DstackEventLog log = DstackEventLog.parse(SharedData.bytes(DSTACK + "event_log.json"));
    log.replay().requireMatches(quote.body());
    List<String> names = new ArrayList<>();
    log.runtimeEvents().forEach(e -> names.add(e.name()));
    List<String> expectedNames = new ArrayList<>();
    meta.getAsJsonObject("event_log").getAsJsonArray("runtime_event_names").forEach(x -> expectedNames.add(x.getAsString()));
    assertEquals(expectedNames, names);
    assertEquals(meta.getAsJsonObject("event_log").get("rtmr3_boottime_up_to_boot-mr-done").getAsString(),
        DstackRuntimeEvent.replayBootTime(log.runtimeEvents()).toHex());

    DstackAppInfo info = DstackAppInfo.of(quote.body(), log.runtimeEvents(), SharedData.text(DSTACK + "vm_config.json"));
    JsonObject ai = meta.getAsJsonObject("dstack_app_info");
    assertEquals(ai.get("app_id").getAsString(), info.appId().toHex());
    assertEquals(ai.get("compose_hash").getAsString(), info.composeHash().toHex());
    assertEquals(ai.get("instance_id").getAsString(), info.instanceId().toHex());
    assertEquals(ai.get("key_provider_info_utf8").getAsString(), info.keyProviderInfoUtf8().orElseThrow());
    assertEquals(ai.get("mr_key_provider").getAsString(), info.mrKeyProvider().toHex());
    assertEquals(ai.get("mr_system").getAsString(), info.mrSystem().toHex());
    assertEquals(ai.get("mr_aggregated").getAsString(), info.mrAggregated().toHex());
    assertEquals(ai.get("device_id").getAsString(), info.deviceId().toHex());
    assertEquals(ai.get("os_image_hash(from vm_config)").getAsString(), info.osImageHash().orElseThrow().toHex());
  }

  @Test
  void tamperedComposeHashMismatchesRtmr3() throws Exception {
    String dir = "vectors/tdx/neg-eventlog-tampered-compose-hash/";
    TdxQuote quote = TdxQuote.parse(SharedData.bytes(dir + "quote.bin"));
    DstackEventLog log = DstackEventLog.parse(SharedData.bytes(dir + "event_log.json"));
    Rtmrs r = log.replay();
    assertEquals(List.of(3), r.mismatches(quote.body().rtmrs()));
    VerificationException ex = assertThrows(VerificationException.class, () -> r.requireMatches(quote.body()));
    assertEquals(TdxReason.RTMR_MISMATCH, ex.reason());
    VerificationException ex2 = assertThrows(VerificationException.class,
        () -> DstackAppInfo.of(quote.body(), log.runtimeEvents(), null));
    assertEquals(TdxReason.RTMR_MISMATCH, ex2.reason());
  }

  @Test
  void recordedRuntimeDigestMustMatchPayload() throws Exception {
    String json = new String(SharedData.bytes(DSTACK + "event_log.json"), StandardCharsets.UTF_8);
    // change the app-id payload but keep its recorded digest: refused as a digest mismatch
    String t1 = json.replace("\"event_payload\":\"3763bc34552cf3a27ff71ad5f7a90471562a1a2d\"",
        "\"event_payload\":\"4763bc34552cf3a27ff71ad5f7a90471562a1a2d\"");
    String tampered = t1.replace("\"event_payload\": \"3763bc34552cf3a27ff71ad5f7a90471562a1a2d\"",
        "\"event_payload\": \"4763bc34552cf3a27ff71ad5f7a90471562a1a2d\"");
    assertFalse(tampered.equals(json), "fixture layout changed");
    VerificationException ex = assertThrows(VerificationException.class,
        () -> DstackEventLog.parse(tampered.getBytes(StandardCharsets.UTF_8)));
    assertEquals(TdxReason.EVENT_DIGEST_MISMATCH, ex.reason());
  }

  @Test
  void rtmr3Vectors() throws Exception {
    List<JsonObject> cases = SharedData.jsonLines("vectors/dstack/rtmr3.jsonl");
    for (JsonObject c : cases) {
      String id = c.get("id").getAsString();
      List<DstackRuntimeEvent> events = new ArrayList<>();
      for (var e : c.getAsJsonArray("events")) {
        JsonObject o = e.getAsJsonObject();
        DstackRuntimeEvent ev = DstackRuntimeEvent.of(o.get("event").getAsString(),
            hex(o.get("payload").getAsString()), o.get("version").getAsInt());
        assertEquals(o.get("digest").getAsString(), ev.digest().toHex(), id + " " + ev);
        events.add(ev);
      }
      assertEquals(c.get("rtmr3").getAsString(), DstackRuntimeEvent.replay(events).toHex(), id);
      assertEquals(c.get("rtmr3_boot_time").getAsString(), DstackRuntimeEvent.replayBootTime(events).toHex(), id);
      JsonObject t = c.getAsJsonObject("tdx");
      for (boolean boot : new boolean[] {false, true}) {
        DstackAppInfo.Builder b = DstackAppInfo.builder()
            .mrTd(hex(t.get("mrtd").getAsString()))
            .rtmr(0, hex(t.get("rtmr0").getAsString()))
            .rtmr(1, hex(t.get("rtmr1").getAsString()))
            .rtmr(2, hex(t.get("rtmr2").getAsString()))
            .mrConfigId(hex(t.get("mr_config_id").getAsString()))
            .mrOwner(hex(t.get("mr_owner").getAsString()))
            .mrOwnerConfig(hex(t.get("mr_owner_config").getAsString()))
            .events(events)
            .bootTime(boot);
        if (!boot) {
          b.rtmr(3, hex(c.get("rtmr3").getAsString()));
        }
        DstackAppInfo info = b.build();
        JsonObject exp = boot ? c.getAsJsonObject("boot_time") : c;
        assertEquals(exp.get("mr_key_provider").getAsString(), info.mrKeyProvider().toHex(), id);
        assertEquals(exp.get("mr_system").getAsString(), info.mrSystem().toHex(), id);
        assertEquals(exp.get("mr_aggregated").getAsString(), info.mrAggregated().toHex(), id);
        JsonObject d = c.getAsJsonObject("decoded");
        assertEquals(d.get("app_id").getAsString(), info.appId().toHex(), id);
        assertEquals(d.get("compose_hash").getAsString(), info.composeHash().toHex(), id);
        assertEquals(d.get("instance_id").getAsString(), info.instanceId().toHex(), id);
        assertEquals(d.get("key_provider_info").getAsString(), info.keyProviderInfoUtf8().orElseThrow(), id);
      }
    }
  }

  @Test
  void dstackKmsSpecSection7Digests() {
    String spec = SharedData.text("spec/dstack-kms.md");
    int s7 = spec.indexOf("## 7. Test vectors");
    assertTrue(s7 > 0);
    Pattern row = Pattern.compile(
        "\\| `([a-z-]+)` (empty|= `([0-9a-f]{2})`×(\\d+)) \\| `([0-9a-f]{96})` \\|");
    Matcher m = row.matcher(spec.substring(s7));
    List<DstackRuntimeEvent> events = new ArrayList<>();
    while (m.find()) {
      byte[] payload = new byte[0];
      if (m.group(3) != null) {
        payload = new byte[Integer.parseInt(m.group(4))];
        java.util.Arrays.fill(payload, (byte) Integer.parseInt(m.group(3), 16));
      }
      DstackRuntimeEvent e = DstackRuntimeEvent.of(m.group(1), Bytes.of(payload));
      assertEquals(m.group(5), e.digest().toHex(), m.group(1));
      events.add(e);
    }
    assertEquals(5, events.size(), "expected the 5 RTMR3 event digest rows of dstack-kms.md §7");
    // order in the table: system-preparing, boot-mr-done, app-id, compose-hash, instance-id;
    // the replay row uses system-preparing, app-id, compose-hash, instance-id, boot-mr-done
    List<DstackRuntimeEvent> ordered = List.of(events.get(0), events.get(2), events.get(3), events.get(4), events.get(1));
    Matcher r = Pattern.compile("RTMR3 replay of the 5 events above[^\\n]*`([0-9a-f]{96})`").matcher(spec.substring(s7));
    assertTrue(r.find(), "replay row not found");
    assertEquals(r.group(1), DstackRuntimeEvent.replay(ordered).toHex());
  }

  @Test
  void dstackFixturesReproduce() throws Exception {
    JsonObject meta = SharedData.json("vectors/dstack/fixtures/meta.json").getAsJsonObject();
    for (String f : new String[] {"quote-report.json", "tdx-lite-getquote.json"}) {
      JsonObject fx = SharedData.json("vectors/dstack/fixtures/" + f).getAsJsonObject();
      JsonObject exp = meta.getAsJsonObject(f);
      TdxQuote quote = TdxQuote.parse(HexFormat.of().parseHex(fx.get("quote").getAsString()));
      String logJson = fx.get("event_log").isJsonPrimitive() ? fx.get("event_log").getAsString() : fx.get("event_log").toString();
      DstackEventLog log = DstackEventLog.parse(logJson.getBytes(StandardCharsets.UTF_8));
      assertEquals(exp.get("runtime_event_count").getAsInt(), log.runtimeEvents().size(), f);
      log.replay().requireMatches(quote.body());
      String vm = fx.get("vm_config").isJsonPrimitive() ? fx.get("vm_config").getAsString() : fx.get("vm_config").toString();
      DstackAppInfo info = DstackAppInfo.of(quote.body(), log.runtimeEvents(), vm);
      assertEquals(exp.get("app_id").getAsString(), info.appId().toHex(), f);
      assertEquals(exp.get("compose_hash").getAsString(), info.composeHash().toHex(), f);
      assertEquals(exp.get("instance_id").getAsString(), info.instanceId().toHex(), f);
      assertEquals(exp.get("key_provider_info").getAsString(), info.keyProviderInfoUtf8().orElseThrow(), f);
      assertEquals(exp.get("mr_system").getAsString(), info.mrSystem().toHex(), f);
      assertEquals(exp.get("mr_aggregated").getAsString(), info.mrAggregated().toHex(), f);
      assertEquals(exp.get("os_image_hash_from_vm_config").getAsString(), info.osImageHash().orElseThrow().toHex(), f);
      assertEquals(exp.get("report_data").getAsString(), quote.body().reportData().toHex(), f);
    }
  }

  @Test
  void appInfoIgnoresEventsAfterSystemReady() throws Exception {
    List<DstackRuntimeEvent> ev = List.of(
        DstackRuntimeEvent.of("app-id", hex("11".repeat(20))),
        DstackRuntimeEvent.of("compose-hash", hex("22".repeat(32))),
        DstackRuntimeEvent.of("system-ready", Bytes.empty()),
        DstackRuntimeEvent.of("instance-id", hex("33".repeat(20))),
        DstackRuntimeEvent.of("key-provider", hex("7b7d")));
    DstackAppInfo info = DstackAppInfo.builder().mrTd(hex("00".repeat(48)))
        .rtmr(0, hex("00".repeat(48))).rtmr(1, hex("00".repeat(48))).rtmr(2, hex("00".repeat(48)))
        .events(ev).build();
    assertEquals(Bytes.empty(), info.instanceId());
    assertTrue(info.keyProviderInfo().isEmpty());
    assertEquals("00".repeat(32), info.mrKeyProvider().toHex());
    // no app-id before system-ready: refused
    AttestationException ex = assertThrows(AttestationException.class, () -> DstackAppInfo.builder()
        .mrTd(hex("00".repeat(48))).rtmr(0, hex("00".repeat(48))).rtmr(1, hex("00".repeat(48)))
        .rtmr(2, hex("00".repeat(48)))
        .events(List.of(DstackRuntimeEvent.of("system-ready", Bytes.empty()), ev.get(0), ev.get(1))).build());
    assertEquals(TdxReason.APP_INFO_INVALID, ex.reason());
  }
}
