package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Set;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.internal.EcdsaVerifier;
import org.attest4j.testsupport.SharedData;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof vectors (vectors/wycheproof) through the thin wrappers the crypto module uses: X25519
 * (PR #630 envelope, key checks), HKDF-SHA256 (dstack KDF), the HPKE AEADs exactly as Tink's HPKE
 * calls them (AES-256-GCM, ChaCha20-Poly1305), secp256k1 ECDSA verification (k256 signatures) and
 * P-256 ECDSA P1363 verification (sealed-response signatures).
 */
class WycheproofTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] hex(JsonObject o, String k) {
    return HEX.parseHex(o.get(k).getAsString());
  }

  private static Set<String> flags(JsonObject t) {
    Set<String> out = new HashSet<>();
    for (JsonElement e : t.getAsJsonArray("flags")) {
      out.add(e.getAsString());
    }
    return out;
  }

  private static String id(String file, JsonObject t) {
    return file + " tcId " + t.get("tcId").getAsInt() + " " + flags(t);
  }

  /**
   * valid and "acceptable" cases must give the expected shared secret, except the deliberate
   * refusals: every low-order public key (all-zero shared secret) is refused with
   * LOW_ORDER_PUBLIC_KEY.
   */
  @Test
  void x25519() throws Exception {
    JsonObject root = SharedData.json("vectors/wycheproof/x25519_test.json").getAsJsonObject();
    int checked = 0;
    int refused = 0;
    for (JsonElement g : root.getAsJsonArray("testGroups")) {
      for (JsonElement te : g.getAsJsonObject().getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        String id = id("x25519", t);
        Set<String> f = flags(t);
        byte[] sk = hex(t, "private");
        byte[] pk = hex(t, "public");
        byte[] shared = hex(t, "shared");
        String result = t.get("result").getAsString();
        assertFalse(result.equals("invalid"), "this file has no invalid X25519 cases: " + id);
        if (f.contains("ZeroSharedSecret") || f.contains("LowOrderPublic")) {
          MalformedEvidenceException e =
              assertThrows(MalformedEvidenceException.class, () -> X25519.sharedSecret(sk, pk, "peer"), id);
          assertEquals(CryptoReason.LOW_ORDER_PUBLIC_KEY, e.reason(), id);
          assertTrue(X25519.isLowOrder(pk) || Arrays.equals(shared, new byte[32]), id);
          refused++;
        } else {
          assertFalse(X25519.isLowOrder(pk), id);
          assertArrayEquals(shared, X25519.sharedSecret(sk, pk, "peer"), id);
          assertArrayEquals(shared, X25519KeyPair.fromPrivateKey(sk).agree(org.attest4j.core.Bytes.of(pk)), id);
          checked++;
        }
      }
    }
    assertTrue(checked > 400 && refused > 20, checked + " checked, " + refused + " refused");
  }

  @Test
  void hkdfSha256() {
    JsonObject root = SharedData.json("vectors/wycheproof/hkdf_sha256_test.json").getAsJsonObject();
    int n = 0;
    for (JsonElement g : root.getAsJsonArray("testGroups")) {
      for (JsonElement te : g.getAsJsonObject().getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        String id = id("hkdf", t);
        int size = t.get("size").getAsInt();
        byte[] ikm = hex(t, "ikm");
        byte[] salt = hex(t, "salt");
        byte[] info = hex(t, "info");
        if (t.get("result").getAsString().equals("valid")) {
          assertArrayEquals(hex(t, "okm"), Kdf.hkdfSha256(ikm, salt, info, size), id);
        } else {
          assertThrows(IllegalArgumentException.class, () -> Kdf.hkdfSha256(ikm, salt, info, size), id);
        }
        n++;
      }
    }
    assertTrue(n >= 80, n + " cases");
  }

  @Test
  void aesGcmAsHpkeUsesIt() {
    int n = aead("aes_gcm_test.json", EnvelopeAead.AES_256_GCM);
    assertTrue(n > 50, n + " cases");
  }

  @Test
  void chacha20Poly1305AsHpkeUsesIt() {
    int n = aead("chacha20_poly1305_test.json", EnvelopeAead.CHACHA20_POLY1305);
    assertTrue(n > 250, n + " cases");
  }

  /**
   * Groups with a 256-bit key are run; valid cases with a nonce other than 12 bytes cannot occur in
   * HPKE and are refused by the wrapper (counted separately); every invalid case must be refused.
   */
  private static int aead(String file, EnvelopeAead aead) {
    JsonObject root = SharedData.json("vectors/wycheproof/" + file).getAsJsonObject();
    int n = 0;
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      if (g.get("keySize").getAsInt() != 256) {
        continue;
      }
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        String id = id(file, t);
        byte[] key = hex(t, "key");
        byte[] iv = hex(t, "iv");
        byte[] aad = hex(t, "aad");
        byte[] msg = hex(t, "msg");
        byte[] ctTag = Kdf.concat(hex(t, "ct"), hex(t, "tag"));
        boolean valid = t.get("result").getAsString().equals("valid");
        if (valid && iv.length == 12) {
          try {
            assertArrayEquals(ctTag, aead.seal(key, iv, msg, aad), id);
            assertArrayEquals(msg, aead.open(key, iv, ctTag, aad), id);
          } catch (GeneralSecurityException e) {
            fail(id + ": " + e);
          }
          n++;
        } else {
          assertThrows(GeneralSecurityException.class, () -> aead.open(key, iv, ctTag, aad), id);
          if (!valid) {
            n++;
          }
        }
      }
    }
    return n;
  }

  /** k256 verification (high S allowed here, as Wycheproof's ECDSA semantics are plain ECDSA). */
  @Test
  void secp256k1EcdsaSha256() {
    int n = ecdsaDer("ecdsa_secp256k1_sha256_test.json", Ec.K256);
    assertTrue(n > 400, n + " cases");
  }

  private static int ecdsaDer(String file, Ec.Curve curve) {
    JsonObject root = SharedData.json("vectors/wycheproof/" + file).getAsJsonObject();
    int n = 0;
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      ECPoint q = curve.decodePoint(HEX.parseHex(g.getAsJsonObject("publicKey").get("uncompressed").getAsString()));
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        String id = id(file, t);
        byte[] digest = Kdf.sha256(hex(t, "msg"));
        BigInteger[] rs = strictDer(hex(t, "sig"));
        boolean ok = rs != null && curve.verifyDigest(q, digest, rs[0], rs[1], false);
        String result = t.get("result").getAsString();
        if (result.equals("valid")) {
          assertTrue(ok, id);
        } else if (result.equals("invalid")) {
          assertFalse(ok, id);
        }
        n++;
      }
    }
    return n;
  }

  /**
   * The allocation-light verifier ({@link EcdsaVerifier}: comb tables, Jacobian formulas) on every
   * P-256/SHA-256 and P-384/SHA-384 case, DER and P1363: plain ECDSA semantics, so every valid case
   * verifies and every invalid one is refused.
   */
  @Test
  void combVerifierP256AndP384() throws Exception {
    int n = combVerifier("ecdsa_secp256r1_sha256_test.json", Ec.P256.domain.getCurve(), "SHA-256", false)
        + combVerifier("ecdsa_secp256r1_sha256_p1363_test.json", Ec.P256.domain.getCurve(), "SHA-256", true)
        + combVerifier("ecdsa_secp384r1_sha384_test.json", CustomNamedCurves.getByName("secp384r1").getCurve(),
            "SHA-384", false)
        + combVerifier("ecdsa_secp384r1_sha384_p1363_test.json",
            CustomNamedCurves.getByName("secp384r1").getCurve(), "SHA-384", true);
    assertTrue(n > 1500, n + " cases");
  }

  private static int combVerifier(String file, ECCurve curve, String hash, boolean p1363) throws Exception {
    JsonObject root = SharedData.json("vectors/wycheproof/" + file).getAsJsonObject();
    int n = 0;
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      assertEquals(hash, g.get("sha").getAsString(), file);
      EcdsaVerifier verifier = EcdsaVerifier.of(
          curve.decodePoint(HEX.parseHex(g.getAsJsonObject("publicKey").get("uncompressed").getAsString())));
      // the key's first use goes to Bouncy Castle; spend it so that every case runs the comb
      assertFalse(verifier.verify(new byte[32], BigInteger.ONE, BigInteger.ONE), file);
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        String id = id(file, t);
        byte[] digest = MessageDigest.getInstance(hash).digest(hex(t, "msg"));
        byte[] sig = hex(t, "sig");
        BigInteger[] rs;
        if (p1363) {
          int half = sig.length / 2;
          rs = sig.length != 2 * curve.getFieldSize() / 8 ? null
              : new BigInteger[] {new BigInteger(1, Arrays.copyOf(sig, half)),
                  new BigInteger(1, Arrays.copyOfRange(sig, half, sig.length))};
        } else {
          rs = strictDer(sig);
        }
        boolean ok = rs != null && verifier.verify(digest, rs[0], rs[1]);
        assertEquals(t.get("result").getAsString().equals("valid"), ok, id);
        n++;
      }
    }
    return n;
  }

  /** (r, s) of a DER signature, or null unless it is exactly DER (no BER, no extra bytes). */
  private static BigInteger[] strictDer(byte[] sig) {
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(sig);
      if (!(p instanceof ASN1Sequence seq) || seq.size() != 2
          || !Arrays.equals(sig, p.getEncoded(ASN1Encoding.DER))) {
        return null;
      }
      if (!(seq.getObjectAt(0) instanceof ASN1Integer r) || !(seq.getObjectAt(1) instanceof ASN1Integer s)) {
        return null;
      }
      return new BigInteger[] {r.getValue(), s.getValue()};
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * The sealed-response signature check (P-256, r || s, low S required). Valid low-S cases must
   * verify; valid high-S cases are refused by our non-malleability rule; invalid cases are refused.
   */
  @Test
  void p256P1363AsEnvelopesVerifyIt() throws Exception {
    JsonObject root = SharedData.json("vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json").getAsJsonObject();
    int accepted = 0;
    int highS = 0;
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      KmsPublicKey key =
          KmsPublicKey.fromSec1(HEX.parseHex(g.getAsJsonObject("publicKey").get("uncompressed").getAsString()));
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        String id = id("p256-p1363", t);
        byte[] sig = hex(t, "sig");
        boolean ok = key.verify(hex(t, "msg"), sig);
        String result = t.get("result").getAsString();
        if (result.equals("invalid")) {
          assertFalse(ok, id);
        } else if (result.equals("valid")) {
          boolean isHighS = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64)).compareTo(Ec.P256.halfN) > 0;
          assertEquals(!isHighS, ok, id);
          if (isHighS) {
            highS++;
          } else {
            accepted++;
          }
        }
      }
    }
    assertTrue(accepted > 50, accepted + " accepted, " + highS + " high-S refused");
  }
}
