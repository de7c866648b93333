package org.attest4j.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.attest4j.azure.tpm.Pcrs;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.core.Bytes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each parsing step on its own against {@code expected.extracted} of every genuine case: HCL header
 * and request data, the claims' digest, keys, vm-configuration and user-data, every TPMS_ATTEST field,
 * the computed pcrDigest, the AK's Name and qualified name.
 */
class ExtractedValuesTest {
  @TestFactory
  Stream<DynamicTest> genuineCasesExtractTheReferenceValues() {
    return AzureVectors.cases().stream()
        .filter(d -> !d.getFileName().toString().startsWith("neg-"))
        .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> check(d)));
  }

  private static String s(JsonObject o, String k) {
    return o.get(k).getAsString();
  }

  private static void check(Path dir) throws Exception {
    JsonObject x = AzureVectors.expected(dir).getAsJsonObject("expected").getAsJsonObject("extracted");
    AzureVectors.Outcome o = AzureVectors.run(dir);
    AzureVerification v = o.verification();
    if (x.has("hcl") && v != null) {
      HclReport h = v.hclReport().orElseThrow();
      JsonObject hx = x.getAsJsonObject("hcl");
      JsonObject hdr = hx.getAsJsonObject("header");
      JsonObject rd = hx.getAsJsonObject("request_data");
      assertEquals(hdr.get("version").getAsInt(), h.headerVersion());
      assertEquals(hdr.get("report_size").getAsLong(), h.reportSize());
      assertEquals(hdr.get("request_type").getAsLong(), h.requestType());
      assertEquals(hdr.get("status").getAsLong(), h.status());
      assertEquals(rd.get("data_size").getAsLong(), h.requestDataSize());
      assertEquals(rd.get("report_type").getAsLong(), h.reportType());
      assertEquals(rd.get("report_data_hash_type").getAsLong(), h.reportDataHashType());
      assertEquals(rd.get("variable_data_size").getAsInt(), h.variableData().length());
      assertEquals(s(hx, "var_data_sha256"), h.variableDataDigest().toHex());
      assertEquals(s(hx, "hw_area_sha256"), Bytes.of(TpmHash.SHA256.digest(h.hardwareReport())).toHex());
    }
    if (x.has("var_data_digest_hex") && v != null) {
      assertEquals(s(x, "var_data_hex"), v.hclReport().orElseThrow().variableData().toHex());
      assertEquals(s(x, "var_data_digest_hex"), v.hclReport().orElseThrow().variableDataDigest().toHex());
    }
    if (x.has("claims") && v != null) {
      RuntimeClaims c = v.claims().orElseThrow();
      JsonObject cx = x.getAsJsonObject("claims");
      JsonObject ak = cx.getAsJsonObject("ak");
      assertEquals(s(ak, "n_hex"), c.attestationKey().n().toHex());
      assertEquals(s(ak, "e_hex"), c.attestationKey().e().toHex());
      assertEquals(ak.get("n_bits").getAsInt(), c.attestationKey().bits());
      assertEquals(ak.getAsJsonArray("key_ops").get(0).getAsString(), c.attestationKey().keyOps().get(0));
      if (cx.has("ek") && !cx.get("ek").isJsonNull()) {
        assertEquals(s(cx.getAsJsonObject("ek"), "n_hex"), c.endorsementKey().orElseThrow().n().toHex());
      }
      for (Map.Entry<String, JsonElement> e : cx.getAsJsonObject("vm_configuration").entrySet()) {
        JsonElement val = e.getValue();
        if (val.isJsonPrimitive() && val.getAsJsonPrimitive().isBoolean()) {
          assertEquals(val.getAsBoolean(), c.vmFlag(e.getKey()).orElseThrow(), e.getKey());
        } else {
          assertEquals(val.getAsString(), c.vmConfiguration().get(e.getKey()), e.getKey());
        }
      }
      JsonElement ud = cx.get("user_data");
      if (ud != null && !ud.isJsonNull()) {
        assertEquals(ud.getAsString().toLowerCase(java.util.Locale.ROOT), c.userData().orElseThrow().toHex());
      } else {
        assertTrue(c.userData().isEmpty());
      }
    }
    if (x.has("tpm")) {
      JsonObject t = x.getAsJsonObject("tpm");
      JsonObject a = t.getAsJsonObject("attest");
      TpmsAttest q = TpmsAttest.parse(Bytes.fromHex(s(t, "message_hex")).toByteArray());
      assertEquals(s(a, "qualified_signer_hex"), q.qualifiedSigner().toHex());
      assertEquals(s(a, "extra_data_hex"), q.extraData().toHex());
      assertEquals(a.get("clock").getAsLong(), q.clock());
      assertEquals(a.get("reset_count").getAsLong(), q.resetCount());
      assertEquals(a.get("restart_count").getAsLong(), q.restartCount());
      assertEquals(a.get("safe").getAsInt() == 1, q.safe());
      assertEquals(s(a, "firmware_version_hex"), String.format("%016x", q.firmwareVersion()));
      assertEquals(s(a, "pcr_digest_hex"), q.pcrDigest().toHex());
      var sel = a.getAsJsonArray("pcr_selections");
      assertEquals(sel.size(), q.pcrSelections().size());
      for (int i = 0; i < sel.size(); i++) {
        JsonObject si = sel.get(i).getAsJsonObject();
        assertEquals(Integer.parseInt(s(si, "hash_alg_hex"), 16), q.pcrSelections().get(i).bank().algId());
        assertEquals(s(si, "pcr_select_hex"), q.pcrSelections().get(i).bitmap().toHex());
        List<Integer> pcrs = new java.util.ArrayList<>();
        si.getAsJsonArray("pcrs").forEach(e -> pcrs.add(e.getAsInt()));
        assertEquals(pcrs, q.pcrSelections().get(i).pcrs());
      }
      List<Bytes> values = new java.util.ArrayList<>();
      for (JsonElement e : t.getAsJsonArray("pcrs_hex")) {
        values.add(Bytes.fromHex(e.getAsString()));
      }
      TpmHash h = t.get("signature_format").getAsString().equals("TPMT_SIGNATURE")
          ? TpmHash.fromAlgId(Integer.parseInt(s(t.getAsJsonObject("tpmt_signature"), "hash"), 16)).orElseThrow()
          : TpmHash.SHA256;
      assertEquals(s(t, "computed_pcr_digest_hex"), Pcrs.digest(q.pcrSelections(), values, h).toHex());
      TpmtPublic ak = v != null
          ? v.claims().orElseThrow().attestationKey().asAzureAk()
          : TpmtPublic.parse(AzureVectors.file(dir, AzureVectors.expected(dir), "ak_tpmt_public"));
      assertEquals(s(t, "ak_name_hex"), ak.name().toHex());
      assertEquals(s(t, "expected_qualified_signer_hex"), ak.qualifiedName(TpmtPublic.TPM_RH_ENDORSEMENT).toHex());
    }
  }

  /** Spec section 5.3: extending PCR 8 twice on swtpm. */
  @Test
  void pcrExtendMatchesSwtpm() throws Exception {
    Bytes d = Bytes.fromHex("8505e4e25e50a27c5dc8147af88efbece627fbea55291911eff832d9ee127781");
    Bytes once = Pcrs.replay(TpmHash.SHA256, List.of(d));
    Bytes twice = Pcrs.extend(TpmHash.SHA256, once, d);
    assertTrue(once.toHex().startsWith("bddaccb9") && once.toHex().endsWith("1dfdd"), once.toHex());
    assertTrue(twice.toHex().startsWith("16a07757") && twice.toHex().endsWith("3219f"), twice.toHex());
  }
}
