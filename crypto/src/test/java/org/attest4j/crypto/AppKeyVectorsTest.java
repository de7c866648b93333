package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.core.Bytes;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case of vectors/dstack/app-keys.jsonl and the fixed vectors of dstack-kms.md §1.2, §1.5, §7. */
class AppKeyVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  static byte[] hex(JsonObject o, String k) {
    return HEX.parseHex(o.get(k).getAsString());
  }

  static String hex(Bytes b) {
    return b.toHex();
  }

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  @TestFactory
  Stream<DynamicTest> appKeysJsonl() {
    List<JsonObject> cases = SharedData.jsonLines("vectors/dstack/app-keys.jsonl");
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> check(c)));
  }

  private static void check(JsonObject c) throws Exception {
    KmsRootKeys roots = KmsRootKeys.of(hex(c, "root_ca_key"), hex(c, "root_k256_key"));
    assertEquals(c.get("root_ca_pkcs8_der").getAsString(), hex(roots.rootCaPkcs8Der()), "root pkcs8");
    assertEquals(c.get("root_ca_spki_der").getAsString(), hex(roots.rootCaPublicKeySpki()), "root spki");
    assertEquals(
        c.get("root_k256_pubkey_compressed").getAsString(), hex(roots.rootK256PublicKey()), "root k256 pub");

    byte[] appId = hex(c, "app_id");
    byte[] instanceId = hex(c, "instance_id");
    AppKeys keys = AppKeyDeriver.of(roots).derive(Bytes.of(appId), Bytes.of(instanceId));

    // intermediate values of the disk key
    byte[] diskScalar =
        AppKeyDeriver.p256Scalar(
            roots.rootCaScalar(), appId, instanceId, "app-disk-crypt-key".getBytes(StandardCharsets.US_ASCII));
    assertEquals(c.get("disk_crypt_key_p256_scalar").getAsString(), hex(diskScalar), "disk scalar");
    byte[] diskDer =
        AppKeyDeriver.derivedPkcs8(
            roots.rootCaScalar(), appId, instanceId, "app-disk-crypt-key".getBytes(StandardCharsets.US_ASCII));
    assertEquals(138, diskDer.length);
    assertEquals(c.get("disk_crypt_key_pkcs8_der").getAsString(), hex(diskDer), "disk pkcs8");

    assertEquals(c.get("disk_crypt_key").getAsString(), hex(keys.diskCryptKey()), "disk_crypt_key");
    assertEquals(c.get("env_crypt_key").getAsString(), hex(keys.envCryptKey()), "env_crypt_key");
    assertEquals(c.get("env_pubkey").getAsString(), hex(keys.envPublicKey()), "env_pubkey");
    assertEquals(c.get("app_ca_scalar").getAsString(), hex(keys.appCaKey()), "app_ca_scalar");
    assertEquals(c.get("app_ca_pubkey").getAsString(), hex(keys.appCaPublicKey()), "app_ca_pubkey");
    assertEquals(c.get("k256_key").getAsString(), hex(keys.k256Key()), "k256_key");
    assertEquals(
        c.get("k256_pubkey_compressed").getAsString(), hex(keys.k256PublicKey()), "k256_pubkey_compressed");
    assertEquals(
        c.get("k256_signature_message").getAsString(),
        hex(K256Signatures.message(K256Signatures.KMS_ISSUED, appId, keys.k256PublicKey().toByteArray())));
    assertEquals(
        c.get("k256_signature_digest").getAsString(),
        hex(K256Signatures.digest(K256Signatures.KMS_ISSUED, appId, keys.k256PublicKey().toByteArray())));
    assertEquals(c.get("k256_signature").getAsString(), hex(keys.k256Signature()), "k256_signature");
    K256Signatures.verify(
        K256Signatures.KMS_ISSUED, appId, keys.k256PublicKey().toByteArray(), keys.k256Signature().toByteArray(),
        roots.rootK256PublicKey().toByteArray());

    long ts = c.get("timestamp").getAsLong();
    EnvEncryptPublicKey env = AppKeyDeriver.of(roots).envEncryptPublicKey(Bytes.of(appId), ts);
    assertEquals(c.get("env_pubkey").getAsString(), hex(env.publicKey()));
    assertEquals(
        c.get("env_pubkey_signature_message").getAsString(),
        hex(K256Signatures.message(K256Signatures.ENV_ENCRYPT_PUBKEY, appId, env.publicKey().toByteArray())));
    assertEquals(c.get("env_pubkey_signature").getAsString(), hex(env.signature()), "env signature");
    assertEquals(
        c.get("env_pubkey_signature_v1_message").getAsString(),
        hex(K256Signatures.message(
            K256Signatures.ENV_ENCRYPT_PUBKEY, appId, EnvEncryptPublicKey.v1Message(ts, env.publicKey().toByteArray()))));
    assertEquals(
        c.get("env_pubkey_signature_v1_digest").getAsString(),
        hex(K256Signatures.digest(
            K256Signatures.ENV_ENCRYPT_PUBKEY, appId, EnvEncryptPublicKey.v1Message(ts, env.publicKey().toByteArray()))));
    assertEquals(c.get("env_pubkey_signature_v1").getAsString(), hex(env.signatureV1()), "signature_v1");
    assertEquals(ts, env.timestamp());

    // toString never shows a secret
    String s = keys.toString() + roots + env;
    for (byte[] secret :
        new byte[][] {
          keys.diskCryptKey(), keys.envCryptKey(), keys.k256Key(), keys.appCaKey(),
          roots.rootCaScalar(), roots.rootK256Key()
        }) {
      assertFalse(s.contains(hex(secret)), "toString leaks a secret");
    }
  }

  /** dstack ra-tls/src/kdf.rs test_derive_dh_secret_stable_output (spec §1.2, §7). */
  @Test
  void kdfRsRegressionVector() throws Exception {
    byte[] d = HEX.parseHex("f57527cea4ab7ffb49af99b158cdc0e3ec06398f528349ea236b7d2afe19cec1");
    byte[] out =
        AppKeyDeriver.dhSecret(
            d, "context one".getBytes(StandardCharsets.US_ASCII), "context two".getBytes(StandardCharsets.US_ASCII));
    assertEquals("663afd58820be8ad645f9c035e93199d114ab16f738db62393bc1d7d623e8813", hex(out));
    // the root DER of that test has the same 138-byte layout, ending in ...7b27 (spec §7)
    KmsRootKeys roots = KmsRootKeys.of(d, HEX.parseHex("01".repeat(32)));
    String der = hex(roots.rootCaPkcs8Der());
    assertEquals(276, der.length());
    assertEquals("308187", der.substring(0, 6));
    assertEquals("7b27", der.substring(der.length() - 4));
  }

  /** dstack-kms.md §1.5. */
  @Test
  void specSection15() throws Exception {
    byte[] d = HEX.parseHex("f57527cea4ab7ffb49af99b158cdc0e3ec06398f528349ea236b7d2afe19cec1");
    KmsRootKeys roots = KmsRootKeys.of(d, HEX.parseHex("01".repeat(32)));
    AppKeys k = AppKeyDeriver.of(roots).derive(Bytes.fromHex("11".repeat(20)), Bytes.fromHex("22".repeat(20)));
    assertEquals("a59c814e2c6d9353af59ce4fba7215e5ec3b62a2495b4dca48ea6f9804061f51", hex(k.diskCryptKey()));
    assertEquals("a7470db8cfdd0fe24134b461d60766afa7c078abe6dce9f2c8a5c44034ca400e", hex(k.envCryptKey()));
    assertEquals("93cf259f68b24775d54290a8ea57cf93efc994d3ff28a7b8ba7a39e9f512302f", hex(k.envPublicKey()));
    assertEquals("5b779e0a9fe80b2e5866d94958daa1a4e29a183228b3f37acd7eae153e18a75f", hex(k.appCaKey()));
    assertEquals("88fa429170ad091e0f87b335ba19b1729610ac25441728807ce3325161846baf", hex(k.k256Key()));
    assertEquals(
        "02a594d1e64985d03463fc26e666eaf6a82b6c75834ca8c25810b25069b401ebc3", hex(k.k256PublicKey()));
    K256Signatures.verify(
        K256Signatures.KMS_ISSUED, k.appId().toByteArray(), k.k256PublicKey().toByteArray(),
        k.k256Signature().toByteArray(), roots.rootK256PublicKey().toByteArray());
  }

  /** Signing is deterministic (RFC 6979) and the signature recovers to the signer. */
  @Test
  void signingIsDeterministicAndRecoverable() throws Exception {
    BigInteger d = new BigInteger(1, HEX.parseHex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"));
    byte[] digest = Kdf.keccak256("hello".getBytes(StandardCharsets.US_ASCII));
    byte[] s1 = K256Signatures.signDigest(d, digest);
    byte[] s2 = K256Signatures.signDigest(d, digest);
    assertArrayEquals(s1, s2);
    assertArrayEquals(Ec.K256.publicKey(d, true), K256Signatures.recoverDigest(digest, s1));
  }
}
