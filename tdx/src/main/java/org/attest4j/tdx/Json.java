package org.attest4j.tdx;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;

/** Strict typed access to gson trees; every failure is a {@link MalformedEvidenceException}. */
final class Json {
  private final ReasonCode reason;
  private final String what;

  Json(ReasonCode reason, String what) {
    this.reason = reason;
    this.what = what;
  }

  MalformedEvidenceException error(String msg) {
    return new MalformedEvidenceException(reason, what + ": " + msg);
  }

  JsonElement parse(String text) throws MalformedEvidenceException {
    try {
      JsonReader r = new JsonReader(new StringReader(text));
      r.setStrictness(com.google.gson.Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(r);
      if (r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
        throw error("trailing data after JSON value");
      }
      return e;
    } catch (MalformedEvidenceException e) {
      throw e;
    } catch (RuntimeException | java.io.IOException | StackOverflowError e) {
      throw error("not valid JSON (" + e.getClass().getSimpleName() + ")");
    }
  }

  JsonObject object(JsonElement e, String field) throws MalformedEvidenceException {
    if (e == null || !e.isJsonObject()) {
      throw error(field + " is not a JSON object");
    }
    return e.getAsJsonObject();
  }

  JsonArray array(JsonObject o, String field) throws MalformedEvidenceException {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonArray()) {
      throw error(field + " is missing or not an array");
    }
    return e.getAsJsonArray();
  }

  JsonObject object(JsonObject o, String field) throws MalformedEvidenceException {
    return object(o.get(field), field);
  }

  String string(JsonObject o, String field) throws MalformedEvidenceException {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw error(field + " is missing or not a string");
    }
    return e.getAsString();
  }

  String optString(JsonObject o, String field) throws MalformedEvidenceException {
    JsonElement e = o.get(field);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    return string(o, field);
  }

  long integer(JsonObject o, String field, long min, long max) throws MalformedEvidenceException {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw error(field + " is missing or not a number");
    }
    JsonPrimitive pr = e.getAsJsonPrimitive();
    long v;
    try {
      v = new java.math.BigDecimal(pr.getAsString()).longValueExact();
    } catch (ArithmeticException | NumberFormatException ex) {
      throw error(field + " = " + pr.getAsString() + " is not an integer");
    }
    if (v < min || v > max) {
      throw error(field + " = " + v + " is out of range [" + min + ", " + max + "]");
    }
    return v;
  }

  byte[] hex(JsonObject o, String field, int len) throws MalformedEvidenceException {
    String s = string(o, field);
    try {
      byte[] b = HexFormat.of().parseHex(s);
      if (len >= 0 && b.length != len) {
        throw error(field + " must be " + len + " bytes of hex, got " + b.length);
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw error(field + " is not hex");
    }
  }

  Instant instant(JsonObject o, String field) throws MalformedEvidenceException {
    String s = string(o, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw error(field + " = '" + s + "' is not an ISO-8601 UTC date-time");
    }
  }

  List<String> stringList(JsonObject o, String field) throws MalformedEvidenceException {
    JsonElement e = o.get(field);
    if (e == null || e.isJsonNull()) {
      return List.of();
    }
    if (!e.isJsonArray()) {
      throw error(field + " is not an array");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
        throw error(field + " holds a non-string");
      }
      out.add(x.getAsString());
    }
    return List.copyOf(out);
  }
}
