package org.attest4j.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, single shot, empty AAD.
 *
 * <p>Bouncy Castle's public HPKE API ({@code org.bouncycastle.crypto.hpke.HPKE}: {@code setupBaseS}
 * with a caller-made ephemeral key pair, {@code setupBaseR}) does the whole scheme: DHKEM's
 * labeled {@code ExtractAndExpand}, the key schedule, the AEAD and its nonce. This class only adds
 * what both sides need before it: peer keys that are all zero or of low order are refused (so the
 * agreement is contributory), and the ephemeral key comes from a {@link SecureRandom} here. The
 * output is plain RFC 9180: tests open it with Tink's public {@code HybridDecrypt} and open Tink's
 * output here.
 *
 * <p>Stateless and thread-safe (a fresh {@code HPKE} object per call: Bouncy Castle does not state
 * that one is safe to share).
 */
final class Hpke {
  private static final byte[] EMPTY = new byte[0];

  /**
   * One DRBG per thread for ephemeral keys: the default NativePRNG serializes every caller of
   * every instance on one process-wide lock, which showed up as contention in the key release.
   */
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(Hpke::newRandom);

  private static SecureRandom newRandom() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  private Hpke() {}

  /** The two outputs of SealBase: enc (the ephemeral X25519 public key, 32 bytes) and the ciphertext. */
  record Sealed(byte[] enc, byte[] ciphertext) {}

  /**
   * SealBase(pkR, info, "", pt) with a fresh ephemeral key: returns enc (32) || ciphertext.
   *
   * @throws MalformedEvidenceException if pkR is all zero or of low order
   * @throws GeneralSecurityException if the AEAD fails
   */
  static byte[] sealBase(byte[] recipientPublicKey, byte[] info, byte[] plaintext, EnvelopeAead aead)
      throws MalformedEvidenceException, GeneralSecurityException {
    Sealed s = sealBaseParts(recipientPublicKey, info, plaintext, aead);
    return Kdf.concat(s.enc(), s.ciphertext());
  }

  /**
   * SealBase(pkR, info, "", pt) with a fresh ephemeral key, enc and ciphertext apart (so a caller
   * that frames them copies the ciphertext once).
   *
   * @throws MalformedEvidenceException if pkR is all zero or of low order
   * @throws GeneralSecurityException if the AEAD fails
   */
  static Sealed sealBaseParts(byte[] recipientPublicKey, byte[] info, byte[] plaintext, EnvelopeAead aead)
      throws MalformedEvidenceException, GeneralSecurityException {
    X25519.checkPublicKey(recipientPublicKey, "the recipient X25519 public key");
    byte[] skE = new byte[X25519.KEY_LENGTH];
    RANDOM.get().nextBytes(skE);
    try {
      byte[] enc = X25519.publicKey(skE);
      AsymmetricCipherKeyPair ephemeral =
          new AsymmetricCipherKeyPair(
              new X25519PublicKeyParameters(enc, 0), new X25519PrivateKeyParameters(skE, 0));
      byte[] ct =
          suite(aead)
              .setupBaseS(new X25519PublicKeyParameters(recipientPublicKey, 0), info, ephemeral)
              .seal(EMPTY, plaintext);
      return new Sealed(enc, ct);
    } catch (InvalidCipherTextException | IllegalStateException e) {
      throw new GeneralSecurityException("HPKE sealing failed", e);
    } finally {
      Ec.wipe(skE);
    }
  }

  /**
   * OpenBase(enc, skR, info, "", ct).
   *
   * @throws MalformedEvidenceException if enc is all zero or of low order
   * @throws GeneralSecurityException if the AEAD refuses the ciphertext
   */
  static byte[] openBase(byte[] enc, X25519KeyPair recipient, byte[] info, byte[] ciphertext, EnvelopeAead aead)
      throws MalformedEvidenceException, GeneralSecurityException {
    X25519.checkPublicKey(enc, "the encapsulated key");
    AsymmetricCipherKeyPair kpR =
        new AsymmetricCipherKeyPair(
            new X25519PublicKeyParameters(recipient.publicKeyUnsafe(), 0),
            new X25519PrivateKeyParameters(recipient.privateKeyUnsafe(), 0));
    try {
      return suite(aead).setupBaseR(enc, kpR, info).open(EMPTY, ciphertext);
    } catch (InvalidCipherTextException | IllegalStateException | IllegalArgumentException e) {
      throw new GeneralSecurityException("HPKE open failed: the AEAD refuses the ciphertext");
    }
  }

  private static HPKE suite(EnvelopeAead aead) {
    return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, (short) aead.hpkeId());
  }
}
