package org.attest4j.snp.idblock;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * A public key in the SEV-SNP firmware ABI's 0x404-byte format (ABI table "ECDSA public key"):
 * {@code u32 curve (2 = P-384) || Qx (72 bytes, little-endian) || Qy (72 bytes, little-endian) ||
 * 0x370 zero bytes}. The report's ID_KEY_DIGEST and AUTHOR_KEY_DIGEST are the SHA-384 of these
 * 1028 bytes ({@link #digest()}).
 *
 * <pre>{@code
 * Bytes d = EcdsaPublicKey.of(idCertificate).digest(); // compare with report.idKeyDigest()
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EcdsaPublicKey {
  /** The encoded length (0x404). */
  public static final int LENGTH = 0x404;
  /** The curve code of P-384. */
  public static final int CURVE_P384 = 2;

  private final BigInteger x;
  private final BigInteger y;
  private final byte[] encoded;

  private EcdsaPublicKey(BigInteger x, BigInteger y) {
    this.x = x;
    this.y = y;
    byte[] e = new byte[LENGTH];
    e[0] = CURVE_P384;
    P384.putLe(e, 4, x);
    P384.putLe(e, 4 + P384.FIELD, y);
    this.encoded = e;
  }

  /**
   * The SEV form of a JCA P-384 public key.
   *
   * @param key an EC public key on P-384 (secp384r1)
   * @return the key
   * @throws MalformedEvidenceException with {@link IdBlockReason#UNSUPPORTED_CURVE} for another key
   *     type or curve, or {@link IdBlockReason#BAD_PUBLIC_KEY} for a point not on the curve
   */
  public static EcdsaPublicKey of(PublicKey key) throws MalformedEvidenceException {
    Objects.requireNonNull(key, "key");
    if (!(key instanceof ECPublicKey ec) || !isP384(ec.getParams())) {
      throw new MalformedEvidenceException(
          IdBlockReason.UNSUPPORTED_CURVE,
          "ID and author keys must be ECDSA P-384 keys, not " + key.getAlgorithm() + " "
              + (key instanceof ECPublicKey e ? e.getParams().getCurve().getField().getFieldSize() + "-bit" : ""));
    }
    return ofPoint(ec.getW().getAffineX(), ec.getW().getAffineY());
  }

  /**
   * The SEV form of a certificate's public key (go-sev-guest's trusted keys may be certificates).
   *
   * @param certificate a certificate whose key is ECDSA P-384
   * @return the key
   * @throws MalformedEvidenceException as for {@link #of(PublicKey)}
   */
  public static EcdsaPublicKey of(X509Certificate certificate) throws MalformedEvidenceException {
    return of(Objects.requireNonNull(certificate, "certificate").getPublicKey());
  }

  /**
   * Parses the 0x404-byte SEV form.
   *
   * @param encoded exactly 1028 bytes
   * @return the key
   * @throws MalformedEvidenceException for a wrong length ({@link IdBlockReason#BAD_LENGTH}), a curve
   *     other than P-384, non-zero reserved bytes or a point not on the curve
   */
  public static EcdsaPublicKey parse(byte[] encoded) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(encoded, "public key");
    if (encoded.length != LENGTH) {
      throw new MalformedEvidenceException(
          IdBlockReason.BAD_LENGTH, "an SEV public key has " + LENGTH + " bytes, not " + encoded.length);
    }
    return parse(encoded, 0, "public key");
  }

  static EcdsaPublicKey parse(byte[] b, int off, String what) throws MalformedEvidenceException {
    long curve = (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
    if (curve != CURVE_P384) {
      throw new MalformedEvidenceException(
          IdBlockReason.UNSUPPORTED_CURVE, "the " + what + " has curve " + curve + "; only 2 (P-384) is supported");
    }
    for (int i = off + 4 + 2 * P384.FIELD; i < off + LENGTH; i++) {
      if (b[i] != 0) {
        throw new MalformedEvidenceException(
            IdBlockReason.RESERVED_NONZERO,
            "the " + what + " has a non-zero reserved byte at offset 0x" + Integer.toHexString(i - off));
      }
    }
    return ofPoint(P384.le(b, off + 4), P384.le(b, off + 4 + P384.FIELD));
  }

  static EcdsaPublicKey ofPoint(BigInteger x, BigInteger y) throws MalformedEvidenceException {
    try {
      org.bouncycastle.math.ec.ECPoint p = P384.X9.getCurve().validatePoint(x, y);
      if (p.isInfinity()) {
        throw new IllegalArgumentException("infinity");
      }
    } catch (RuntimeException e) {
      throw new MalformedEvidenceException(IdBlockReason.BAD_PUBLIC_KEY, "the public key is not a point on P-384");
    }
    return new EcdsaPublicKey(x, y);
  }

  private static boolean isP384(ECParameterSpec p) {
    return p.getCurve().getField().getFieldSize() == 384
        && p.getOrder().equals(P384.X9.getN())
        && p.getGenerator().getAffineX().equals(P384.X9.getG().getAffineXCoord().toBigInteger());
  }

  /**
   * The 1028-byte SEV encoding.
   *
   * @return a copy
   */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  /**
   * The 1028-byte SEV encoding.
   *
   * @return the bytes
   */
  public Bytes encoded() {
    return Bytes.of(encoded);
  }

  /**
   * SHA-384 of the encoding: what a report's ID_KEY_DIGEST or AUTHOR_KEY_DIGEST holds.
   *
   * @return the 48-byte digest
   */
  public Bytes digest() {
    return Bytes.of(P384.sha384(encoded));
  }

  /**
   * The key as a JCA public key.
   *
   * @return an EC public key on secp384r1
   */
  public ECPublicKey toPublicKey() {
    try {
      java.security.AlgorithmParameters ap = java.security.AlgorithmParameters.getInstance("EC");
      ap.init(new java.security.spec.ECGenParameterSpec("secp384r1"));
      ECParameterSpec spec = ap.getParameterSpec(ECParameterSpec.class);
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-384 unavailable", e);
    }
  }

  ECPublicKeyParameters params() {
    return new ECPublicKeyParameters(P384.X9.getCurve().createPoint(x, y), P384.DOMAIN);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EcdsaPublicKey k && java.security.MessageDigest.isEqual(encoded, k.encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "EcdsaPublicKey[P-384, sha384=" + digest().toHex() + "]";
  }
}
