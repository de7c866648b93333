package org.attest4j.crypto;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The public key of a {@link KmsIdentity}: a P-256 key that guests trust to seal their responses.
 * Its key id is SHA-256 of the SubjectPublicKeyInfo DER. A dstack guest usually builds it from the
 * {@code key_provider_id} of its MrConfigV3 document ({@link #fromSpki(byte[])}).
 *
 * <p>Immutable and thread-safe.
 */
public final class KmsPublicKey {
  private final byte[] point;
  private final byte[] spki;
  private final byte[] keyId;
  private final ECPoint q;

  private KmsPublicKey(byte[] point) {
    this.point = point;
    this.spki = P256Keys.spki(point);
    this.keyId = Kdf.sha256(spki);
    this.q = Ec.P256.decodePoint(point);
  }

  static KmsPublicKey fromPoint(byte[] uncompressed) {
    return new KmsPublicKey(uncompressed.clone());
  }

  /**
   * Parses a P-256 SubjectPublicKeyInfo DER (for example a dstack {@code key_provider_id}).
   *
   * @param spkiDer the DER-encoded SubjectPublicKeyInfo
   * @return the key it holds
   * @throws MalformedEvidenceException if it is not a P-256 public key
   */
  public static KmsPublicKey fromSpki(byte[] spkiDer) throws MalformedEvidenceException {
    Objects.requireNonNull(spkiDer, "spkiDer");
    return new KmsPublicKey(P256Keys.parseSpki(spkiDer));
  }

  /**
   * Parses a SEC1 P-256 point, compressed (33 bytes) or uncompressed (65 bytes).
   *
   * @param point the SEC1-encoded point
   * @return the key at that point
   * @throws MalformedEvidenceException if it is not a valid point
   */
  public static KmsPublicKey fromSec1(byte[] point) throws MalformedEvidenceException {
    Objects.requireNonNull(point, "point");
    try {
      return new KmsPublicKey(Ec.P256.decodePoint(point).getEncoded(false));
    } catch (RuntimeException e) {
      throw new MalformedEvidenceException(CryptoReason.BAD_KEY, "not a P-256 point: " + e.getMessage());
    }
  }

  /**
   * SubjectPublicKeyInfo DER (91 bytes).
   *
   * @return the SPKI
   */
  public Bytes spki() {
    return Bytes.of(spki);
  }

  /**
   * The uncompressed SEC1 point (65 bytes).
   *
   * @return the point
   */
  public Bytes point() {
    return Bytes.of(point);
  }

  /**
   * SHA-256 of the SubjectPublicKeyInfo DER (32 bytes): the key id bound into envelopes.
   *
   * @return the key id
   */
  public Bytes keyId() {
    return Bytes.of(keyId);
  }

  byte[] keyIdUnsafe() {
    return keyId;
  }

  /** Verifies an r || s signature (low S required) over SHA-256(message). */
  boolean verify(byte[] message, byte[] rs64) {
    return verifyDigest(Kdf.sha256(message), rs64);
  }

  /** As {@link #verify} for a message whose SHA-256 the caller computed. */
  boolean verifyDigest(byte[] sha256, byte[] rs64) {
    if (rs64.length != 64) {
      return false;
    }
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(rs64, 0, 32));
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(rs64, 32, 64));
    return Ec.P256.verifyDigest(q, sha256, r, s, true);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KmsPublicKey k && java.security.MessageDigest.isEqual(point, k.point);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(point);
  }

  @Override
  public String toString() {
    return "KmsPublicKey[key_id=" + HexFormat.of().formatHex(keyId) + "]";
  }
}
