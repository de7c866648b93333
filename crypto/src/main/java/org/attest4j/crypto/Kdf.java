package org.attest4j.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Hashes and dstack's KDF ({@code ra-tls/src/kdf.rs}): HKDF-SHA256 with salt {@code "RATLS"} and the
 * context parts concatenated without separators. Stateless and thread-safe.
 */
final class Kdf {
  /** dstack's HKDF salt. */
  static final byte[] RATLS_SALT = ascii("RATLS");

  /** The largest HKDF-SHA256 output (255 blocks). */
  static final int MAX_HKDF_SHA256_OUTPUT = 255 * 32;

  private Kdf() {}

  /**
   * RFC 5869 HKDF-SHA256 (Bouncy Castle).
   *
   * @throws IllegalArgumentException if {@code length} is negative or above 255 * 32
   */
  static byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    if (length < 0 || length > MAX_HKDF_SHA256_OUTPUT) {
      throw new IllegalArgumentException("HKDF-SHA256 output length " + length + " is outside 0..8160");
    }
    HKDFBytesGenerator gen = new HKDFBytesGenerator(new SHA256Digest());
    gen.init(new HKDFParameters(ikm, salt == null || salt.length == 0 ? null : salt, info));
    byte[] out = new byte[length];
    gen.generateBytes(out, 0, length);
    return out;
  }

  /** dstack {@code derive_key(ikm, parts, len)}: HKDF-SHA256, salt "RATLS", info = concatenated parts. */
  static byte[] deriveKey(byte[] ikm, int length, byte[]... parts) {
    return hkdfSha256(ikm, RATLS_SALT, concat(parts), length);
  }

  /** The parts one after the other, in one exactly sized array (no intermediate buffers). */
  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length = Math.addExact(length, p.length);
    }
    byte[] out = new byte[length];
    int off = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, off, p.length);
      off += p.length;
    }
    return out;
  }

  static byte[] sha256(byte[]... parts) {
    MessageDigest md = digest("SHA-256");
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  static byte[] sha512(byte[]... parts) {
    MessageDigest md = digest("SHA-512");
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  /** Keccak-256 as Ethereum uses it (not SHA3-256). */
  static byte[] keccak256(byte[]... parts) {
    KeccakDigest d = new KeccakDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A fresh SHA-256 {@link MessageDigest} (for callers that hash ranges of arrays). */
  static MessageDigest sha256Digest() {
    return digest("SHA-256");
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is not available", e);
    }
  }
}
