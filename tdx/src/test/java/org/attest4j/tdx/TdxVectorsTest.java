package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.core.AttestationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every vector in vectors/tdx behaves as its meta.json says. */
class TdxVectorsTest {
  private static final TdxVerifier VERIFIER = TdxVerifier.create();

  @TestFactory
  Stream<DynamicTest> vectors() {
    List<Path> dirs = SharedData.subdirectories("vectors/tdx");
    assertTrue(dirs.size() >= 8, "expected at least 8 TDX vectors");
    return dirs.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> check(d)));
  }

  static JsonObject meta(Path dir) {
    return SharedData.json("vectors/tdx/" + dir.getFileName() + "/meta.json").getAsJsonObject();
  }

  private void check(Path dir) throws Exception {
    JsonObject meta = meta(dir);
    boolean valid = meta.get("valid").getAsBoolean();
    Instant at = Instant.ofEpochSecond(meta.get("verification_time").getAsLong());
    byte[] quoteBytes = Files.readAllBytes(dir.resolve("quote.bin"));
    String errorClass = meta.has("expected_error_class") ? meta.get("expected_error_class").getAsString() : null;
    boolean hasCollateral = Files.exists(dir.resolve("tcb_info.json"))
        || Files.exists(dir.resolve("collateral.dcap-qvl.json"));

    TdxQuote quote;
    try {
      quote = TdxQuote.parse(quoteBytes);
    } catch (AttestationException e) {
      assertFalse(valid, "valid vector failed to parse: " + e);
      assertEquals(errorClass, e.reason().name(), e.getMessage());
      return;
    }
    JsonObject q = meta.getAsJsonObject("quote");
    checkQuoteFields(q, quote);

    TdxVerdict verdict;
    try {
      verdict = hasCollateral
          ? VERIFIER.verify(quote, TdxCollateral.fromDirectory(dir), at)
          : VERIFIER.verifySignaturesOnly(quote, at);
      if (hasCollateral && Files.exists(dir.resolve("collateral.dcap-qvl.json"))) {
        TdxCollateral c2 = TdxCollateral.fromQuoteCollateralJson(Files.readAllBytes(dir.resolve("collateral.dcap-qvl.json")));
        assertEquals(TdxCollateral.fromDirectory(dir).fingerprint(), c2.fingerprint());
      }
    } catch (AttestationException e) {
      if (valid || "RTMR_MISMATCH".equals(errorClass)) {
        fail("verification failed: " + e);
      }
      assertEquals(errorClass, e.reason().name(), e.getMessage());
      return;
    }
    if (!valid && !"RTMR_MISMATCH".equals(errorClass)) {
      fail("invalid vector verified: " + verdict);
    }
    if (meta.has("expected")) {
      JsonObject ex = meta.getAsJsonObject("expected");
      assertEquals(ex.get("tcb_status").getAsString(), verdict.tcbStatus().orElseThrow().intelName());
      assertEquals(ex.get("platform_tcb_level_status").getAsString(), verdict.platformTcbStatus().orElseThrow().intelName());
      assertEquals(ex.get("tdx_module_status").getAsString(), verdict.tdxModuleStatus().orElseThrow().intelName());
      assertEquals(ex.get("qe_tcb_status").getAsString(), verdict.qeTcbStatus().orElseThrow().intelName());
      assertEquals(ex.get("tcb_date").getAsString(), verdict.tcbDate().orElseThrow().toString());
      List<String> adv = new ArrayList<>();
      ex.getAsJsonArray("advisory_ids").forEach(x -> adv.add(x.getAsString()));
      assertEquals(adv, verdict.advisoryIds());
    }
  }

  static void checkQuoteFields(JsonObject q, TdxQuote quote) {
    assertEquals(q.get("quote_version").getAsInt(), quote.version());
    assertEquals(q.get("attestation_key_type").getAsInt(), quote.attestationKeyType());
    assertEquals(q.get("body_type").getAsInt(), quote.bodyType());
    assertEquals(q.get("quote_length").getAsInt(), quote.inputLength());
    assertEquals(q.get("signed_length").getAsInt(), quote.signedLength());
    assertEquals(q.get("bytes_used").getAsInt(), quote.bytesUsed());
    assertEquals(q.get("qe_vendor_id").getAsString(), quote.qeVendorId().toHex());
    TdReport b = quote.body();
    hex(q, "tee_tcb_svn", b.teeTcbSvn().toHex());
    hex(q, "mr_seam", b.mrSeam().toHex());
    hex(q, "mr_signer_seam", b.mrSignerSeam().toHex());
    hex(q, "seam_attributes", b.seamAttributes().toHex());
    hex(q, "td_attributes", b.tdAttributes().toHex());
    hex(q, "xfam", b.xfam().toHex());
    hex(q, "mr_td", b.mrTd().toHex());
    hex(q, "mr_config_id", b.mrConfigId().toHex());
    hex(q, "mr_owner", b.mrOwner().toHex());
    hex(q, "mr_owner_config", b.mrOwnerConfig().toHex());
    for (int i = 0; i < 4; i++) {
      hex(q, "rtmr" + i, b.rtmr(i).toHex());
    }
    hex(q, "report_data", b.reportData().toHex());
    if (q.has("tee_tcb_svn2")) {
      hex(q, "tee_tcb_svn2", b.teeTcbSvn2().orElseThrow().toHex());
      hex(q, "mr_servicetd", b.mrServiceTd().orElseThrow().toHex());
    }
    assertEquals(q.get("qe_report_isvsvn").getAsInt(), quote.qeReport().isvSvn());
    hex(q, "qe_report_mrsigner", quote.qeReport().mrSigner().toHex());
    assertEquals(q.get("qe_report_isvprodid").getAsInt(), quote.qeReport().isvProdId());
  }

  private static void hex(JsonObject q, String key, String actual) {
    JsonElement e = q.get(key);
    assertEquals(e.getAsString(), actual, key);
  }
}
