package org.attest4j.crypto.internal;

import java.util.Arrays;

/**
 * A mutable point of a {@link PrimeCurve} in homogeneous projective coordinates (X:Y:Z), with
 * x = X/Z, y = Y/Z and the identity (0:1:0), and the complete addition and doubling formulas of
 * Renes, Costello and Batina, "Complete addition formulas for prime order elliptic curves"
 * (eprint 2015/1060), algorithms 4 and 6 for a = -3. Complete means there is no exceptional
 * case: the same sequence of field operations is right for P + Q, P + P, P + (-P) and the
 * identity, so neither a verifier nor a constant-time signer needs a branch. All scratch is
 * allocated once per point ({@link MutablePoint}); the operations allocate nothing.
 *
 * <p>Not thread-safe: one instance per computation.
 */
final class ProjectivePoint extends MutablePoint {
  private final int[] x3;
  private final int[] y3;
  private final int[] z3;

  /** The identity of {@code curve}. */
  ProjectivePoint(PrimeCurve curve) {
    super(curve);
    this.x3 = curve.element();
    this.y3 = curve.element();
    this.z3 = curve.element();
    setIdentity();
  }

  void setIdentity() {
    Arrays.fill(x, 0);
    copy(c.one, y);
    Arrays.fill(z, 0);
  }

  /** this = this + (x2:y2:z2); the argument may be the identity. Algorithm 4. */
  void add(int[] x2, int[] y2, int[] z2) {
    c.mul(x, x2, t0, ext);
    c.mul(y, y2, t1, ext);
    c.mul(z, z2, t2, ext);
    c.add(x, y, t3);
    c.add(x2, y2, t4);
    c.mul(t3, t4, t3, ext);
    c.add(t0, t1, t4);
    c.sub(t3, t4, t3);
    c.add(y, z, t4);
    c.add(y2, z2, x3);
    c.mul(t4, x3, t4, ext);
    c.add(t1, t2, x3);
    c.sub(t4, x3, t4);
    c.add(x, z, x3);
    c.add(x2, z2, y3);
    c.mul(x3, y3, x3, ext);
    c.add(t0, t2, y3);
    c.sub(x3, y3, y3);
    c.mul(c.b, t2, z3, ext);
    c.sub(y3, z3, x3);
    c.add(x3, x3, z3);
    c.add(x3, z3, x3);
    c.sub(t1, x3, z3);
    c.add(t1, x3, x3);
    c.mul(c.b, y3, y3, ext);
    c.add(t2, t2, t1);
    c.add(t1, t2, t2);
    c.sub(y3, t2, y3);
    c.sub(y3, t0, y3);
    c.add(y3, y3, t1);
    c.add(t1, y3, y3);
    c.add(t0, t0, t1);
    c.add(t1, t0, t0);
    c.sub(t0, t2, t0);
    c.mul(t4, y3, t1, ext);
    c.mul(t0, y3, t2, ext);
    c.mul(x3, z3, y3, ext);
    c.add(y3, t2, y3);
    c.mul(t3, x3, x3, ext);
    c.sub(x3, t1, x3);
    c.mul(t4, z3, z3, ext);
    c.mul(t3, t0, t1, ext);
    c.add(z3, t1, z3);
    store();
  }

  /** this = 2·this. Algorithm 6. */
  void twice() {
    c.sqr(x, t0, ext);
    c.sqr(y, t1, ext);
    c.sqr(z, t2, ext);
    c.mul(x, y, t3, ext);
    c.add(t3, t3, t3);
    c.mul(x, z, z3, ext);
    c.add(z3, z3, z3);
    c.mul(c.b, t2, y3, ext);
    c.sub(y3, z3, y3);
    c.add(y3, y3, x3);
    c.add(x3, y3, y3);
    c.sub(t1, y3, x3);
    c.add(t1, y3, y3);
    c.mul(x3, y3, y3, ext);
    c.mul(x3, t3, x3, ext);
    c.add(t2, t2, t3);
    c.add(t2, t3, t2);
    c.mul(c.b, z3, z3, ext);
    c.sub(z3, t2, z3);
    c.sub(z3, t0, z3);
    c.add(z3, z3, t3);
    c.add(z3, t3, z3);
    c.add(t0, t0, t3);
    c.add(t3, t0, t0);
    c.sub(t0, t2, t0);
    c.mul(t0, z3, t0, ext);
    c.add(y3, t0, y3);
    c.mul(y, z, t0, ext);
    c.add(t0, t0, t0);
    c.mul(t0, z3, z3, ext);
    c.sub(x3, z3, x3);
    c.mul(t0, t1, z3, ext);
    c.add(z3, z3, z3);
    c.add(z3, z3, z3);
    store();
  }

  /** The affine coordinates {x, y} into {@code ax}, {@code ay}; false (nothing written) for the identity. */
  boolean toAffine(int[] ax, int[] ay) {
    if (isIdentity()) {
      return false;
    }
    c.inv(z, t0);
    c.mul(x, t0, ax, ext);
    c.mul(y, t0, ay, ext);
    return true;
  }

  private void store() {
    copy(x3, x);
    copy(y3, y);
    copy(z3, z);
  }
}
