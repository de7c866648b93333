package org.attest4j.snp.idblock;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.Arrays;
import org.bouncycastle.util.BigIntegers;

/** P-384 ECDSA/SHA-384 in the SEV firmware's little-endian encodings. Stateless; internal. */
final class P384 {
  static final X9ECParameters X9 = ECNamedCurveTable.getByName("secp384r1");
  static final ECDomainParameters DOMAIN = new ECDomainParameters(X9.getCurve(), X9.getG(), X9.getN(), X9.getH());
  /** A little-endian field of the ABI's signature and key structures. */
  static final int FIELD = 72;
  static final int SIG = 0x200;

  private P384() {}

  static byte[] sha384(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 unavailable", e);
    }
  }

  static BigInteger le(byte[] b, int off) {
    return new BigInteger(1, Arrays.reverse(Arrays.copyOfRange(b, off, off + FIELD)));
  }

  static void putLe(byte[] out, int off, BigInteger v) {
    System.arraycopy(Arrays.reverse(BigIntegers.asUnsignedByteArray(FIELD, v)), 0, out, off, FIELD);
  }

  /** A 512-byte signature structure over {@code message}: r, s (72 bytes LE each), zeros. RFC 6979 nonces. */
  static byte[] sign(ECPrivateKeyParameters key, byte[] message) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA384Digest()));
    signer.init(true, key);
    BigInteger[] rs = signer.generateSignature(sha384(message));
    byte[] sig = new byte[SIG];
    putLe(sig, 0, rs[0]);
    putLe(sig, FIELD, rs[1]);
    return sig;
  }

  /** Verifies a 512-byte signature structure at {@code sig[off]} over {@code message}. */
  static boolean verify(ECPublicKeyParameters key, byte[] message, byte[] sig, int off) {
    for (int i = off + 2 * FIELD; i < off + SIG; i++) {
      if (sig[i] != 0) {
        return false;
      }
    }
    try {
      ECDSASigner v = new ECDSASigner();
      v.init(false, key);
      return v.verifySignature(sha384(message), le(sig, off), le(sig, off + FIELD));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
