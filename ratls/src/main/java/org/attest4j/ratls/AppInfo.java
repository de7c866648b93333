package org.attest4j.ratls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ratls.internal.AppInfoCodec;

/**
 * dstack's {@code AppInfo}, the issuer claim a KMS puts in extension {@code 1.3.6.1.4.1.62397.1.9} of
 * a SignCert leaf (spec dstack-ratls §2.7): the app and instance identity and the measurements the KMS
 * saw. Three encodings exist and {@link #parse} reads all of them: the 8-element positional array of
 * dstack v0.5.6–v0.5.11, the 9-element positional array of current dstack (the 9th,
 * {@code init_script_hashes}, nil or an array of 32-byte digests) and the map keyed by field name of
 * branch {@code fix/msgpack-named-encoding}. It is a statement by the issuer, not by hardware: trust it
 * only after the certificate chain to the KMS root has been verified. Immutable and thread-safe.
 *
 * @param appId the app id
 * @param composeHash the compose hash
 * @param instanceId the instance id
 * @param deviceId the device id
 * @param mrSystem the 32-byte system measurement
 * @param mrAggregated the 32-byte aggregated measurement
 * @param osImageHash the OS image hash
 * @param keyProviderInfo the key provider description
 * @param initScriptHashes the init script digests (each 32 bytes, at most 5), or empty when the
 *     encoding does not bind them (8 elements, or nil)
 * @param encoding the encoding this value was read from, or is to be written in
 */
public record AppInfo(
    Bytes appId,
    Bytes composeHash,
    Bytes instanceId,
    Bytes deviceId,
    Bytes mrSystem,
    Bytes mrAggregated,
    Bytes osImageHash,
    Bytes keyProviderInfo,
    Optional<List<Bytes>> initScriptHashes,
    Encoding encoding) {

  /** The most init script digests dstack writes. */
  public static final int MAX_INIT_SCRIPT_HASHES = 5;

  /** The three MessagePack encodings of an AppInfo. */
  public enum Encoding {
    /** A positional array of the first 8 fields (dstack v0.5.6–v0.5.11). */
    POSITIONAL_8,
    /** A positional array of all 9 fields (current dstack). */
    POSITIONAL_9,
    /** A map keyed by field name (branch {@code fix/msgpack-named-encoding}). */
    NAMED
  }

  /**
   * Checks the components.
   *
   * @param appId the app id
   * @param composeHash the compose hash
   * @param instanceId the instance id
   * @param deviceId the device id
   * @param mrSystem 32 bytes
   * @param mrAggregated 32 bytes
   * @param osImageHash the OS image hash
   * @param keyProviderInfo the key provider description
   * @param initScriptHashes at most 5 digests of 32 bytes each, or empty
   * @param encoding the encoding; {@link Encoding#POSITIONAL_8} cannot carry init script digests
   * @throws IllegalArgumentException when a size rule is broken
   */
  public AppInfo {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(composeHash, "composeHash");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(osImageHash, "osImageHash");
    Objects.requireNonNull(keyProviderInfo, "keyProviderInfo");
    Objects.requireNonNull(encoding, "encoding");
    if (mrSystem.length() != 32 || mrAggregated.length() != 32) {
      throw new IllegalArgumentException("mr_system and mr_aggregated must be 32 bytes");
    }
    initScriptHashes = initScriptHashes.map(List::copyOf);
    if (initScriptHashes.isPresent()) {
      List<Bytes> h = initScriptHashes.get();
      if (h.size() > MAX_INIT_SCRIPT_HASHES || h.stream().anyMatch(d -> d.length() != 32)) {
        throw new IllegalArgumentException(
            "init_script_hashes must be at most 5 digests of 32 bytes each");
      }
      if (encoding == Encoding.POSITIONAL_8) {
        throw new IllegalArgumentException(
            "the 8-element encoding cannot carry init_script_hashes; use POSITIONAL_9 or NAMED");
      }
    }
  }

  /**
   * Reads an AppInfo in any of its three encodings. Unknown map keys are skipped, duplicate keys,
   * missing fields, wrong types, wrong digest sizes and trailing bytes are refused.
   *
   * @param bytes the extension's content (inside its OCTET STRING wrapping)
   * @return the AppInfo, with {@link #encoding()} saying which form it was
   * @throws MalformedEvidenceException when the bytes are not an AppInfo
   */
  public static AppInfo parse(byte[] bytes) throws MalformedEvidenceException {
    return AppInfoCodec.decode(bytes);
  }

  /**
   * Writes this AppInfo in its {@link #encoding()}, as rmp-serde writes it (shortest headers, byte
   * fields as bin, fields in declaration order).
   *
   * @return the MessagePack bytes
   */
  public byte[] encode() {
    return AppInfoCodec.encode(this);
  }

  /**
   * The same value to be written in another encoding.
   *
   * @param to the encoding
   * @return the copy
   * @throws IllegalArgumentException when {@code to} is {@link Encoding#POSITIONAL_8} and init
   *     script digests are bound
   */
  public AppInfo withEncoding(Encoding to) {
    return new AppInfo(appId, composeHash, instanceId, deviceId, mrSystem, mrAggregated,
        osImageHash, keyProviderInfo, initScriptHashes, to);
  }
}
