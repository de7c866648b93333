package org.attest4j.crypto;

import java.security.GeneralSecurityException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.AEAD;

/**
 * The AEAD of a {@link SealedResponse} (the HPKE {@code aead_id}). AES-256-GCM is the default;
 * ChaCha20-Poly1305 is for platforms without AES instructions.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum EnvelopeAead {
  /** AES-256-GCM, HPKE aead_id 0x0002. */
  AES_256_GCM(0x0002),
  /** ChaCha20-Poly1305, HPKE aead_id 0x0003. */
  CHACHA20_POLY1305(0x0003);

  private final int id;

  EnvelopeAead(int id) {
    this.id = id;
  }

  /**
   * The HPKE (RFC 9180) aead_id.
   *
   * @return 0x0002 or 0x0003
   */
  public int hpkeId() {
    return id;
  }

  /**
   * The AEAD exactly as HPKE uses it (Bouncy Castle's HPKE AEAD: key, 12-byte nonce, associated
   * data; output ciphertext || tag). Package-private: exposed for the Wycheproof tests of this code
   * path.
   */
  byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData)
      throws GeneralSecurityException {
    checkSizes(key, nonce);
    try {
      return new AEAD((short) id, key, nonce).seal(associatedData, plaintext);
    } catch (InvalidCipherTextException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  /** Inverse of {@link #seal}; throws on any authentication failure. */
  byte[] open(byte[] key, byte[] nonce, byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException {
    checkSizes(key, nonce);
    try {
      return new AEAD((short) id, key, nonce).open(associatedData, ciphertext);
    } catch (InvalidCipherTextException | IllegalArgumentException | IllegalStateException e) {
      throw new GeneralSecurityException("AEAD authentication failed");
    }
  }

  private static void checkSizes(byte[] key, byte[] nonce) throws GeneralSecurityException {
    if (key.length != 32 || nonce.length != 12) {
      throw new GeneralSecurityException(
          "HPKE AEADs here take a 32-byte key and a 12-byte nonce, got " + key.length + " and " + nonce.length);
    }
  }

  static EnvelopeAead byId(int id) {
    for (EnvelopeAead a : values()) {
      if (a.id == id) {
        return a;
      }
    }
    return null;
  }
}
