package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every vector in shared/vectors/snp-reports verifies or is rejected exactly as its meta.json says. */
class SnpVectorsTest {
  static final String DIR = "vectors/snp-reports";

  /** A vector folder's files. */
  record Vector(String name, JsonObject meta, byte[] report, byte[] vek, byte[] chain) {
    boolean valid() {
      return meta.get("valid").getAsBoolean();
    }
  }

  static List<Vector> vectors() {
    List<Vector> out = new ArrayList<>();
    for (Path d : SharedData.subdirectories(DIR)) {
      String n = d.getFileName().toString();
      JsonObject meta = SharedData.json(DIR + "/" + n + "/meta.json").getAsJsonObject();
      String vekFile = Files.exists(d.resolve("vlek.der")) ? "vlek.der" : "vcek.der";
      out.add(new Vector(n, meta,
          SharedData.bytes(DIR + "/" + n + "/report.bin"),
          SharedData.bytes(DIR + "/" + n + "/" + vekFile),
          SharedData.bytes(DIR + "/" + n + "/cert_chain.pem")));
    }
    if (out.size() < 13) {
      throw new AssertionError("expected at least 13 SNP vectors, found " + out.size());
    }
    return out;
  }

  static Instant parseTime(String s) {
    // "2025-07-17 17:04:46+00:00"
    return java.time.OffsetDateTime.parse(s.replace(' ', 'T')).toInstant();
  }

  /** A clock inside the vector's chain validity window (for negatives: the genuine source's window). */
  static Clock clockFor(Vector v) {
    JsonObject meta = v.meta();
    if (!meta.has("chain_validity_window")) {
      String from = meta.get("derived_from").getAsString();
      meta = SharedData.json(DIR + "/" + from + "/meta.json").getAsJsonObject();
    }
    JsonObject w = meta.getAsJsonObject("chain_validity_window");
    Instant a = parseTime(w.get("not_before").getAsString());
    Instant b = parseTime(w.get("not_after").getAsString());
    return Clock.fixed(a.plusSeconds((b.getEpochSecond() - a.getEpochSecond()) / 2), ZoneOffset.UTC);
  }

