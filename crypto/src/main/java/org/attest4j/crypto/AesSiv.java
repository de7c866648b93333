package org.attest4j.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.macs.CMac;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * AES-SIV (RFC 5297) from Bouncy Castle's AES-CMAC and AES-CTR: S2V over the associated-data
 * components and the plaintext, then CTR with the synthetic IV (bits 31 and 63 cleared). The key
 * is split in halves: K1 (first half) for S2V, K2 (second half) for CTR; a 32-byte key is
 * "AES-128-SIV" (RustCrypto's {@code Aes128Siv}), 64 bytes is AES-256-SIV. Output is
 * {@code V(16) || C}. Stateless and thread-safe.
 */
final class AesSiv {
  static final int TAG_LENGTH = 16;

  private AesSiv() {}

  static byte[] encrypt(byte[] key, List<byte[]> associatedData, byte[] plaintext) {
    checkKey(key);
    byte[] k1 = Arrays.copyOfRange(key, 0, key.length / 2);
    byte[] k2 = Arrays.copyOfRange(key, key.length / 2, key.length);
    try {
      byte[] v = s2v(k1, associatedData, plaintext);
      byte[] out = new byte[TAG_LENGTH + plaintext.length];
      System.arraycopy(v, 0, out, 0, TAG_LENGTH);
      ctr(k2, v, plaintext, out, TAG_LENGTH);
      return out;
    } finally {
      Ec.wipe(k1);
      Ec.wipe(k2);
    }
  }

  /** The plaintext, or null when the tag does not verify (or the input is shorter than a tag). */
  static byte[] decrypt(byte[] key, List<byte[]> associatedData, byte[] sivAndCiphertext) {
    checkKey(key);
    if (sivAndCiphertext.length < TAG_LENGTH) {
      return null;
    }
    byte[] k1 = Arrays.copyOfRange(key, 0, key.length / 2);
    byte[] k2 = Arrays.copyOfRange(key, key.length / 2, key.length);
    try {
      byte[] v = Arrays.copyOfRange(sivAndCiphertext, 0, TAG_LENGTH);
      byte[] c = Arrays.copyOfRange(sivAndCiphertext, TAG_LENGTH, sivAndCiphertext.length);
      byte[] p = new byte[c.length];
      ctr(k2, v, c, p, 0);
      byte[] t = s2v(k1, associatedData, p);
      if (!MessageDigest.isEqual(t, v)) {
        Ec.wipe(p);
        return null;
      }
      return p;
    } finally {
      Ec.wipe(k1);
      Ec.wipe(k2);
    }
  }

  private static void checkKey(byte[] key) {
    if (key.length != 32 && key.length != 48 && key.length != 64) {
      throw new IllegalArgumentException("AES-SIV keys are 32, 48 or 64 bytes, got " + key.length);
    }
  }

  private static byte[] s2v(byte[] k1, List<byte[]> ad, byte[] plaintext) {
    if (ad.size() > 126) {
      throw new IllegalArgumentException("S2V takes at most 126 associated-data components");
    }
    CMac mac = new CMac(AESEngine.newInstance());
    mac.init(new KeyParameter(k1));
    byte[] d = cmac(mac, new byte[16]);
    for (byte[] s : ad) {
      d = xor(dbl(d), cmac(mac, s));
    }
    byte[] t;
    if (plaintext.length >= 16) {
      t = plaintext.clone();
      int off = t.length - 16;
      for (int i = 0; i < 16; i++) {
        t[off + i] ^= d[i];
      }
    } else {
      byte[] padded = new byte[16];
      System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
      padded[plaintext.length] = (byte) 0x80;
      t = xor(dbl(d), padded);
    }
    byte[] v = cmac(mac, t);
    Ec.wipe(t);
    return v;
  }

  private static void ctr(byte[] k2, byte[] v, byte[] in, byte[] out, int outOff) {
    byte[] q = v.clone();
    q[8] &= 0x7f;
    q[12] &= 0x7f;
    SICBlockCipher ctr = (SICBlockCipher) SICBlockCipher.newInstance(AESEngine.newInstance());
    ctr.init(true, new ParametersWithIV(new KeyParameter(k2), q));
    ctr.processBytes(in, 0, in.length, out, outOff);
  }

  private static byte[] cmac(CMac mac, byte[] data) {
    mac.update(data, 0, data.length);
    byte[] out = new byte[16];
    mac.doFinal(out, 0);
    return out;
  }

  /** Doubling in GF(2^128) as RFC 5297 defines it (shift left, conditional xor 0x87). */
  private static byte[] dbl(byte[] in) {
    byte[] out = new byte[16];
    for (int i = 0; i < 15; i++) {
      out[i] = (byte) ((in[i] << 1) | ((in[i + 1] & 0xff) >>> 7));
    }
    int carry = (in[0] & 0xff) >>> 7;
    out[15] = (byte) ((in[15] << 1) ^ (0x87 & -carry));
    return out;
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[16];
    for (int i = 0; i < 16; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
