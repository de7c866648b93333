package org.attest4j.crypto.internal;

import org.bouncycastle.math.ec.ECPoint;

/**
 * A fixed-base comb (Lim–Lee) table for one point P of a {@link PrimeCurve}: with the scalar's
 * bits cut into {@value #WIDTH} rows of {@code spacing} bits, entry {@code i} is the sum of
 * 2^(spacing·j)·P over the set bits j of i, in affine coordinates. k·P is then {@code spacing}
 * doublings and at most {@code spacing} additions of table entries, and two tables with the same
 * spacing share their doublings ({@link EcdsaVerifier}). The table is built once with Bouncy
 * Castle's point arithmetic and batch normalisation. Immutable and thread-safe (about 256 points:
 * 25 KB for P-256, 33 KB for P-384).
 */
final class CombTable {
  /** Rows of the comb: 2^WIDTH entries. */
  static final int WIDTH = 8;

  final PrimeCurve curve;
  /** Bits per row: ceil(bits / WIDTH). */
  final int spacing;
  /** Affine x and y of entry i (i ≥ 1; entry 0 is the identity and is never added). */
  final int[][] xs;
  final int[][] ys;

  private CombTable(PrimeCurve curve, int spacing, int[][] xs, int[][] ys) {
    this.curve = curve;
    this.spacing = spacing;
    this.xs = xs;
    this.ys = ys;
  }

  /**
   * The table of {@code p}, a valid point of {@code curve} other than the identity (which a valid
   * public key or base point never is).
   *
   * @throws IllegalArgumentException if {@code p} is not on {@code curve} or is the identity
   */
  static CombTable of(PrimeCurve curve, ECPoint p) {
    ECPoint q = curve.bcCurve.importPoint(p).normalize();
    if (q.isInfinity() || !q.isValid()) {
      throw new IllegalArgumentException("not a valid point of the curve");
    }
    int spacing = (curve.bits + WIDTH - 1) / WIDTH;
    int size = 1 << WIDTH;
    ECPoint[] rows = new ECPoint[WIDTH];
    rows[0] = q;
    for (int j = 1; j < WIDTH; j++) {
      rows[j] = rows[j - 1].timesPow2(spacing);
    }
    ECPoint[] points = new ECPoint[size];
    points[0] = curve.bcCurve.getInfinity();
    for (int i = 1; i < size; i++) {
      int top = 31 - Integer.numberOfLeadingZeros(i);
      points[i] = points[i ^ (1 << top)].add(rows[top]);
    }
    // entry i is m·P with m a sum of distinct powers 2^(spacing·j), 0 < m < 2^bits, which is
    // never the (prime) order: no entry is the identity; checked all the same
    ECPoint[] nonZero = new ECPoint[size - 1];
    System.arraycopy(points, 1, nonZero, 0, size - 1);
    for (ECPoint e : nonZero) {
      if (e.isInfinity()) {
        throw new IllegalArgumentException("comb entry at infinity");
      }
    }
    curve.bcCurve.normalizeAll(nonZero);
    int[][] xs = new int[size][];
    int[][] ys = new int[size][];
    for (int i = 1; i < size; i++) {
      xs[i] = curve.fromBigInteger(nonZero[i - 1].getAffineXCoord().toBigInteger());
      ys[i] = curve.fromBigInteger(nonZero[i - 1].getAffineYCoord().toBigInteger());
    }
    return new CombTable(curve, spacing, xs, ys);
  }

  /** The comb column {@code col} of scalar {@code k} (little-endian limbs): the entry to add. */
  int column(int[] k, int col) {
    int index = 0;
    for (int row = 0; row < WIDTH; row++) {
      int bit = col + row * spacing;
      if (bit < curve.bits) {
        index |= ((k[bit >>> 5] >>> (bit & 31)) & 1) << row;
      }
    }
    return index;
  }
}
