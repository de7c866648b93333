package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attest4j.core.AttestationException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.tdx.CcelEventLog;
import org.attest4j.tdx.DstackAppInfo;
import org.attest4j.tdx.DstackEventLog;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.PckCertificateInfo;
import org.attest4j.tdx.Rtmrs;
import org.attest4j.tdx.TdReport;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxQuoteInput;
import org.attest4j.tdx.TdxTrustAnchor;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.TdxVerifier;

/**
 * The {@code tdx verify} flow: parse, verify (with or without collateral), replay the event log,
 * derive the dstack app info, apply the policy; collects a JSON object and text lines. Stateless
 * apart from the shared verifier (thread-safe).
 */
final class TdxVerification {
  private static final TdxVerifier VERIFIER = TdxVerifier.create();

  private TdxVerification() {}

  static final class Inputs {
    Instant at;
    byte[] quote;
    Path collateralFile;
    Path collateralDir;
    byte[] eventLog;
    byte[] ccelTable;
    String vmConfig;
    TdxPolicy.Builder policy = TdxPolicy.builder();
    boolean bootTime;
    /** null: Intel's SGX Root CA. */
    TdxTrustAnchor trustAnchor;
    /** Policy relaxations applied: flag to effect. */
    final Map<String, String> relaxations = new LinkedHashMap<>();
  }

  static final class Result {
    boolean valid;
    final JsonObject json = new JsonObject();
    final List<String> text = new ArrayList<>();
    String reasonText;
  }

