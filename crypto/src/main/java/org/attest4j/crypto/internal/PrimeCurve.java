package org.attest4j.crypto.internal;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Field;
import org.bouncycastle.math.ec.custom.sec.SecP384R1Field;
import org.bouncycastle.math.raw.Nat;
import org.bouncycastle.math.raw.Nat192;

/**
 * A NIST prime curve y² = x³ - 3x + b (P-256 or P-384) with its base-field arithmetic on
 * little-endian {@code int[]} limbs, taken from Bouncy Castle's constant-time raw field code
 * ({@link SecP256R1Field}, {@link SecP384R1Field}). Every operation writes into a caller-supplied
 * array and allocates nothing; outputs may alias inputs, and results are fully reduced. Immutable
 * and thread-safe.
 */
abstract class PrimeCurve {
  static final PrimeCurve P256 =
      new PrimeCurve("secp256r1", 8) {
        @Override
        void mul(int[] x, int[] y, int[] z, int[] ext) {
          SecP256R1Field.multiply(x, y, z, ext);
        }

        @Override
        void sqr(int[] x, int[] z, int[] ext) {
          SecP256R1Field.square(x, z, ext);
        }

        @Override
        void add(int[] x, int[] y, int[] z) {
          SecP256R1Field.add(x, y, z);
        }

        @Override
        void sub(int[] x, int[] y, int[] z) {
          SecP256R1Field.subtract(x, y, z);
        }

        @Override
        void inv(int[] x, int[] z) {
          SecP256R1Field.inv(x, z);
        }
      };

  static final PrimeCurve P384 =
      new PrimeCurve("secp384r1", 12) {
        // Karatsuba on 192-bit halves, as Bouncy Castle's Nat384.mul/square, but with the
        // temporaries in ext[24, 48) (Nat384 allocates three arrays per call)
        @Override
        void mul(int[] x, int[] y, int[] z, int[] ext) {
          Nat192.mul(x, 0, y, 0, ext, 0);
          Nat192.mul(x, 6, y, 6, ext, 12);
          int c18 = Nat192.addToEachOther(ext, 6, ext, 12);
          int c12 = c18 + Nat192.addTo(ext, 0, ext, 6, 0);
          c18 += Nat192.addTo(ext, 18, ext, 12, c12);
          boolean neg = Nat192.diff(x, 6, x, 0, ext, 24) != Nat192.diff(y, 6, y, 0, ext, 30);
          Nat192.mul(ext, 24, ext, 30, ext, 36);
          c18 += neg ? Nat.addTo(12, ext, 36, ext, 6) : Nat.subFrom(12, ext, 36, ext, 6);
          Nat.addWordAt(24, c18, ext, 18);
          SecP384R1Field.reduce(ext, z);
        }

        @Override
        void sqr(int[] x, int[] z, int[] ext) {
          Nat192.square(x, 0, ext, 0);
          Nat192.square(x, 6, ext, 12);
          int c18 = Nat192.addToEachOther(ext, 6, ext, 12);
          int c12 = c18 + Nat192.addTo(ext, 0, ext, 6, 0);
          c18 += Nat192.addTo(ext, 18, ext, 12, c12);
          Nat192.diff(x, 6, x, 0, ext, 24);
          Nat192.square(ext, 24, ext, 36);
          c18 += Nat.subFrom(12, ext, 36, ext, 6);
          Nat.addWordAt(24, c18, ext, 18);
          SecP384R1Field.reduce(ext, z);
        }

        @Override
        void add(int[] x, int[] y, int[] z) {
          SecP384R1Field.add(x, y, z);
        }

        @Override
        void sub(int[] x, int[] y, int[] z) {
          SecP384R1Field.subtract(x, y, z);
        }

        @Override
        void inv(int[] x, int[] z) {
          SecP384R1Field.inv(x, z);
        }
      };

  /** Limbs per field element (8 or 12). */
  final int limbs;
  /** Bits of the field and of the group order (256 or 384). */
  final int bits;
  /** Bouncy Castle's curve (custom field implementation). */
  final ECCurve bcCurve;
  /** The base point. */
  final ECPoint g;
  /** The group order. */
  final BigInteger n;
  /** The field prime. */
  final BigInteger p;
  /** The curve coefficient b. */
  final int[] b;
  /** The field element 1. */
  final int[] one;

  private PrimeCurve(String name, int limbs) {
    X9ECParameters params = CustomNamedCurves.getByName(name);
    this.limbs = limbs;
    this.bits = limbs * 32;
    this.bcCurve = params.getCurve();
    this.g = params.getG().normalize();
    this.n = params.getN();
    this.p = bcCurve.getField().getCharacteristic();
    this.b = fromBigInteger(bcCurve.getB().toBigInteger());
    this.one = fromBigInteger(BigInteger.ONE);
    if (p.bitLength() != bits || n.bitLength() != bits || !params.getH().equals(BigInteger.ONE)) {
      throw new IllegalStateException(name + " does not have the expected parameters");
    }
  }

  /** z = x·y mod p; {@code ext} is scratch of {@link #extLength()} ints. */
  abstract void mul(int[] x, int[] y, int[] z, int[] ext);

  /** z = x² mod p; {@code ext} is scratch of {@link #extLength()} ints. */
  abstract void sqr(int[] x, int[] z, int[] ext);

  /** z = x + y mod p. */
  abstract void add(int[] x, int[] y, int[] z);

  /** z = x - y mod p. */
  abstract void sub(int[] x, int[] y, int[] z);

  /** z = x⁻¹ mod p (0 for 0), in constant time. */
  abstract void inv(int[] x, int[] z);

  /** Scratch the products need: the double-width product and, for P-384, Karatsuba's temporaries. */
  final int extLength() {
    return 4 * limbs;
  }

  /** A new zero element. */
  final int[] element() {
    return new int[limbs];
  }

  /**
   * {@code v} (0 ≤ v < 2^bits) as limbs, from one big-endian copy ({@code Nat.fromBigInteger}
   * allocates a shifted {@code BigInteger} per limb).
   *
   * @throws IllegalArgumentException if v is negative or wider than the field
   */
  final int[] fromBigInteger(BigInteger v) {
    if (v.signum() < 0 || v.bitLength() > bits) {
      throw new IllegalArgumentException("not a " + bits + "-bit value");
    }
    byte[] be = v.toByteArray();
    int[] z = new int[limbs];
    int n = Math.min(be.length, 4 * limbs); // a longer array only adds the zero sign byte
    for (int i = 0; i < n; i++) {
      z[i >>> 2] |= (be[be.length - 1 - i] & 0xff) << ((i & 3) << 3);
    }
    return z;
  }

  final BigInteger toBigInteger(int[] x) {
    return Nat.toBigInteger(limbs, x);
  }

  final boolean isZero(int[] x) {
    return Nat.isZero(limbs, x);
  }

  final boolean equal(int[] x, int[] y) {
    return Nat.eq(limbs, x, y);
  }
}
