package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.junit.jupiter.api.Test;

class K256SignaturesTest {
  private static final HexFormat HEX = HexFormat.of();
  private final KmsRootKeys roots = KmsRootKeys.generate();
  private final byte[] appId = HEX.parseHex("6076e023a904b639619fc368bd546fee7e738eea");

  @Test
  void refusesMalformedAndForeignSignatures() throws Exception {
    AppKeys k = AppKeyDeriver.of(roots).derive(Bytes.of(appId), Bytes.empty());
    byte[] sig = k.k256Signature().toByteArray();
    byte[] msg = k.k256PublicKey().toByteArray();
    String p = K256Signatures.KMS_ISSUED;
    K256Signatures.verify(p, appId, msg, sig, roots.rootK256PublicKey().toByteArray());
    assertArrayEquals(roots.rootK256PublicKey().toByteArray(), K256Signatures.recover(p, appId, msg, sig));

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
        reason(() -> K256Signatures.verify(p, appId, msg, otherV, roots.rootK256PublicKey().toByteArray())));
    assertEquals(
        CryptoReason.SIGNER_MISMATCH,
        reason(() -> K256Signatures.verify(K256Signatures.ENV_ENCRYPT_PUBKEY, appId, msg, sig, roots.rootK256PublicKey().toByteArray())));
    assertEquals(
        CryptoReason.SIGNER_MISMATCH,
        reason(() -> K256Signatures.verify(p, appId, msg, sig, KmsRootKeys.generate().rootK256PublicKey().toByteArray())));
    assertEquals(CryptoReason.BAD_KEY, reason(() -> K256Signatures.verify(p, appId, msg, sig, new byte[33])));
  }

  @Test
  void derivationRefusesAmbiguousIds() {
    AppKeyDeriver d = AppKeyDeriver.of(roots);
    assertEquals(CryptoReason.BAD_APP_ID, malformed(() -> d.derive(Bytes.of(new byte[19]), Bytes.empty())));
    assertEquals(CryptoReason.BAD_APP_ID, malformed(() -> d.derive(Bytes.of(new byte[21]), Bytes.empty())));
    assertEquals(CryptoReason.BAD_INSTANCE_ID, malformed(() -> d.derive(Bytes.of(appId), Bytes.of(new byte[1]))));
    assertEquals(CryptoReason.BAD_INSTANCE_ID, malformed(() -> d.derive(Bytes.of(appId), Bytes.of(new byte[32]))));
    assertEquals(CryptoReason.BAD_APP_ID, malformed(() -> d.envEncryptPublicKey(Bytes.empty(), 1L)));
  }

  @Test
  void envKeyMatchesAppKeysAndClock() throws Exception {
    AppKeyDeriver d = AppKeyDeriver.of(roots);
    AppKeys k = d.derive(Bytes.of(appId), Bytes.of(new byte[20]));
    java.time.Clock clock = java.time.Clock.fixed(java.time.Instant.ofEpochSecond(1748389759L), java.time.ZoneOffset.UTC);
    EnvEncryptPublicKey e = d.envEncryptPublicKey(Bytes.of(appId), clock);
    assertEquals(1748389759L, e.timestamp());
    assertEquals(k.envPublicKey(), e.publicKey());
    K256Signatures.verify(K256Signatures.ENV_ENCRYPT_PUBKEY, appId, e.publicKey().toByteArray(), e.signature().toByteArray(), roots.rootK256PublicKey().toByteArray());
    K256Signatures.verify(
        K256Signatures.ENV_ENCRYPT_PUBKEY, appId, EnvEncryptPublicKey.v1Message(e.timestamp(), e.publicKey().toByteArray()),
        e.signatureV1().toByteArray(), roots.rootK256PublicKey().toByteArray());
    // the env key is a usable X25519 key whose public half matches
    assertEquals(k.envPublicKey(), X25519KeyPair.fromPrivateKey(k.envCryptKey()).publicKey());
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
