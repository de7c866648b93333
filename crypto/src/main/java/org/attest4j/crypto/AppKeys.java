package org.attest4j.crypto;

import java.util.HexFormat;
import org.attest4j.core.Bytes;

/**
 * The keys dstack's KMS derives for one app instance (see {@link AppKeyDeriver}). Names follow
 * dstack's {@code AppKeyResponse} fields.
 *
 * <ul>
 *   <li>{@link #diskCryptKey()}: 32 bytes; the guest's LUKS passphrase is its lowercase hex;
 *   <li>{@link #envCryptKey()}: the X25519 private key for encrypted environment variables,
 *       unclamped, and {@link #envPublicKey()};
 *   <li>{@link #k256Key()}: the app's secp256k1 key, {@link #k256PublicKey()} (compressed) and
 *       {@link #k256Signature()} by the KMS root k256 key;
 *   <li>{@link #appCaKey()} / {@link #appCaPublicKey()}: the app CA key used by {@code SignCert}.
 * </ul>
 *
 * <p>Immutable and thread-safe. Secret accessors return copies; public values are {@link Bytes}. {@link #toString()} shows the ids and the
 * public keys only, never a secret.
 */
public final class AppKeys {
  private final byte[] appId;
  private final byte[] instanceId;
  private final byte[] diskCryptKey;
  private final byte[] envCryptKey;
  private volatile byte[] envPublicKey; // computed on first use: GetAppKey does not return it
  private final byte[] appCaKey;
  private volatile byte[] appCaPublicKey; // computed on first use: GetAppKey does not need it
  private final byte[] k256Key;
  private final byte[] k256PublicKey;
  private final byte[] k256Signature;

  AppKeys(
      byte[] appId,
      byte[] instanceId,
      byte[] diskCryptKey,
      byte[] envCryptKey,
      byte[] envPublicKey,
      byte[] appCaKey,
      byte[] appCaPublicKey,
      byte[] k256Key,
      byte[] k256PublicKey,
      byte[] k256Signature) {
    this.appId = appId;
    this.instanceId = instanceId;
    this.diskCryptKey = diskCryptKey;
    this.envCryptKey = envCryptKey;
    this.envPublicKey = envPublicKey;
    this.appCaKey = appCaKey;
    this.appCaPublicKey = appCaPublicKey;
    this.k256Key = k256Key;
    this.k256PublicKey = k256PublicKey;
    this.k256Signature = k256Signature;
  }

  /**
   * The app id (20 bytes).
   *
   * @return the 20-byte app id
   */
  public Bytes appId() {
    return Bytes.of(appId);
  }

  /**
   * The instance id (20 bytes, or empty).
   *
   * @return the instance id: 20 bytes, or empty
   */
  public Bytes instanceId() {
    return Bytes.of(instanceId);
  }

  /**
   * {@code disk_crypt_key} (32 bytes). Secret.
   *
   * @return a copy of the 32-byte disk key
   */
  public byte[] diskCryptKey() {
    return diskCryptKey.clone();
  }

  /**
   * {@code env_crypt_key}: X25519 private key, unclamped (32 bytes). Secret.
   *
   * @return a copy of the 32-byte X25519 private key
   */
  public byte[] envCryptKey() {
    return envCryptKey.clone();
  }

  /**
   * The X25519 public key of {@link #envCryptKey()} (32 bytes), as GetAppEnvEncryptPubKey returns.
   *
   * @return the 32-byte X25519 public key
   */
  public Bytes envPublicKey() {
    return Bytes.of(envPoint());
  }

  private byte[] envPoint() {
    byte[] p = envPublicKey;
    if (p == null) {
      p = X25519.publicKey(envCryptKey);
      envPublicKey = p;
    }
    return p;
  }

  /**
   * The app CA P-256 private scalar (32 bytes). Secret.
   *
   * @return a copy of the 32-byte big-endian P-256 scalar
   */
  public byte[] appCaKey() {
    return appCaKey.clone();
  }

  /**
   * The app CA public key, uncompressed SEC1 (65 bytes).
   *
   * @return the 65-byte SEC1 point ({@code 04 || x || y})
   */
  public Bytes appCaPublicKey() {
    return Bytes.of(appCaPoint());
  }

  private byte[] appCaPoint() {
    byte[] p = appCaPublicKey;
    if (p == null) {
      p = Ec.P256.publicKey(new java.math.BigInteger(1, appCaKey), false);
      appCaPublicKey = p;
    }
    return p;
  }

  /**
   * The app CA key as a JCA key pair (algorithm "EC"), to sign SignCert leaves. Secret.
   *
   * @return the key pair
   */
  public java.security.KeyPair appCaKeyPair() {
    return P256Keys.keyPair(appCaKey, appCaPoint());
  }

  /**
   * The app CA public key as SubjectPublicKeyInfo DER (91 bytes).
   *
   * @return the 91-byte DER encoding
   */
  public Bytes appCaPublicKeySpki() {
    return Bytes.of(P256Keys.spki(appCaPoint()));
  }

  /**
   * {@code k256_key}: the app's secp256k1 private scalar (32 bytes). Secret.
   *
   * @return a copy of the 32-byte big-endian secp256k1 scalar
   */
  public byte[] k256Key() {
    return k256Key.clone();
  }

  /**
   * The app's secp256k1 public key, SEC1-compressed (33 bytes).
   *
   * @return the 33-byte compressed point
   */
  public Bytes k256PublicKey() {
    return Bytes.of(k256PublicKey);
  }

  /**
   * {@code k256_signature}: r || s || v (65 bytes) by the KMS root k256 key.
   *
   * @return the 65-byte recoverable signature
   */
  public Bytes k256Signature() {
    return Bytes.of(k256Signature);
  }

  @Override
  public String toString() {
    HexFormat h = HexFormat.of();
    return "AppKeys[app_id=" + h.formatHex(appId)
        + ", instance_id=" + h.formatHex(instanceId)
        + ", env_pubkey=" + h.formatHex(envPoint())
        + ", app_ca_pubkey=" + h.formatHex(appCaPoint())
        + ", k256_pubkey=" + h.formatHex(k256PublicKey)
        + ", secrets=<redacted>]";
  }
}
