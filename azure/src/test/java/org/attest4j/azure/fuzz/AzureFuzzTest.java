package org.attest4j.azure.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.attest4j.azure.AzurePlatform;
import org.attest4j.azure.AzureVerification;
import org.attest4j.azure.AzureVerifier;
import org.attest4j.azure.HclReport;
import org.attest4j.azure.RuntimeClaims;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.azure.tpm.TpmtSignature;
import org.attest4j.core.AttestationException;

/**
 * Jazzer harnesses for the Azure parsers: the HCL report, the runtime claims, the TPM 2.0 structures
 * (TPMS_ATTEST, TPMT_SIGNATURE, TPMT_PUBLIC) and trustee's evidence JSON through the whole verifier.
 * Arbitrary bytes may only produce typed refusals (or a rejecting verification). A normal build replays
 * the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl azure test -Dtest=AzureFuzzTest#hclReport} fuzzes.
 */
class AzureFuzzTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
  private static final AzureVerifier SNP = AzureVerifier.builder(AzurePlatform.SNP).clock(CLOCK).build();
  private static final AzureVerifier TDX =
      AzureVerifier.builder(AzurePlatform.TDX).clock(CLOCK).tdxSignaturesOnly().build();

  @FuzzTest(maxDuration = "60s")
  void hclReport(byte[] data) {
    try {
      HclReport r = HclReport.parse(data);
      r.variableDataDigest();
      r.platform();
      RuntimeClaims.parse(r.variableData().toByteArray());
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
    requireVerdict(SNP.checkHclReport(data));
    requireVerdict(TDX.checkHclReport(data));
  }

  @FuzzTest(maxDuration = "60s")
  void runtimeClaims(byte[] data) {
    try {
      RuntimeClaims c = RuntimeClaims.parse(data);
      c.attestationKey().asAzureAk().qualifiedName(TpmtPublic.TPM_RH_ENDORSEMENT);
      c.vmFlag("secure-boot");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void tpmStructures(byte[] data) {
    try {
      TpmsAttest.parse(data).pcrSelections().forEach(s -> s.pcrs());
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
    try {
      TpmtSignature.parse(data).encode();
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
    try {
      TpmtPublic.parse(data).name();
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void evidence(byte[] data) {
    requireVerdict(SNP.verify(data, "challenge".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    requireVerdict(TDX.verify(data, "challenge".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  private static void requireVerdict(AzureVerification v) {
    if (v.valid() && !v.failedChecks().isEmpty()) {
      throw new AssertionError("valid with failed checks " + v.failedChecks());
    }
  }
}
