package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Map;
import org.attest4j.azure.AzureCheck;
import org.attest4j.azure.AzureVerification;
import org.attest4j.azure.HclReport;
import org.attest4j.azure.RuntimeClaims;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.core.Bytes;

/** JSON views of Azure evidence for the CLI ({@code azure verify}, {@code snp show/verify} of HCL reports). */
final class AzureJson {
  private AzureJson() {}

  static JsonObject hcl(HclReport h) {
    JsonObject o = new JsonObject();
    o.addProperty("header_version", h.headerVersion());
    o.addProperty("report_size", h.reportSize());
    o.addProperty("request_type", h.requestType());
    o.addProperty("status", h.status());
    o.addProperty("request_data_version", h.requestDataVersion());
    o.addProperty("report_type", h.reportType());
    o.addProperty("platform", h.platform().map(Enum::name).orElse("unknown"));
    o.addProperty("report_data_hash_type", h.reportDataHashType());
    o.addProperty("variable_data_size", h.variableData().length());
    o.addProperty("variable_data_digest", h.variableDataDigest().toHex());
    return o;
  }

  static JsonObject claims(RuntimeClaims c) {
    JsonObject o = new JsonObject();
    JsonArray keys = new JsonArray();
    for (RuntimeClaims.Key k : c.keys()) {
      JsonObject j = new JsonObject();
      j.addProperty("kid", k.kid());
      j.addProperty("bits", k.bits());
      j.addProperty("e", k.e().toHex());
      j.addProperty("n_sha256", SnpJson.sha256(k.n().toByteArray()));
      keys.add(j);
    }
    o.add("keys", keys);
    JsonObject vm = new JsonObject();
    for (Map.Entry<String, String> e : c.vmConfiguration().entrySet()) {
      if (c.vmFlag(e.getKey()).isPresent()) {
        vm.addProperty(e.getKey(), c.vmFlag(e.getKey()).get());
      } else {
        vm.addProperty(e.getKey(), e.getValue());
      }
    }
    o.add("vm_configuration", vm);
    o.addProperty("user_data", c.userData().map(Bytes::toHex).orElse(null));
    return o;
  }

  static JsonObject quote(TpmsAttest a, AzureVerification v) {
    JsonObject o = new JsonObject();
    o.addProperty("qualified_signer", a.qualifiedSigner().toHex());
    o.addProperty("extra_data", a.extraData().toHex());
    o.addProperty("clock", a.clock());
    o.addProperty("reset_count", a.resetCount());
    o.addProperty("restart_count", a.restartCount());
    o.addProperty("firmware_version", String.format("%016x", a.firmwareVersion()));
    o.addProperty("pcr_digest", a.pcrDigest().toHex());
    JsonObject pcrs = new JsonObject();
    int i = 0;
    for (PcrSelection s : a.pcrSelections()) {
      JsonObject bank = pcrs.has(s.bank().name().toLowerCase(java.util.Locale.ROOT))
          ? pcrs.getAsJsonObject(s.bank().name().toLowerCase(java.util.Locale.ROOT)) : new JsonObject();
      for (int p : s.pcrs()) {
        if (i < v.pcrValues().size()) {
          bank.addProperty(Integer.toString(p), v.pcrValues().get(i).toHex());
        }
        i++;
      }
      pcrs.add(s.bank().name().toLowerCase(java.util.Locale.ROOT), bank);
    }
    o.add("pcrs", pcrs);
    return o;
  }

  static JsonObject verification(AzureVerification v, String dcap) {
    JsonObject o = new JsonObject();
    o.addProperty("valid", v.valid());
    o.addProperty("platform", v.platform().name().toLowerCase(java.util.Locale.ROOT));
    o.addProperty("evidence_version", v.evidenceVersion());
    o.addProperty("verified_at", SnpJson.time(v.verifiedAt()));
    o.addProperty("dcap", dcap);
    o.add("failed_checks", names(v.failedChecks()));
    o.add("advisory_failed", names(v.advisoryFailed()));
    o.add("not_evaluated", names(v.notEvaluated()));
    JsonObject checks = new JsonObject();
    v.checks().forEach((c, ok) -> checks.addProperty(c.specName(), ok));
    o.add("checks", checks);
    JsonObject problems = new JsonObject();
    v.problems().forEach((c, m) -> problems.addProperty(c.specName(), m));
    o.add("problems", problems);
    v.hclReport().ifPresent(h -> o.add("hcl", hcl(h)));
    v.claims().ifPresent(c -> o.add("claims", claims(c)));
    v.quote().ifPresent(a -> o.add("quote", quote(a, v)));
    v.snpReport().ifPresent(s -> o.add("snp", SnpJson.verified(s, false)));
    v.tdQuote().ifPresent(q -> {
      JsonObject t = new JsonObject();
      t.addProperty("mr_td", q.body().mrTd().toHex());
      t.addProperty("mr_seam", q.body().mrSeam().toHex());
      t.addProperty("tee_tcb_svn", q.body().teeTcbSvn().toHex());
      t.addProperty("td_attributes", q.body().tdAttributes().toHex());
      t.addProperty("collateral_verified", v.tdxVerdict().map(d -> d.collateralVerified()).orElse(false));
      v.tdxVerdict().flatMap(d -> d.tcbStatus()).ifPresent(s -> t.addProperty("tcb_status", s.toString()));
      o.add("tdx", t);
    });
    return o;
  }

  private static JsonArray names(java.util.List<AzureCheck> checks) {
    JsonArray a = new JsonArray();
    checks.forEach(c -> a.add(c.specName()));
    return a;
  }
}
