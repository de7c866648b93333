package org.attest4j.crypto;

import java.math.BigInteger;
import java.util.HexFormat;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * P-256 key encodings: the byte-exact 138-byte PKCS#8 that dstack hashes in
 * {@code derive_dh_secret}, the 91-byte SubjectPublicKeyInfo, and tolerant parsing of PKCS#8 and
 * SEC1 private keys. Stateless and thread-safe.
 */
final class P256Keys {
  private static final HexFormat HEX = HexFormat.of();

  /** {@code 308187 020100 3013 06072a8648ce3d0201 06082a8648ce3d030107 046d 306b 020101 0420}. */
  private static final byte[] PKCS8_PREFIX =
      HEX.parseHex("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420");

  /** {@code a144 034200} then the 65-byte uncompressed point. */
  private static final byte[] PKCS8_PUB_PREFIX = HEX.parseHex("a144034200");

  private static final byte[] SPKI_PREFIX =
      HEX.parseHex("3059301306072a8648ce3d020106082a8648ce3d030107034200");

  static final int PKCS8_LENGTH = 138;

  private P256Keys() {}

  /** The 138-byte PKCS#8 (SEC1 ECPrivateKey with [1] public key, without [0] parameters). */
  static byte[] pkcs8(byte[] d32, byte[] publicUncompressed65) {
    byte[] out = new byte[PKCS8_LENGTH];
    int o = 0;
    System.arraycopy(PKCS8_PREFIX, 0, out, o, PKCS8_PREFIX.length);
    o += PKCS8_PREFIX.length;
    System.arraycopy(d32, 0, out, o, 32);
    o += 32;
    System.arraycopy(PKCS8_PUB_PREFIX, 0, out, o, PKCS8_PUB_PREFIX.length);
    o += PKCS8_PUB_PREFIX.length;
    System.arraycopy(publicUncompressed65, 0, out, o, 65);
    return out;
  }

  /**
   * A JCA key pair (algorithm "EC") for a P-256 scalar and its point, for building certificates.
   * The PKCS#8 buffer is wiped after use.
   */
  static java.security.KeyPair keyPair(byte[] d32, byte[] publicUncompressed65) {
    byte[] der = pkcs8(d32, publicUncompressed65);
    try {
      java.security.KeyFactory kf = java.security.KeyFactory.getInstance("EC");
      return new java.security.KeyPair(
          kf.generatePublic(new java.security.spec.X509EncodedKeySpec(spki(publicUncompressed65))),
          kf.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the JCA cannot load a P-256 key", e);
    } finally {
      Ec.wipe(der);
    }
  }

  /** The 91-byte SubjectPublicKeyInfo DER of an uncompressed P-256 point. */
  static byte[] spki(byte[] publicUncompressed65) {
    return Kdf.concat(SPKI_PREFIX, publicUncompressed65);
  }

  /**
   * The 32-byte private scalar of a P-256 key in PKCS#8 or SEC1 DER. The curve must be P-256 and a
   * public key, when present, must match.
   */
  static byte[] parsePrivateKeyDer(byte[] der, boolean pkcs8) throws MalformedEvidenceException {
    try {
      ECPrivateKey ec;
      if (pkcs8) {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
        AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
          throw bad("the root CA key is not an EC key (algorithm " + alg.getAlgorithm() + ")");
        }
        checkCurve(alg.getParameters());
        ec = ECPrivateKey.getInstance(info.parsePrivateKey());
      } else {
        ec = ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(der));
        if (ec.getParametersObject() != null) {
          checkCurve(ec.getParametersObject());
        }
      }
      BigInteger d = ec.getKey();
      if (d.signum() <= 0 || d.compareTo(Ec.P256.n) >= 0 || d.bitLength() > 256) {
        throw bad("the P-256 private scalar is out of range");
      }
      byte[] d32 = Ec.toFixed(d, 32);
      ASN1BitString pub = ec.getPublicKey();
      if (pub != null) {
        byte[] expected = Ec.P256.publicKey(d, false);
        byte[] given = Ec.P256.decodePoint(pub.getOctets()).getEncoded(false);
        if (!java.security.MessageDigest.isEqual(expected, given)) {
          throw bad("the public key in the P-256 key file does not belong to its private scalar");
        }
      }
      return d32;
    } catch (MalformedEvidenceException e) {
      throw e;
    } catch (Exception e) { // IOException, IllegalArgumentException, ClassCastException from BC
      throw bad("not a P-256 private key in " + (pkcs8 ? "PKCS#8" : "SEC1") + " DER: " + e.getMessage());
    }
  }

  /** The uncompressed point of a P-256 SubjectPublicKeyInfo. */
  static byte[] parseSpki(byte[] der) throws MalformedEvidenceException {
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(der));
      AlgorithmIdentifier alg = spki.getAlgorithm();
      if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
        throw bad("the KMS public key is not an EC key (algorithm " + alg.getAlgorithm() + ")");
      }
      checkCurve(alg.getParameters());
      return Ec.P256.decodePoint(spki.getPublicKeyData().getOctets()).getEncoded(false);
    } catch (MalformedEvidenceException e) {
      throw e;
    } catch (Exception e) {
      throw bad("not a P-256 SubjectPublicKeyInfo: " + e.getMessage());
    }
  }

  private static void checkCurve(ASN1Encodable params) throws MalformedEvidenceException {
    if (!(params instanceof ASN1ObjectIdentifier oid) || !X9ObjectIdentifiers.prime256v1.equals(oid)) {
      throw bad("the EC key is not on P-256 (parameters " + params + ")");
    }
  }

  private static MalformedEvidenceException bad(String msg) {
    return new MalformedEvidenceException(CryptoReason.BAD_KEY, msg);
  }
}
