package org.attest4j.crypto;

import com.google.crypto.tink.hybrid.HpkeParameters;
import java.security.GeneralSecurityException;

/**
 * The AEAD of a {@link SealedResponse} (the HPKE {@code aead_id}). AES-256-GCM is the default;
 * ChaCha20-Poly1305 is for platforms without AES instructions.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum EnvelopeAead {
  /** AES-256-GCM, HPKE aead_id 0x0002. */
  AES_256_GCM(0x0002, HpkeParameters.AeadId.AES_256_GCM),
  /** ChaCha20-Poly1305, HPKE aead_id 0x0003. */
  CHACHA20_POLY1305(0x0003, HpkeParameters.AeadId.CHACHA20_POLY1305);

  private final int id;
  private final HpkeParameters.AeadId tinkId;
  private final HpkeParameters parameters;

  EnvelopeAead(int id, HpkeParameters.AeadId tinkId) {
    this.id = id;
    this.tinkId = tinkId;
    try {
      this.parameters =
          HpkeParameters.builder()
              .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
              .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
              .setAeadId(tinkId)
              .setVariant(HpkeParameters.Variant.NO_PREFIX)
              .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The HPKE (RFC 9180) aead_id. */
  public int hpkeId() {
    return id;
  }

  HpkeParameters.AeadId tinkId() {
    return tinkId;
  }

  HpkeParameters hpkeParameters() {
    return parameters;
  }

  /**
   * The AEAD exactly as HPKE uses it inside Tink (key, 12-byte nonce, associated data; output
   * ciphertext || tag). Package-private: exposed for the Wycheproof tests of this code path.
   */
  byte[] seal(byte[] key, byte[] nonce, byte[] plaintext, byte[] associatedData)
      throws GeneralSecurityException {
    checkSizes(key, nonce);
    return com.google.crypto.tink.hybrid.internal.HpkePrimitiveFactory.createAead(tinkId)
        .seal(key, nonce, plaintext, associatedData);
  }

  /** Inverse of {@link #seal}; throws on any authentication failure. */
  byte[] open(byte[] key, byte[] nonce, byte[] ciphertext, byte[] associatedData)
      throws GeneralSecurityException {
    checkSizes(key, nonce);
    return com.google.crypto.tink.hybrid.internal.HpkePrimitiveFactory.createAead(tinkId)
        .open(key, nonce, ciphertext, associatedData);
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
