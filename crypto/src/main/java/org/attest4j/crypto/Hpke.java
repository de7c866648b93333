package org.attest4j.crypto;

import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.internal.HpkeContext;
import com.google.crypto.tink.hybrid.internal.HpkeKdf;
import com.google.crypto.tink.hybrid.internal.HpkeKem;
import com.google.crypto.tink.hybrid.internal.HpkeKemPrivateKey;
import com.google.crypto.tink.hybrid.internal.HpkePrimitiveFactory;
import com.google.crypto.tink.hybrid.internal.HpkeUtil;
import com.google.crypto.tink.util.Bytes;
import java.lang.reflect.Proxy;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.attest4j.core.MalformedEvidenceException;

/**
 * HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, single shot, empty AAD.
 *
 * <p>Tink does the HPKE work: the labeled HKDF (DHKEM's {@code ExtractAndExpand} and the key
 * schedule), the AEAD and its nonce ({@code HpkeContext}, {@code HpkeKdf}, {@code HpkeAead}).
 * The two X25519 operations of DHKEM are Bouncy Castle's: on a JVM without Conscrypt Tink falls back
 * to a pure-Java Curve25519 that made sealing about three times slower, and doing the agreement
 * here lets both sides refuse low-order keys and all-zero secrets first. The DHKEM shared secret,
 * {@code ExtractAndExpand(dh, enc || pkR)} with Tink's labeled HKDF, is handed to Tink's public
 * recipient-context factory through a KEM that only returns it; a base-mode context is the same on
 * both sides, so the sender seals with it. The output is plain RFC 9180: tests open it with Tink's
 * own {@code HpkeDecrypt} and with Bouncy Castle's {@code HPKE}, and open their output here.
 *
 * <p>Stateless and thread-safe.
 */
final class Hpke {
  private static final byte[] EMPTY = new byte[0];

  /** suite_id of the KEM: "KEM" || I2OSP(0x0020, 2). */
  private static final byte[] KEM_SUITE_ID = {'K', 'E', 'M', 0x00, 0x20};

  private static final HpkeKdf KDF = HpkePrimitiveFactory.createKdf(HpkeParameters.KdfId.HKDF_SHA256);

  /** Never read: the KEM below ignores the private key it is given. */
  private static final HpkeKemPrivateKey UNUSED_KEY =
      new HpkeKemPrivateKey(Bytes.copyFrom(new byte[32]), Bytes.copyFrom(new byte[32]));

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

  /**
   * SealBase(pkR, info, "", pt) with a fresh ephemeral key: returns enc (32) || ciphertext.
   *
   * @throws MalformedEvidenceException if pkR is all zero or of low order
   */
  static byte[] sealBase(byte[] recipientPublicKey, byte[] info, byte[] plaintext, EnvelopeAead aead)
      throws MalformedEvidenceException, GeneralSecurityException {
    byte[] skE = new byte[32];
    RANDOM.get().nextBytes(skE);
    try {
      byte[] enc = X25519.publicKey(skE);
      byte[] dh = X25519.sharedSecret(skE, recipientPublicKey, "the recipient X25519 public key");
      return Kdf.concat(enc, context(enc, recipientPublicKey, dh, aead, info).seal(plaintext, EMPTY));
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
    byte[] dh = X25519.sharedSecret(recipient.privateKeyUnsafe(), enc, "the encapsulated key");
    return context(enc, recipient.publicKeyUnsafe(), dh, aead, info).open(ciphertext, EMPTY);
  }

  private static HpkeContext context(byte[] enc, byte[] pkR, byte[] dh, EnvelopeAead aead, byte[] info)
      throws GeneralSecurityException {
    byte[] shared;
    try {
      shared =
          KDF.extractAndExpand(
              HpkeUtil.EMPTY_SALT, dh, "eae_prk", Kdf.concat(enc, pkR), "shared_secret", KEM_SUITE_ID, 32);
    } finally {
      Ec.wipe(dh);
    }
    try {
      return HpkeContext.createRecipientContext(
          enc, UNUSED_KEY, fixedSecretKem(shared), KDF, HpkePrimitiveFactory.createAead(aead.tinkId()), info);
    } finally {
      Ec.wipe(shared);
    }
  }

  /**
   * A DHKEM(X25519, HKDF-SHA256) whose decapsulation returns {@code shared}. A dynamic proxy,
   * because {@code HpkeKem} names a Tink type that is not public ({@code HpkeKemEncapOutput}) in
   * methods that are never called here.
   */
  private static HpkeKem fixedSecretKem(byte[] shared) {
    return (HpkeKem)
        Proxy.newProxyInstance(
            HpkeKem.class.getClassLoader(),
            new Class<?>[] {HpkeKem.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "decapsulate":
                  return shared.clone();
                case "getKemId":
                  return HpkeUtil.X25519_HKDF_SHA256_KEM_ID.clone();
                default:
                  throw new GeneralSecurityException("HPKE KEM operation " + method.getName() + " is not used");
              }
            });
  }
}
