package org.attest4j.ratls;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ratls.internal.Scale;
import org.attest4j.tdx.TdxQuote;

/**
 * dstack's {@code Attestation::from_tdx_quote} (spec dstack-ratls §3.7): the attestation a legacy
 * certificate (OIDs .1 quote + .2 JSON event log) or a guest-agent GetQuote record stands for. Runtime
 * events are every log entry of type {@code 0x08000001} whatever its imr, report_data is the quote's
 * TD-report REPORT_DATA, config is empty. Stateless and thread-safe.
 */
public final class LegacyTdxAttestation {
  private static final int MAX_EVENTS = 4096;

  private LegacyTdxAttestation() {}

  /**
   * Builds the attestation of a TDX quote and its JSON event log.
   *
   * @param quote the DCAP quote bytes (must parse as a TDX quote)
   * @param eventLogJson the event log: a JSON array of {@code {imr, event_type, digest?, event,
   *     event_payload, version?, preimage?}} with hex byte strings
   * @return the attestation ({@code tdx} platform, {@code dstack} stack)
   * @throws MalformedEvidenceException when the quote or the log is malformed
   */
  public static Attestation fromTdxQuote(byte[] quote, byte[] eventLogJson)
      throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(quote, "quote");
    MalformedEvidenceException.requirePresent(eventLogJson, "event log");
    Bytes reportData = TdxQuote.parse(quote).body().reportData();
    List<TdxEvent> log = parseLog(Scale.utf8(eventLogJson, "event log"));
    List<RuntimeEvent> runtime = new ArrayList<>();
    for (TdxEvent e : log) {
      if (e.eventType() == TdxEvent.DSTACK_RUNTIME_EVENT_TYPE) {
        runtime.add(new RuntimeEvent(e.event(), e.eventPayload(), e.version()));
      }
    }
    return new Attestation(
        new PlatformEvidence.Tdx(Bytes.of(quote), log),
        new StackEvidence.Dstack(reportData, runtime, ""));
  }

  private static List<TdxEvent> parseLog(String json) throws MalformedEvidenceException {
    JsonArray arr;
    try {
      JsonElement root = JsonParser.parseString(json);
      if (!root.isJsonArray()) {
        throw bad("the event log must be a JSON array");
      }
      arr = root.getAsJsonArray();
    } catch (JsonParseException e) {
      throw bad("the event log is not JSON");
    }
    if (arr.size() > MAX_EVENTS) {
      throw bad("the event log has " + arr.size() + " entries; at most " + MAX_EVENTS);
    }
    List<TdxEvent> out = new ArrayList<>(arr.size());
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isJsonObject()) {
        throw bad("event log entry " + i + " is not an object");
      }
      JsonObject o = arr.get(i).getAsJsonObject();
      String w = "event log entry " + i;
      long imr = uint(o, "imr", w);
      long type = uint(o, "event_type", w);
      Bytes digest = o.has("digest") && !o.get("digest").isJsonNull() ? hex(o, "digest", w) : Bytes.empty();
      String event = string(o, "event", w);
      Bytes payload = hex(o, "event_payload", w);
      int version = o.has("version") ? (int) uint(o, "version", w) : 1;
      if (version != 1 && version != 2) {
        throw bad(w + ": version must be 1 or 2");
      }
      Optional<String> preimage =
          o.has("preimage") && !o.get("preimage").isJsonNull()
              ? Optional.of(string(o, "preimage", w)) : Optional.empty();
      out.add(new TdxEvent(imr, type, digest, event, payload, version, preimage));
    }
    return out;
  }

  private static long uint(JsonObject o, String key, String w) throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
      throw bad(w + ": " + key + " must be a number");
    }
    try {
      long v = e.getAsBigDecimal().longValueExact();
      if (v < 0 || v > 0xffffffffL) {
        throw bad(w + ": " + key + " is out of range");
      }
      return v;
    } catch (ArithmeticException | NumberFormatException x) {
      throw bad(w + ": " + key + " must be an unsigned 32-bit integer");
    }
  }

  private static String string(JsonObject o, String key, String w) throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
      throw bad(w + ": " + key + " must be a string");
    }
    return e.getAsString();
  }

  private static Bytes hex(JsonObject o, String key, String w) throws MalformedEvidenceException {
    String s = string(o, key, w);
    try {
      return Bytes.of(HexFormat.of().parseHex(s));
    } catch (IllegalArgumentException x) {
      throw bad(w + ": " + key + " is not hex");
    }
  }

  private static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(CoreReason.BAD_ENCODING, "legacy TDX event log: " + message);
  }

}
