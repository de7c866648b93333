package org.attest4j.kms;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.kms.internal.StrictJson;

/**
 * dstack's "prpc" JSON form of the kms_rpc messages ({@code POST /prpc/Method?json}): an object
 * with the proto field names in snake_case, {@code bytes} as lowercase hex (an optional {@code 0x}
 * is accepted on input), 64-bit integers as JSON numbers (digit strings accepted on input), enums
 * by name, repeated fields as arrays. Parsing is strict: the JSON must be well formed with nothing
 * after it, every key must be a field of the message, every value must have the field's type and
 * range; {@code null} means "not set". Every failure is a {@link MalformedEvidenceException} with
 * {@link KmsReason#BAD_REQUEST} naming the field.
 *
 * <p>Stateless and thread-safe.
 */
public final class PrpcJson {
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX_DEPTH = 16;
  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private PrpcJson() {}

  /**
   * Parses {@code json} into a message of the type of {@code prototype}.
   *
   * @param <T> the message type
   * @param json the JSON
   * @param prototype a message of the type to parse into (its default instance)
   * @return the parsed message
   * @throws MalformedEvidenceException ({@link KmsReason#BAD_REQUEST}) for malformed JSON, duplicate
   *     or unknown keys or values of the wrong type
   */
  @SuppressWarnings("unchecked")
  public static <T extends Message> T parse(String json, T prototype) throws MalformedEvidenceException {
    JsonElement root = StrictJson.parse(json, KmsReason.BAD_REQUEST, "the JSON request");
    Message.Builder b = prototype.newBuilderForType();
    merge(root, b, "", 0);
    return (T) b.build();
  }

