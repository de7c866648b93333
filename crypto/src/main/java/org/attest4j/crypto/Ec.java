package org.attest4j.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.attest4j.crypto.internal.BaseMultiplier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.DSAKCalculator;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Elliptic-curve operations on P-256 and secp256k1 through Bouncy Castle (no curve arithmetic
 * here); on P-256, k·G goes through {@link BaseMultiplier} (constant time, allocation-light).
 * Stateless and thread-safe.
 */
final class Ec {
  static final Curve P256 = new Curve("secp256r1");
  static final Curve K256 = new Curve("secp256k1");

  private Ec() {}

  /** One named curve (Bouncy Castle's custom, constant-time field implementation). */
  static final class Curve {
    final ECDomainParameters domain;
    final BigInteger n;
    final BigInteger halfN;
    /** k·G: constant time and allocation-light on P-256, Bouncy Castle's comb elsewhere. */
    private final ECMultiplier baseMultiplier;

    private Curve(String name) {
      X9ECParameters p = CustomNamedCurves.getByName(name);
      this.domain = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH(), p.getSeed());
      this.n = p.getN();
      this.halfN = n.shiftRight(1);
      this.baseMultiplier =
          name.equals("secp256r1") ? BaseMultiplier.p256() : new FixedPointCombMultiplier();
    }

    /** The scalar in big-endian bytes if 0 < d < n, else null (dstack refuses, never reduces). */
    BigInteger scalarOrNull(byte[] d32) {
      if (d32.length != 32) {
        return null;
      }
      BigInteger d = new BigInteger(1, d32);
      return d.signum() == 0 || d.compareTo(n) >= 0 ? null : d;
    }

    ECPoint multiplyBase(BigInteger k) {
      return baseMultiplier.multiply(domain.getG(), k).normalize();
    }

    byte[] publicKey(BigInteger d, boolean compressed) {
      return multiplyBase(d).getEncoded(compressed);
    }

    /**
     * Decodes a SEC1 point (compressed or uncompressed), checking that it is on the curve and not
     * the point at infinity.
     *
     * @throws IllegalArgumentException if it is not a valid point
     */
    ECPoint decodePoint(byte[] encoded) {
      ECPoint q = domain.getCurve().decodePoint(encoded);
      if (q.isInfinity() || !q.isValid()) {
        throw new IllegalArgumentException("not a valid point");
      }
      return q.normalize();
    }

    /**
     * ECDSA over a prepared 32-byte digest with RFC 6979 k (HMAC-SHA-256) and low-S normalisation.
     * Returns {r, s, recid} where recid is the recovery id after normalisation (y parity, plus 2
     * when R.x overflowed n).
     */
    BigInteger[] signDigest(BigInteger d, byte[] digest) {
      return signDigest(d, digest, true);
    }

    /** As {@link #signDigest(BigInteger, byte[])}; recid (third element) is 0 unless requested. */
    BigInteger[] signDigest(BigInteger d, byte[] digest, boolean withRecoveryId) {
      CapturingSigner signer = new CapturingSigner(new HMacDSAKCalculator(new SHA256Digest()), baseMultiplier);
      signer.init(true, new ECPrivateKeyParameters(d, domain));
      BigInteger[] rs = signer.generateSignature(digest);
      BigInteger r = rs[0];
      BigInteger s = rs[1];
      int recid = 0;
      if (withRecoveryId) {
        // R = kG as the signer computed it (no second multiplication)
        ECPoint bigR = signer.lastR.normalize();
        recid = bigR.getAffineYCoord().testBitZero() ? 1 : 0;
        if (bigR.getAffineXCoord().toBigInteger().compareTo(n) >= 0) {
          recid |= 2;
        }
      }
      if (s.compareTo(halfN) > 0) {
        s = n.subtract(s);
        recid ^= 1;
      }
      return new BigInteger[] {r, s, BigInteger.valueOf(withRecoveryId ? recid : 0)};
    }

    /** Standard ECDSA verification over a 32-byte digest; optionally refuses high S. */
    boolean verifyDigest(ECPoint q, byte[] digest, BigInteger r, BigInteger s, boolean requireLowS) {
      if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
        return false;
      }
      if (requireLowS && s.compareTo(halfN) > 0) {
        return false;
      }
      ECDSASigner verifier = new ECDSASigner();
      verifier.init(false, new ECPublicKeyParameters(q, domain));
      return verifier.verifySignature(digest, r, s);
    }

    /**
     * Recovers the signer's public key from (r, s, recid) over a 32-byte digest: Q = r^-1 (sR - eG)
     * with Bouncy Castle point operations. Returns null when nothing can be recovered.
     */
    ECPoint recover(byte[] digest, BigInteger r, BigInteger s, int recid) {
      if (recid < 0 || recid > 3 || r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0
          || s.compareTo(n) >= 0) {
        return null;
      }
      BigInteger x = (recid & 2) != 0 ? r.add(n) : r;
      if (x.compareTo(domain.getCurve().getField().getCharacteristic()) >= 0) {
        return null;
      }
      byte[] enc = new byte[33];
      enc[0] = (byte) ((recid & 1) != 0 ? 0x03 : 0x02);
      byte[] xb = toFixed(x, 32);
      System.arraycopy(xb, 0, enc, 1, 32);
      ECPoint bigR;
      try {
        bigR = domain.getCurve().decodePoint(enc);
      } catch (IllegalArgumentException e) {
        return null;
      }
      BigInteger e = new BigInteger(1, digest).mod(n);
      BigInteger rInv = r.modInverse(n);
      BigInteger u1 = rInv.multiply(s).mod(n);
      BigInteger u2 = n.subtract(rInv.multiply(e).mod(n)).mod(n);
      ECPoint q = ECAlgorithms.sumOfTwoMultiplies(bigR, u1, domain.getG(), u2).normalize();
      return q.isInfinity() ? null : q;
    }
  }

  /** Big-endian, left-padded to {@code len} bytes. */
  static byte[] toFixed(BigInteger v, int len) {
    byte[] b = v.toByteArray();
    if (b.length == len) {
      return b;
    }
    byte[] out = new byte[len];
    if (b.length > len) {
      // leading sign byte
      System.arraycopy(b, b.length - len, out, 0, len);
    } else {
      System.arraycopy(b, 0, out, len - b.length, b.length);
    }
    return out;
  }

  static void wipe(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }

  /**
   * Bouncy Castle's ECDSA signer, remembering the point R = kG of the last signature (through its
   * base-point multiplier hook), so that the recovery id needs no extra multiplication.
   */
  private static final class CapturingSigner extends ECDSASigner {
    private final ECMultiplier inner;
    ECPoint lastR;

    CapturingSigner(DSAKCalculator kCalculator, ECMultiplier inner) {
      super(kCalculator);
      this.inner = inner;
    }

    @Override
    protected ECMultiplier createBasePointMultiplier() {
      return (p, k) -> {
        ECPoint r = inner.multiply(p, k);
        lastR = r;
        return r;
      };
    }
  }
}
