package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KmsRootKeysTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void storeAndLoadInDstackFormats(@TempDir Path dir) throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate();
    keys.store(dir);
    Path ca = dir.resolve("root-ca.key");
    Path k = dir.resolve("root-k256.key");
    assertArrayEquals(keys.rootK256Key(), Files.readAllBytes(k));
    assertEquals(32, Files.size(k));
    String pem = Files.readString(ca);
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertTrue(pem.endsWith("-----END PRIVATE KEY-----\n"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    assertEquals(138, der.length);
    assertArrayEquals(keys.rootCaPkcs8Der(), der);
    try {
      assertEquals(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(ca));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    assertEquals(keys, KmsRootKeys.loadDirectory(dir));
    assertEquals(keys, KmsRootKeys.load(ca, k));
    assertThrows(FileAlreadyExistsException.class, () -> keys.store(dir));
    // the JCA can use the same key
    assertEquals("EC", keys.rootCaKeyPair().getPrivate().getAlgorithm());
  }

  @Test
  void loadsOtherEncodingsOfTheSameKey() throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate();
    // JCA's PKCS#8 (with or without the public key) and SEC1 "EC PRIVATE KEY"
    byte[] jca = keys.rootCaKeyPair().getPrivate().getEncoded();
    String jcaPem = pem("PRIVATE KEY", jca);
    assertEquals(keys, KmsRootKeys.fromEncoded(jcaPem, keys.rootK256Key()));
    byte[] sec1 =
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.rootCaPkcs8Der()).parsePrivateKey()
            .toASN1Primitive().getEncoded();
    assertEquals(keys, KmsRootKeys.fromEncoded(pem("EC PRIVATE KEY", sec1), keys.rootK256Key()));
  }

  @Test
  void refusesBadKeyFiles(@TempDir Path dir) throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate();
    String pem = keys.rootCaKeyPem();
    byte[] k = keys.rootK256Key();
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem, new byte[31])));
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem, new byte[33])));
    // hex text instead of raw bytes
    assertEquals(
        CryptoReason.BAD_KEY,
        reason(() -> KmsRootKeys.fromEncoded(pem, HEX.formatHex(k).getBytes(StandardCharsets.US_ASCII))));
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem, new byte[32]))); // zero
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.of(new byte[32], k)));
    assertEquals(
        CryptoReason.BAD_KEY,
        reason(() -> KmsRootKeys.of(HEX.parseHex("ff".repeat(32)), k))); // >= n
    assertEquals(CoreReason.BAD_ENCODING, reason(() -> KmsRootKeys.fromEncoded("not pem", k)));
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem("CERTIFICATE", new byte[10]), k)));
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem("PRIVATE KEY", new byte[] {0x30, 0}), k)));
    // a secp256k1 key in the CA slot
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(384);
    byte[] p384 = g.generateKeyPair().getPrivate().getEncoded();
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem("PRIVATE KEY", p384), k)));
    // a PKCS#8 whose public key belongs to another scalar
    byte[] der = keys.rootCaPkcs8Der();
    der[40] ^= 1;
    assertEquals(CryptoReason.BAD_KEY, reason(() -> KmsRootKeys.fromEncoded(pem("PRIVATE KEY", der), k)));
    assertEquals(CoreReason.IO_ERROR, reason(() -> KmsRootKeys.load(dir.resolve("missing"), dir.resolve("x"))));
  }

  @Test
  void toStringShowsNoSecret() {
    KmsRootKeys keys = KmsRootKeys.generate();
    String s = keys.toString() + keys.sealingIdentity() + AppKeyDeriver.of(keys);
    assertFalse(s.contains(HEX.formatHex(keys.rootCaScalar())));
    assertFalse(s.contains(HEX.formatHex(keys.rootK256Key())));
    assertTrue(s.contains(keys.rootK256PublicKey().toHex()));
  }

  interface Action {
    void run() throws Exception;
  }

  private static org.attest4j.core.ReasonCode reason(Action a) {
    return assertThrows(org.attest4j.core.InvalidConfigurationException.class, a::run).reason();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type
        + "-----\n";
  }
}