  static Result run(Inputs in) {
    Result r = new Result();
    JsonObject j = r.json;
    j.addProperty("valid", false);
    j.addProperty("verification_time", in.at.getEpochSecond());
    j.addProperty("verification_time_iso", in.at.toString());
    boolean withCollateral = in.collateralFile != null || in.collateralDir != null;
    j.addProperty("collateral_checked", withCollateral);
    JsonArray checks = new JsonArray();
    j.add("checks", checks);
    j.add("tcb_status", com.google.gson.JsonNull.INSTANCE);
    j.add("advisory_ids", new JsonArray());
    j.addProperty("quote_alone_valid", false);
    JsonArray relaxations = new JsonArray();
    in.relaxations.keySet().forEach(relaxations::add);
    j.add("relaxations", relaxations);
    TdxTrustAnchor anchor = in.trustAnchor == null ? TdxTrustAnchor.intelSgxRootCa() : in.trustAnchor;
    JsonObject tr = new JsonObject();
    tr.addProperty("name", anchor.name());
    tr.addProperty("spki_sha256", anchor.spkiSha256().toHex());
    tr.addProperty("intel", anchor.isIntelRoot());
    j.add("trust_root", tr);
    if (!anchor.isIntelRoot()) {
      r.text.add("trust root: " + anchor.name() + " (NOT Intel's SGX Root CA: test PKI only)");
    }
    if (!in.relaxations.isEmpty()) {
      r.text.add("relaxations: " + String.join(", ", in.relaxations.values()) + " ("
          + String.join(" ", in.relaxations.keySet()) + ")");
    }
    TdxVerifier verifier = in.trustAnchor == null ? VERIFIER : TdxVerifier.builder().trustAnchor(in.trustAnchor).build();
    String root = anchor.isIntelRoot() ? "pinned Intel SGX Root CA" : "trusted root '" + anchor.name() + "'";
    try {
      TdxQuoteInput input = TdxQuoteInput.read(in.quote);
      j.addProperty("quote_input", input.shape());
      if (in.eventLog == null && input.eventLog().isPresent()) {
        in.eventLog = input.eventLog().get().toByteArray();
      }
      if (in.vmConfig == null && input.vmConfig().isPresent()) {
        in.vmConfig = input.vmConfig().get();
      }
      TdxQuote quote = TdxQuote.parse(input.quote().toByteArray());
      addQuote(j, quote);
      r.text.add("quote: version " + quote.version() + ", body type " + quote.bodyType()
          + (quote.body().isTd15() ? " (TD 1.5)" : " (TD 1.0)") + ", " + quote.signedLength()
          + " signed bytes, " + quote.bytesUsed() + " of " + quote.inputLength() + " bytes used");

      TdxVerdict verdict;
      if (withCollateral) {
        TdxCollateral c = in.collateralFile != null
            ? TdxCollateral.fromQuoteCollateralJson(Files.readAllBytes(in.collateralFile))
            : TdxCollateral.fromDirectory(in.collateralDir);
        verdict = verifier.verify(quote, c, in.at);
        checks.add("quote signature");
        checks.add("QE report signature");
        checks.add("QE report_data binding");
        checks.add("PCK chain to " + root + " (key and self-signature)");
        checks.add("root CA CRL and PCK CRL");
        checks.add("TCB info (signature, issuer chain, currency)");
        checks.add("QE identity (signature, issuer chain, currency, QE report match)");
        checks.add("TCB level, TDX module and QE TCB evaluation");
      } else {
        verdict = verifier.verifySignaturesOnly(quote, in.at);
        checks.add("quote signature");
        checks.add("QE report signature");
        checks.add("QE report_data binding");
        checks.add("PCK chain to " + root + " (key and self-signature)");
        j.addProperty("note", "no collateral: only the signatures, the attestation-key binding and the PCK chain were checked (no CRLs, no TCB status)");
      }
      addVerdict(j, verdict, r.text);
      j.addProperty("quote_alone_valid", true);

      if (in.eventLog != null) {
        replay(in, quote, j, r.text, checks);
      } else if (in.vmConfig != null) {
        j.addProperty("os_image_hash", DstackAppInfo.osImageHashOf(in.vmConfig).toHex());
      }

      TdxPolicy policy = in.policy.allowMissingCollateral(!withCollateral).build();
      policy.enforce(verdict);
      checks.add("policy: " + policy);
      j.addProperty("valid", true);
      r.valid = true;
      r.text.add(withCollateral ? "result: VERIFIED"
          : "result: VERIFIED (signatures only: no collateral, so no CRL or TCB status check)");
    } catch (AttestationException e) {
      j.addProperty("reason", e.reason().name());
      j.addProperty("error_class", e.reason().name());
      j.addProperty("message", e.getMessage());
      if (e instanceof PolicyViolationException pv) {
        JsonArray v = new JsonArray();
        for (PolicyViolationException.Violation x : pv.violations()) {
          JsonObject o = new JsonObject();
          o.addProperty("reason", x.reason().name());
          o.addProperty("rule", x.rule());
          o.addProperty("message", x.message());
          v.add(o);
        }
        j.add("policy_violations", v);
      }
      r.reasonText = e.getMessage() + " [" + e.reason().qualifiedCode() + "]";
      r.text.add("result: REFUSED: " + r.reasonText);
    } catch (java.io.IOException e) {
      j.addProperty("reason", "IO_ERROR");
      j.addProperty("message", e.toString());
      r.reasonText = "cannot read input: " + e;
      r.text.add("result: REFUSED: " + r.reasonText);
    }
    return r;
  }