  @TestFactory
  Stream<DynamicTest> everyVectorAsMetaSays() {
    return vectors().stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> check(v)));
  }

  private void check(Vector v) throws Exception {
    Clock clock = clockFor(v);
    if (v.valid()) {
      VerifiedSnpReport r = VcekChain.verify(v.report(), v.vek(), v.chain(), clock);
      assertFieldsEqualMeta(r, v.meta());
      assertTrue(r.trustAnchor().isAmdRoot());
      assertEquals(v.meta().get("product").getAsString(), r.product().kdsName());
      assertEquals(v.meta().get("product_source").getAsString().startsWith("report CPUID")
          ? ProductSource.CPUID : ProductSource.CERTIFICATE, r.productSource());
    } else {
      AttestationException e = assertThrows(AttestationException.class,
          () -> VcekChain.verify(v.report(), v.vek(), v.chain(), clock), v.name());
      JsonObject py = v.meta().getAsJsonObject("python_check_results");
      Set<SnpReason> expected;
      if (py.has("parse")) {
        expected = Set.of(SnpReason.BAD_REPORT_LENGTH);
        assertTrue(e instanceof MalformedEvidenceException);
      } else if (py.get("vek_by_ask").isJsonPrimitive() && "FAIL".equals(py.get("vek_by_ask").getAsString())) {
        expected = Set.of(SnpReason.BAD_CERTIFICATE_SIGNATURE, SnpReason.CERTIFICATE_NAME_MISMATCH, SnpReason.PRODUCT_MISMATCH);
        assertTrue(e instanceof VerificationException);
      } else if ("FAIL".equals(py.get("report_by_vek").getAsString())) {
        // a wrong chip's VCEK is named as such: the hwID binding is checked before the signature
        expected = v.meta().get("expected_failure").getAsString().contains("CHIP_ID != VCEK hwID")
            ? Set.of(SnpReason.CHIP_ID_MISMATCH) : Set.of(SnpReason.BAD_REPORT_SIGNATURE);
        assertTrue(e instanceof VerificationException);
      } else {
        throw new AssertionError("unknown negative kind " + py);
      }
      assertTrue(expected.contains(e.reason()), v.name() + ": " + e);
    }
  }

  static String hex(org.attest4j.core.Bytes b) {
    return b.toHex();
  }

  static void assertFieldsEqualMeta(VerifiedSnpReport vr, JsonObject m) {
    SnpReport r = vr.report();
    String n = m.get("name").getAsString();
    assertEquals(m.get("version").getAsInt(), r.version(), n);
    assertEquals(m.get("signing_key").getAsString(), r.signingKey().name(), n);
    assertEquals(m.get("guest_svn").getAsLong(), r.guestSvn(), n);
    assertEquals(m.get("policy").getAsString(), r.policy().toHex(), n);
    assertEquals(m.get("family_id").getAsString(), hex(r.familyId()), n);
    assertEquals(m.get("image_id").getAsString(), hex(r.imageId()), n);
    assertEquals(m.get("vmpl").getAsLong(), r.vmpl(), n);
    assertEquals(m.get("signature_algo").getAsInt(), r.signatureAlgo(), n);
    assertEquals(m.get("platform_info").getAsString(), r.platformInfo().toHex(), n);
    assertEquals(m.get("signer_info").getAsString(), r.keyInfo().toHex(), n);
    assertEquals(m.get("author_key_en").getAsInt() == 1, r.keyInfo().authorKeyEnabled(), n);
    assertEquals(m.get("mask_chip_key").getAsInt() == 1, r.keyInfo().maskChipKey(), n);
    for (String f : List.of("report_data", "measurement", "host_data", "id_key_digest", "author_key_digest",
        "report_id", "report_id_ma", "chip_id")) {
      String got = switch (f) {
        case "report_data" -> hex(r.reportData());
        case "measurement" -> hex(r.measurement());
        case "host_data" -> hex(r.hostData());
        case "id_key_digest" -> hex(r.idKeyDigest());
        case "author_key_digest" -> hex(r.authorKeyDigest());
        case "report_id" -> hex(r.reportId());
        case "report_id_ma" -> hex(r.reportIdMa());
        default -> hex(r.chipId());
      };
      assertEquals(m.get(f).getAsString(), got, n + " " + f);
    }
    assertEquals(m.get("current_version").getAsString(), r.currentVersion().toString(), n);
    assertEquals(m.get("committed_version").getAsString(), r.committedVersion().toString(), n);
    assertTcb(m.getAsJsonObject("current_tcb"), r.currentTcb(), n);
    assertTcb(m.getAsJsonObject("reported_tcb"), r.reportedTcb(), n);
    assertTcb(m.getAsJsonObject("committed_tcb"), r.committedTcb(), n);
    assertTcb(m.getAsJsonObject("launch_tcb"), r.launchTcb(), n);
    if (m.has("cpuid_fam_id")) {
      SnpReport.Cpuid c = r.cpuid().orElseThrow();
      assertEquals(m.get("cpuid_fam_id").getAsInt(), c.familyId(), n);
      assertEquals(m.get("cpuid_mod_id").getAsInt(), c.modelId(), n);
      assertEquals(m.get("cpuid_step").getAsInt(), c.stepping(), n);
    } else {
      assertFalse(r.cpuid().isPresent(), n);
    }
    if (m.has("launch_mit_vector")) {
      assertEquals(m.get("launch_mit_vector").getAsString(), "0x" + Long.toHexString(r.launchMitigationVector().getAsLong()));
      assertEquals(m.get("current_mit_vector").getAsString(), "0x" + Long.toHexString(r.currentMitigationVector().getAsLong()));
    } else {
      assertFalse(r.launchMitigationVector().isPresent(), n);
    }
    JsonObject vc = m.getAsJsonObject("vek_cert");
    VekCertificate vek = vr.vek();
    assertEquals(vc.get("subject_cn").getAsString(), vek.subjectCn());
    assertEquals(vc.get("issuer_cn").getAsString(), vek.issuerCn());
    assertEquals(vc.get("serial").getAsLong(), vek.serialNumber().longValueExact());
    assertEquals(parseTime(vc.get("not_before").getAsString()), vek.notBefore());
    assertEquals(parseTime(vc.get("not_after").getAsString()), vek.notAfter());
    JsonObject ext = vc.getAsJsonObject("extensions");
    for (Map.Entry<String, JsonElement> e : ext.entrySet()) {
      String k = e.getKey();
      switch (k) {
        case "structVersion" -> assertEquals(e.getValue().getAsInt(), vek.structVersion().getAsInt());
        case "productName" -> assertEquals(e.getValue().getAsString(), vek.productName().orElseThrow());
        case "hwID" -> assertEquals(e.getValue().getAsString(), vek.hwId().orElseThrow().toHex());
        case "csp_id" -> assertEquals(e.getValue().getAsString(), vek.cspId().orElseThrow());
        default -> {
          int idx = -1;
          for (int i = 1; i <= 9; i++) {
            if (VekCertificate.splName(i).equals(k)) {
              idx = i;
            }
          }
          if (idx < 0) {
            fail("unknown extension " + k);
          }
          assertEquals(e.getValue().getAsInt(), vek.spl(idx).getAsInt(), n + " " + k);
        }
      }
    }
    if (vek.kind() == SigningKey.VLEK) {
      assertEquals(ext.get("csp_id").getAsString(), vr.cspId().orElseThrow());
    }
  }

  static void assertTcb(JsonObject t, TcbVersion tcb, String n) {
    assertEquals(t.get("raw").getAsString(), tcb.rawHex(), n);
    assertEquals(t.get("bootloader").getAsInt(), tcb.bootloader(), n);
    assertEquals(t.get("tee").getAsInt(), tcb.tee(), n);
    assertEquals(t.get("snp").getAsInt(), tcb.snp(), n);
    assertEquals(t.get("microcode").getAsInt(), tcb.microcode(), n);
    assertEquals(t.has("fmc"), tcb.fmc().isPresent(), n);
    if (t.has("fmc")) {
      assertEquals(t.get("fmc").getAsInt(), tcb.fmc().getAsInt(), n);
    }
  }

  @Test
  void arkWithPinnedKeyButBrokenSelfSignatureIsRejected() throws Exception {
    Vector v = vectors().stream().filter(x -> x.name().equals("genoa-v5-oak")).findFirst().orElseThrow();
    VcekChain good = VcekChain.parse(v.vek(), v.chain());
    byte[] ask = good.chainDer().get(0);
    byte[] ark = good.chainDer().get(1);
    ark[ark.length - 1] ^= 1; // last byte of the ARK's signature
    VerificationException e = assertThrows(VerificationException.class,
        () -> SnpVerifier.builder().clock(clockFor(v)).build().verify(SnpReport.parse(v.report()), VcekChain.of(v.vek(), ask, ark)));
    assertEquals(SnpReason.BAD_CERTIFICATE_SIGNATURE, e.reason());
    assertTrue(e.getMessage().contains("ARK"), e.getMessage());
    // and a tampered ASK signature
    byte[] badAsk = good.chainDer().get(0);
    badAsk[badAsk.length - 1] ^= 1;
    e = assertThrows(VerificationException.class,
        () -> SnpVerifier.builder().clock(clockFor(v)).build().verify(SnpReport.parse(v.report()),
            VcekChain.of(v.vek(), badAsk, good.chainDer().get(1))));
    assertEquals(SnpReason.BAD_CERTIFICATE_SIGNATURE, e.reason());
    // a clock before the validity window: not yet valid, which is not "expired"
    e = assertThrows(VerificationException.class, () -> VcekChain.verify(v.report(), v.vek(), v.chain(),
        Clock.fixed(Instant.parse("2020-01-01T00:00:00Z"), ZoneOffset.UTC)));
    assertEquals(SnpReason.CERTIFICATE_NOT_YET_VALID, e.reason());
    assertTrue(e.getMessage().contains("not valid before"), e.getMessage());
    // and one after it
    e = assertThrows(VerificationException.class, () -> VcekChain.verify(v.report(), v.vek(), v.chain(),
        Clock.fixed(Instant.parse("2100-01-01T00:00:00Z"), ZoneOffset.UTC)));
    assertEquals(SnpReason.CERTIFICATE_EXPIRED, e.reason());
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
  }

  @Test
  void parsedFieldsAreAvailableWithoutVerification() throws Exception {
    for (Vector v : vectors()) {
      if (!v.valid()) {
        continue;
      }
      SnpReport r = SnpReport.parse(v.report());
      assertEquals(v.meta().get("version").getAsInt() >= 3, r.product().isPresent(), v.name());
      org.junit.jupiter.api.Assertions.assertArrayEquals(v.report(), r.toByteArray());
      org.junit.jupiter.api.Assertions.assertArrayEquals(java.util.Arrays.copyOf(v.report(), 0x2A0), r.signedBytes());
    }
  }
}
