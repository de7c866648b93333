package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.attest4j.core.Bytes;
import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SealedResponseTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RND = new SecureRandom();

  private final KmsRootKeys roots = KmsRootKeys.generate(RND);
  private final KmsIdentity kms = roots.sealingIdentity();
  private final X25519KeyPair guest = X25519KeyPair.generate(RND);
  private final byte[] evidence = "the exact GetAppKey request bytes".getBytes(StandardCharsets.UTF_8);
  private final byte[] secret = HEX.parseHex("a59c814e2c6d9353af59ce4fba7215e5ec3b62a2495b4dca48ea6f9804061f51");

  private SealBinding binding() throws MalformedEvidenceException {
    return SealBinding.forEvidence(guest.publicKey(), evidence);
  }

  @ParameterizedTest
  @EnumSource(EnvelopeAead.class)
  void roundTripAndLayout(EnvelopeAead aead) throws Exception {
    SealedResponse s = SealedResponse.encrypt(kms, binding(), secret, aead);
    byte[] b = s.toBytes();
    assertEquals(SealedResponse.HEADER_LENGTH + secret.length + 16 + 64, b.length);
    assertEquals("A4SR", new String(b, 0, 4, StandardCharsets.US_ASCII));
    assertEquals(1, b[4]);
    assertEquals(1, b[5]);
    assertEquals(0x0020, ByteBuffer.wrap(b).getShort(6));
    assertEquals(0x0001, ByteBuffer.wrap(b).getShort(8));
    assertEquals(aead.hpkeId(), ByteBuffer.wrap(b).getShort(10));
    assertEquals(guest.publicKey(), Bytes.of(b, 12, 32));
    assertArrayEquals(MessageDigests.sha256(evidence), Arrays.copyOfRange(b, 44, 76));
    assertArrayEquals(MessageDigests.sha256(roots.rootCaPublicKeySpki().toByteArray()), Arrays.copyOfRange(b, 76, 108));
    assertArrayEquals(s.encapsulatedKey().toByteArray(), Arrays.copyOfRange(b, 108, 140));
    assertEquals(secret.length + 16, ByteBuffer.wrap(b).getInt(140));

    SealedResponse parsed = SealedResponse.parse(b);
    assertEquals(aead, parsed.aead());
    assertArrayEquals(secret, parsed.open(guest, binding(), roots.sealingIdentity().publicKey()));
    // a guest trusts the key_provider_id of its MrConfigV3, i.e. the root CA SPKI
    assertArrayEquals(
        secret, SealedResponse.open(b, guest, binding(), KmsPublicKey.fromSpki(roots.rootCaPublicKeySpki().toByteArray())));
    assertFalse(s.toString().contains(HEX.formatHex(secret)));
  }

  /** An independent HPKE implementation (Bouncy Castle) opens the ciphertext with the documented info. */
  @ParameterizedTest
  @EnumSource(EnvelopeAead.class)
  void interoperatesWithBouncyCastleHpke(EnvelopeAead aead) throws Exception {
    byte[] b = SealedResponse.encrypt(kms, binding(), secret, aead).toBytes();
    byte[] info =
        concat("attest4j-sealed-response".getBytes(StandardCharsets.US_ASCII), new byte[] {0},
            Arrays.copyOfRange(b, 4, 108));
    HPKE hpke =
        new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256,
            aead == EnvelopeAead.AES_256_GCM ? HPKE.aead_AES_GCM256 : HPKE.aead_CHACHA20_POLY1305);
    AsymmetricCipherKeyPair kp = hpke.deserializePrivateKey(guest.privateKey(), guest.publicKey().toByteArray());
    byte[] ct = Arrays.copyOfRange(b, 144, b.length - 64);
    byte[] pt = hpke.open(Arrays.copyOfRange(b, 108, 140), kp, info, new byte[0], ct, null, null, null);
    assertArrayEquals(secret, pt);
    // and the signature is ECDSA P-256/SHA-256 over label || 0 || envelope-without-signature
    byte[] msg =
        concat("attest4j-sealed-response-signature".getBytes(StandardCharsets.US_ASCII), new byte[] {0},
            Arrays.copyOf(b, b.length - 64));
    java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
    v.initVerify(roots.rootCaKeyPair().getPublic());
    v.update(msg);
    assertTrue(v.verify(Arrays.copyOfRange(b, b.length - 64, b.length)));
  }

  /**
   * Our HPKE and Tink's standard single-shot HPKE, through Tink's public API only (a keyset with
   * the HPKE key, {@code HybridEncrypt} / {@code HybridDecrypt}), open each other.
   */
  @ParameterizedTest
  @EnumSource(EnvelopeAead.class)
  void interoperatesWithTinkStandardHpke(EnvelopeAead aead) throws Exception {
    com.google.crypto.tink.hybrid.HybridConfig.register();
    byte[] info = "some info".getBytes(StandardCharsets.US_ASCII);
    com.google.crypto.tink.hybrid.HpkeParameters params =
        com.google.crypto.tink.hybrid.HpkeParameters.builder()
            .setKemId(com.google.crypto.tink.hybrid.HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
            .setKdfId(com.google.crypto.tink.hybrid.HpkeParameters.KdfId.HKDF_SHA256)
            .setAeadId(
                aead == EnvelopeAead.AES_256_GCM
                    ? com.google.crypto.tink.hybrid.HpkeParameters.AeadId.AES_256_GCM
                    : com.google.crypto.tink.hybrid.HpkeParameters.AeadId.CHACHA20_POLY1305)
            .setVariant(com.google.crypto.tink.hybrid.HpkeParameters.Variant.NO_PREFIX)
            .build();
    com.google.crypto.tink.hybrid.HpkePublicKey pub =
        com.google.crypto.tink.hybrid.HpkePublicKey.create(
            params, com.google.crypto.tink.util.Bytes.copyFrom(guest.publicKey().toByteArray()), null);
    com.google.crypto.tink.hybrid.HpkePrivateKey priv =
        com.google.crypto.tink.hybrid.HpkePrivateKey.create(
            pub,
            com.google.crypto.tink.util.SecretBytes.copyFrom(
                guest.privateKey(), com.google.crypto.tink.InsecureSecretKeyAccess.get()));
    com.google.crypto.tink.KeysetHandle privateHandle =
        com.google.crypto.tink.KeysetHandle.newBuilder()
            .addEntry(com.google.crypto.tink.KeysetHandle.importKey(priv).withRandomId().makePrimary())
            .build();
    com.google.crypto.tink.HybridDecrypt tinkDecrypt =
        privateHandle.getPrimitive(
            com.google.crypto.tink.RegistryConfiguration.get(), com.google.crypto.tink.HybridDecrypt.class);
    com.google.crypto.tink.HybridEncrypt tinkEncrypt =
        privateHandle.getPublicKeysetHandle().getPrimitive(
            com.google.crypto.tink.RegistryConfiguration.get(), com.google.crypto.tink.HybridEncrypt.class);

    byte[] ours = Hpke.sealBase(guest.publicKey().toByteArray(), info, secret, aead);
    assertArrayEquals(secret, tinkDecrypt.decrypt(ours, info));
    byte[] tinks = tinkEncrypt.encrypt(secret, info);
    assertArrayEquals(
        secret,
        Hpke.openBase(Arrays.copyOf(tinks, 32), guest, info, Arrays.copyOfRange(tinks, 32, tinks.length), aead));
    byte[] wrongInfo = "other info".getBytes(StandardCharsets.US_ASCII);
    assertThrows(
        java.security.GeneralSecurityException.class,
        () -> Hpke.openBase(Arrays.copyOf(tinks, 32), guest, wrongInfo, Arrays.copyOfRange(tinks, 32, tinks.length), aead));
    assertThrows(java.security.GeneralSecurityException.class, () -> tinkDecrypt.decrypt(ours, wrongInfo));
  }

  @Test
  void everyByteIsProtected() throws Exception {
    byte[] b = SealedResponse.encrypt(kms, binding(), secret).toBytes();
    KmsPublicKey trusted = kms.publicKey();
    for (int i = 0; i < b.length; i++) {
      byte[] t = b.clone();
      t[i] ^= (byte) 0x80;
      assertThrows(AttestationException.class, () -> SealedResponse.open(t, guest, binding(), trusted), "byte " + i);
    }
  }

  @Test
  void refusesWithTypedReasons() throws Exception {
    byte[] b = SealedResponse.encrypt(kms, binding(), secret).toBytes();
    SealedResponse s = SealedResponse.parse(b);

    KmsIdentity other = KmsIdentity.generate(RND);
    assertEquals(CryptoReason.UNTRUSTED_KMS, refuse(() -> s.open(guest, binding(), other.publicKey())));

    X25519KeyPair stranger = X25519KeyPair.generate(RND);
    assertEquals(
        CryptoReason.WRONG_RECIPIENT,
        refuse(() -> s.open(stranger, SealBinding.forEvidence(stranger.publicKey(), evidence), kms.publicKey())));
    assertEquals(CryptoReason.WRONG_RECIPIENT, refuse(() -> s.open(stranger, binding(), kms.publicKey())));

    SealBinding otherRequest = SealBinding.forEvidence(guest.publicKey(), "another request".getBytes(StandardCharsets.UTF_8));
    assertEquals(CryptoReason.EVIDENCE_MISMATCH, refuse(() -> s.open(guest, otherRequest, kms.publicKey())));

    // a KMS that re-signs a ciphertext made for other bindings still fails the AEAD
    byte[] forged = b.clone();
    byte[] otherDigest = MessageDigests.sha256("x".getBytes(StandardCharsets.UTF_8));
    System.arraycopy(otherDigest, 0, forged, 44, 32);
    byte[] resigned = resign(forged);
    assertEquals(
        CryptoReason.DECRYPTION_FAILED,
        refuse(() -> SealedResponse.open(resigned, guest, SealBinding.of(guest.publicKey(), Bytes.of(otherDigest)), kms.publicKey())));

    byte[] badSig = b.clone();
    badSig[b.length - 1] ^= 1;
    assertEquals(CryptoReason.BAD_SIGNATURE, refuse(() -> SealedResponse.open(badSig, guest, binding(), kms.publicKey())));

    // high-S variant of the same signature is refused (no malleability)
    byte[] highS = b.clone();
    java.math.BigInteger s0 = new java.math.BigInteger(1, Arrays.copyOfRange(b, b.length - 32, b.length));
    byte[] s1 = Ec.toFixed(Ec.P256.n.subtract(s0), 32);
    System.arraycopy(s1, 0, highS, b.length - 32, 32);
    assertEquals(CryptoReason.BAD_SIGNATURE, refuse(() -> SealedResponse.open(highS, guest, binding(), kms.publicKey())));
  }

  private byte[] resign(byte[] env) {
    byte[] msg =
        concat(SealedResponse.SIGNATURE_LABEL, new byte[] {0}, Arrays.copyOf(env, env.length - 64));
    byte[] sig = kms.sign(msg);
    byte[] out = env.clone();
    System.arraycopy(sig, 0, out, env.length - 64, 64);
    return out;
  }

  @Test
  void parseRefusesMalformedFraming() throws Exception {
    byte[] b = SealedResponse.encrypt(kms, binding(), secret).toBytes();
    assertEquals(CryptoReason.MALFORMED_ENVELOPE, malformed(Arrays.copyOf(b, 10)));
    assertEquals(CryptoReason.MALFORMED_ENVELOPE, malformed(Arrays.copyOf(b, b.length - 1)));
    assertEquals(CryptoReason.MALFORMED_ENVELOPE, malformed(Arrays.copyOf(b, b.length + 1)));
    byte[] v2 = b.clone();
    v2[4] = 2;
    assertEquals(CryptoReason.UNSUPPORTED_ENVELOPE_VERSION, malformed(v2));
    byte[] magic = b.clone();
    magic[0] = 'X';
    assertEquals(CryptoReason.UNSUPPORTED_ENVELOPE_VERSION, malformed(magic));
    byte[] aead = b.clone();
    aead[11] = 1; // AES-128-GCM is not offered
    assertEquals(CryptoReason.UNSUPPORTED_ALGORITHM, malformed(aead));
    byte[] len = b.clone();
    ByteBuffer.wrap(len).putInt(140, 0x7fffffff);
    assertEquals(CryptoReason.MALFORMED_ENVELOPE, malformed(len));
    for (String lo : LowOrder.POINTS) {
      byte[] t = b.clone();
      System.arraycopy(HEX.parseHex(lo), 0, t, 108, 32);
      assertEquals(CryptoReason.LOW_ORDER_PUBLIC_KEY, malformed(t));
    }
    assertEquals(CryptoReason.MALFORMED_ENVELOPE, malformed(new byte[0]));
  }

  @Test
  void refusesLowOrderRecipients() {
    for (String lo : LowOrder.POINTS) {
      MalformedEvidenceException e =
          assertThrows(MalformedEvidenceException.class, () -> SealBinding.forEvidence(Bytes.fromHex(lo), evidence));
      assertEquals(CryptoReason.LOW_ORDER_PUBLIC_KEY, e.reason());
    }
  }

  @Test
  void sealingIsRandomised() throws Exception {
    byte[] a = SealedResponse.encrypt(kms, binding(), secret).toBytes();
    byte[] c = SealedResponse.encrypt(kms, binding(), secret).toBytes();
    assertNotEquals(HEX.formatHex(a), HEX.formatHex(c));
  }

  @Test
  void emptyAndLargePayloads() throws Exception {
    for (int n : new int[] {0, 1, 4096, SealedResponse.MAX_PLAINTEXT}) {
      byte[] pt = new byte[n];
      RND.nextBytes(pt);
      byte[] b = SealedResponse.encrypt(kms, binding(), pt).toBytes();
      assertArrayEquals(pt, SealedResponse.open(b, guest, binding(), kms.publicKey()));
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> SealedResponse.encrypt(kms, binding(), new byte[SealedResponse.MAX_PLAINTEXT + 1]));
  }

  interface Action {
    void run() throws Exception;
  }

  private static org.attest4j.core.ReasonCode refuse(Action a) {
    VerificationException e = assertThrows(VerificationException.class, a::run);
    assertFalse(e.getMessage().isBlank());
    return e.reason();
  }

  private static org.attest4j.core.ReasonCode malformed(byte[] b) {
    return assertThrows(MalformedEvidenceException.class, () -> SealedResponse.parse(b)).reason();
  }

  static byte[] concat(byte[]... parts) {
    return Kdf.concat(parts);
  }

  static final class MessageDigests {
    static byte[] sha256(byte[] b) {
      try {
        return java.security.MessageDigest.getInstance("SHA-256").digest(b);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new AssertionError(e);
      }
    }
  }
}