  /**
   * The JSON form of {@code message}. Optional fields appear only when set. Package-private: gson
   * stays out of the API; {@link #print} is the public form.
   */
  static JsonObject toJson(MessageOrBuilder message) {
    JsonObject o = new JsonObject();
    for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
      if (f.hasPresence() && !f.isRepeated() && !message.hasField(f)) {
        continue;
      }
      Object v = message.getField(f);
      if (f.isRepeated()) {
        JsonArray a = new JsonArray();
        for (Object item : (List<?>) v) {
          a.add(value(f, item));
        }
        o.add(f.getName(), a);
      } else {
        o.add(f.getName(), value(f, v));
      }
    }
    return o;
  }

  /**
   * The JSON form of {@code message} as a compact string: optional fields only when set.
   *
   * @param message the message
   * @return the JSON text
   */
  public static String print(MessageOrBuilder message) {
    return toJson(message).toString();
  }

  private static JsonElement value(FieldDescriptor f, Object v) {
    return switch (f.getJavaType()) {
      case BYTE_STRING -> new JsonPrimitive(HEX.formatHex(((ByteString) v).toByteArray()));
      case STRING -> new JsonPrimitive((String) v);
      case BOOLEAN -> new JsonPrimitive((Boolean) v);
      case INT -> isUnsigned(f)
          ? new JsonPrimitive(Integer.toUnsignedLong((Integer) v))
          : new JsonPrimitive((Integer) v);
      case LONG -> isUnsigned(f)
          ? new JsonPrimitive(new BigInteger(Long.toUnsignedString((Long) v)))
          : new JsonPrimitive((Long) v);
      case FLOAT -> new JsonPrimitive((Float) v);
      case DOUBLE -> new JsonPrimitive((Double) v);
      case ENUM -> new JsonPrimitive(((EnumValueDescriptor) v).getName());
      case MESSAGE -> toJson((MessageOrBuilder) v);
    };
  }

  private static boolean isUnsigned(FieldDescriptor f) {
    return switch (f.getType()) {
      case UINT32, FIXED32, UINT64, FIXED64 -> true;
      default -> false;
    };
  }

  private static void merge(JsonElement el, Message.Builder b, String path, int depth)
      throws MalformedEvidenceException {
    if (depth > MAX_DEPTH) {
      throw bad(path, "nested too deeply");
    }
    if (!el.isJsonObject()) {
      throw bad(path, "expected a JSON object for " + b.getDescriptorForType().getName());
    }
    for (Map.Entry<String, JsonElement> e : el.getAsJsonObject().entrySet()) {
      String name = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      FieldDescriptor f = b.getDescriptorForType().findFieldByName(e.getKey());
      if (f == null) {
        throw bad(name, "unknown field for " + b.getDescriptorForType().getName());
      }
      JsonElement v = e.getValue();
      if (v.isJsonNull()) {
        continue;
      }
      if (f.isRepeated()) {
        if (!v.isJsonArray()) {
          throw bad(name, "expected an array");
        }
        int i = 0;
        for (JsonElement item : v.getAsJsonArray()) {
          String itemName = name + "[" + i++ + "]";
          if (item instanceof JsonNull) {
            throw bad(itemName, "null is not allowed in an array");
          }
          if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            Message.Builder sub = b.newBuilderForField(f);
            merge(item, sub, itemName, depth + 1);
            b.addRepeatedField(f, sub.build());
          } else {
            b.addRepeatedField(f, scalar(f, item, itemName));
          }
        }
      } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Message.Builder sub = b.newBuilderForField(f);
        merge(v, sub, name, depth + 1);
        b.setField(f, sub.build());
      } else {
        b.setField(f, scalar(f, v, name));
      }
    }
  }

  private static Object scalar(FieldDescriptor f, JsonElement v, String name)
      throws MalformedEvidenceException {
    if (!v.isJsonPrimitive()) {
      throw bad(name, "expected " + describe(f) + ", got " + kind(v));
    }
    JsonPrimitive p = v.getAsJsonPrimitive();
    switch (f.getJavaType()) {
      case BYTE_STRING -> {
        if (!p.isString()) {
          throw bad(name, "expected a hex string, got " + kind(v));
        }
        String h = p.getAsString();
        if (h.startsWith("0x") || h.startsWith("0X")) {
          h = h.substring(2);
        }
        try {
          return ByteString.copyFrom(HEX.parseHex(h));
        } catch (IllegalArgumentException e) {
          throw bad(name, "not a hex string (" + h.length() + " characters)");
        }
      }
      case STRING -> {
        if (!p.isString()) {
          throw bad(name, "expected a string, got " + kind(v));
        }
        return p.getAsString();
      }
      case BOOLEAN -> {
        if (!p.isBoolean()) {
          throw bad(name, "expected true or false, got " + kind(v));
        }
        return p.getAsBoolean();
      }
      case INT, LONG -> {
        BigInteger n = integer(p, name, f);
        boolean unsigned = isUnsigned(f);
        boolean wide = f.getJavaType() == FieldDescriptor.JavaType.LONG;
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.valueOf(wide ? Long.MIN_VALUE : Integer.MIN_VALUE);
        BigInteger max =
            unsigned
                ? (wide ? U64_MAX : BigInteger.valueOf(0xffff_ffffL))
                : BigInteger.valueOf(wide ? Long.MAX_VALUE : Integer.MAX_VALUE);
        if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
          throw bad(name, "integer " + n + " out of range for " + describe(f));
        }
        return wide ? (Object) n.longValue() : (Object) n.intValue();
      }
      case ENUM -> {
        EnumValueDescriptor ev;
        if (p.isString()) {
          ev = f.getEnumType().findValueByName(p.getAsString());
        } else {
          BigInteger n = integer(p, name, f);
          ev = n.bitLength() < 32 ? f.getEnumType().findValueByNumber(n.intValue()) : null;
        }
        if (ev == null) {
          throw bad(name, "unknown value " + p + " for " + f.getEnumType().getName());
        }
        return ev;
      }
      default -> throw bad(name, "unsupported field type " + f.getType());
    }
  }

  private static BigInteger integer(JsonPrimitive p, String name, FieldDescriptor f)
      throws MalformedEvidenceException {
    String text;
    if (p.isNumber()) {
      text = p.getAsString();
    } else if (p.isString() && f.getJavaType() == FieldDescriptor.JavaType.LONG) {
      text = p.getAsString();
    } else {
      throw bad(name, "expected " + describe(f) + ", got " + kind(p));
    }
    if (text.length() > 40 || !text.matches("-?[0-9]+")) {
      throw bad(name, "expected " + describe(f) + ", got " + abbreviate(text));
    }
    return new BigInteger(text);
  }

  private static String describe(FieldDescriptor f) {
    return switch (f.getType()) {
      case UINT32, FIXED32 -> "an unsigned 32-bit integer";
      case UINT64, FIXED64 -> "an unsigned 64-bit integer";
      case INT32, SINT32, SFIXED32 -> "a 32-bit integer";
      case INT64, SINT64, SFIXED64 -> "a 64-bit integer";
      case BYTES -> "a hex string";
      case STRING -> "a string";
      case BOOL -> "true or false";
      case ENUM -> "a " + f.getEnumType().getName() + " name";
      default -> "a " + f.getType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String kind(JsonElement v) {
    if (v.isJsonObject()) {
      return "an object";
    }
    if (v.isJsonArray()) {
      return "an array";
    }
    JsonPrimitive p = v.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return "a boolean";
    }
    if (p.isNumber()) {
      return "the number " + abbreviate(p.getAsString());
    }
    return "a string";
  }

  private static String abbreviate(String s) {
    return s.length() <= 24 ? s : s.substring(0, 24) + "...";
  }

  private static MalformedEvidenceException bad(String field, String msg) {
    return new MalformedEvidenceException(
        KmsReason.BAD_REQUEST, field.isEmpty() ? "JSON body: " + msg : "field " + field + ": " + msg);
  }
}
