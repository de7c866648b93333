package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.crypto.tink.subtle.AesSiv;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** vectors/dstack/envelope.jsonl, the spec §7 envelope vector, and RFC 5297 for our AES-SIV. */
class Pr630EnvelopeVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  @TestFactory
  Stream<DynamicTest> envelopeJsonl() {
    return SharedData.jsonLines("vectors/dstack/envelope.jsonl").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> check(c)));
  }

  private static byte[] hex(JsonObject o, String k) {
    return HEX.parseHex(o.get(k).getAsString());
  }

  private static void check(JsonObject c) throws Exception {
    X25519KeyPair vm = X25519KeyPair.fromPrivateKey(hex(c, "vm_sk"));
    assertEquals(c.get("vm_pubkey").getAsString(), vm.publicKey().toHex());
    ReportData rd = ReportData.parse(hex(c, "report_data"));
    assertEquals(vm.publicKey(), rd.x25519PublicKey());
    X25519KeyPair kms = X25519KeyPair.fromPrivateKey(hex(c, "kms_eph_sk"));
    assertEquals(c.get("key_provider_pubkey").getAsString(), kms.publicKey().toHex());
    assertEquals(c.get("shared_secret").getAsString(), HEX.formatHex(kms.agree(vm.publicKey())));
    assertEquals(c.get("shared_secret").getAsString(), HEX.formatHex(vm.agree(kms.publicKey())));
    assertEquals(1, c.getAsJsonArray("associated_data").size());
    assertEquals("", c.getAsJsonArray("associated_data").get(0).getAsString());

    List<byte[]> pts = new ArrayList<>();
    List<String> cts = new ArrayList<>();
    for (JsonElement f : c.getAsJsonArray("fields")) {
      pts.add(hex(f.getAsJsonObject(), "plaintext"));
      cts.add(f.getAsJsonObject().get("ciphertext").getAsString());
    }
    Pr630Envelope env = SealedResponse.encryptPr630(rd.x25519PublicKey(), pts, kms);
    assertEquals(kms.publicKey(), env.keyProviderPublicKey());
    for (int i = 0; i < pts.size(); i++) {
      assertEquals(cts.get(i), HEX.formatHex(env.ciphertext(i)), "field " + i);
      assertEquals(48, env.ciphertext(i).length);
    }
    assertNotEquals(
        c.get("pitfall_ciphertext_without_ad_component").getAsString(), HEX.formatHex(env.ciphertext(0)));
    byte[] shared = kms.agree(vm.publicKey());
    assertEquals(
        c.get("pitfall_ciphertext_without_ad_component").getAsString(),
        HEX.formatHex(org.attest4j.crypto.AesSiv.encrypt(shared, List.of(), pts.get(0))));

    // guest side, from the wire fields
    List<byte[]> wire = new ArrayList<>();
    for (String ct : cts) {
      wire.add(HEX.parseHex(ct));
    }
    List<byte[]> opened = Pr630Envelope.of(kms.publicKey(), wire).open(vm);
    for (int i = 0; i < pts.size(); i++) {
      assertArrayEquals(pts.get(i), opened.get(i));
    }
    // a flipped bit anywhere in a field is refused
    for (int pos = 0; pos < 48; pos++) {
      List<byte[]> tampered = new ArrayList<>(wire);
      byte[] t = wire.get(1).clone();
      t[pos] ^= 0x01;
      tampered.set(1, t);
      Pr630Envelope bad = Pr630Envelope.of(kms.publicKey(), tampered);
      VerificationException e = assertThrows(VerificationException.class, () -> bad.open(vm));
      assertEquals(CryptoReason.DECRYPTION_FAILED, e.reason());
    }
  }

  /** dstack-kms.md §7: VM sk aa*32, KMS eph sk bb*32, pt = the §1.5 disk key. */
  @Test
  void specSection7Vector() throws Exception {
    X25519KeyPair vm = X25519KeyPair.fromPrivateKey(HEX.parseHex("aa".repeat(32)));
    X25519KeyPair kms = X25519KeyPair.fromPrivateKey(HEX.parseHex("bb".repeat(32)));
    assertEquals("14ca9e4d387bccf35746e0407daaacc6b28a4f8445ef5a5158894db983e24070", vm.publicKey().toHex());
    assertEquals("6b0b616d718e53691236d3be3ce6d44f9d28836426d81305d131f488206f8d2b", kms.publicKey().toHex());
    assertEquals(
        "2f6d4d0247b4216d9114a87cf9206bc9c65c1b62593f18b7f3474a747e615229",
        HEX.formatHex(kms.agree(vm.publicKey())));
    byte[] pt = HEX.parseHex("a59c814e2c6d9353af59ce4fba7215e5ec3b62a2495b4dca48ea6f9804061f51");
    Pr630Envelope env = SealedResponse.encryptPr630(vm.publicKey(), List.of(pt), kms);
    assertEquals(
        "164505cab5ba4303bc2affe333f742348bbbeaab5045576128df700f63a529a0f726e5b5cdd6483a99860c7aee609e0c",
        HEX.formatHex(env.ciphertext(0)));
    byte[] noAd = org.attest4j.crypto.AesSiv.encrypt(kms.agree(vm.publicKey()), List.of(), pt);
    assertEquals("3f50f1e6", HEX.formatHex(noAd).substring(0, 8));
  }

  /** RFC 5297 appendix A.1 (deterministic authenticated encryption example). */
  @Test
  void rfc5297A1() {
    byte[] key = HEX.parseHex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    byte[] ad = HEX.parseHex("101112131415161718191a1b1c1d1e1f2021222324252627");
    byte[] pt = HEX.parseHex("112233445566778899aabbccddee");
    byte[] out = org.attest4j.crypto.AesSiv.encrypt(key, List.of(ad), pt);
    assertEquals("85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c", HEX.formatHex(out));
    assertArrayEquals(pt, org.attest4j.crypto.AesSiv.decrypt(key, List.of(ad), out));
    out[3] ^= 1;
    assertNull(org.attest4j.crypto.AesSiv.decrypt(key, List.of(ad), out));
  }

  /** Our S2V/CTR against Tink's AES-SIV (64-byte key, one AD component) for many lengths. */
  @Test
  void agreesWithTinkAes256Siv() throws Exception {
    java.util.Random rnd = new java.util.Random(7);
    for (int len = 0; len < 70; len++) {
      byte[] key = new byte[64];
      byte[] ad = new byte[len % 23];
      byte[] pt = new byte[len];
      rnd.nextBytes(key);
      rnd.nextBytes(ad);
      rnd.nextBytes(pt);
      byte[] tink = new AesSiv(key).encryptDeterministically(pt, ad);
      assertArrayEquals(tink, org.attest4j.crypto.AesSiv.encrypt(key, List.of(ad), pt), "len " + len);
    }
  }

  @Test
  void refusesLowOrderRecipientAndKeyProviderKeys() throws Exception {
    X25519KeyPair vm = X25519KeyPair.fromPrivateKey(HEX.parseHex("aa".repeat(32)));
    for (String bad : LowOrder.POINTS) {
      MalformedEvidenceException e =
          assertThrows(
              MalformedEvidenceException.class,
              () -> SealedResponse.encryptPr630(Bytes.fromHex(bad), List.of(new byte[32])));
      assertEquals(CryptoReason.LOW_ORDER_PUBLIC_KEY, e.reason());
      MalformedEvidenceException e2 =
          assertThrows(
              MalformedEvidenceException.class,
              () -> Pr630Envelope.of(Bytes.fromHex(bad), List.of(new byte[48])));
      assertEquals(CryptoReason.LOW_ORDER_PUBLIC_KEY, e2.reason());
    }
    assertThrows(MalformedEvidenceException.class, () -> SealedResponse.encryptPr630(Bytes.of(new byte[31]), List.of()));
    assertEquals(1, SealedResponse.encryptPr630(vm.publicKey(), List.of(new byte[32])).size());
  }
}
