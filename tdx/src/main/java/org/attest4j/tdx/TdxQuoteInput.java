package org.attest4j.tdx;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * A TDX quote as tools write it to a file, before {@link TdxQuote#parse}: the raw quote bytes, the
 * quote as hex text (optionally {@code 0x}-prefixed), or a JSON object holding a {@code "quote"}
 * string, in hex or base64, at the top level ({@code {"quote": ...}}, dstack's quote-report) or
 * nested up to {@value #MAX_DEPTH} objects deep ({@code {"tdx": {"quote": ...}}}, dstack-teekit's
 * samples). A JSON object's {@code "event_log"} and {@code "vm_config"} next to the quote are kept.
 *
 * <p>Anything else is refused with {@link TdxReason#QUOTE_PARSE_ERROR} and a message naming the
 * shapes read. Only the container is decoded here; the quote itself is checked by {@link
 * TdxQuote#parse}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxQuoteInput {
  /** How deep in nested JSON objects a {@code "quote"} field is looked for. */
  public static final int MAX_DEPTH = 4;

  /** The shapes this reader accepts, for messages. */
  public static final String SHAPES =
      "raw quote bytes (little-endian version 4 or 5 first), hex text, or a JSON object with a"
          + " \"quote\" string in hex or base64 at the top level or nested (e.g. {\"tdx\":{\"quote\":...}})";

  private final Bytes quote;
  private final String shape;
  private final Bytes eventLog;
  private final String vmConfig;

  private TdxQuoteInput(Bytes quote, String shape, Bytes eventLog, String vmConfig) {
    this.quote = quote;
    this.shape = shape;
    this.eventLog = eventLog;
    this.vmConfig = vmConfig;
  }

  /**
   * Reads a quote file's content.
   *
   * @param input the file's bytes
   * @return the quote bytes and the shape they were read from
   * @throws MalformedEvidenceException with {@link TdxReason#QUOTE_PARSE_ERROR} if the input is
   *     none
   *     of the {@link #SHAPES}, or its JSON or hex/base64 text is malformed
   */
  public static TdxQuoteInput read(byte[] input) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(input, "quote input");
    try {
      return readUnchecked(input);
    } catch (MalformedEvidenceException e) {
      throw e;
    } catch (RuntimeException e) {
      throw error("the input is not one of " + SHAPES + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static TdxQuoteInput readUnchecked(byte[] input) throws MalformedEvidenceException {
    if (input.length >= 2 && input[1] == 0 && (input[0] == 4 || input[0] == 5)) {
      return new TdxQuoteInput(Bytes.of(input), "raw", null, null);
    }
    String text = new String(input, StandardCharsets.ISO_8859_1).strip();
    if (text.startsWith("{")) {
      return fromJson(new String(input, StandardCharsets.UTF_8));
    }
    byte[] hex = hex(text);
    if (hex != null) {
      return new TdxQuoteInput(Bytes.of(hex), "hex", null, null);
    }
    int version = input.length >= 2 ? (input[0] & 0xff) | (input[1] & 0xff) << 8 : -1;
    throw error(
        "the input is not a TDX quote"
            + (version >= 0 ? " (its first two bytes read as version " + version + ")" : "")
            + "; expected " + SHAPES);
  }

  private static TdxQuoteInput fromJson(String text) throws MalformedEvidenceException {
    Json json = new Json(TdxReason.QUOTE_PARSE_ERROR, "quote JSON");
    JsonElement root = json.parse(text);
    JsonObject o = json.object(root, "the JSON document");
    List<String> paths = new ArrayList<>();
    List<JsonObject> holders = new ArrayList<>();
    find(o, "", 0, paths, holders);
    if (holders.isEmpty()) {
      throw error("the JSON object has no \"quote\" string field (looked " + MAX_DEPTH
          + " objects deep); expected " + SHAPES);
    }
    if (holders.size() > 1) {
      throw error("the JSON object has several \"quote\" fields (" + String.join(", ", paths)
          + "); pass the one to verify on its own");
    }
    JsonObject h = holders.get(0);
    String path = paths.get(0);
    String value = h.get("quote").getAsString().strip();
    byte[] q = hex(value);
    String encoding = "hex";
    if (q == null) {
      q = base64(value);
      encoding = "base64";
    }
    if (q == null) {
      throw error("the JSON field " + path + " is neither hex nor base64");
    }
    Bytes log = null;
    JsonElement el = h.get("event_log");
    if (el != null && !el.isJsonNull()) {
      log = Bytes.of((el.isJsonPrimitive() ? el.getAsString() : el.toString()).getBytes(StandardCharsets.UTF_8));
    }
    String vm = null;
    JsonElement vc = h.get("vm_config");
    if (vc != null && !vc.isJsonNull()) {
      vm = vc.isJsonPrimitive() ? vc.getAsString() : vc.toString();
    }
    return new TdxQuoteInput(Bytes.of(q), "JSON " + path + " (" + encoding + ")", log, vm);
  }

  private static void find(JsonObject o, String prefix, int depth, List<String> paths, List<JsonObject> holders) {
    JsonElement q = o.get("quote");
    if (q != null && q.isJsonPrimitive() && q.getAsJsonPrimitive().isString()) {
      paths.add(prefix.isEmpty() ? "quote" : prefix + ".quote");
      holders.add(o);
      return;
    }
    if (depth + 1 >= MAX_DEPTH) {
      return;
    }
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (e.getValue().isJsonObject()) {
        String key = e.getKey().length() > 40 ? e.getKey().substring(0, 40) + "..." : e.getKey();
        find(e.getValue().getAsJsonObject(), prefix.isEmpty() ? key : prefix + "." + key, depth + 1, paths, holders);
      }
    }
  }

  private static byte[] hex(String s) {
    String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    h = h.replaceAll("\\s+", "");
    if (h.length() < 2 || h.length() % 2 != 0) {
      return null;
    }
    for (int i = 0; i < h.length(); i++) {
      if (Character.digit(h.charAt(i), 16) < 0) {
        return null;
      }
    }
    return HexFormat.of().parseHex(h);
  }

  private static byte[] base64(String s) {
    String b = s.replaceAll("\\s+", "");
    if (b.isEmpty()) {
      return null;
    }
    try {
      return b.indexOf('-') >= 0 || b.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(b)
          : Base64.getDecoder().decode(b);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static MalformedEvidenceException error(String msg) {
    return new MalformedEvidenceException(TdxReason.QUOTE_PARSE_ERROR, "quote input: " + msg);
  }

  /**
   * The quote bytes (not yet parsed; see {@link TdxQuote#parse}).
   *
   * @return the quote
   */
  public Bytes quote() {
    return quote;
  }

  /**
   * Where the quote was read from: {@code raw}, {@code hex}, or {@code JSON <path> (hex|base64)}.
   *
   * @return a short description
   */
  public String shape() {
    return shape;
  }

  /**
   * The {@code "event_log"} next to the quote in a JSON input (a JSON string's text, or the JSON
   * value itself as text).
   *
   * @return the event log, if present
   */
  public Optional<Bytes> eventLog() {
    return Optional.ofNullable(eventLog);
  }

  /**
   * The {@code "vm_config"} next to the quote in a JSON input.
   *
   * @return the dstack vm_config JSON text, if present
   */
  public Optional<String> vmConfig() {
    return Optional.ofNullable(vmConfig);
  }

  @Override
  public String toString() {
    return "TdxQuoteInput[" + shape + ", " + quote.length() + " bytes]";
  }
}
