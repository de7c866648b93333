package org.attest4j.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The KMS's signing identity for sealed responses: a P-256 private key (ECDSA with SHA-256,
 * deterministic RFC 6979 nonces, low-S). By default it is the root CA key
 * ({@link KmsRootKeys#sealingIdentity()}), whose SubjectPublicKeyInfo is the {@code key_provider_id}
 * a dstack guest already has in its measured MrConfigV3, so the guest can check who sealed its
 * keys without any new trust anchor. A dedicated key may be used instead.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only the key id.
 */
public final class KmsIdentity {
  private final byte[] scalar;
  private final BigInteger d;
  private final KmsPublicKey publicKey;

  private KmsIdentity(byte[] scalar, BigInteger d, byte[] publicUncompressed) {
    this.scalar = scalar;
    this.d = d;
    this.publicKey = KmsPublicKey.fromPoint(publicUncompressed);
  }

  static KmsIdentity fromScalarUnchecked(byte[] scalar, BigInteger d, byte[] publicUncompressed) {
    return new KmsIdentity(scalar.clone(), d, publicUncompressed);
  }

  /**
   * A fresh P-256 identity key.
   *
   * @param random the source of the private scalar
   * @return a new identity with a uniformly random key
   */
  public static KmsIdentity generate(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    while (true) {
      byte[] s = new byte[32];
      random.nextBytes(s);
      BigInteger d = Ec.P256.scalarOrNull(s);
      if (d != null) {
        return new KmsIdentity(s, d, Ec.P256.publicKey(d, false));
      }
    }
  }

  /**
   * An identity from a 32-byte big-endian P-256 private scalar (copied).
   *
   * @param scalar the 32-byte big-endian private scalar; copied
   * @return the identity for that key
   * @throws MalformedEvidenceException if the scalar is not 32 bytes in [1, n-1]
   */
  public static KmsIdentity fromScalar(byte[] scalar) throws MalformedEvidenceException {
    Objects.requireNonNull(scalar, "scalar");
    BigInteger d = Ec.P256.scalarOrNull(scalar);
    if (d == null) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_KEY, "a KMS identity key must be a 32-byte P-256 scalar in [1, n-1]");
    }
    return new KmsIdentity(scalar.clone(), d, Ec.P256.publicKey(d, false));
  }

  /**
   * The public half, which guests trust.
   *
   * @return the P-256 public key of this identity
   */
  public KmsPublicKey publicKey() {
    return publicKey;
  }

  /** ECDSA P-256 / SHA-256 over {@code message}: r || s (64 bytes), low S, RFC 6979 nonce. */
  byte[] sign(byte[] message) {
    return signDigest(Kdf.sha256(message));
  }

  /** As {@link #sign} for a message whose SHA-256 the caller computed: r || s (64 bytes). */
  byte[] signDigest(byte[] sha256) {
    BigInteger[] rs = Ec.P256.signDigest(d, sha256, false);
    return Kdf.concat(Ec.toFixed(rs[0], 32), Ec.toFixed(rs[1], 32));
  }

  @Override
  public String toString() {
    return "KmsIdentity[key_id=" + HexFormat.of().formatHex(publicKey.keyIdUnsafe()) + "]";
  }
}
