package org.attest4j.snp.idblock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.junit.jupiter.api.Test;

/**
 * ID blocks against snp-create-id-block's published test values and against an independent
 * reading of the SEV-SNP ABI (plain JCA, no attest4j or Bouncy Castle code).
 */
class IdBlockTest {
  /** sev-snp-measure tests/keyfile/id_key_test.pem (Apache-2.0): a published test key. */
  static final String ID_KEY_PEM = "-----BEGIN EC PRIVATE KEY-----\n"
      + "MIGkAgEBBDDd3NjrPduToA3Y2bU8u+m+wL+icE6wZOiAm5FopHJjHx2a67ZcqhcX\n"
      + "mB/DBwn4WsKgBwYFK4EEACKhZANiAASyD9Ghwr0rZRg6duI5CsgF9tjl4q9yXlqO\n"
      + "k8+H7AKfnUXrMmsEuSvrcU4U+phviposlKC4qzDMdjUmdZRIdokelU/271gmpiMb\n"
      + "ptbX9uv7aM4zDh5ZOU77cICIPdxpNks=\n"
      + "-----END EC PRIVATE KEY-----\n";
  /** sev-snp-measure tests/keyfile/author_key_test.pem (Apache-2.0): a published test key. */
  static final String AUTHOR_KEY_PEM = "-----BEGIN EC PRIVATE KEY-----\n"
      + "MIGkAgEBBDCUTgpZn6Wt6RvhJHG3PzPIEkyl1x8+0G3gltnqH63ibdpY+Y99M2tr\n"
      + "34JhaKgSdJOgBwYFK4EEACKhZANiAAQGgR/GJAm/LZrlHAdCMlTYk8bCP78WSvM4\n"
      + "Ow+BOmJ+YWjZBnp/S9l5kFiMGEESEKAytCCiJlbScdz9TiVmjHL9WLtfaFH+Ry+d\n"
      + "Fg+ICxTfTDYjBolizeTWCOc3NC2pEsk=\n"
      + "-----END EC PRIVATE KEY-----\n";
  /** tests/test_id_block.py: the measurement and the expected outputs. */
  static final String LD_B64 = "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t";
  static final String BLOCK_B64 =
      "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"
          + "AAAAAAAAAAAAAwAAAAAA";
  static final String ID_KEY_HASH = "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU";
  static final String AUTHOR_KEY_HASH = "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX";

  static IdBlock upstreamBlock() throws MalformedEvidenceException {
    return IdBlock.builder().launchDigest(Bytes.of(Base64.getDecoder().decode(LD_B64))).build();
  }

  @Test
  void matchesSnpCreateIdBlock() throws Exception {
    IdBlock block = upstreamBlock();
    assertEquals(BLOCK_B64, block.toBase64());
    IdAuth auth = IdAuth.sign(block, IdAuth.privateKeyFromPem(ID_KEY_PEM), IdAuth.privateKeyFromPem(AUTHOR_KEY_PEM));
    assertEquals(ID_KEY_HASH, Base64.getEncoder().encodeToString(auth.idKey().digest().toByteArray()));
    assertEquals(
        AUTHOR_KEY_HASH, Base64.getEncoder().encodeToString(auth.authorKey().orElseThrow().digest().toByteArray()));
    assertEquals(0x30000L, block.policy());
    assertEquals(1, block.version());
  }

  @Test
  void signaturesAreDeterministic() throws Exception {
    ECPrivateKey id = IdAuth.privateKeyFromPem(ID_KEY_PEM);
    ECPrivateKey author = IdAuth.privateKeyFromPem(AUTHOR_KEY_PEM);
    IdBlock block = upstreamBlock();
    assertArrayEquals(IdAuth.sign(block, id, author).toByteArray(), IdAuth.sign(block, id, author).toByteArray());
    IdBlock other = IdBlock.builder().launchDigest(block.launchDigest()).guestSvn(1).build();
    assertFalse(IdAuth.sign(block, id, author).idBlockSignature().equals(IdAuth.sign(other, id, author)
        .idBlockSignature()));
  }

