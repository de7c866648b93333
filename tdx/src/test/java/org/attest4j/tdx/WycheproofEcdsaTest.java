package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.testsupport.SharedData;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * Wycheproof ECDSA P-256/SHA-256 through the verifier's own helpers: P1363 (r||s, as used for the
 * quote, QE report, TCB info and QE identity signatures, with the key decoded the way the attestation
 * key is) and DER (certificates and CRLs, key decoded from a SubjectPublicKeyInfo as certificates are).
 */
class WycheproofEcdsaTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void p1363() {
    int[] n = run("vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", true);
    assertTrue(n[0] > 50 && n[1] > 50, "valid=" + n[0] + " invalid=" + n[1]);
  }

  @Test
  void der() {
    int[] n = run("vectors/wycheproof/ecdsa_secp256r1_sha256_test.json", false);
    assertTrue(n[0] > 50 && n[1] > 50, "valid=" + n[0] + " invalid=" + n[1]);
  }

  private int[] run(String file, boolean p1363) {
    JsonObject root = SharedData.json(file).getAsJsonObject();
    int valid = 0;
    int invalid = 0;
    List<String> failures = new ArrayList<>();
    for (JsonElement ge : root.getAsJsonArray("testGroups")) {
      JsonObject g = ge.getAsJsonObject();
      assertEquals("SHA-256", g.get("sha").getAsString());
      ECPublicKeyParameters key;
      if (p1363) {
        byte[] unc = HEX.parseHex(g.getAsJsonObject("publicKey").get("uncompressed").getAsString());
        assertEquals(65, unc.length);
        key = EcdsaP256.publicKeyFromRaw(Arrays.copyOfRange(unc, 1, 65));
      } else {
        key = EcdsaP256.publicKeyFromSpki(
            SubjectPublicKeyInfo.getInstance(HEX.parseHex(g.get("publicKeyDer").getAsString())));
      }
      assertNotNull(key, "Wycheproof group key must decode");
      for (JsonElement te : g.getAsJsonArray("tests")) {
        JsonObject t = te.getAsJsonObject();
        byte[] msg = HEX.parseHex(t.get("msg").getAsString());
        byte[] sig = HEX.parseHex(t.get("sig").getAsString());
        String result = t.get("result").getAsString();
        boolean ok = p1363
            ? EcdsaP256.verifyP1363(key, msg, sig)
            : EcdsaP256.verifyDer(key, msg, 0, msg.length, sig);
        switch (result) {
          case "valid":
            valid++;
            if (!ok) {
              failures.add("tcId " + t.get("tcId") + " valid but rejected: " + t.get("comment"));
            }
            break;
          case "invalid":
            invalid++;
            if (ok) {
              failures.add("tcId " + t.get("tcId") + " invalid but accepted: " + t.get("comment"));
            }
            break;
          default:
            // "acceptable": either outcome is allowed; the verifier is strict (DER must be canonical).
            break;
        }
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures: " + failures);
    return new int[] {valid, invalid};
  }
}
