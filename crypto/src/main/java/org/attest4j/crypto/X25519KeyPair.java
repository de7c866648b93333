package org.attest4j.crypto;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * An X25519 key pair (RFC 7748): the guest's transport key whose public half goes into
 * report_data[0..32] and to which the KMS seals its response. The private key is kept as given
 * (unclamped, like x25519-dalek's {@code StaticSecret}); clamping happens inside the scalar
 * multiplication.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only the public key.
 */
public final class X25519KeyPair {
  private final byte[] privateKey;
  private final byte[] publicKey;

  private X25519KeyPair(byte[] privateKey) {
    this.privateKey = privateKey;
    this.publicKey = X25519.publicKey(privateKey);
  }

  /**
   * A fresh key pair from {@code random}.
   *
   * @param random the source of the private key
   * @return a new key pair
   */
  public static X25519KeyPair generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    byte[] sk = new byte[X25519.KEY_LENGTH];
    random.nextBytes(sk);
    return new X25519KeyPair(sk);
  }

  /**
   * A fresh key pair from a new {@link SecureRandom}.
   *
   * @return a new key pair
   */
  public static X25519KeyPair generate() {
    return generate(new SecureRandom());
  }

  /**
   * The key pair of a 32-byte private key (copied).
   *
   * @param privateKey the 32-byte private key as stored (unclamped)
   * @return the key pair with its derived public key
   * @throws MalformedEvidenceException if the key is not 32 bytes
   */
  public static X25519KeyPair fromPrivateKey(byte[] privateKey) throws MalformedEvidenceException {
    Objects.requireNonNull(privateKey, "privateKey");
    if (privateKey.length != X25519.KEY_LENGTH) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_KEY, "an X25519 private key must be 32 bytes, got " + privateKey.length);
    }
    return new X25519KeyPair(privateKey.clone());
  }

  /**
   * The 32-byte public key.
   *
   * @return the public key
   */
  public Bytes publicKey() {
    return Bytes.of(publicKey);
  }

  /**
   * The 32-byte private key as given (a copy). Secret: never log it.
   *
   * @return a copy of the private key; secret
   */
  public byte[] privateKey() {
    return privateKey.clone();
  }

  byte[] privateKeyUnsafe() {
    return privateKey;
  }

  byte[] publicKeyUnsafe() {
    return publicKey;
  }

  /**
   * X25519 with {@code peer}, refusing all-zero and low-order peers.
   *
   * @param peer the peer's 32-byte X25519 public key
   * @return the 32-byte shared secret; secret
   * @throws MalformedEvidenceException if the peer key is unusable
   */
  public byte[] agree(Bytes peer) throws MalformedEvidenceException {
    Objects.requireNonNull(peer, "peer");
    return X25519.sharedSecret(privateKey, peer.toByteArray(), "the peer X25519 public key");
  }

  @Override
  public String toString() {
    return "X25519KeyPair[public=" + HexFormat.of().formatHex(publicKey) + "]";
  }
}
