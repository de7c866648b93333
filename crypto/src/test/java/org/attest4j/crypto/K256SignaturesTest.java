package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.junit.jupiter.api.Test;

class K256SignaturesTest {
  private static final HexFormat HEX = HexFormat.of();
  private final KmsRootKeys roots = KmsRootKeys.generate();
  private final byte[] appId = HEX.parseHex("6076e023a904b639619fc368bd546fee7e738eea");

  @Test
  void refusesMalformedAndForeignSignatures() throws Exception {
    AppKeys k = AppKeyDeriver.of(roots).derive(appId, new byte[0]);
    byte[] sig = k.k256Signature();
    byte[] msg = k.k256PublicKey();
    String p = K256Signatures.KMS_ISSUED;
    K256Signatures.verify(p, appId, msg, sig, roots.rootK256PublicKey());
    assertArrayEquals(roots.rootK256PublicKey(), K256Signatures.recover(p, appId, msg, sig));

    assertEquals(CryptoReason.BAD_SIGNATURE, reason(() -> K256Signatures.recover(p, appId, msg, Arrays.copyOf(sig, 64))));
    byte[] v27 = sig.clone();
    v27[64] = (byte) (27 + sig[64]);
    assertEquals(CryptoReason.BAD_SIGNATURE, reason(() -> K256Signatures.recover(p, appId, msg, v27)));
    byte[] highS = sig.clone();
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    System.arraycopy(Ec.toFixed(Ec.K256.n.subtract(s), 32), 0, highS, 32, 32);
    highS[64] ^= 1;
    assertEquals(CryptoReason.BAD_SIGNATURE, reason(() -> K256Signatures.recover(p, appId, msg, highS)));
    byte[] zeroR = sig.clone();
    Arrays.fill(zeroR, 0, 32, (byte) 0);
    assertEquals(CryptoReason.BAD_SIGNATURE, reason(() -> K256Signatures.recover(p, appId, msg, zeroR)));
    // flipped v recovers another key; a changed message or prefix too
    byte[] otherV = sig.clone();
    otherV[64] ^= 1;
    assertEquals(
        CryptoReason.SIGNER_MISMATCH,
        reason(() -> K256Signatures.verify(p, appId, msg, otherV, roots.rootK256PublicKey())));
    assertEquals(
        CryptoReason.SIGNER_MISMATCH,
        reason(() -> K256Signatures.verify(K256Signatures.ENV_ENCRYPT_PUBKEY, appId, msg, sig, roots.rootK256PublicKey())));
    assertEquals(
        CryptoReason.SIGNER_MISMATCH,
        reason(() -> K256Signatures.verify(p, appId, msg, sig, KmsRootKeys.generate().rootK256PublicKey())));
    assertEquals(CryptoReason.BAD_KEY, reason(() -> K256Signatures.verify(p, appId, msg, sig, new byte[33])));
  }

  @Test
  void derivationRefusesAmbiguousIds() {
    AppKeyDeriver d = AppKeyDeriver.of(roots);
    assertEquals(CryptoReason.BAD_APP_ID, malformed(() -> d.derive(new byte[19], new byte[0])));
    assertEquals(CryptoReason.BAD_APP_ID, malformed(() -> d.derive(new byte[21], new byte[0])));
    assertEquals(CryptoReason.BAD_INSTANCE_ID, malformed(() -> d.derive(appId, new byte[1])));
    assertEquals(CryptoReason.BAD_INSTANCE_ID, malformed(() -> d.derive(appId, new byte[32])));
    assertEquals(CryptoReason.BAD_APP_ID, malformed(() -> d.envEncryptPublicKey(new byte[0], 1L)));
  }

  @Test
  void envKeyMatchesAppKeysAndClock() throws Exception {
    AppKeyDeriver d = AppKeyDeriver.of(roots);
    AppKeys k = d.derive(appId, new byte[20]);
    java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.ofEpochSecond(1748389759L), java.time.ZoneOffset.UTC);
    EnvEncryptPublicKey e = d.envEncryptPublicKey(appId, clock);
    assertEquals(1748389759L, e.timestamp());
    assertArrayEquals(k.envPublicKey(), e.publicKey());
    K256Signatures.verify(K256Signatures.ENV_ENCRYPT_PUBKEY, appId, e.publicKey(), e.signature(), roots.rootK256PublicKey());
    K256Signatures.verify(
        K256Signatures.ENV_ENCRYPT_PUBKEY, appId, EnvEncryptPublicKey.v1Message(e.timestamp(), e.publicKey()),
        e.signatureV1(), roots.rootK256PublicKey());
    // the env key is a usable X25519 key whose public half matches
    assertArrayEquals(k.envPublicKey(), X25519KeyPair.fromPrivateKey(k.envCryptKey()).publicKey());
  }

  interface Action {
    void run() throws Exception;
  }

  private static org.attest4j.core.ReasonCode reason(Action a) {
    return assertThrows(VerificationException.class, a::run).reason();
  }

  private static org.attest4j.core.ReasonCode malformed(Action a) {
    return assertThrows(MalformedEvidenceException.class, a::run).reason();
  }
}
