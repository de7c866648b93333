package org.attest4j.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.VerificationException;
import org.bouncycastle.math.ec.ECPoint;

/**
 * dstack's recoverable secp256k1 signatures ({@code kms/src/crypto.rs} {@code sign_message}):
 * {@code r(32) || s(32) || v(1)} over {@code Keccak-256(prefix || ":" || app_id || message)}, with
 * low S, v the recovery id (0 or 1, never 27/28) and k from RFC 6979 with HMAC-SHA-256, as the k256
 * 0.13 / ecdsa 0.16 crates dstack pins make it. Used for {@code k256_signature} (prefix
 * {@value #KMS_ISSUED}, message = the app's compressed k256 public key) and for the env-encrypt
 * public key ({@value #ENV_ENCRYPT_PUBKEY}).
 *
 * <p>Stateless and thread-safe.
 */
public final class K256Signatures {
  /** Prefix of {@code k256_signature}. */
  public static final String KMS_ISSUED = "dstack-kms-issued";

  /** Prefix of the env-encrypt public-key signatures. */
  public static final String ENV_ENCRYPT_PUBKEY = "dstack-env-encrypt-pubkey";

  /** Length of a recoverable signature. */
  public static final int SIGNATURE_LENGTH = 65;

  private K256Signatures() {}

  /**
   * The signed message {@code prefix || ":" || app_id || message}.
   *
   * @param prefix the purpose label, for example {@link #KMS_ISSUED}
   * @param appId the app id the signature is bound to
   * @param message the signed payload
   * @return a new array holding the concatenation
   */
  public static byte[] message(String prefix, byte[] appId, byte[] message) {
    return Kdf.concat(Kdf.utf8(prefix), new byte[] {':'}, appId, message);
  }

  /**
   * Keccak-256 of {@link #message(String, byte[], byte[])}.
   *
   * @param prefix the purpose label, for example {@link #KMS_ISSUED}
   * @param appId the app id the signature is bound to
   * @param message the signed payload
   * @return the 32-byte Keccak-256 digest that is signed
   */
  public static byte[] digest(String prefix, byte[] appId, byte[] message) {
    return Kdf.keccak256(message(prefix, appId, message));
  }

  static byte[] sign(BigInteger d, String prefix, byte[] appId, byte[] message) {
    return signDigest(d, digest(prefix, appId, message));
  }

  static byte[] signDigest(BigInteger d, byte[] digest) {
    BigInteger[] rsv = Ec.K256.signDigest(d, digest);
    byte[] out = new byte[SIGNATURE_LENGTH];
    System.arraycopy(Ec.toFixed(rsv[0], 32), 0, out, 0, 32);
    System.arraycopy(Ec.toFixed(rsv[1], 32), 0, out, 32, 32);
    out[64] = (byte) rsv[2].intValue();
    return out;
  }

  /**
   * Recovers the signer's compressed public key (33 bytes).
   *
   * @param prefix the purpose label the signature was made under
   * @param appId the app id the signature is bound to
   * @param message the signed payload
   * @param signature the 65-byte recoverable signature {@code r || s || v}
   * @return the signer's 33-byte compressed secp256k1 public key
   * @throws VerificationException if the signature is not 65 bytes, v is not 0 or 1, S is high, or
   *     no key can be recovered
   */
  public static byte[] recover(String prefix, byte[] appId, byte[] message, byte[] signature)
      throws VerificationException {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    return recoverDigest(digest(prefix, appId, message), signature);
  }

  static byte[] recoverDigest(byte[] digest, byte[] signature) throws VerificationException {
    if (signature.length != SIGNATURE_LENGTH) {
      throw bad("a recoverable k256 signature is 65 bytes (r || s || v), got " + signature.length);
    }
    int v = signature[64] & 0xff;
    if (v > 1) {
      throw bad("k256 signature v = " + v + "; dstack uses the recovery id 0 or 1 (not 27/28)");
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
    if (s.compareTo(Ec.K256.halfN) > 0) {
      throw bad("k256 signature has a high S value; dstack signatures are low-S normalised");
    }
    ECPoint q = Ec.K256.recover(digest, r, s, v);
    if (q == null) {
      throw bad("no secp256k1 public key can be recovered from this signature");
    }
    return q.getEncoded(true);
  }

  /**
   * Checks that {@code signature} over {@code prefix || ":" || app_id || message} recovers to
   * {@code expectedSigner} (33-byte compressed or 65-byte uncompressed secp256k1 key).
   *
   * @param prefix the purpose label the signature was made under
   * @param appId the app id the signature is bound to
   * @param message the signed payload
   * @param signature the 65-byte recoverable signature {@code r || s || v}
   * @param expectedSigner the secp256k1 public key that must have signed
   * @throws VerificationException if it does not
   */
  public static void verify(
      String prefix, byte[] appId, byte[] message, byte[] signature, byte[] expectedSigner)
      throws VerificationException {
    Objects.requireNonNull(expectedSigner, "expectedSigner");
    byte[] recovered = recover(prefix, appId, message, signature);
    byte[] expected;
    try {
      expected = Ec.K256.decodePoint(expectedSigner).getEncoded(true);
    } catch (RuntimeException e) {
      throw new VerificationException(
          CryptoReason.BAD_KEY, "the expected signer is not a secp256k1 public key");
    }
    if (!ConstantTime.equals(recovered, expected)) {
      throw new VerificationException(
          CryptoReason.SIGNER_MISMATCH,
          "the " + prefix + " signature was made by " + HexFormat.of().formatHex(recovered)
              + ", not by the expected key " + HexFormat.of().formatHex(expected));
    }
  }

  private static VerificationException bad(String msg) {
    return new VerificationException(CryptoReason.BAD_SIGNATURE, msg);
  }
}
