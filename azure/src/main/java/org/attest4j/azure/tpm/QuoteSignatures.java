package org.attest4j.azure.tpm;

import java.math.BigInteger;
import java.util.Objects;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Verifies a TPM signature over a message with a TPM public key: RSASSA-PKCS1-v1_5, RSASSA-PSS (MGF1
 * with the scheme hash, salt length = digest length, as libtpms signs) and ECDSA over NIST P-256,
 * P-384 or P-521, all with Bouncy Castle. Stateless and thread-safe.
 */
public final class QuoteSignatures {
  private QuoteSignatures() {}

  /**
   * Whether {@code signature} is {@code key}'s signature over {@code message}. A key of the wrong type
   * for the scheme, an invalid point or modulus, or a malformed signature all give false.
   *
   * @param key the signer's public key
   * @param message the signed bytes (a TPMS_ATTEST)
   * @param signature the signature
   * @return true only if the signature verifies
   */
  public static boolean verify(TpmtPublic key, byte[] message, TpmtSignature signature) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    try {
      switch (signature.scheme()) {
        case RSASSA:
          return key.isRsa() && rsassa(key, message, signature);
        case RSAPSS:
          return key.isRsa() && rsapss(key, message, signature);
        default:
          return !key.isRsa() && ecdsa(key, message, signature);
      }
    } catch (RuntimeException e) {
      return false; // invalid key material or signature encoding: does not verify
    }
  }

  private static RSAKeyParameters rsaKey(TpmtPublic key) {
    return new RSAKeyParameters(false, new BigInteger(1, key.rsaModulus().toByteArray()), key.rsaExponent());
  }

  private static boolean rsassa(TpmtPublic key, byte[] message, TpmtSignature sig) {
    RSADigestSigner s = new RSADigestSigner(sig.hash().bcDigest());
    s.init(false, rsaKey(key));
    s.update(message, 0, message.length);
    return s.verifySignature(sig.rsaSignature().toByteArray());
  }

  private static boolean rsapss(TpmtPublic key, byte[] message, TpmtSignature sig) {
    Digest d = sig.hash().bcDigest();
    PSSSigner s = new PSSSigner(new RSABlindedEngine(), d, sig.hash().bcDigest(), sig.hash().size());
    s.init(false, rsaKey(key));
    s.update(message, 0, message.length);
    return s.verifySignature(sig.rsaSignature().toByteArray());
  }

  private static boolean ecdsa(TpmtPublic key, byte[] message, TpmtSignature sig) {
    X9ECParameters p = CustomNamedCurves.getByName(key.curve().secName());
    ECDomainParameters dom = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH(), p.getSeed());
    ECPoint q = p.getCurve().validatePoint(
        new BigInteger(1, key.eccX().toByteArray()), new BigInteger(1, key.eccY().toByteArray()));
    ECDSASigner s = new ECDSASigner();
    s.init(false, new ECPublicKeyParameters(q, dom));
    byte[] digest = sig.hash().digest(message);
    return s.verifySignature(
        digest, new BigInteger(1, sig.ecdsaR().toByteArray()), new BigInteger(1, sig.ecdsaS().toByteArray()));
  }
}
