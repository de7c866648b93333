package org.attest4j.azure;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The runtime claims (the HCL report's variable data, spec section 3): a compact JSON object with the
 * vTPM's keys as RSA JWKs ({@code keys}), the VM configuration ({@code vm-configuration}) and, on
 * newer paravisors, the 64 bytes of guest input ({@code user-data}). {@link #parse} enforces {@code
 * claims.parse}: an object, a {@code keys} array of JWK objects, exactly one {@code HCLAkPub} of kty
 * RSA whose {@code n} and {@code e} decode (base64url). Unknown keys are kept as information.
 * Immutable and thread-safe.
 */
public final class RuntimeClaims {
  /** The AK's kid. */
  public static final String AK_KID = "HCLAkPub";
  /** The EK's kid. */
  public static final String EK_KID = "HCLEkPub";

  /**
   * One RSA JWK of {@code keys}.
   *
   * @param kid the key id
   * @param keyOps {@code key_ops}
   * @param n the modulus, big-endian
   * @param e the public exponent, big-endian
   */
  public record Key(String kid, List<String> keyOps, Bytes n, Bytes e) {
    /**
     * The key as Azure's AK template TPMT_PUBLIC (spec section 5.5).
     *
     * @return the TPM public area
     * @throws MalformedEvidenceException if the key does not fit the template
     */
    public TpmtPublic asAzureAk() throws MalformedEvidenceException {
      return TpmtPublic.azureAkTemplate(n.toByteArray(), new BigInteger(1, e.toByteArray()));
    }

    /**
     * The modulus length.
     *
     * @return bits
     */
    public int bits() {
      return new BigInteger(1, n.toByteArray()).bitLength();
    }
  }

  private final Bytes raw;
  private final List<Key> keys;
  private final Key ak;
  private final Map<String, String> vmConfiguration;
  private final Map<String, Boolean> vmFlags;
  private final Bytes userData;

  private RuntimeClaims(Bytes raw, List<Key> keys, Key ak, Map<String, String> vmConfiguration,
      Map<String, Boolean> vmFlags, Bytes userData) {
    this.raw = raw;
    this.keys = keys;
    this.ak = ak;
    this.vmConfiguration = vmConfiguration;
    this.vmFlags = vmFlags;
    this.userData = userData;
  }

  private static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(AzureReason.BAD_RUNTIME_CLAIMS, "runtime claims: " + message);
  }

  /**
   * Parses runtime claims.
   *
   * @param json the UTF-8 JSON bytes exactly as in the HCL report
   * @return the claims
   * @throws MalformedEvidenceException with {@link AzureReason#BAD_RUNTIME_CLAIMS} when a rule fails
   */
  public static RuntimeClaims parse(byte[] json) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(json, "runtime claims");
    JsonElement root = StrictJson.parse(json, AzureReason.BAD_RUNTIME_CLAIMS, "runtime claims");
    if (!root.isJsonObject()) {
      throw bad("not a JSON object");
    }
    JsonObject o = root.getAsJsonObject();
    JsonElement ke = o.get("keys");
    if (ke == null || !ke.isJsonArray()) {
      throw bad("\"keys\" is missing or not an array");
    }
    List<Key> keys = new ArrayList<>();
    Key ak = null;
    JsonArray arr = ke.getAsJsonArray();
    for (int i = 0; i < arr.size(); i++) {
      JsonElement k = arr.get(i);
      if (!k.isJsonObject()) {
        throw bad("keys[" + i + "] is not an object");
      }
      JsonObject jo = k.getAsJsonObject();
      String kid = string(jo, "kid", "keys[" + i + "]");
      String kty = string(jo, "kty", kid);
      if (!kty.equals("RSA")) {
        if (kid.equals(AK_KID)) {
          throw bad("HCLAkPub has kty \"" + kty + "\", not RSA");
        }
        continue; // another key type: informational
      }
      List<String> ops = new ArrayList<>();
      JsonElement oe = jo.get("key_ops");
      if (oe != null) {
        if (!oe.isJsonArray()) {
          throw bad(kid + ".key_ops is not an array");
        }
        for (JsonElement op : oe.getAsJsonArray()) {
          if (!op.isJsonPrimitive() || !op.getAsJsonPrimitive().isString()) {
            throw bad(kid + ".key_ops holds a non-string");
          }
          ops.add(op.getAsString());
        }
      }
      Key key = new Key(kid, List.copyOf(ops), base64url(jo, "n", kid), base64url(jo, "e", kid));
      if (kid.equals(AK_KID)) {
        if (ak != null) {
          throw bad("more than one HCLAkPub key");
        }
        ak = key;
      }
      keys.add(key);
    }
    if (ak == null) {
      throw bad("no key with kid \"HCLAkPub\" (the vTPM attestation key)");
    }
    Map<String, String> config = new LinkedHashMap<>();
    Map<String, Boolean> flags = new LinkedHashMap<>();
    JsonElement vc = o.get("vm-configuration");
    if (vc != null) {
      if (!vc.isJsonObject()) {
        throw bad("\"vm-configuration\" is not an object");
      }
      for (Map.Entry<String, JsonElement> e : vc.getAsJsonObject().entrySet()) {
        JsonElement v = e.getValue();
        if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isBoolean()) {
          flags.put(e.getKey(), v.getAsBoolean());
        }
        config.put(e.getKey(), v.isJsonPrimitive() && v.getAsJsonPrimitive().isString() ? v.getAsString() : v.toString());
      }
    }
    Bytes userData = null;
    JsonElement ud = o.get("user-data");
    if (ud != null) {
      if (!ud.isJsonPrimitive() || !ud.getAsJsonPrimitive().isString()) {
        throw bad("\"user-data\" is not a string");
      }
      String hex = ud.getAsString();
      if (hex.length() > 128 || hex.length() % 2 != 0) {
        throw bad("\"user-data\" is " + hex.length() + " characters; expected at most 128 hex digits");
      }
      try {
        userData = Bytes.of(HexFormat.of().parseHex(hex));
      } catch (IllegalArgumentException ex) {
        throw bad("\"user-data\" is not hex");
      }
    }
    return new RuntimeClaims(Bytes.of(json), List.copyOf(keys), ak, Collections.unmodifiableMap(config),
        Collections.unmodifiableMap(flags), userData);
  }

  private static String string(JsonObject o, String field, String where) throws MalformedEvidenceException {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad(where + "." + field + " is missing or not a string");
    }
    return e.getAsString();
  }

  private static Bytes base64url(JsonObject o, String field, String kid) throws MalformedEvidenceException {
    String s = string(o, field, kid);
    try {
      byte[] b = Base64.getUrlDecoder().decode(s);
      if (b.length == 0) {
        throw bad(kid + "." + field + " is empty");
      }
      return Bytes.of(b);
    } catch (IllegalArgumentException e) {
      throw bad(kid + "." + field + " is not base64url");
    }
  }

  /**
   * The exact bytes parsed.
   *
   * @return the JSON bytes
   */
  public Bytes raw() {
    return raw;
  }

  /**
   * Every RSA key in {@code keys}, in order.
   *
   * @return the keys
   */
  public List<Key> keys() {
    return keys;
  }

  /**
   * The vTPM attestation key ({@code kid} "HCLAkPub").
   *
   * @return the AK
   */
  public Key attestationKey() {
    return ak;
  }

  /**
   * The vTPM endorsement key ({@code kid} "HCLEkPub"), absent in the oldest format.
   *
   * @return the EK, if present
   */
  public Optional<Key> endorsementKey() {
    return keys.stream().filter(k -> k.kid().equals(EK_KID)).findFirst();
  }

  /**
   * {@code vm-configuration}: every member, strings as their value, other JSON values as JSON text.
   *
   * @return the members in document order
   */
  public Map<String, String> vmConfiguration() {
    return vmConfiguration;
  }

  /**
   * A boolean member of {@code vm-configuration}, such as {@code secure-boot}, {@code tpm-enabled},
   * {@code console-enabled}.
   *
   * @param name the member name
   * @return the flag, or empty when absent or not a JSON boolean
   */
  public Optional<Boolean> vmFlag(String name) {
    return Optional.ofNullable(vmFlags.get(name));
  }

  /**
   * {@code user-data}: the 64 bytes the guest wrote to NV index 0x01400002.
   *
   * @return the bytes, absent in the oldest format
   */
  public Optional<Bytes> userData() {
    return Optional.ofNullable(userData);
  }

  @Override
  public String toString() {
    return "RuntimeClaims[" + keys.size() + " keys, AK RSA-" + ak.bits() + ", vm-configuration " + vmConfiguration.keySet()
        + (userData != null ? ", user-data" : "") + "]";
  }
}
