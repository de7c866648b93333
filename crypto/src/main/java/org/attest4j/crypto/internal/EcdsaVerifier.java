package org.attest4j.crypto.internal;

import java.math.BigInteger;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDSA verification (FIPS 186-5 §6.4.2) on P-256 or P-384 for one public key that is used many
 * times, such as a VCEK verifying every report of its chip. The first {@link #verify} is Bouncy
 * Castle's {@code ECDSASigner}, so a key checked once costs nothing extra; the second builds the
 * key's comb table (about 1 ms, kept by this object). From then on each {@link #verify} computes
 * u1·G + u2·Q as one interleaved comb of {@code bits/8} doublings over the tables of G and Q,
 * with the Jacobian formulas of {@link JacobianPoint} on Bouncy Castle's field arithmetic: about
 * 2 KB of allocation (Bouncy Castle's {@code ECDSASigner}: about 400 KB per P-384 verification)
 * and two thirds of its CPU time. The verdicts equal Bouncy Castle's on the Wycheproof vectors and
 * on random and tampered signatures (crypto's WycheproofTest and EcArithmeticPropertiesTest).
 * Variable time: verification handles only public data.
 *
 * <p>Thread-safe; the only state is the memoized table.
 */
public final class EcdsaVerifier {
  private final PrimeCurve curve;
  private final ECPoint q;
  private volatile boolean usedOnce;
  private volatile CombTable qTable;

  private EcdsaVerifier(PrimeCurve curve, ECPoint q) {
    this.curve = curve;
    this.q = q;
  }

  /** The table of P-256's base point, built on first use. */
  private static final class P256Base {
    static final CombTable TABLE = CombTable.of(PrimeCurve.P256, PrimeCurve.P256.g);
  }

  /** The table of P-384's base point, built on first use. */
  private static final class P384Base {
    static final CombTable TABLE = CombTable.of(PrimeCurve.P384, PrimeCurve.P384.g);
  }

  /**
   * A verifier for public key {@code q}, a point of P-256 or P-384 (Bouncy Castle's custom curves
   * or any other representation of the same curve).
   *
   * @param q the public key
   * @return its verifier
   * @throws IllegalArgumentException if {@code q} is the identity, not on its curve, or on a curve
   *     other than P-256 and P-384
   */
  public static EcdsaVerifier of(ECPoint q) {
    int bits = q.getCurve().getFieldSize();
    PrimeCurve curve;
    if (bits == 384 && sameCurve(PrimeCurve.P384, q)) {
      curve = PrimeCurve.P384;
    } else if (bits == 256 && sameCurve(PrimeCurve.P256, q)) {
      curve = PrimeCurve.P256;
    } else {
      throw new IllegalArgumentException("not a P-256 or P-384 public key");
    }
    ECPoint imported = curve.bcCurve.importPoint(q).normalize();
    if (imported.isInfinity() || !imported.isValid()) {
      throw new IllegalArgumentException("not a valid point of the curve");
    }
    return new EcdsaVerifier(curve, imported);
  }

  private CombTable gTable() {
    return curve == PrimeCurve.P384 ? P384Base.TABLE : P256Base.TABLE;
  }

  private static boolean sameCurve(PrimeCurve c, ECPoint q) {
    return c.p.equals(q.getCurve().getField().getCharacteristic())
        && c.bcCurve.getA().toBigInteger().equals(q.getCurve().getA().toBigInteger())
        && c.bcCurve.getB().toBigInteger().equals(q.getCurve().getB().toBigInteger());
  }

  /**
   * Verifies signature (r, s) over {@code hash}, the message digest (its leftmost {@code bits}
   * bits are used when it is longer, as FIPS 186-5 prescribes). r and s outside [1, n-1] are
   * refused.
   *
   * @param hash the digest of the message
   * @param r the signature's r
   * @param s the signature's s
   * @return whether the signature is valid
   */
  public boolean verify(byte[] hash, BigInteger r, BigInteger s) {
    BigInteger n = curve.n;
    if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
      return false;
    }
    BigInteger e = new BigInteger(1, hash);
    int hashBits = hash.length * 8;
    if (hashBits > curve.bits) {
      e = e.shiftRight(hashBits - curve.bits);
    }
    CombTable table = qTable;
    if (table == null) {
      if (!usedOnce) {
        // a key seen once (a one-shot check, a new chip) does not pay for its table
        usedOnce = true;
        ECDSASigner once = new ECDSASigner();
        once.init(false, new ECPublicKeyParameters(q, new ECDomainParameters(curve.bcCurve, curve.g, n)));
        return once.verifySignature(hash, r, s);
      }
      table = CombTable.of(curve, q);
      qTable = table; // a benign race: concurrent second uses build equal tables
    }
    CombTable gTable = gTable();
    BigInteger w = BigIntegers.modOddInverseVar(n, s);
    int[] u1 = curve.fromBigInteger(e.multiply(w).mod(n));
    int[] u2 = curve.fromBigInteger(r.multiply(w).mod(n));
    JacobianPoint acc = new JacobianPoint(curve);
    for (int col = gTable.spacing - 1; col >= 0; col--) {
      acc.twice();
      int i = gTable.column(u1, col);
      if (i != 0) {
        acc.addAffine(gTable.xs[i], gTable.ys[i]);
      }
      int j = table.column(u2, col);
      if (j != 0) {
        acc.addAffine(table.xs[j], table.ys[j]);
      }
    }
    return acc.affineXModNEquals(r);
  }
}
