package org.attest4j.examples.agent;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.attest4j.kms.proto.AppKeyResponse;

/**
 * The app keys a guest received and opened: dstack's {@code AppKeyResponse}. {@link #toString()}
 * and {@link #fingerprints()} show only SHA-256 fingerprints, never a key.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ReleasedKeys {
  private final AppKeyResponse keys;

  ReleasedKeys(AppKeyResponse keys) {
    this.keys = Objects.requireNonNull(keys);
  }

  /**
   * The LUKS passphrase bytes (32). Secret.
   *
   * @return the LUKS passphrase bytes (32)
   */
  public byte[] diskCryptKey() {
    return keys.getDiskCryptKey().toByteArray();
  }

  /**
   * The X25519 env-decryption key (32, unclamped). Secret.
   *
   * @return the X25519 env-decryption key (32, unclamped)
   */
  public byte[] envCryptKey() {
    return keys.getEnvCryptKey().toByteArray();
  }

  /**
   * The app's secp256k1 key (32). Secret.
   *
   * @return the app's secp256k1 key (32)
   */
  public byte[] k256Key() {
    return keys.getK256Key().toByteArray();
  }

  /**
   * The KMS root k256 signature over the app key (public).
   *
   * @return the KMS root k256 signature over the app key (public)
   */
  public byte[] k256Signature() {
    return keys.getK256Signature().toByteArray();
  }

  /**
   * The gateway app id the authorization hook returned.
   *
   * @return the gateway app id the authorization hook returned
   */
  public String gatewayAppId() {
    return keys.getGatewayAppId();
  }

  /**
   * The OS image hash the KMS pinned.
   *
   * @return the OS image hash the KMS pinned
   */
  public byte[] osImageHash() {
    return keys.getOsImageHash().toByteArray();
  }

  /**
   * {@code name -> "sha256:<first 8 bytes hex>"} for each secret key.
   *
   * @return the fingerprint of each secret key, by name
   */
  public Map<String, String> fingerprints() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("disk_crypt_key", fingerprint(diskCryptKey()));
    m.put("env_crypt_key", fingerprint(envCryptKey()));
    m.put("k256_key", fingerprint(k256Key()));
    return m;
  }

  /**
   * {@code "sha256:"} and the first 8 bytes of SHA-256 of {@code secret}, in hex.
   *
   * @param secret a secret key
   * @return the fingerprint
   */
  public static String fingerprint(byte[] secret) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(secret);
      return "sha256:" + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "ReleasedKeys" + fingerprints();
  }
}