  // ---- an independent verifier, written from the ABI tables with plain JCA ----

  private static long le32(byte[] b, int off) {
    return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
  }

  private static BigInteger le72(byte[] b, int off) {
    byte[] be = new byte[72];
    for (int i = 0; i < 72; i++) {
      be[i] = b[off + 71 - i];
    }
    return new BigInteger(1, be);
  }

  private static ECPublicKey jcaKey(byte[] auth, int off) throws Exception {
    assertEquals(2, le32(auth, off), "curve P-384");
    java.security.AlgorithmParameters ap = java.security.AlgorithmParameters.getInstance("EC");
    ap.init(new ECGenParameterSpec("secp384r1"));
    var spec = ap.getParameterSpec(java.security.spec.ECParameterSpec.class);
    return (ECPublicKey) KeyFactory.getInstance("EC")
        .generatePublic(new ECPublicKeySpec(new ECPoint(le72(auth, off + 4), le72(auth, off + 76)), spec));
  }

  private static boolean jcaVerify(ECPublicKey key, byte[] msg, byte[] auth, int sigOff) throws Exception {
    byte[] p1363 = new byte[96];
    byte[] r = le72(auth, sigOff).toByteArray();
    byte[] s = le72(auth, sigOff + 72).toByteArray();
    if (r.length > 49 || s.length > 49) {
      return false;
    }
    System.arraycopy(r, Math.max(0, r.length - 48), p1363, 48 - Math.min(48, r.length), Math.min(48, r.length));
    System.arraycopy(s, Math.max(0, s.length - 48), p1363, 96 - Math.min(48, s.length), Math.min(48, s.length));
    Signature v = Signature.getInstance("SHA384withECDSAinP1363Format");
    v.initVerify(key);
    v.update(msg);
    return v.verify(p1363);
  }

  /** What SNP_LAUNCH_FINISH checks, read from the ABI: algorithms, ID block signature, ID key signature. */
  static boolean independentlyValid(byte[] block, byte[] auth) throws Exception {
    if (block.length != 96 || auth.length != 4096 || le32(auth, 0) != 1 || le32(auth, 4) != 1) {
      return false;
    }
    ECPublicKey id = jcaKey(auth, 0x240);
    ECPublicKey author = jcaKey(auth, 0x880);
    byte[] idKeyBytes = java.util.Arrays.copyOfRange(auth, 0x240, 0x240 + 0x404);
    return jcaVerify(id, block, auth, 0x40) && jcaVerify(author, idKeyBytes, auth, 0x680);
  }

  @Test
  void independentReadingOfTheAbiAcceptsOurBlocks() throws Exception {
    IdBlock block = upstreamBlock();
    IdAuth auth = IdAuth.sign(block, IdAuth.privateKeyFromPem(ID_KEY_PEM), IdAuth.privateKeyFromPem(AUTHOR_KEY_PEM));
    assertTrue(independentlyValid(block.toByteArray(), auth.toByteArray()));
    // the digests are SHA-384 of the 0x404-byte key fields
    var sha = java.security.MessageDigest.getInstance("SHA-384");
    assertEquals(ID_KEY_HASH, Base64.getEncoder().encodeToString(
        sha.digest(java.util.Arrays.copyOfRange(auth.toByteArray(), 0x240, 0x644))));
    // and it refuses a block that was not signed
    byte[] tampered = block.toByteArray();
    tampered[0x54] ^= 1;
    assertFalse(independentlyValid(tampered, auth.toByteArray()));
  }

