package org.attest4j.kms.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;
import org.attest4j.core.internal.LogSafe;

/**
 * Strict JSON for requests and configuration: RFC 8259 syntax only (gson's strict mode), one value
 * with nothing after it, nesting at most {@value #MAX_DEPTH} deep, and <strong>no duplicate keys</strong>
 * (gson's tree keeps the last one silently, which lets two readers of one document see different
 * values). Every failure is a {@link MalformedEvidenceException}.
 *
 * <p>Not API (gson types in its signature): shared by the kms module and the examples.
 *
 * <p>Stateless; thread-safe.
 */
public final class StrictJson {
  /** The deepest nesting accepted. */
  public static final int MAX_DEPTH = 32;

  private StrictJson() {}

  /**
   * Parses one JSON value.
   *
   * @param text the document
   * @param reason the reason code of a refusal
   * @param what what the document is, for messages (for example "the KMS configuration")
   * @return the value
   * @throws MalformedEvidenceException if it is not strict JSON, nests too deeply or repeats a key
   */
  public static JsonElement parse(String text, ReasonCode reason, String what) throws MalformedEvidenceException {
    return parse(text, reason, what, MAX_DEPTH);
  }

  /**
   * Parses one JSON value with a tighter nesting bound.
   *
   * @param text the document
   * @param reason the reason code of a refusal
   * @param what what the document is, for messages (for example "vm_config")
   * @param maxDepth the deepest nesting accepted, at most {@value #MAX_DEPTH}
   * @return the value
   * @throws MalformedEvidenceException if it is not strict JSON, nests too deeply or repeats a key
   */
  public static JsonElement parse(String text, ReasonCode reason, String what, int maxDepth)
      throws MalformedEvidenceException {
    if (maxDepth < 0 || maxDepth > MAX_DEPTH) {
      throw new IllegalArgumentException("maxDepth must be in 0.." + MAX_DEPTH);
    }
    try (JsonReader r = new JsonReader(new StringReader(text))) {
      r.setStrictness(Strictness.STRICT);
      JsonElement e = read(r, 0, maxDepth, reason, what, "");
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw new MalformedEvidenceException(reason, what + " has data after the JSON value");
      }
      return e;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      throw new MalformedEvidenceException(reason, what + " is not well-formed JSON: " + e.getMessage());
    }
  }

  private static JsonElement read(JsonReader r, int depth, int maxDepth, ReasonCode reason,
      String what, String path) throws IOException, MalformedEvidenceException {
    if (depth > maxDepth) {
      throw new MalformedEvidenceException(reason, what + " nests deeper than " + maxDepth);
    }
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String k = r.nextName();
          if (o.has(k)) {
            throw new MalformedEvidenceException(reason,
                what + " repeats the key " + LogSafe.of(path + k));
          }
          o.add(k, read(r, depth + 1, maxDepth, reason, what, path + k + "."));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r, depth + 1, maxDepth, reason, what, path + "[]."));
        }
        r.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(r.nextString());
      }
      case NUMBER -> {
        return new JsonPrimitive(new java.math.BigDecimal(r.nextString()));
      }
      case BOOLEAN -> {
        return new JsonPrimitive(r.nextBoolean());
      }
      case NULL -> {
        r.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new MalformedEvidenceException(reason, what + " is not a JSON value at " + r.getPath());
    }
  }
}
