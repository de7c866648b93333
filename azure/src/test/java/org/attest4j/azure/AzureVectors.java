package org.attest4j.azure;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.QuoteResult;
import org.attest4j.azure.tpm.TpmQuote;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.azure.tpm.TpmtSignature;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.testsupport.SharedData;

/** Loads and runs one case of {@code shared/vectors/azure} through the API. */
final class AzureVectors {
  static final String DIR = "vectors/azure";

  private AzureVectors() {}

  /** The outcome of one case: every evaluated check by spec name, and the verdict. */
  record Outcome(Map<String, Boolean> checks, boolean accepted, AzureVerification verification) {
    List<String> failedRequired() {
      List<String> out = new ArrayList<>();
      checks.forEach((k, v) -> {
        if (!v && AzureCheck.bySpecName(k).required()) {
          out.add(k);
        }
      });
      return out;
    }

    List<String> failedAdvisory() {
      List<String> out = new ArrayList<>();
      checks.forEach((k, v) -> {
        if (!v && !AzureCheck.bySpecName(k).required()) {
          out.add(k);
        }
      });
      return out;
    }
  }

  static List<Path> cases() {
    return SharedData.subdirectories(DIR);
  }

  static JsonObject expected(Path dir) {
    return SharedData.json(DIR + "/" + dir.getFileName() + "/expected.json").getAsJsonObject();
  }

  static byte[] file(Path dir, JsonObject exp, String role) {
    String name = exp.getAsJsonObject("inputs").getAsJsonObject("files").get(role).getAsString();
    return SharedData.bytes(DIR + "/" + dir.getFileName() + "/" + name);
  }

  static boolean has(JsonObject exp, String role) {
    return exp.getAsJsonObject("inputs").getAsJsonObject("files").has(role);
  }

  static byte[] nonce(JsonObject exp) {
    JsonElement n = exp.getAsJsonObject("inputs").get("nonce_hex");
    return n == null || n.isJsonNull() ? null : java.util.HexFormat.of().parseHex(n.getAsString());
  }

  static Instant verifyTime(JsonObject exp) {
    return OffsetDateTime.parse(exp.getAsJsonObject("inputs").get("verify_time").getAsString()).toInstant();
  }

  static AzureVerifier verifier(AzurePlatform platform, Instant at) throws AttestationException {
    AzureVerifier.Builder b = AzureVerifier.builder(platform).clock(Clock.fixed(at, ZoneOffset.UTC));
    for (String p : List.of("milan", "genoa", "turin")) {
      b.snpCertChain(SharedData.bytes("amd-roots/" + p + "_vcek_cert_chain.pem"));
    }
    return b.tdxSignaturesOnly().build();
  }

  static Outcome run(Path dir) throws AttestationException {
    JsonObject exp = expected(dir);
    JsonObject in = exp.getAsJsonObject("inputs");
    String format = in.get("format").getAsString();
    byte[] nonce = nonce(exp);
    if (format.equals("tpm2-tools")) {
      return tpm(dir, exp, nonce);
    }
    AzurePlatform platform = AzurePlatform.valueOf(in.get("platform").getAsString().toUpperCase(java.util.Locale.ROOT));
    AzureVerifier v = verifier(platform, verifyTime(exp));
    AzureVerification r;
    if (format.equals("trustee-json")) {
      r = v.verify(file(dir, exp, "evidence"), nonce);
    } else if (has(exp, "snp_report_with_request_data")) {
      byte[] hcl = HclReport.fromParts(file(dir, exp, "snp_report_with_request_data"), file(dir, exp, "runtime_data"))
          .toByteArray();
      r = v.verify(AzureEvidence.builder().hclReport(hcl)
          .vcek(AzureEvidence.pemCertificates(new String(file(dir, exp, "vcek_pem"), StandardCharsets.US_ASCII)))
          .build(), nonce);
    } else if (has(exp, "tpm_quote_json")) {
      r = v.verify(AzureEvidence.builder().hclReport(file(dir, exp, "hcl_report"))
          .tpmQuote(AzureEvidence.parseTpmQuoteJson(file(dir, exp, "tpm_quote_json")))
          .vcek(AzureEvidence.pemCertificates(new String(file(dir, exp, "vcek_pem"), StandardCharsets.US_ASCII)))
          .build(), nonce);
    } else {
      r = v.checkHclReport(file(dir, exp, "hcl_report"));
    }
    Map<String, Boolean> checks = new LinkedHashMap<>();
    r.checks().forEach((k, val) -> checks.put(k.specName(), val));
    return new Outcome(checks, r.valid(), r);
  }

  private static Outcome tpm(Path dir, JsonObject exp, byte[] nonce) throws AttestationException {
    TpmtPublic ak = TpmtPublic.parse(file(dir, exp, "ak_tpmt_public"));
    byte[] msg = file(dir, exp, "quote_message");
    TpmtSignature sig = TpmtSignature.parse(file(dir, exp, "quote_signature"));
    byte[] pcrs = file(dir, exp, "pcr_values");
    List<Bytes> values = new ArrayList<>();
    int off = 0;
    for (PcrSelection s : TpmsAttest.parse(msg).pcrSelections()) {
      for (int i = 0; i < s.pcrs().size(); i++) {
        values.add(Bytes.of(pcrs, off, s.bank().size()));
        off += s.bank().size();
      }
    }
    QuoteResult q = TpmQuote.of(msg, sig, values).verify(ak, nonce, TpmtPublic.TPM_RH_ENDORSEMENT);
    Map<String, Boolean> checks = new LinkedHashMap<>();
    checks.put("container.decode", off == pcrs.length);
    checks.put("tpm.attest_parse", q.attestParsed());
    q.signatureValid().ifPresent(b -> checks.put("tpm.signature", b));
    q.nonceMatches().ifPresent(b -> checks.put("tpm.nonce", b));
    q.pcrDigestMatches().ifPresent(b -> checks.put("tpm.pcr_digest", b));
    q.qualifiedSignerMatches().ifPresent(b -> checks.put("tpm.qualified_signer", b));
    return new Outcome(checks, q.valid() && off == pcrs.length, null);
  }
}
