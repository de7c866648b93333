package org.attest4j.crypto.internal;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A mutable point of a {@link PrimeCurve} in Jacobian coordinates (x = X/Z², y = Y/Z³, the
 * identity has Z = 0) with the cheapest formulas of the Explicit-Formulas Database for a = -3:
 * doubling "dbl-2001-b" (3M + 5S) and mixed addition of an affine point "madd-2007-bl" (7M + 4S),
 * against 11 and 14 multiplications for the complete formulas of {@link ProjectivePoint}. These
 * formulas are not complete: adding to the identity, P + P and P + (-P) are detected and branched
 * on, so this class is for public data only (signature verification), never for secrets.
 *
 * <p>Not thread-safe: one instance per computation; the operations allocate nothing ({@link
 * MutablePoint}).
 */
final class JacobianPoint extends MutablePoint {
  /** The identity of {@code curve}. */
  JacobianPoint(PrimeCurve curve) {
    super(curve);
    setIdentity();
  }

  void setIdentity() {
    copy(c.one, x);
    copy(c.one, y);
    Arrays.fill(z, 0);
  }

  /** this = (x2, y2, 1). */
  private void setAffine(int[] x2, int[] y2) {
    copy(x2, x);
    copy(y2, y);
    copy(c.one, z);
  }

  /** this = 2·this (dbl-2001-b). */
  void twice() {
    if (isIdentity()) {
      return;
    }
    int[] delta = t0;
    int[] gamma = t1;
    int[] beta = t2;
    int[] alpha = t3;
    c.sqr(z, delta, ext);
    c.sqr(y, gamma, ext);
    c.mul(x, gamma, beta, ext);
    // alpha = 3·(X - delta)·(X + delta)
    c.sub(x, delta, t4);
    c.add(x, delta, t5);
    c.mul(t4, t5, alpha, ext);
    c.add(alpha, alpha, t4);
    c.add(t4, alpha, alpha);
    // Z3 = (Y + Z)² - gamma - delta
    c.add(y, z, t4);
    c.sqr(t4, t4, ext);
    c.sub(t4, gamma, t4);
    c.sub(t4, delta, z);
    // X3 = alpha² - 8·beta
    c.add(beta, beta, t4);
    c.add(t4, t4, t4); // 4·beta
    c.add(t4, t4, t5); // 8·beta
    c.sqr(alpha, x, ext);
    c.sub(x, t5, x);
    // Y3 = alpha·(4·beta - X3) - 8·gamma²
    c.sub(t4, x, t4);
    c.mul(alpha, t4, t4, ext);
    c.sqr(gamma, t5, ext);
    c.add(t5, t5, t5);
    c.add(t5, t5, t5);
    c.add(t5, t5, t5);
    c.sub(t4, t5, y);
  }

  /** this = this + (x2, y2) for an affine point, which must not be the identity (madd-2007-bl). */
  void addAffine(int[] x2, int[] y2) {
    if (isIdentity()) {
      setAffine(x2, y2);
      return;
    }
    int[] z1z1 = t0;
    int[] h = t1;
    int[] r = t2;
    c.sqr(z, z1z1, ext);
    c.mul(x2, z1z1, h, ext); // U2
    c.sub(h, x, h); // H = U2 - X1
    c.mul(z, z1z1, r, ext);
    c.mul(y2, r, r, ext); // S2
    c.sub(r, y, r);
    c.add(r, r, r); // r = 2·(S2 - Y1)
    if (c.isZero(h)) {
      if (c.isZero(r)) { // this == (x2, y2)
        setAffine(x2, y2);
        twice();
      } else { // this == -(x2, y2)
        setIdentity();
      }
      return;
    }
    int[] hh = t3;
    int[] i = t4;
    int[] j = t5;
    c.sqr(h, hh, ext);
    c.add(hh, hh, i);
    c.add(i, i, i); // I = 4·HH
    // Z3 = (Z1 + H)² - Z1Z1 - HH, while Z1 is still at hand
    c.add(z, h, z);
    c.sqr(z, z, ext);
    c.sub(z, z1z1, z);
    c.sub(z, hh, z);
    c.mul(h, i, j, ext); // J = H·I
    int[] v = h; // H is no longer needed
    c.mul(x, i, v, ext); // V = X1·I
    // Y1·J before Y1 is overwritten
    c.mul(y, j, i, ext);
    c.add(i, i, i); // 2·Y1·J
    // X3 = r² - J - 2·V
    c.sqr(r, x, ext);
    c.sub(x, j, x);
    c.sub(x, v, x);
    c.sub(x, v, x);
    // Y3 = r·(V - X3) - 2·Y1·J
    c.sub(v, x, y);
    c.mul(r, y, y, ext);
    c.sub(y, i, y);
  }

  /**
   * Whether the affine x of this point, reduced mod n, equals {@code r} (1 ≤ r < n): X = r'·Z² for
   * r' = r, r + n, ... below p, so no inversion. False for the identity.
   */
  boolean affineXModNEquals(BigInteger r) {
    if (isIdentity()) {
      return false;
    }
    c.sqr(z, t0, ext);
    for (BigInteger cand = r; cand.compareTo(c.p) < 0; cand = cand.add(c.n)) {
      c.mul(c.fromBigInteger(cand), t0, t1, ext);
      if (c.equal(t1, x)) {
        return true;
      }
    }
    return false;
  }

  /** The affine coordinates into {@code ax}, {@code ay}; false (nothing written) for the identity. */
  boolean toAffine(int[] ax, int[] ay) {
    if (isIdentity()) {
      return false;
    }
    c.inv(z, t0);
    c.sqr(t0, t1, ext);
    c.mul(x, t1, ax, ext);
    c.mul(t1, t0, t1, ext);
    c.mul(y, t1, ay, ext);
    return true;
  }
}
