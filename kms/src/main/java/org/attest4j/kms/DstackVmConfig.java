package org.attest4j.kms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The parts of a dstack guest's {@code vm_config} JSON that the RA-TLS key release reads (spec
 * dstack-kms §3B.3): the launch shape from {@code sev_snp_measurement} (a JSON string holding
 * {@code vcpus} and {@code vcpu_type}), the claimed {@code os_image_hash} and the {@code mr_config}
 * string. A legacy sys-config whose {@code vm_config} member is itself a JSON string is unwrapped.
 * Parsing is strict: well-formed JSON, one object, no duplicate keys, bounded depth and size.
 * Every value here is a claim: the KMS checks it against its pins. Immutable and thread-safe.
 */
final class DstackVmConfig {
  static final int MAX_LENGTH = 64 * 1024;
  private static final int MAX_DEPTH = 8;

  private final int vcpus;
  private final String vcpuType;
  private final Optional<String> osImageHash;
  private final Optional<String> mrConfig;

  private DstackVmConfig(int vcpus, String vcpuType, Optional<String> osImageHash,
      Optional<String> mrConfig) {
    this.vcpus = vcpus;
    this.vcpuType = vcpuType;
    this.osImageHash = osImageHash;
    this.mrConfig = mrConfig;
  }

  /**
   * Reads a SEV-SNP guest's vm_config.
   *
   * @param json the vm_config text
   * @return the claims
   * @throws MalformedEvidenceException ({@link KmsReason#BAD_REQUEST}) naming what is wrong
   */
  static DstackVmConfig parseSnp(String json) throws MalformedEvidenceException {
    JsonObject root = object(json, "vm_config");
    if (!root.has("sev_snp_measurement") && root.has("vm_config")) {
      root = object(string(root, "vm_config", "vm_config"), "vm_config.vm_config");
    }
    if (!root.has("sev_snp_measurement")) {
      throw bad("vm_config has no sev_snp_measurement; a SEV-SNP guest must send its launch shape");
    }
    JsonObject m = object(string(root, "sev_snp_measurement", "vm_config"),
        "vm_config.sev_snp_measurement");
    JsonElement v = m.get("vcpus");
    if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      throw bad("vm_config.sev_snp_measurement.vcpus must be a number");
    }
    long n;
    try {
      n = v.getAsBigDecimal().longValueExact();
    } catch (ArithmeticException e) {
      throw bad("vm_config.sev_snp_measurement.vcpus must be a whole number");
    }
    if (n < 1 || n > 512) {
      throw bad("vm_config.sev_snp_measurement.vcpus " + n + " is outside 1..512");
    }
    String type = string(m, "vcpu_type", "vm_config.sev_snp_measurement");
    Optional<String> os = root.has("os_image_hash")
        ? Optional.of(string(root, "os_image_hash", "vm_config")) : Optional.empty();
    Optional<String> mr = root.has("mr_config")
        ? Optional.of(string(root, "mr_config", "vm_config")) : Optional.empty();
    return new DstackVmConfig((int) n, type, os, mr);
  }

  int vcpus() {
    return vcpus;
  }

  String vcpuType() {
    return vcpuType;
  }

  Optional<String> osImageHash() {
    return osImageHash;
  }

  Optional<String> mrConfig() {
    return mrConfig;
  }

  private static String string(JsonObject o, String key, String where)
      throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad(where + "." + key + " must be a string");
    }
    return e.getAsString();
  }

  /** One JSON object, strictly: no duplicate keys, nothing after it. */
  private static JsonObject object(String json, String where) throws MalformedEvidenceException {
    if (json.length() > MAX_LENGTH) {
      throw bad(where + " is longer than " + MAX_LENGTH + " characters");
    }
    try (JsonReader r = new JsonReader(new StringReader(json))) {
      r.setStrictness(Strictness.STRICT);
      if (r.peek() != JsonToken.BEGIN_OBJECT) {
        throw bad(where + " must be a JSON object");
      }
      JsonObject o = readObject(r, where, 0);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw bad(where + " has data after its JSON object");
      }
      return o;
    } catch (IOException | RuntimeException e) {
      throw bad(where + " is not well-formed JSON");
    }
  }

  private static JsonElement read(JsonReader r, String where, int depth)
      throws IOException, MalformedEvidenceException {
    if (depth > MAX_DEPTH) {
      throw bad(where + " nests deeper than " + MAX_DEPTH);
    }
    switch (r.peek()) {
      case BEGIN_OBJECT:
        return readObject(r, where, depth);
      case BEGIN_ARRAY: {
        com.google.gson.JsonArray a = new com.google.gson.JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r, where, depth + 1));
        }
        r.endArray();
        return a;
      }
      case STRING:
        return new com.google.gson.JsonPrimitive(r.nextString());
      case NUMBER:
        return new com.google.gson.JsonPrimitive(new java.math.BigDecimal(r.nextString()));
      case BOOLEAN:
        return new com.google.gson.JsonPrimitive(r.nextBoolean());
      case NULL:
        r.nextNull();
        return com.google.gson.JsonNull.INSTANCE;
      default:
        throw bad(where + " is not well-formed JSON");
    }
  }

  private static JsonObject readObject(JsonReader r, String where, int depth)
      throws IOException, MalformedEvidenceException {
    JsonObject o = new JsonObject();
    Set<String> seen = new HashSet<>();
    r.beginObject();
    while (r.hasNext()) {
      String k = r.nextName();
      if (!seen.add(k)) {
        throw bad(where + " has the key \"" + org.attest4j.core.internal.LogSafe.of(k)
            + "\" twice");
      }
      o.add(k, read(r, where, depth + 1));
    }
    r.endObject();
    return o;
  }

  private static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(KmsReason.BAD_REQUEST, message);
  }
}
