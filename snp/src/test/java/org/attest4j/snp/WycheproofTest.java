package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import org.attest4j.crypto.internal.EcdsaVerifier;
import org.attest4j.testsupport.SharedData;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof ECDSA P-384/SHA-384 (DER and P1363) and RSASSA-PSS 4096/SHA-384/MGF1-SHA-384/salt 48
 * through the verifier's own primitives ({@link Crypto#verifyEcdsaP384Le}, {@link
 * Crypto#verifyRsaPss384}). ECDSA signatures are first converted to SEV-SNP's 72-byte little-endian
 * r/s layout, so the conversion is tested too. Every case is valid or invalid (none acceptable).
 */
class WycheproofTest {
  private static final HexFormat HEX = HexFormat.of();

  static ECPublicKeyParameters ecKey(JsonObject group) throws IOException {
    return (ECPublicKeyParameters) PublicKeyFactory.createKey(
        SubjectPublicKeyInfo.getInstance(HEX.parseHex(group.get("publicKeyDer").getAsString())));
  }

  /** r and s as SEV-SNP lays them out (72-byte little-endian each); null if they do not fit. */
  static byte[] snpSignature(BigInteger r, BigInteger s) {
    byte[] lr = Crypto.toLittleEndian(r, 72);
    byte[] ls = Crypto.toLittleEndian(s, 72);
    if (lr == null || ls == null) {
      return null;
    }
    byte[] sig = new byte[512];
    System.arraycopy(lr, 0, sig, 0, 72);
    System.arraycopy(ls, 0, sig, 72, 72);
    return sig;
  }

  /** Strict DER SEQUENCE{INTEGER r, INTEGER s}; null for anything else (BER, extra data, negative). */
  static BigInteger[] strictDer(byte[] der) {
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(der);
      if (!Arrays.equals(p.getEncoded(ASN1Encoding.DER), der) || !(p instanceof ASN1Sequence seq) || seq.size() != 2) {
        return null;
      }
      BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
      BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
      return r.signum() < 0 || s.signum() < 0 ? null : new BigInteger[] {r, s};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  boolean verifyViaSnpLayout(EcdsaVerifier key, byte[] msg, BigInteger r, BigInteger s) {
    byte[] sig = snpSignature(r, s);
    // the verifier reads r at 0 and s at 72, little-endian, and hashes msg with SHA-384
    return sig != null && Crypto.verifyEcdsaP384Le(key, msg, msg.length, sig, 0);
  }

  /** No key (a VEK whose key is not a P-384 point) verifies nothing; it does not throw. */
  @Test
  void noKeyVerifiesNothing() {
    byte[] msg = new byte[SnpReport.SIGNED_LENGTH];
    byte[] sig = new byte[512];
    sig[0] = 1;
    sig[72] = 1;
    assertFalse(Crypto.verifyEcdsaP384Le(null, msg, msg.length, sig, 0));
  }

  @Test
  void ecdsaP384Der() throws Exception {
    int[] counts = run("vectors/wycheproof/ecdsa_secp384r1_sha384_test.json", false);
    assertTrue(counts[0] > 100 && counts[1] > 100, Arrays.toString(counts));
  }

  @Test
  void ecdsaP384P1363() throws Exception {
    int[] counts = run("vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json", true);
    assertTrue(counts[0] > 100 && counts[1] > 50, Arrays.toString(counts));
  }

  private int[] run(String file, boolean p1363) throws Exception {
    JsonObject root = SharedData.json(file).getAsJsonObject();
    int valid = 0;
    int invalid = 0;
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      assertEquals("SHA-384", g.get("sha").getAsString());
      EcdsaVerifier key = EcdsaVerifier.of(ecKey(g).getQ());
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        byte[] msg = HEX.parseHex(t.get("msg").getAsString());
        byte[] sig = HEX.parseHex(t.get("sig").getAsString());
        boolean ok;
        if (p1363) {
          ok = sig.length == 96
              && verifyViaSnpLayout(key, msg, new BigInteger(1, Arrays.copyOf(sig, 48)),
                  new BigInteger(1, Arrays.copyOfRange(sig, 48, 96)));
        } else {
          BigInteger[] rs = strictDer(sig);
          ok = rs != null && verifyViaSnpLayout(key, msg, rs[0], rs[1]);
        }
        String result = t.get("result").getAsString();
        String id = file + " tcId " + t.get("tcId").getAsInt() + " (" + t.get("comment").getAsString() + ")";
        switch (result) {
          case "valid" -> {
            assertTrue(ok, id + " must verify");
            valid++;
          }
          case "invalid" -> {
            assertTrue(!ok, id + " must be rejected");
            invalid++;
          }
          default -> throw new AssertionError(id + ": unexpected result " + result);
        }
      }
    }
    return new int[] {valid, invalid};
  }

  @Test
  void rsaPss4096Sha384Salt48() {
    JsonObject root = SharedData.json("vectors/wycheproof/rsa_pss_4096_sha384_mgf1_48_test.json").getAsJsonObject();
    int valid = 0;
    int invalid = 0;
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      assertEquals("SHA-384", g.get("sha").getAsString());
      assertEquals("SHA-384", g.get("mgfSha").getAsString());
      assertEquals(48, g.get("sLen").getAsInt());
      JsonObject pk = g.getAsJsonObject("publicKey");
      RSAKeyParameters key = new RSAKeyParameters(false, new BigInteger(1, HEX.parseHex(pk.get("modulus").getAsString())),
          new BigInteger(1, HEX.parseHex(pk.get("publicExponent").getAsString())));
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        boolean ok = Crypto.verifyRsaPss384(key, HEX.parseHex(t.get("msg").getAsString()), HEX.parseHex(t.get("sig").getAsString()));
        String id = "tcId " + t.get("tcId").getAsInt() + " (" + t.get("comment").getAsString() + ")";
        switch (t.get("result").getAsString()) {
          case "valid" -> {
            assertTrue(ok, id + " must verify");
            valid++;
          }
          case "invalid" -> {
            assertTrue(!ok, id + " must be rejected");
            invalid++;
          }
          default -> throw new AssertionError(id + ": unexpected result");
        }
      }
    }
    assertTrue(valid > 50 && invalid > 20, valid + "/" + invalid);
  }

  @Test
  void littleEndianConversionRoundTrips() {
    BigInteger v = new BigInteger("0102030405", 16);
    byte[] le = Crypto.toLittleEndian(v, 72);
    assertEquals(5, le[0]);
    assertEquals(1, le[4]);
    assertEquals(0, le[71]);
    assertEquals(v, Crypto.littleEndian(le, 0, 72));
    assertEquals(null, Crypto.toLittleEndian(BigInteger.ONE.shiftLeft(576), 72));
  }
}
