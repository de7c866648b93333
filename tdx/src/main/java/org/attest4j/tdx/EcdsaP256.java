package org.attest4j.tdx;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ECDSA P-256 with SHA-256 verification through Bouncy Castle's optimised secp256r1 arithmetic. Both
 * signature encodings used by DCAP are handled: raw r||s (quote, QE report, TCB info, QE identity)
 * and strict DER (certificates, CRLs). Stateless and thread-safe.
 */
final class EcdsaP256 {
  private static final X9ECParameters X9 = CustomNamedCurves.getByName("secp256r1");
  static final ECDomainParameters DOMAIN =
      new ECDomainParameters(X9.getCurve(), X9.getG(), X9.getN(), X9.getH());

  private EcdsaP256() {}

  /** A public key from the 64-byte x||y form; null if it is not a valid P-256 point. */
  static ECPublicKeyParameters publicKeyFromRaw(byte[] xy) {
    if (xy == null || xy.length != 64) {
      return null;
    }
    byte[] enc = new byte[65];
    enc[0] = 0x04;
    System.arraycopy(xy, 0, enc, 1, 64);
    return publicKeyFromEncodedPoint(enc);
  }

  /** A public key from an uncompressed or compressed SEC1 point; null if invalid. */
  static ECPublicKeyParameters publicKeyFromEncodedPoint(byte[] enc) {
    try {
      ECPoint p = DOMAIN.getCurve().decodePoint(enc).normalize();
      if (p.isInfinity() || !p.isValid()) {
        return null;
      }
      return new ECPublicKeyParameters(p, DOMAIN);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A P-256 public key from a SubjectPublicKeyInfo; null if it is not an EC P-256 key. */
  static ECPublicKeyParameters publicKeyFromSpki(SubjectPublicKeyInfo spki) {
    try {
      AlgorithmIdentifier alg = spki.getAlgorithm();
      if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())
          || alg.getParameters() == null
          || !SECObjectIdentifiers.secp256r1.equals(alg.getParameters())) {
        return null;
      }
      return publicKeyFromEncodedPoint(spki.getPublicKeyData().getOctets());
    } catch (RuntimeException e) {
      return null;
    }
  }

  static byte[] sha256(byte[] data, int off, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, off, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Verifies a raw 64-byte r||s (big-endian) signature over SHA-256(msg[off, off+len)). */
  static boolean verifyRaw(ECPublicKeyParameters key, byte[] msg, int off, int len, byte[] sig) {
    if (key == null || sig == null || sig.length != 64) {
      return false;
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    return verifyHash(key, sha256(msg, off, len), r, s);
  }

  /** Verifies a P1363 signature of any length (must be exactly 64 bytes to be valid). */
  static boolean verifyP1363(ECPublicKeyParameters key, byte[] msg, byte[] sig) {
    return sig != null && sig.length == 64 && verifyRaw(key, msg, 0, msg.length, sig);
  }

  /** Verifies a strict-DER ECDSA-Sig-Value over SHA-256(msg). BER variants are refused. */
  static boolean verifyDer(ECPublicKeyParameters key, byte[] msg, int off, int len, byte[] der) {
    BigInteger[] rs = decodeDer(der);
    return rs != null && verifyHash(key, sha256(msg, off, len), rs[0], rs[1]);
  }

  /** r and s from a strict DER SEQUENCE { INTEGER r, INTEGER s }; null if not exactly that. */
  static BigInteger[] decodeDer(byte[] der) {
    if (der == null || der.length < 8 || der.length > 80) {
      return null;
    }
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      if (!(p instanceof ASN1Sequence)) {
        return null;
      }
      ASN1Sequence seq = (ASN1Sequence) p;
      if (seq.size() != 2
          || !(seq.getObjectAt(0) instanceof ASN1Integer)
          || !(seq.getObjectAt(1) instanceof ASN1Integer)) {
        return null;
      }
      if (!Arrays.equals(der, seq.getEncoded(ASN1Encoding.DER))) {
        return null; // non-canonical encoding (BER lengths, leading zeros, trailing bytes)
      }
      BigInteger r = ((ASN1Integer) seq.getObjectAt(0)).getValue();
      BigInteger s = ((ASN1Integer) seq.getObjectAt(1)).getValue();
      return new BigInteger[] {r, s};
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean verifyHash(ECPublicKeyParameters key, byte[] hash, BigInteger r, BigInteger s) {
    BigInteger n = DOMAIN.getN();
    if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
      return false;
    }
    try {
      ECDSASigner signer = new ECDSASigner();
      signer.init(false, key);
      return signer.verifySignature(hash, r, s);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
