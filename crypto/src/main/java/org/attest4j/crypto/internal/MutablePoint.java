package org.attest4j.crypto.internal;

/**
 * The coordinates and scratch of a mutable point of a {@link PrimeCurve}: X, Y, Z and six
 * temporaries plus the products' scratch, allocated once so that the point formulas of the
 * subclasses ({@link ProjectivePoint}, {@link JacobianPoint}) allocate nothing. The identity
 * always has Z = 0.
 *
 * <p>Not thread-safe: one instance per computation.
 */
abstract class MutablePoint {
  final PrimeCurve c;
  final int[] x;
  final int[] y;
  final int[] z;
  final int[] t0;
  final int[] t1;
  final int[] t2;
  final int[] t3;
  final int[] t4;
  final int[] t5;
  final int[] ext;

  MutablePoint(PrimeCurve curve) {
    this.c = curve;
    this.x = curve.element();
    this.y = curve.element();
    this.z = curve.element();
    this.t0 = curve.element();
    this.t1 = curve.element();
    this.t2 = curve.element();
    this.t3 = curve.element();
    this.t4 = curve.element();
    this.t5 = curve.element();
    this.ext = new int[curve.extLength()];
  }

  final boolean isIdentity() {
    return c.isZero(z);
  }

  final void copy(int[] from, int[] to) {
    System.arraycopy(from, 0, to, 0, c.limbs);
  }
}