  private static void replay(Inputs in, TdxQuote quote, JsonObject j, List<String> text, JsonArray checks)
      throws AttestationException {
    JsonObject el = new JsonObject();
    j.add("event_log", el);
    boolean isJson = false;
    for (byte b : in.eventLog) {
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      isJson = b == '[' || b == '{';
      break;
    }
    Rtmrs replayed;
    List<DstackRuntimeEvent> runtime = null;
    if (isJson) {
      DstackEventLog log = DstackEventLog.parse(in.eventLog);
      el.addProperty("format", "dstack JSON event log");
      el.addProperty("events", log.entries().size());
      runtime = log.runtimeEvents();
      JsonArray names = new JsonArray();
      runtime.forEach(e -> names.add(e.name()));
      el.add("runtime_event_names", names);
      el.addProperty("rtmr3_boottime_up_to_boot-mr-done", DstackRuntimeEvent.replayBootTime(runtime).toHex());
      replayed = log.replay();
    } else {
      CcelEventLog log = CcelEventLog.parse(in.eventLog, in.ccelTable);
      el.addProperty("format", "CCEL (TCG2 crypto-agile)");
      el.addProperty("events_including_specid", log.events().size() + 1);
      el.addProperty("log_end_offset", log.endOffset());
      replayed = log.replay();
    }
    JsonObject rep = new JsonObject();
    for (int i = 0; i < 4; i++) {
      rep.addProperty("rtmr" + i, replayed.get(i).toHex());
    }
    el.add("replayed", rep);
    List<Integer> mism = replayed.mismatches(quote.body().rtmrs());
    el.addProperty("replay_matches_quote", mism.isEmpty());
    JsonArray mm = new JsonArray();
    mism.forEach(mm::add);
    el.add("mismatching_rtmr", mm);
    j.add("mismatching_rtmr", mm.deepCopy());
    replayed.requireMatches(quote.body());
    checks.add("event log replay into RTMR0..3 matches the quote");
    text.add("event log: " + el.get("format").getAsString() + ", replay matches RTMR0..RTMR3");

    if (runtime != null && !runtime.isEmpty()) {
      DstackAppInfo.Builder b = DstackAppInfo.builder().report(quote.body()).events(runtime).bootTime(in.bootTime);
      if (in.vmConfig != null) {
        b.vmConfig(in.vmConfig);
      }
      DstackAppInfo info = b.build();
      JsonObject ai = new JsonObject();
      ai.addProperty("app_id", info.appId().toHex());
      ai.addProperty("compose_hash", info.composeHash().toHex());
      ai.addProperty("instance_id", info.instanceId().toHex());
      info.keyProviderInfoUtf8().ifPresent(k -> {
        ai.addProperty("key_provider_info_utf8", k);
        ai.addProperty("key_provider_info", k);
      });
      ai.addProperty("mr_key_provider", info.mrKeyProvider().toHex());
      ai.addProperty("mr_system", info.mrSystem().toHex());
      ai.addProperty("mr_aggregated", info.mrAggregated().toHex());
      ai.addProperty("device_id", info.deviceId().toHex());
      info.osImageHash().ifPresent(h -> {
        ai.addProperty("os_image_hash", h.toHex());
        ai.addProperty("os_image_hash(from vm_config)", h.toHex());
      });
      ai.addProperty("boot_time", info.bootTime());
      j.add("dstack_app_info", ai);
      for (String k : ai.keySet()) {
        if (!j.has(k)) {
          j.add(k, ai.get(k).deepCopy());
        }
      }
      checks.add("dstack app identity from runtime events before system-ready");
      text.add("dstack app: app_id " + info.appId() + ", compose_hash " + info.composeHash()
          + ", instance_id " + info.instanceId());
      text.add("dstack: mr_system " + info.mrSystem() + ", mr_aggregated " + info.mrAggregated()
          + info.osImageHash().map(h -> ", os_image_hash " + h).orElse(""));
    }
  }

