package org.attest4j.crypto.internal;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.ECPoint;

/**
 * k·G in constant time for signing on P-256 or P-384, as a Bouncy Castle {@link ECMultiplier}
 * (plugged into {@code ECDSASigner}, which keeps choosing k and computing r and s). The scalar is
 * read in {@value #WINDOW}-bit windows; window i adds the entry of a precomputed table holding
 * 1..15 times 16^i·G, so there are no doublings at all. Each table entry is selected by a masked
 * pass over all 15 entries, and the additions use the complete formulas of {@link
 * ProjectivePoint}: no branch and no memory address depends on k. It allocates about 1 KB per
 * multiplication (Bouncy Castle's {@code FixedPointCombMultiplier}: about 40 KB on P-256), and
 * its results equal Bouncy Castle's (BaseMultiplierTest, and RFC 6979 signatures byte for byte).
 *
 * <p>Immutable and thread-safe; the tables (64 × 15 points for P-256, 92 KB; 96 × 15 for P-384)
 * are built on first use.
 */
public final class BaseMultiplier implements ECMultiplier {
  /** Bits per window. */
  static final int WINDOW = 4;

  private static final int ENTRIES = (1 << WINDOW) - 1;

  private final PrimeCurve curve;
  private final int[][][] xs;
  private final int[][][] ys;

  private BaseMultiplier(PrimeCurve curve) {
    this.curve = curve;
    int windows = curve.bits / WINDOW;
    this.xs = new int[windows][ENTRIES][];
    this.ys = new int[windows][ENTRIES][];
    ECPoint[] all = new ECPoint[windows * ENTRIES];
    ECPoint base = curve.g;
    for (int w = 0; w < windows; w++) {
      ECPoint m = base;
      for (int j = 0; j < ENTRIES; j++) {
        all[w * ENTRIES + j] = m;
        m = m.add(base);
      }
      base = base.timesPow2(WINDOW);
    }
    curve.bcCurve.normalizeAll(all);
    for (int w = 0; w < windows; w++) {
      for (int j = 0; j < ENTRIES; j++) {
        ECPoint e = all[w * ENTRIES + j];
        xs[w][j] = curve.fromBigInteger(e.getAffineXCoord().toBigInteger());
        ys[w][j] = curve.fromBigInteger(e.getAffineYCoord().toBigInteger());
      }
    }
  }

  /** P-256's multiplier, built on first use. */
  private static final class P256 {
    static final BaseMultiplier INSTANCE = new BaseMultiplier(PrimeCurve.P256);
  }

  /** P-384's multiplier, built on first use. */
  private static final class P384 {
    static final BaseMultiplier INSTANCE = new BaseMultiplier(PrimeCurve.P384);
  }

  /**
   * The multiplier for P-256's base point.
   *
   * @return the multiplier for P-256's base point
   */
  public static BaseMultiplier p256() {
    return P256.INSTANCE;
  }

  /**
   * The multiplier for P-384's base point.
   *
   * @return the multiplier for P-384's base point
   */
  public static BaseMultiplier p384() {
    return P384.INSTANCE;
  }

  /**
   * k·p for p the curve's base point and 0 ≤ k &lt; 2^bits, in constant time; any other point or
   * scalar goes to Bouncy Castle's {@link ECPoint#multiply} (variable time).
   *
   * @param p the base point
   * @param k the scalar
   * @return k·p, normalized (affine)
   */
  @Override
  public ECPoint multiply(ECPoint p, BigInteger k) {
    if (k.signum() < 0 || k.bitLength() > curve.bits || !curve.g.equals(p)) {
      return p.multiply(k).normalize();
    }
    int[] scalar = curve.fromBigInteger(k);
    int[] one = curve.one;
    ProjectivePoint acc = new ProjectivePoint(curve);
    int[] tx = curve.element();
    int[] ty = curve.element();
    int[] tz = curve.element();
    int limbs = curve.limbs;
    for (int w = 0; w < xs.length; w++) {
      int bit = w * WINDOW;
      int digit = (scalar[bit >>> 5] >>> (bit & 31)) & ENTRIES;
      // (tx:ty:tz) = digit·16^w·G, the identity (0:1:0) for digit 0, by a masked scan
      for (int l = 0; l < limbs; l++) {
        tx[l] = 0;
        ty[l] = one[l];
        tz[l] = 0;
      }
      int[][] wx = xs[w];
      int[][] wy = ys[w];
      for (int j = 0; j < ENTRIES; j++) {
        int diff = (j + 1) ^ digit;
        int mask = (diff - 1) >> 31; // -1 when j + 1 == digit, else 0 (diff < 16)
        int[] ex = wx[j];
        int[] ey = wy[j];
        for (int l = 0; l < limbs; l++) {
          tx[l] ^= (tx[l] ^ ex[l]) & mask;
          ty[l] ^= (ty[l] ^ ey[l]) & mask;
          tz[l] ^= (tz[l] ^ one[l]) & mask;
        }
      }
      acc.add(tx, ty, tz);
    }
    java.util.Arrays.fill(scalar, 0); // the nonce's limbs do not outlive the multiplication
    int[] ax = curve.element();
    int[] ay = curve.element();
    if (!acc.toAffine(ax, ay)) {
      return curve.bcCurve.getInfinity();
    }
    return curve.bcCurve.createPoint(curve.toBigInteger(ax), curve.toBigInteger(ay));
  }
}
