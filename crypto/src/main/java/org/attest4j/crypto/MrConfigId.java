package org.attest4j.crypto;

import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * TDX MRCONFIGID values as dstack writes them (48 bytes; all zero means unset):
 *
 * <ul>
 *   <li>v1: {@code 0x01 || compose_hash || 0x00 * 15}
 *   <li>v2: {@code 0x02 || Keccak-256(compose_hash || app_id || kind || key_provider_id) || 0x00 * 15}
 *       with kind none=0, local=1, kms=2, tpm=3
 *   <li>v3: {@code 0x03 || HOST_DATA || 0x00 * 15}, HOST_DATA as in {@link MrConfigV3#hostData()}
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class MrConfigId {
  /** The length of MRCONFIGID. */
  public static final int LENGTH = 48;

  private MrConfigId() {}

  /**
   * v1 from a 32-byte compose hash.
   *
   * @param composeHash the 32-byte compose hash
   * @return the 48-byte MRCONFIGID
   * @throws IllegalArgumentException if {@code composeHash} is not 32 bytes
   */
  public static Bytes v1(Bytes composeHash) {
    return Bytes.of(v1(Objects.requireNonNull(composeHash, "compose_hash").toByteArray()));
  }

  static byte[] v1(byte[] composeHash) {
    return withVersion(1, check(composeHash, 32, "compose_hash"));
  }

  /**
   * v2 from the compose hash (32), app id (20), key provider kind and id.
   *
   * @param composeHash the 32-byte compose hash
   * @param appId the 20-byte app id
   * @param kind the key provider kind, hashed as its {@link KeyProviderKind#kindByte()}
   * @param keyProviderId the key provider id, any length (for a KMS its SPKI DER)
   * @return the 48-byte MRCONFIGID
   * @throws IllegalArgumentException if the compose hash or app id has the wrong length
   */
  public static Bytes v2(Bytes composeHash, Bytes appId, KeyProviderKind kind, Bytes keyProviderId) {
    return Bytes.of(v2(Objects.requireNonNull(composeHash, "compose_hash").toByteArray(),
        Objects.requireNonNull(appId, "app_id").toByteArray(), kind,
        Objects.requireNonNull(keyProviderId, "keyProviderId").toByteArray()));
  }

  static byte[] v2(byte[] composeHash, byte[] appId, KeyProviderKind kind, byte[] keyProviderId) {
    check(composeHash, 32, "compose_hash");
    check(appId, 20, "app_id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(keyProviderId, "keyProviderId");
    return withVersion(
        2, Kdf.keccak256(composeHash, appId, new byte[] {(byte) kind.kindByte()}, keyProviderId));
  }

  /**
   * v3 from a 32-byte HOST_DATA digest.
   *
   * @param hostData the 32-byte HOST_DATA digest
   * @return the 48-byte MRCONFIGID
   * @throws IllegalArgumentException if {@code hostData} is not 32 bytes
   */
  public static Bytes v3(Bytes hostData) {
    return Bytes.of(v3(Objects.requireNonNull(hostData, "host_data").toByteArray()));
  }

  static byte[] v3(byte[] hostData) {
    return withVersion(3, check(hostData, 32, "host_data"));
  }

  private static byte[] check(byte[] v, int len, String what) {
    Objects.requireNonNull(v, what);
    if (v.length != len) {
      throw new IllegalArgumentException(what + " must be " + len + " bytes, got " + v.length);
    }
    return v;
  }

  private static byte[] withVersion(int version, byte[] digest32) {
    byte[] out = new byte[LENGTH];
    out[0] = (byte) version;
    System.arraycopy(digest32, 0, out, 1, 32);
    return out;
  }
}
