package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import org.attest4j.core.AttestationException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.snp.GuestPolicy;
import org.attest4j.snp.PlatformInfo;
import org.attest4j.snp.Product;
import org.attest4j.snp.ProductSource;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.VekCertificate;
import org.attest4j.snp.VerifiedSnpReport;

/**
 * JSON rendering of SEV-SNP reports and verification results for the CLI, with the field names of
 * {@code shared/vectors/snp-reports/*}{@code /meta.json}. Stateless and thread-safe.
 */
final class SnpJson {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private SnpJson() {}

  /** Python's {@code str(datetime)} form used in meta.json, e.g. {@code 2025-07-17 17:04:46+00:00}. */
  static String time(Instant t) {
    return TIME.format(t) + "+00:00";
  }

  static String hex0x(long v) {
    return "0x" + Long.toHexString(v);
  }

  /** The report's fields; TCB parts only when the product is known. */
  static JsonObject report(SnpReport r) {
    JsonObject o = new JsonObject();
    o.addProperty("version", r.version());
    if (r.product().isPresent()) {
      o.addProperty("product", r.product().get().kdsName());
    } else {
      o.add("product", JsonNull.INSTANCE);
    }
    o.addProperty("signing_key", r.keyInfo().signingKeyCode() == 0 ? "VCEK"
        : r.keyInfo().signingKeyCode() == 1 ? "VLEK" : "NONE");
    o.addProperty("guest_svn", r.guestSvn());
    o.addProperty("policy", r.policy().toHex());
    o.addProperty("family_id", r.familyId().toHex());
    o.addProperty("image_id", r.imageId().toHex());
    o.addProperty("vmpl", r.vmpl());
    o.addProperty("signature_algo", r.signatureAlgo());
    o.addProperty("platform_info", r.platformInfo().toHex());
    o.addProperty("signer_info", r.keyInfo().toHex());
    o.addProperty("author_key_en", r.keyInfo().authorKeyEnabled() ? 1 : 0);
    o.addProperty("mask_chip_key", r.keyInfo().maskChipKey() ? 1 : 0);
    o.addProperty("report_data", r.reportData().toHex());
    o.addProperty("measurement", r.measurement().toHex());
    o.addProperty("host_data", r.hostData().toHex());
    o.addProperty("id_key_digest", r.idKeyDigest().toHex());
    o.addProperty("author_key_digest", r.authorKeyDigest().toHex());
    o.addProperty("report_id", r.reportId().toHex());
    o.addProperty("report_id_ma", r.reportIdMa().toHex());
    o.addProperty("chip_id", r.chipId().toHex());
    o.addProperty("current_version", r.currentVersion().toString());
    o.addProperty("committed_version", r.committedVersion().toString());
    Product p = r.product().orElse(null);
    o.add("current_tcb", tcb(p, r.rawCurrentTcb()));
    o.add("reported_tcb", tcb(p, r.rawReportedTcb()));
    o.add("committed_tcb", tcb(p, r.rawCommittedTcb()));
    o.add("launch_tcb", tcb(p, r.rawLaunchTcb()));
    r.cpuid().ifPresent(c -> {
      o.addProperty("cpuid_fam_id", c.familyId());
      o.addProperty("cpuid_mod_id", c.modelId());
      o.addProperty("cpuid_step", c.stepping());
    });
    if (r.launchMitigationVector().isPresent()) {
      o.addProperty("launch_mit_vector", hex0x(r.launchMitigationVector().getAsLong()));
      o.addProperty("current_mit_vector", hex0x(r.currentMitigationVector().getAsLong()));
    }
    o.add("policy_flags", policyFlags(r.policy()));
    o.add("platform_info_flags", platformFlags(r.platformInfo()));
    o.addProperty("report_sha256", sha256(r.toByteArray()));
    return o;
  }

  static JsonObject tcb(Product p, long raw) {
    JsonObject t = new JsonObject();
    if (p != null) {
      TcbVersion v = TcbVersion.of(p, raw);
      v.fmc().ifPresent(f -> t.addProperty("fmc", f));
      t.addProperty("bootloader", v.bootloader());
      t.addProperty("tee", v.tee());
      t.addProperty("snp", v.snp());
      t.addProperty("microcode", v.microcode());
    }
    t.addProperty("raw", hex0x(raw));
    return t;
  }

  static JsonObject policyFlags(GuestPolicy g) {
    JsonObject o = new JsonObject();
    o.addProperty("abi_major", g.abiMajor());
    o.addProperty("abi_minor", g.abiMinor());
    o.addProperty("smt", g.smtAllowed());
    o.addProperty("migrate_ma", g.migrateMaAllowed());
    o.addProperty("debug", g.debugAllowed());
    o.addProperty("single_socket", g.singleSocket());
    o.addProperty("cxl_allow", g.cxlAllowed());
    o.addProperty("mem_aes_256_xts", g.memAes256Xts());
    o.addProperty("rapl_dis", g.raplDisabled());
    o.addProperty("ciphertext_hiding", g.ciphertextHiding());
    o.addProperty("page_swap_disable", g.pageSwapDisabled());
    return o;
  }