  @Test
  void freshKeysSignAndVerifyBothWays() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    var idPair = g.generateKeyPair();
    var authorPair = g.generateKeyPair();
    IdBlock block = IdBlock.builder().launchDigest(Bytes.of(new byte[48])).familyId(Bytes.of(new byte[16]))
        .imageId(Bytes.fromHex("00112233445566778899aabbccddeeff")).guestSvn(7).policy(0x30000L).build();
    IdAuth auth = IdAuth.sign(block, idPair.getPrivate(), authorPair.getPrivate());
    assertTrue(independentlyValid(block.toByteArray(), auth.toByteArray()));
    assertEquals(EcdsaPublicKey.of(idPair.getPublic()), auth.idKey());
    assertEquals(EcdsaPublicKey.of(authorPair.getPublic()), auth.authorKey().orElseThrow());
    assertEquals(idPair.getPublic(), auth.idKey().toPublicKey());
    // a signature made by JCA (random nonce) in the ABI format verifies through the API
    IdAuth parsed = IdAuth.parse(auth.toByteArray());
    parsed.verify(block);
    assertEquals(block, IdBlock.parse(block.toByteArray()));
    assertEquals(7, IdBlock.parse(block.toByteArray()).guestSvn());
    // without an author key
    IdAuth solo = IdAuth.sign(block, idPair.getPrivate(), null);
    IdAuth.parse(solo.toByteArray()).verify(block);
    assertTrue(solo.authorKey().isEmpty());
    assertTrue(solo.idKeySignature().isEmpty());
  }

  @Test
  void refusals() throws Exception {
    IdBlock block = upstreamBlock();
    IdAuth auth = IdAuth.sign(block, IdAuth.privateKeyFromPem(ID_KEY_PEM), IdAuth.privateKeyFromPem(AUTHOR_KEY_PEM));
    IdBlock other = IdBlock.builder().launchDigest(block.launchDigest()).policy(0x30001L).build();
    assertEquals(IdBlockReason.BAD_ID_BLOCK_SIGNATURE,
        assertThrows(VerificationException.class, () -> auth.verify(other)).reason());
    byte[] badKeySig = auth.toByteArray();
    badKeySig[0x680] ^= 1;
    assertEquals(IdBlockReason.BAD_ID_KEY_SIGNATURE,
        assertThrows(VerificationException.class, () -> IdAuth.parse(badKeySig).verify(block)).reason());
    byte[] reserved = auth.toByteArray();
    reserved[0x10] = 1;
    assertEquals(IdBlockReason.RESERVED_NONZERO,
        assertThrows(MalformedEvidenceException.class, () -> IdAuth.parse(reserved)).reason());
    byte[] sigReserved = auth.toByteArray();
    sigReserved[0x40 + 0x1FF] = 1;
    assertThrows(VerificationException.class, () -> IdAuth.parse(sigReserved).verify(block));
    byte[] algo = auth.toByteArray();
    algo[0] = 2;
    assertEquals(IdBlockReason.UNSUPPORTED_ALGORITHM,
        assertThrows(MalformedEvidenceException.class, () -> IdAuth.parse(algo)).reason());
    byte[] offCurve = auth.toByteArray();
    offCurve[0x244] ^= 1;
    assertEquals(IdBlockReason.BAD_PUBLIC_KEY,
        assertThrows(MalformedEvidenceException.class, () -> IdAuth.parse(offCurve)).reason());
    assertEquals(IdBlockReason.BAD_LENGTH,
        assertThrows(MalformedEvidenceException.class, () -> IdAuth.parse(new byte[4095])).reason());
    byte[] version = block.toByteArray();
    version[0x50] = 2;
    assertEquals(IdBlockReason.BAD_FIELD,
        assertThrows(MalformedEvidenceException.class, () -> IdBlock.parse(version)).reason());
    assertEquals(IdBlockReason.BAD_FIELD,
        assertThrows(MalformedEvidenceException.class, () -> IdBlock.builder().build()).reason());
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    var p256 = g.generateKeyPair();
    assertEquals(IdBlockReason.UNSUPPORTED_CURVE,
        assertThrows(MalformedEvidenceException.class, () -> IdAuth.sign(block, p256.getPrivate(), null)).reason());
    assertEquals(IdBlockReason.UNSUPPORTED_CURVE,
        assertThrows(MalformedEvidenceException.class, () -> EcdsaPublicKey.of(p256.getPublic())).reason());
    assertEquals(IdBlockReason.BAD_PRIVATE_KEY,
        assertThrows(MalformedEvidenceException.class, () -> IdAuth.privateKeyFromPem("not pem")).reason());
  }
}
