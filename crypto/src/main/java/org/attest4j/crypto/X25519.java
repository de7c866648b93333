package org.attest4j.crypto;

import java.util.HexFormat;
import org.attest4j.core.MalformedEvidenceException;

/**
 * X25519 (RFC 7748) through Bouncy Castle, with the checks both envelope modes need: a peer key must
 * be 32 bytes, must not be one of the low-order u-coordinates (compared with the top bit masked, as
 * RFC 7748 decoding ignores it), and the shared secret must not be all zero. Stateless and
 * thread-safe.
 */
final class X25519 {
  static final int KEY_LENGTH = 32;

  /**
   * The u-coordinates of the points of order 1, 2, 4 and 8 and their non-canonical encodings that
   * reduce to them (libsodium's list). Compared after masking bit 255.
   */
  private static final byte[][] LOW_ORDER;

  static {
    HexFormat h = HexFormat.of();
    LOW_ORDER =
        new byte[][] {
          h.parseHex("0000000000000000000000000000000000000000000000000000000000000000"), // 0
          h.parseHex("0100000000000000000000000000000000000000000000000000000000000000"), // 1
          h.parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"), // order 8
          h.parseHex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"), // order 8
          h.parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p - 1
          h.parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // p
          h.parseHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f") // p + 1
        };
  }

  private X25519() {}

  /** X25519(clamp(sk), 9). The private key is used as given (clamping happens inside). */
  static byte[] publicKey(byte[] privateKey) {
    byte[] out = new byte[KEY_LENGTH];
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, out, 0);
    return out;
  }

  /** Whether {@code u} is all zero or a low-order point (top bit ignored). Constant time in the value. */
  static boolean isLowOrder(byte[] u) {
    int any = 0;
    for (byte[] bad : LOW_ORDER) {
      int diff = 0;
      for (int i = 0; i < 31; i++) {
        diff |= (u[i] ^ bad[i]) & 0xff;
      }
      diff |= ((u[31] & 0x7f) ^ bad[31]) & 0xff;
      any |= ((diff - 1) >>> 31) & 1; // 1 when diff == 0
    }
    return any != 0;
  }

  /**
   * Checks a peer public key.
   *
   * @throws MalformedEvidenceException if it is not 32 bytes, is all zero or is of low order
   */
  static void checkPublicKey(byte[] peer, String what) throws MalformedEvidenceException {
    if (peer == null || peer.length != KEY_LENGTH) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_KEY,
          what + " must be a 32-byte X25519 public key, got "
              + (peer == null ? "none" : peer.length + " bytes"));
    }
    if (isLowOrder(peer)) {
      throw new MalformedEvidenceException(
          CryptoReason.LOW_ORDER_PUBLIC_KEY,
          what + " " + HexFormat.of().formatHex(peer)
              + " is all zero or of low order; the key agreement would not be contributory");
    }
  }

  /**
   * X25519(sk, peer), refusing low-order peers and an all-zero result.
   *
   * @throws MalformedEvidenceException if the peer key is unusable
   */
  static byte[] sharedSecret(byte[] privateKey, byte[] peer, String what)
      throws MalformedEvidenceException {
    checkPublicKey(peer, what);
    if (privateKey.length != KEY_LENGTH) {
      throw new MalformedEvidenceException(CryptoReason.BAD_KEY, "an X25519 private key must be 32 bytes");
    }
    byte[] out = new byte[KEY_LENGTH];
    if (!org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(privateKey, 0, peer, 0, out, 0)) {
      throw new MalformedEvidenceException(
          CryptoReason.LOW_ORDER_PUBLIC_KEY,
          what + " " + HexFormat.of().formatHex(peer) + " gives an all-zero shared secret");
    }
    return out;
  }
}
