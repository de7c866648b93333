package org.attest4j.tdx;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * dstack's JSON event log: a list of {@code {imr, event_type, digest, event, event_payload}} with
 * the firmware events of RTMR0-2 (digests as recorded) and dstack's runtime events in RTMR3
 * (event_type 0x08000001), as returned by the dstack guest agent and found in dstack's verifier
 * fixtures. An object holding the list under {@code "event_log"} (as an array or a JSON string) is
 * accepted too.
 *
 * <p>Runtime-event digests are always recomputed from name and payload ({@link DstackRuntimeEvent});
 * a non-empty recorded digest must equal the v1 or v2 digest (or the declared {@code version}'s), or
 * the log is refused. "Lite" logs with empty runtime digests are accepted.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DstackEventLog {
  private static final long EV_NO_ACTION = 3;
  private static final int MAX_ENTRIES = 100_000;

  /**
   * One entry of the log.
   *
   * @param imr RTMR index 0..3
   * @param eventType TCG event type, or 0x08000001 for dstack runtime events
   * @param digest the digest that is extended (recomputed for runtime events)
   * @param name the event name ("" for firmware events)
   * @param payload the event payload (may be empty in "lite" logs)
   */
  public record Entry(int imr, long eventType, Bytes digest, String name, Bytes payload) {
    /**
     * Validates and copies.
     *
     * @param imr the RTMR index (0..3)
     * @param eventType TCG event type, or 0x08000001 for dstack runtime events
     * @param digest the digest that is extended
     * @param name the event name
     * @param payload the event payload
     */
    public Entry {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(payload, "payload");
    }

    /**
     * Whether this is a dstack runtime event.
     *
     * @return whether this is a dstack runtime event
     */
    public boolean isRuntimeEvent() {
      return eventType == DstackRuntimeEvent.EVENT_TYPE;
    }
  }

  private final List<Entry> entries;
  private final List<DstackRuntimeEvent> runtimeEvents;

  private DstackEventLog(List<Entry> entries, List<DstackRuntimeEvent> runtime) {
    this.entries = List.copyOf(entries);
    this.runtimeEvents = List.copyOf(runtime);
  }

  /**
   * Parses the JSON log.
   *
   * @param json the JSON bytes
   * @return the parsed value
   * @throws MalformedEvidenceException with {@link TdxReason#EVENT_LOG_MALFORMED}
   * @throws VerificationException with {@link TdxReason#EVENT_DIGEST_MISMATCH} when a recorded
   *     runtime-event digest does not match its name and payload
   */
  public static DstackEventLog parse(byte[] json) throws MalformedEvidenceException, VerificationException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(json, "json");
    Json j = new Json(TdxReason.EVENT_LOG_MALFORMED, "dstack event log");
    JsonElement root = j.parse(new String(json, StandardCharsets.UTF_8));
    if (root.isJsonObject() && root.getAsJsonObject().has("event_log")) {
      JsonElement inner = root.getAsJsonObject().get("event_log");
      root = inner.isJsonPrimitive() && inner.getAsJsonPrimitive().isString() ? j.parse(inner.getAsString()) : inner;
    }
    if (root == null || !root.isJsonArray()) {
      throw j.error("expected a JSON array of events");
    }
    JsonArray arr = root.getAsJsonArray();
    if (arr.size() > MAX_ENTRIES) {
      throw j.error("more than " + MAX_ENTRIES + " entries");
    }
    List<Entry> entries = new ArrayList<>();
    List<DstackRuntimeEvent> runtime = new ArrayList<>();
    int idx = 0;
    for (JsonElement e : arr) {
      JsonObject o = j.object(e, "event[" + idx + "]");
      int imr = (int) j.integer(o, "imr", 0, 3);
      long type = j.integer(o, "event_type", 0, 0xFFFFFFFFL);
      String digestHex = o.has("digest") && !o.get("digest").isJsonNull() ? j.string(o, "digest") : "";
      byte[] digest = hex(j, digestHex, "event[" + idx + "].digest");
      String name = o.has("event") && !o.get("event").isJsonNull() ? j.string(o, "event") : "";
      String payloadHex = o.has("event_payload") && !o.get("event_payload").isJsonNull()
          ? j.string(o, "event_payload") : "";
      byte[] payload = hex(j, payloadHex, "event[" + idx + "].event_payload");
      if (type == DstackRuntimeEvent.EVENT_TYPE) {
        if (imr != 3) {
          throw j.error("runtime event '" + name + "' (#" + idx + ") is recorded for RTMR" + imr + ", not RTMR3");
        }
        int version = o.has("version") ? (int) j.integer(o, "version", 1, 2) : 0;
        DstackRuntimeEvent ev = runtimeEvent(name, payload, digest, version, idx);
        runtime.add(ev);
        entries.add(new Entry(imr, type, ev.digest(), name, Bytes.of(payload)));
      } else {
        if (type != EV_NO_ACTION && digest.length != 48) {
          throw j.error("event #" + idx + " (type 0x" + Long.toHexString(type) + ") has a "
              + digest.length + "-byte digest; expected SHA-384 (48 bytes)");
        }
        entries.add(new Entry(imr, type, Bytes.of(digest), name, Bytes.of(payload)));
      }
      idx++;
    }
    return new DstackEventLog(entries, runtime);
  }

  private static DstackRuntimeEvent runtimeEvent(String name, byte[] payload, byte[] recorded, int version, int idx)
      throws VerificationException {
    Bytes p = Bytes.of(payload);
    if (version != 0) {
      DstackRuntimeEvent ev = DstackRuntimeEvent.of(name, p, version);
      if (recorded.length != 0 && !ev.digest().equalsBytes(recorded)) {
        throw digestMismatch(name, idx);
      }
      return ev;
    }
    DstackRuntimeEvent v1 = DstackRuntimeEvent.of(name, p, 1);
    if (recorded.length == 0 || v1.digest().equalsBytes(recorded)) {
      return v1;
    }
    DstackRuntimeEvent v2 = DstackRuntimeEvent.of(name, p, 2);
    if (v2.digest().equalsBytes(recorded)) {
      return v2;
    }
    throw digestMismatch(name, idx);
  }

  private static VerificationException digestMismatch(String name, int idx) {
    return new VerificationException(
        TdxReason.EVENT_DIGEST_MISMATCH,
        "runtime event '" + name + "' (#" + idx + ") records a digest that is neither the v1 nor the v2 digest of its name and payload");
  }

  private static byte[] hex(Json j, String s, String what) throws MalformedEvidenceException {
    try {
      String h = s.startsWith("0x") ? s.substring(2) : s;
      return HexFormat.of().parseHex(h);
    } catch (IllegalArgumentException e) {
      throw j.error(what + " is not hex");
    }
  }

  /**
   * Every entry in log order.
   *
   * @return every entry in log order
   */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The dstack runtime events (RTMR3, type 0x08000001) in order, with recomputed digests.
   *
   * @return the dstack runtime events (RTMR3, type 0x08000001) in order, with recomputed digests
   */
  public List<DstackRuntimeEvent> runtimeEvents() {
    return runtimeEvents;
  }

  /**
   * Replays every entry except EV_NO_ACTION into RTMR0..RTMR3, starting from zero.
   *
   * @return the replayed registers
   */
  public Rtmrs replay() {
    byte[][] mr = new byte[4][48];
    for (Entry e : entries) {
      if (e.eventType() == EV_NO_ACTION) {
        continue;
      }
      mr[e.imr()] = Rtmrs.extend(mr[e.imr()], e.digest().toByteArray());
    }
    return Rtmrs.of(Bytes.of(mr[0]), Bytes.of(mr[1]), Bytes.of(mr[2]), Bytes.of(mr[3]));
  }

  @Override
  public String toString() {
    return "DstackEventLog[" + entries.size() + " entries, " + runtimeEvents.size() + " runtime events]";
  }
}
