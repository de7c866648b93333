package org.attest4j.crypto;

import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.internal.HpkeContext;
import com.google.crypto.tink.hybrid.internal.HpkeEncrypt;
import com.google.crypto.tink.hybrid.internal.HpkeKdf;
import com.google.crypto.tink.hybrid.internal.HpkeKem;
import com.google.crypto.tink.hybrid.internal.HpkeKemPrivateKey;
import com.google.crypto.tink.hybrid.internal.HpkePrimitiveFactory;
import com.google.crypto.tink.util.Bytes;
import java.security.GeneralSecurityException;

/**
 * HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, single shot, all through
 * Tink: sealing with {@code HpkeEncrypt} (info = our context, empty AAD), opening with Tink's
 * {@code HpkeContext} recipient context (which skips the public-key recomputation that building an
 * {@code HpkePrivateKey} costs). Callers check peer keys for low order before they get here.
 * Stateless and thread-safe.
 */
final class Hpke {
  private static final byte[] EMPTY = new byte[0];
  private static final HpkeKdf KDF = HpkePrimitiveFactory.createKdf(HpkeParameters.KdfId.HKDF_SHA256);
  private static final HpkeKem KEM;

  static {
    try {
      KEM = HpkePrimitiveFactory.createKem(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256);
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Hpke() {}

  /** SealBase(pkR, info, "", pt) with a fresh ephemeral key: returns enc (32) || ciphertext. */
  static byte[] sealBase(byte[] recipientPublicKey, byte[] info, byte[] plaintext, EnvelopeAead aead)
      throws GeneralSecurityException {
    HpkePublicKey pk = HpkePublicKey.create(aead.hpkeParameters(), Bytes.copyFrom(recipientPublicKey), null);
    return HpkeEncrypt.create(pk).encrypt(plaintext, info);
  }

  /** OpenBase(enc, skR, info, "", ct). */
  static byte[] openBase(byte[] enc, X25519KeyPair recipient, byte[] info, byte[] ciphertext, EnvelopeAead aead)
      throws GeneralSecurityException {
    HpkeKemPrivateKey sk =
        new HpkeKemPrivateKey(
            Bytes.copyFrom(recipient.privateKeyUnsafe()), Bytes.copyFrom(recipient.publicKeyUnsafe()));
    HpkeContext ctx =
        HpkeContext.createRecipientContext(
            enc, sk, KEM, KDF, HpkePrimitiveFactory.createAead(aead.tinkId()), info);
    return ctx.open(ciphertext, EMPTY);
  }
}
