package org.attest4j.kms;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Optional;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.kms.internal.StrictJson;

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

  /** One JSON object, strictly ({@link StrictJson}: no duplicate keys, nothing after it). */
  private static JsonObject object(String json, String where) throws MalformedEvidenceException {
    if (json.length() > MAX_LENGTH) {
      throw bad(where + " is longer than " + MAX_LENGTH + " characters");
    }
    JsonElement e = StrictJson.parse(json, KmsReason.BAD_REQUEST, where, MAX_DEPTH);
    if (!e.isJsonObject()) {
      throw bad(where + " must be a JSON object");
    }
    return e.getAsJsonObject();
  }

  private static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(KmsReason.BAD_REQUEST, message);
  }
}
