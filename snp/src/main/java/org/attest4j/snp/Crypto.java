package org.attest4j.snp;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.attest4j.crypto.internal.EcdsaVerifier;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.engines.RSAEngine;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;

/**
 * The signature primitives the verifier uses: ECDSA P-384 over SHA-384 with SEV-SNP's 72-byte
 * little-endian r/s fields (through {@link EcdsaVerifier}, the VEK's cached comb tables on Bouncy
 * Castle's field arithmetic), and, through Bouncy Castle's lightweight API, RSASSA-PSS SHA-384 / MGF1-SHA-384
 * / salt 48 / trailer 0xBC. The Wycheproof tests call exactly these methods. Stateless and
 * thread-safe.
 */
final class Crypto {
  /** Width of each SEV-SNP signature component field. */
  static final int LE_FIELD = 72;

  private Crypto() {}

  static byte[] sha384(byte[] data, int off, int len) {
    return digest("SHA-384", data, off, len);
  }

  static byte[] sha256(byte[] data) {
    return digest("SHA-256", data, 0, data.length);
  }

  static byte[] digest(String alg, byte[] data, int off, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance(alg);
      md.update(data, off, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(alg + " missing from the JDK", e);
    }
  }

  /** The unsigned little-endian integer in {@code b[off, off + len)}. */
  static BigInteger littleEndian(byte[] b, int off, int len) {
    byte[] be = new byte[len];
    for (int i = 0; i < len; i++) {
      be[i] = b[off + len - 1 - i];
    }
    return new BigInteger(1, be);
  }

  /** {@code v} as a {@code len}-byte little-endian field; null if it does not fit or is negative. */
  static byte[] toLittleEndian(BigInteger v, int len) {
    if (v.signum() < 0 || v.bitLength() > len * 8) {
      return null;
    }
    byte[] be = v.toByteArray();
    byte[] out = new byte[len];
    for (int i = 0; i < be.length && i < len; i++) {
      out[i] = be[be.length - 1 - i];
    }
    return out;
  }

  /**
   * Verifies an SEV-SNP style signature: {@code sig[sigOff, +72)} is r and {@code sig[sigOff+72,
   * +72)} is s, both little-endian; the message is {@code msg[0, msgLen)} hashed with SHA-384.
   */
  static boolean verifyEcdsaP384Le(EcdsaVerifier key, byte[] msg, int msgLen, byte[] sig, int sigOff) {
    if (key == null) {
      return false;
    }
    BigInteger r = littleEndian(sig, sigOff, LE_FIELD);
    BigInteger s = littleEndian(sig, sigOff + LE_FIELD, LE_FIELD);
    try {
      // r and s outside [1, n-1] are refused by the verifier
      return key.verify(sha384(msg, 0, msgLen), r, s);
    } catch (RuntimeException e) {
      return false; // fail closed, as the RSA check below
    }
  }

  /** RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48, trailer 0xBC) over {@code msg}. */
  static boolean verifyRsaPss384(RSAKeyParameters key, byte[] msg, byte[] sig) {
    try {
      PSSSigner signer =
          new PSSSigner(new RSAEngine(), new SHA384Digest(), new SHA384Digest(), 48, PSSSigner.TRAILER_IMPLICIT);
      signer.init(false, key);
      signer.update(msg, 0, msg.length);
      return signer.verifySignature(sig);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