  private static void addVerdict(JsonObject j, TdxVerdict v, List<String> text) {
    PckCertificateInfo p = v.pck();
    JsonObject q = j.getAsJsonObject("quote");
    q.addProperty("pck_fmspc", p.fmspc().toHex());
    q.addProperty("pck_pceid", p.pceId().toHex());
    q.addProperty("pck_pcesvn", p.pceSvn());
    q.addProperty("pck_cpusvn", p.cpuSvn().toHex());
    q.addProperty("pck_issuer_cn", p.issuerCn());
    q.addProperty("pck_not_before", p.notBefore().toString());
    q.addProperty("pck_not_after", p.notAfter().toString());
    for (String k : new String[] {"pck_fmspc", "pck_pceid", "pck_pcesvn", "pck_cpusvn", "pck_issuer_cn"}) {
      j.add(k, q.get(k).deepCopy());
    }
    text.add("PCK: FMSPC " + p.fmspc() + ", PCESVN " + p.pceSvn() + ", CPUSVN " + p.cpuSvn() + ", "
        + p.issuerCn());
    if (v.collateralVerified()) {
      j.addProperty("tcb_status", v.tcbStatus().orElseThrow().intelName());
      JsonArray adv = new JsonArray();
      v.advisoryIds().forEach(adv::add);
      j.add("advisory_ids", adv);
      j.addProperty("platform_tcb_level_status", v.platformTcbStatus().orElseThrow().intelName());
      v.tdxModuleStatus().ifPresent(s -> j.addProperty("tdx_module_status", s.intelName()));
      j.addProperty("qe_tcb_status", v.qeTcbStatus().orElseThrow().intelName());
      v.tcbDate().ifPresent(d -> j.addProperty("tcb_date", d.toString()));
      v.tdxModuleIdentityId().ifPresent(s -> j.addProperty("tdx_module_identity", s));
      j.addProperty("tcb_evaluation_data_number", v.tcbEvaluationDataNumber());
      JsonObject w = new JsonObject();
      w.addProperty("not_before", v.collateralNotBefore().orElseThrow().getEpochSecond());
      w.addProperty("not_after", v.collateralNotAfter().orElseThrow().getEpochSecond());
      w.addProperty("not_before_iso", v.collateralNotBefore().orElseThrow().toString());
      w.addProperty("not_after_iso", v.collateralNotAfter().orElseThrow().toString());
      j.add("collateral_window", w);
      text.add("collateral: verified; TCB status " + v.tcbStatus().orElseThrow().intelName()
          + " (platform " + v.platformTcbStatus().orElseThrow().intelName()
          + v.tdxModuleStatus().map(s -> ", TDX module " + s.intelName()).orElse("")
          + ", QE " + v.qeTcbStatus().orElseThrow().intelName() + ")"
          + (v.advisoryIds().isEmpty() ? "" : ", advisories " + v.advisoryIds())
          + v.tcbDate().map(d -> ", TCB date " + d).orElse(""));
    } else {
      j.add("tcb_status", com.google.gson.JsonNull.INSTANCE);
      j.add("advisory_ids", new JsonArray());
      text.add("collateral: none; checked the quote signature, QE report signature, attestation-key"
          + " binding and PCK chain only (no CRLs, no TCB status)");
    }
  }

  private static void addQuote(JsonObject j, TdxQuote quote) {
    JsonObject q = new JsonObject();
    TdReport b = quote.body();
    q.addProperty("quote_version", quote.version());
    q.addProperty("attestation_key_type", quote.attestationKeyType());
    q.addProperty("tee_type", String.format("0x%08x", quote.teeType()));
    q.addProperty("body_type", quote.bodyType());
    q.addProperty("quote_length", quote.inputLength());
    q.addProperty("signed_length", quote.signedLength());
    q.addProperty("bytes_used", quote.bytesUsed());
    q.addProperty("qe_svn", quote.qeSvn());
    q.addProperty("pce_svn_header", quote.pceSvn());
    q.addProperty("qe_vendor_id", quote.qeVendorId().toHex());
    q.addProperty("user_data", quote.userData().toHex());
    q.addProperty("tee_tcb_svn", b.teeTcbSvn().toHex());
    q.addProperty("mr_seam", b.mrSeam().toHex());
    q.addProperty("mr_signer_seam", b.mrSignerSeam().toHex());
    q.addProperty("seam_attributes", b.seamAttributes().toHex());
    q.addProperty("td_attributes", b.tdAttributes().toHex());
    q.addProperty("xfam", b.xfam().toHex());
    q.addProperty("mr_td", b.mrTd().toHex());
    q.addProperty("mr_config_id", b.mrConfigId().toHex());
    q.addProperty("mr_owner", b.mrOwner().toHex());
    q.addProperty("mr_owner_config", b.mrOwnerConfig().toHex());
    for (int i = 0; i < 4; i++) {
      q.addProperty("rtmr" + i, b.rtmr(i).toHex());
    }
    q.addProperty("report_data", b.reportData().toHex());
    b.teeTcbSvn2().ifPresent(x -> q.addProperty("tee_tcb_svn2", x.toHex()));
    b.mrServiceTd().ifPresent(x -> q.addProperty("mr_servicetd", x.toHex()));
    q.addProperty("qe_report_isvsvn", quote.qeReport().isvSvn());
    q.addProperty("qe_report_mrsigner", quote.qeReport().mrSigner().toHex());
    q.addProperty("qe_report_isvprodid", quote.qeReport().isvProdId());
    j.add("quote", q);
    for (String k : q.keySet()) {
      j.add(k, q.get(k).deepCopy());
    }
  }
}