  static JsonObject platformFlags(PlatformInfo p) {
    JsonObject o = new JsonObject();
    o.addProperty("smt_en", p.smtEnabled());
    o.addProperty("tsme_en", p.tsmeEnabled());
    o.addProperty("ecc_en", p.eccEnabled());
    o.addProperty("rapl_dis", p.raplDisabled());
    o.addProperty("ciphertext_hiding_en", p.ciphertextHidingEnabled());
    o.addProperty("alias_check_complete", p.aliasCheckComplete());
    o.addProperty("tio_en", p.tioEnabled());
    o.addProperty("unknown_bits", hex0x(p.unknownBits()));
    return o;
  }

  static JsonObject vek(VekCertificate v) {
    JsonObject o = new JsonObject();
    o.addProperty("subject_cn", v.subjectCn());
    o.addProperty("issuer_cn", v.issuerCn());
    o.addProperty("serial", v.serialNumber());
    o.addProperty("not_before", time(v.notBefore()));
    o.addProperty("not_after", time(v.notAfter()));
    JsonObject e = new JsonObject();
    v.structVersion().ifPresent(s -> e.addProperty("structVersion", s));
    v.productName().ifPresent(s -> e.addProperty("productName", s));
    for (int i = 1; i <= 9; i++) {
      int idx = i;
      v.spl(i).ifPresent(s -> e.addProperty(VekCertificate.splName(idx), s));
    }
    v.hwId().ifPresent(h -> e.addProperty("hwID", h.toHex()));
    v.cspId().ifPresent(c -> e.addProperty("csp_id", c));
    o.add("extensions", e);
    return o;
  }

  /** The success object of {@code snp verify --json}. */
  static JsonObject verified(VerifiedSnpReport v, boolean policyApplied) {
    JsonObject o = new JsonObject();
    o.addProperty("valid", true);
    for (var e : report(v.report()).entrySet()) {
      o.add(e.getKey(), e.getValue());
    }
    o.addProperty("product_source", v.productSource() == ProductSource.CPUID
        ? "report CPUID_FAM_ID/CPUID_MOD_ID (v3+)"
        : v.productSource() == ProductSource.CERTIFICATE
            ? "VCEK/VLEK productName extension / issuer CN (v2 report has no CPUID fields)"
            : "caller (--product)");
    o.add("vek_cert", vek(v.vek()));
    v.cspId().ifPresent(c -> o.addProperty("csp_id", c));
    JsonObject checks = new JsonObject();
    checks.addProperty("ark_self_signed", true);
    checks.addProperty("ask_signed_by_ark", true);
    checks.addProperty("vek_signed_by_ask", true);
    checks.addProperty("report_signed_by_vek", true);
    if (v.signingKey() == SigningKey.VCEK && !v.report().chipId().isZero()) {
      checks.addProperty("chip_id_matches_hwid", true);
    } else {
      checks.add("chip_id_matches_hwid", JsonNull.INSTANCE);
    }
    checks.addProperty("reported_tcb_matches_cert", true);
    if (policyApplied) {
      checks.addProperty("policy", true);
    }
    o.add("checks", checks);
    JsonObject w = new JsonObject();
    w.addProperty("not_before", time(v.chainNotBefore()));
    w.addProperty("not_after", time(v.chainNotAfter()));
    o.add("chain_validity_window", w);
    o.addProperty("trust_anchor", v.trustAnchor().name());
    o.addProperty("ask_cn", v.ask().subjectCn());
    o.addProperty("ark_cn", v.ark().subjectCn());
    o.addProperty("verified_at", v.verifiedAt().toString());
    return o;
  }

  /** The rejection object: {@code valid=false}, {@code reason} (message), {@code reason_code}, violations. */
  static JsonObject rejected(AttestationException e) {
    JsonObject o = new JsonObject();
    o.addProperty("valid", false);
    o.addProperty("reason", e.getMessage());
    o.addProperty("reason_code", e.reason().qualifiedCode());
    o.addProperty("failure_class", e.getClass().getSimpleName());
    if (e instanceof PolicyViolationException p) {
      JsonArray a = new JsonArray();
      for (PolicyViolationException.Violation v : p.violations()) {
        JsonObject j = new JsonObject();
        j.addProperty("rule", v.rule());
        j.addProperty("reason_code", v.reason().qualifiedCode());
        j.addProperty("message", v.message());
        a.add(j);
      }
      o.add("violations", a);
    }
    return o;
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
