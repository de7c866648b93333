package org.attest4j.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The field arithmetic of {@link PrimeCurve} against {@link BigInteger}, including aliased outputs. */
class PrimeCurvePropertiesTest {
  private static BigInteger element(PrimeCurve c, Random rnd, int kind) {
    return switch (kind) {
      case 0 -> BigInteger.ZERO;
      case 1 -> c.p.subtract(BigInteger.ONE);
      case 2 -> BigInteger.ONE.shiftLeft(rnd.nextInt(c.bits));
      default -> new BigInteger(c.bits + 8, rnd).mod(c.p);
    };
  }

  @Property(tries = 500)
  void operationsEqualBigIntegerArithmetic(
      @ForAll boolean p384, @ForAll long seed, @ForAll @IntRange(min = 0, max = 6) int kindX,
      @ForAll @IntRange(min = 0, max = 6) int kindY) {
    PrimeCurve c = p384 ? PrimeCurve.P384 : PrimeCurve.P256;
    Random rnd = new Random(seed);
    BigInteger x = element(c, rnd, kindX);
    BigInteger y = element(c, rnd, kindY);
    int[] ext = new int[c.extLength()];
    int[] z = c.element();
    c.mul(c.fromBigInteger(x), c.fromBigInteger(y), z, ext);
    assertEquals(x.multiply(y).mod(c.p), c.toBigInteger(z), "mul");
    c.sqr(c.fromBigInteger(x), z, ext);
    assertEquals(x.multiply(x).mod(c.p), c.toBigInteger(z), "sqr");
    c.add(c.fromBigInteger(x), c.fromBigInteger(y), z);
    assertEquals(x.add(y).mod(c.p), c.toBigInteger(z), "add");
    c.sub(c.fromBigInteger(x), c.fromBigInteger(y), z);
    assertEquals(x.subtract(y).mod(c.p), c.toBigInteger(z), "sub");
    int[] aliased = c.fromBigInteger(x);
    c.mul(aliased, c.fromBigInteger(y), aliased, ext);
    assertEquals(x.multiply(y).mod(c.p), c.toBigInteger(aliased), "mul into its input");
    if (x.signum() != 0) {
      c.inv(c.fromBigInteger(x), z);
      assertEquals(x.modInverse(c.p), c.toBigInteger(z), "inv");
    }
  }
}
