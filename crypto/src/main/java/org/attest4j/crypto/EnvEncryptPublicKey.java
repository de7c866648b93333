package org.attest4j.crypto;

import java.util.HexFormat;
import org.attest4j.core.Bytes;

/**
 * dstack's {@code GetAppEnvEncryptPubKey} answer ({@code PublicKeyResponse}): the app's X25519
 * env-encrypt public key, its k256 signature by the KMS root k256 key (prefix
 * {@value K256Signatures#ENV_ENCRYPT_PUBKEY}, message = the public key), and {@code signature_v1},
 * whose message is {@code u64be(timestamp) || public_key}. All values are public.
 *
 * <p>Immutable and thread-safe.
 */
public final class EnvEncryptPublicKey {
  private final byte[] appId;
  private final byte[] publicKey;
  private final byte[] signature;
  private final long timestamp;
  private final byte[] signatureV1;

  EnvEncryptPublicKey(byte[] appId, byte[] publicKey, byte[] signature, long timestamp, byte[] signatureV1) {
    this.appId = appId;
    this.publicKey = publicKey;
    this.signature = signature;
    this.timestamp = timestamp;
    this.signatureV1 = signatureV1;
  }

  /**
   * The app id the key belongs to (20 bytes).
   *
   * @return the 20-byte app id
   */
  public Bytes appId() {
    return Bytes.of(appId);
  }

  /**
   * The X25519 public key (32 bytes), field {@code public_key}.
   *
   * @return the 32-byte X25519 public key
   */
  public Bytes publicKey() {
    return Bytes.of(publicKey);
  }

  /**
   * Field {@code signature} (65 bytes).
   *
   * @return the 65-byte recoverable secp256k1 signature
   */
  public Bytes signature() {
    return Bytes.of(signature);
  }

  /**
   * Field {@code timestamp}: unix seconds signed into {@link #signatureV1()}.
   *
   * @return the signing time in seconds since the epoch
   */
  public long timestamp() {
    return timestamp;
  }

  /**
   * Field {@code signature_v1} (65 bytes).
   *
   * @return the 65-byte recoverable secp256k1 signature over the key and timestamp
   */
  public Bytes signatureV1() {
    return Bytes.of(signatureV1);
  }

  /** The message signed by {@code signature_v1} after the prefix and app id: u64be(timestamp) || key. */
  static byte[] v1Message(long timestamp, byte[] publicKey) {
    byte[] ts = new byte[8];
    for (int i = 0; i < 8; i++) {
      ts[i] = (byte) (timestamp >>> (56 - 8 * i));
    }
    return Kdf.concat(ts, publicKey);
  }

  @Override
  public String toString() {
    HexFormat h = HexFormat.of();
    return "EnvEncryptPublicKey[app_id=" + h.formatHex(appId) + ", public_key=" + h.formatHex(publicKey)
        + ", timestamp=" + timestamp + "]";
  }
}
