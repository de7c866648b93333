package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.attest4j.crypto.internal.BaseMultiplier;
import org.attest4j.crypto.internal.EcdsaVerifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.junit.jupiter.api.Test;

/**
 * The allocation-light curve arithmetic ({@link BaseMultiplier}, {@link EcdsaVerifier}) against
 * Bouncy Castle's own, on random and edge-case scalars, keys, digests and tampered signatures.
 */
class EcArithmeticPropertiesTest {
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
  private static final X9ECParameters P384 = CustomNamedCurves.getByName("secp384r1");

  private static X9ECParameters curve(boolean p384) {
    return p384 ? P384 : P256;
  }

  /** Scalars of up to 384 bits, with the edges around 0, n and 2^bits of both curves. */
  @Provide
  Arbitrary<BigInteger> scalars() {
    Arbitrary<BigInteger> random =
        Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(48).map(b -> new BigInteger(1, b));
    Arbitrary<BigInteger> edges =
        Arbitraries.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO,
            P256.getN().subtract(BigInteger.ONE), P256.getN(), P256.getN().add(BigInteger.ONE),
            BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE),
            P384.getN().subtract(BigInteger.ONE), P384.getN(), P384.getN().add(BigInteger.ONE),
            BigInteger.ONE.shiftLeft(384).subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(255));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, random), net.jqwik.api.Tuple.of(1, edges));
  }

  @Property(tries = 300)
  void baseMultiplierEqualsBouncyCastle(@ForAll boolean p384, @ForAll("scalars") BigInteger k) {
    X9ECParameters c = curve(p384);
    BaseMultiplier m = p384 ? BaseMultiplier.p384() : BaseMultiplier.p256();
    ECPoint expected = c.getG().multiply(k).normalize();
    ECPoint actual = m.multiply(c.getG(), k);
    assertEquals(expected, actual, "k = " + k.toString(16));
  }

  @Test
  void baseMultiplierHandsOtherPointsToBouncyCastle() {
    ECPoint h = P256.getG().twice().normalize();
    BigInteger k = BigInteger.valueOf(12345);
    assertEquals(h.multiply(k).normalize(), BaseMultiplier.p256().multiply(h, k));
  }

  /** RFC 6979 P-256 signatures through the constant-time multiplier equal Bouncy Castle's, byte for byte. */
  @Property(tries = 200)
  void p256SignaturesEqualBouncyCastles(@ForAll long seed) {
    Random rnd = new Random(seed);
    BigInteger d = new BigInteger(256, rnd).mod(P256.getN().subtract(BigInteger.ONE)).add(BigInteger.ONE);
    byte[] digest = new byte[32];
    rnd.nextBytes(digest);
    ECDSASigner bc = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    bc.init(true, new ECPrivateKeyParameters(d, Ec.P256.domain));
    BigInteger[] expected = bc.generateSignature(digest);
    BigInteger s = expected[1].compareTo(Ec.P256.halfN) > 0 ? Ec.P256.n.subtract(expected[1]) : expected[1];
    BigInteger[] actual = Ec.P256.signDigest(d, digest);
    assertEquals(expected[0], actual[0]);
    assertEquals(s, actual[1]);
    ECPoint q = new FixedPointCombMultiplier().multiply(P256.getG(), d);
    assertEquals(q, Ec.P256.recover(digest, actual[0], actual[1], actual[2].intValueExact()), "recovery id");
  }

  /**
   * The verifier's verdict equals Bouncy Castle's for the signature as made and for tampered
   * variants (digest bit, r or s off by one, swapped, negated s, random values), with digests
   * shorter and longer than the order.
   */
  @Property(tries = 300)
  void verifierAgreesWithBouncyCastle(
      @ForAll boolean p384, @ForAll long seed, @ForAll @IntRange(min = 0, max = 7) int tamper,
      @ForAll @IntRange(min = 16, max = 64) int digestLength) {
    X9ECParameters c = curve(p384);
    ECDomainParameters domain = new ECDomainParameters(c.getCurve(), c.getG(), c.getN());
    Random rnd = new Random(seed);
    BigInteger n = c.getN();
    BigInteger d = new BigInteger(n.bitLength(), rnd).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
    ECPoint q = new FixedPointCombMultiplier().multiply(c.getG(), d).normalize();
    byte[] digest = new byte[digestLength];
    rnd.nextBytes(digest);
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(d, domain));
    BigInteger[] rs = signer.generateSignature(digest);
    BigInteger r = rs[0];
    BigInteger s = rs[1];
    switch (tamper) {
      case 1 -> digest[rnd.nextInt(digest.length)] ^= (byte) (1 << rnd.nextInt(8));
      case 2 -> r = r.add(BigInteger.ONE);
      case 3 -> s = s.subtract(BigInteger.ONE);
      case 4 -> {
        BigInteger t = r;
        r = s;
        s = t;
      }
      case 5 -> s = n.subtract(s);
      case 6 -> r = new BigInteger(n.bitLength() + 1, rnd);
      case 7 -> s = n.add(s);
      default -> { }
    }
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, new ECPublicKeyParameters(q, domain));
    boolean expected = verifier.verifySignature(digest, r, s);
    EcdsaVerifier ours = EcdsaVerifier.of(q);
    boolean once = ours.verify(digest, r, s); // Bouncy Castle's, the key's first use
    boolean actual = ours.verify(digest, r, s); // the comb, from the second use on
    assertEquals(expected, once, "first use, tamper " + tamper);
    assertEquals(expected, actual, "comb, tamper " + tamper);
    if (tamper == 0 || tamper == 5) {
      assertTrue(actual, "a valid signature must verify");
    }
  }

  @Test
  void verifierRefusesWhatIsNotAP256OrP384Key() {
    assertThrows(IllegalArgumentException.class, () -> EcdsaVerifier.of(P256.getCurve().getInfinity()));
    X9ECParameters k256 = CustomNamedCurves.getByName("secp256k1");
    assertThrows(IllegalArgumentException.class, () -> EcdsaVerifier.of(k256.getG()));
  }
}
