package org.attest4j.examples;

import com.google.gson.JsonObject;
import org.attest4j.azure.AzureCheck;
import org.attest4j.azure.AzurePlatform;
import org.attest4j.azure.AzureReason;
import org.attest4j.azure.AzureVerification;
import org.attest4j.azure.AzureVerifier;
import org.attest4j.azure.HclReport;
import org.attest4j.azure.RuntimeClaims;
import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpReport;

/**
 * What {@code snp show} and {@code snp verify} do with an Azure HCL report (recognised by its "HCLA"
 * magic): take the SEV-SNP report out of it, and check that its REPORT_DATA binds the runtime claims.
 */
final class HclCli {
  private HclCli() {}

  static boolean isHcl(byte[] bytes) {
    return HclReport.hasMagic(bytes);
  }

  /** The SNP report inside an HCL report whose structure and report_type (SNP) are valid. */
  static byte[] hardwareReport(byte[] hcl) throws AttestationException {
    HclReport h = HclReport.parse(hcl);
    if (h.platform().orElse(null) != AzurePlatform.SNP) {
      throw new MalformedEvidenceException(AzureReason.REPORT_TYPE_MISMATCH,
          "HCL report_type is " + h.reportType() + ", not 2 (SEV-SNP)");
    }
    return h.hardwareReport();
  }

  /**
   * The HCL fields and claims after checking the binding of the claims to the (verified) SNP report's
   * REPORT_DATA.
   *
   * @throws AttestationException if the claims do not parse or are not bound
   */
  static JsonObject binding(byte[] hcl) throws AttestationException {
    AzureVerification v = AzureVerifier.builder(AzurePlatform.SNP).build().checkHclReport(hcl);
    for (AzureCheck c : v.failedChecks()) {
      throw new VerificationException(
          c == AzureCheck.HCL_REPORT_DATA_BINDING ? AzureReason.REPORT_DATA_BINDING_MISMATCH
              : c == AzureCheck.CLAIMS_PARSE ? AzureReason.BAD_RUNTIME_CLAIMS : AzureReason.BAD_HCL_REPORT,
          c.specName() + ": " + v.problems().get(c));
    }
    JsonObject o = AzureJson.hcl(v.hclReport().orElseThrow());
    o.addProperty("report_data_binding", true);
    o.add("claims", AzureJson.claims(v.claims().orElseThrow()));
    return o;
  }

  /** {@code snp show} of an HCL report: its fields, its claims, and the SNP report's fields. */
  static JsonObject show(byte[] hcl, Product product) throws AttestationException {
    HclReport h = HclReport.parse(hcl);
    JsonObject o = new JsonObject();
    JsonObject hx = AzureJson.hcl(h);
    try {
      hx.add("claims", AzureJson.claims(RuntimeClaims.parse(h.variableData().toByteArray())));
    } catch (MalformedEvidenceException e) {
      hx.addProperty("claims_error", e.getMessage());
    }
    o.add("hcl", hx);
    SnpReport r = SnpReport.parse(hardwareReport(hcl));
    if (product != null) {
      r = r.withProduct(product);
    }
    o.add("report", SnpJson.report(r));
    boolean bound = AzureVerifier.builder(AzurePlatform.SNP).build().checkHclReport(hcl)
        .outcome(AzureCheck.HCL_REPORT_DATA_BINDING).orElse(false);
    hx.addProperty("report_data_binding_unverified", bound);
    return o;
  }
}
