package org.attest4j.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.bouncycastle.math.ec.ECPoint;

/**
 * {@link JacobianPoint} and {@link ProjectivePoint} against Bouncy Castle's point arithmetic,
 * including the cases the Jacobian formulas branch on: adding to the identity, P + P and P + (-P).
 */
class JacobianPointTest {
  private static ECPoint affine(PrimeCurve c, int[] x, int[] y) {
    return c.bcCurve.createPoint(c.toBigInteger(x), c.toBigInteger(y));
  }

  private static ECPoint of(JacobianPoint p, PrimeCurve c) {
    int[] x = c.element();
    int[] y = c.element();
    return p.toAffine(x, y) ? affine(c, x, y) : c.bcCurve.getInfinity();
  }

  private static int[][] coords(PrimeCurve c, ECPoint p) {
    ECPoint n = p.normalize();
    return new int[][] {
      c.fromBigInteger(n.getAffineXCoord().toBigInteger()), c.fromBigInteger(n.getAffineYCoord().toBigInteger())
    };
  }

  @Property(tries = 200)
  void jacobianSequenceEqualsBouncyCastle(@ForAll boolean p384, @ForAll long seed) {
    PrimeCurve c = p384 ? PrimeCurve.P384 : PrimeCurve.P256;
    Random rnd = new Random(seed);
    ECPoint p = c.g.multiply(new BigInteger(c.bits, rnd).mod(c.n).add(BigInteger.ONE)).normalize();
    ECPoint q = c.g.multiply(new BigInteger(c.bits, rnd).mod(c.n).add(BigInteger.ONE)).normalize();
    JacobianPoint acc = new JacobianPoint(c);
    acc.twice();
    assertTrue(acc.isIdentity(), "2·O = O");
    int[][] pc = coords(c, p);
    acc.addAffine(pc[0], pc[1]);
    assertEquals(p, of(acc, c), "O + P");
    acc.twice();
    assertEquals(p.twice(), of(acc, c), "2P");
    int[][] qc = coords(c, q);
    acc.addAffine(qc[0], qc[1]);
    ECPoint r = p.twice().add(q).normalize();
    assertEquals(r, of(acc, c), "2P + Q");
    int[][] rc = coords(c, r);
    acc.addAffine(rc[0], rc[1]);
    assertEquals(r.twice(), of(acc, c), "R + R");
    int[][] minus = coords(c, r.twice().negate());
    acc.addAffine(minus[0], minus[1]);
    assertTrue(acc.isIdentity(), "2R + (-2R) = O");
    assertFalse(acc.affineXModNEquals(BigInteger.ONE), "the identity has no x");
  }

  @Property(tries = 200)
  void completeFormulasEqualBouncyCastle(@ForAll boolean p384, @ForAll long seed) {
    PrimeCurve c = p384 ? PrimeCurve.P384 : PrimeCurve.P256;
    Random rnd = new Random(seed);
    ECPoint p = c.g.multiply(new BigInteger(c.bits, rnd).mod(c.n).add(BigInteger.ONE)).normalize();
    int[][] pc = coords(c, p);
    ProjectivePoint acc = new ProjectivePoint(c);
    acc.add(pc[0], pc[1], c.one);
    acc.add(pc[0], pc[1], c.one); // P + P through the addition formula
    acc.twice();
    int[] x = c.element();
    int[] y = c.element();
    assertTrue(acc.toAffine(x, y));
    assertEquals(p.timesPow2(2), affine(c, x, y), "4P");
    int[][] minus = coords(c, p.timesPow2(2).negate());
    acc.add(minus[0], minus[1], c.one);
    assertTrue(acc.isIdentity(), "4P + (-4P) = O");
  }
}
