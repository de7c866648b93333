package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** vectors/dstack/host-data.jsonl, the fixture MrConfigV3 and the spec §7 HOST_DATA vectors. */
class HostDataVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  @TestFactory
  Stream<DynamicTest> hostDataJsonl() {
    return SharedData.jsonLines("vectors/dstack/host-data.jsonl").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> check(c)));
  }

  private static Bytes hexOrNull(JsonObject o, String k) {
    JsonElement e = o.get(k);
    return e == null || e.isJsonNull() ? null : Bytes.fromHex(e.getAsString());
  }

  private static void check(JsonObject c) throws Exception {
    byte[] doc = c.get("document").getAsString().getBytes(StandardCharsets.UTF_8);
    assertEquals(c.get("document_hex").getAsString(), HEX.formatHex(doc));
    MrConfigV3 cfg = MrConfigV3.parse(doc);
    assertArrayEquals(doc, cfg.documentBytes());
    assertEquals(c.get("host_data").getAsString(), cfg.hostData().toHex());
    assertEquals(c.get("host_data").getAsString(), MrConfigV3.hostDataOf(doc).toHex());
    assertEquals(c.get("mr_config_id_v3").getAsString(), cfg.mrConfigId().toHex());
    assertEquals(c.get("mr_config_id_v1").getAsString(), cfg.mrConfigIdV1().toHex());
    JsonElement v2 = c.get("mr_config_id_v2");
    if (v2 == null || v2.isJsonNull()) {
      assertTrue(cfg.mrConfigIdV2().isEmpty());
    } else {
      assertEquals(v2.getAsString(), cfg.mrConfigIdV2().orElseThrow().toHex());
    }
    // the public MrConfigId functions give the same values from the document's fields
    assertEquals(cfg.mrConfigId(), MrConfigId.v3(cfg.hostData()));
    assertEquals(cfg.mrConfigIdV1(), MrConfigId.v1(cfg.composeHash()));
    cfg.appId().ifPresent(app -> assertEquals(cfg.mrConfigIdV2().orElseThrow(),
        MrConfigId.v2(cfg.composeHash(), app, cfg.keyProvider(), cfg.keyProviderId())));
    assertEquals(c.get("key_provider_info").getAsString(), cfg.keyProviderInfo());
    Bytes m = Bytes.fromHex(c.get("snp_measurement").getAsString());
    assertEquals(c.get("snp_mr_system").getAsString(), MrConfigV3.snpMrSystem(m).toHex());
    assertEquals(c.get("snp_mr_aggregated").getAsString(), cfg.snpMrAggregated(m).toHex());

    JsonObject f = c.getAsJsonObject("fields");
    Bytes appId = f.get("app_id").getAsString().isEmpty() ? null : hexOrNull(f, "app_id");
    assertEquals(appId, cfg.appId().orElse(null));
    assertEquals(hexOrNull(f, "compose_hash"), cfg.composeHash());
    assertEquals(hexOrNull(f, "gpu_policy_hash"), cfg.gpuPolicyHash().orElse(null));
    assertEquals(f.get("key_provider").getAsString(), cfg.keyProvider().jsonValue());
    Bytes kpId = hexOrNull(f, "key_provider_id");
    assertEquals(kpId == null ? Bytes.empty() : kpId, cfg.keyProviderId());
    Bytes inst = f.get("instance_id").getAsString().isEmpty() ? null : hexOrNull(f, "instance_id");
    assertEquals(inst, cfg.instanceId().orElse(null));
    JsonElement init = f.get("init_script_hashes");
    if (init == null || init.isJsonNull()) {
      assertTrue(cfg.initScriptHashes().isEmpty());
    } else {
      List<Bytes> got = cfg.initScriptHashes().orElseThrow();
      assertEquals(init.getAsJsonArray().size(), got.size());
      for (int i = 0; i < got.size(); i++) {
        assertEquals(Bytes.fromHex(init.getAsJsonArray().get(i).getAsString()), got.get(i));
      }
    }

    cfg.checkHostData(cfg.hostData());
    cfg.checkMrConfigId(cfg.mrConfigId());
    byte[] flipped = cfg.hostData().toByteArray();
    flipped[31] ^= 1;
    Bytes wrong = Bytes.of(flipped);
    VerificationException e = assertThrows(VerificationException.class, () -> cfg.checkHostData(wrong));
    assertEquals(CryptoReason.HOST_DATA_MISMATCH, e.reason());

    // the builder writes the JCS form; for a pretty-printed document it differs (and must not be used)
    MrConfigV3.Builder b =
        MrConfigV3.builder()
            .appId(appId)
            .composeHash(cfg.composeHash())
            .gpuPolicyHash(cfg.gpuPolicyHash().orElse(null))
            .keyProvider(cfg.keyProvider())
            .keyProviderId(cfg.keyProviderId())
            .instanceId(inst)
            .initScriptHashes(cfg.initScriptHashes().orElse(null));
    MrConfigV3 jcs = b.build();
    if (c.get("is_jcs_canonical").getAsBoolean()) {
      assertArrayEquals(doc, jcs.documentBytes(), "builder reproduces the JCS document");
    } else {
      assertNotEquals(c.get("host_data").getAsString(), jcs.hostData().toHex());
      assertEquals(c.get("host_data_of_jcs_form").getAsString(), jcs.hostData().toHex());
    }
  }

  /** The 428-byte document embedded in dstack's sev_snp_attestation.bin (spec §7). */
  @Test
  void fixtureDocument() throws Exception {
    byte[] doc = SharedData.bytes("vectors/dstack/fixtures/mr_config_v3.json");
    assertEquals(428, doc.length);
    MrConfigV3 cfg = MrConfigV3.parse(doc);
    assertEquals(
        "783f0057820acb99249af56cc3b07b4e8d80f65183167cba9cf437bb680f742f", cfg.hostData().toHex());
    assertEquals(KeyProviderKind.KMS, cfg.keyProvider());
    // its key_provider_id is a P-256 SPKI: usable as the trusted KMS key for sealed responses
    assertEquals(32, cfg.kmsPublicKey().keyId().length());
  }

  /** dstack mr_config.rs doc-string vector (spec §7). */
  @Test
  void mrConfigRsVector() throws Exception {
    MrConfigV3 cfg =
        MrConfigV3.builder()
            .appId(Bytes.fromHex("11".repeat(20)))
            .composeHash(Bytes.fromHex("22".repeat(32)))
            .gpuPolicyHash(Bytes.fromHex("55".repeat(32)))
            .instanceId(Bytes.fromHex("44".repeat(20)))
            .keyProvider(KeyProviderKind.KMS)
            .keyProviderId(Bytes.fromHex("33".repeat(32)))
            .build();
    assertEquals(
        "90e5cffa571b22c2ca846872d6fb7b071aa1346f1a1f87f72869c47b39d94099", cfg.hostData().toHex());
    assertEquals(
        "0390e5cffa571b22c2ca846872d6fb7b071aa1346f1a1f87f72869c47b39d94099" + "00".repeat(15),
        cfg.mrConfigId().toHex());
  }

  @Test
  void refusesInvalidDocuments() {
    String ok = "{\"compose_hash\":\"" + "22".repeat(32) + "\",\"key_provider\":\"none\",\"version\":3}";
    List<String> bad = new ArrayList<>();
    bad.add("");
    bad.add("[]");
    bad.add("{}");
    bad.add(ok + "x");
    bad.add(ok.replace("\"version\":3", "\"version\":2"));
    bad.add(ok.replace("\"version\":3", "\"version\":\"3\""));
    bad.add(ok.replace("\"version\":3", "\"version\":3.0"));
    bad.add(ok.replace("\"version\":3", "\"version\":3,\"extra\":1"));
    bad.add(ok.replace("\"version\":3", "\"version\":3,\"version\":3"));
    bad.add(ok.replace("none", "sgx"));
    bad.add(ok.replace("22", "2g"));
    bad.add(ok.replace("\"" + "22".repeat(32) + "\"", "\"" + "22".repeat(31) + "\""));
    bad.add(ok.replace("{", "{\"app_id\":\"" + "11".repeat(19) + "\","));
    bad.add(ok.replace("{", "{\"app_id\":17,"));
    bad.add(ok.replace("{", "{\"init_script_hashes\":\"00\","));
    bad.add(ok.replace("\"key_provider\":\"none\",", ""));
    bad.add(ok.replace("{", "{/*c*/"));
    for (String s : bad) {
      MalformedEvidenceException e =
          assertThrows(MalformedEvidenceException.class, () -> MrConfigV3.parse(s.getBytes(StandardCharsets.UTF_8)), s);
      assertEquals(CryptoReason.MALFORMED_MR_CONFIG, e.reason(), s);
    }
    assertThrows(MalformedEvidenceException.class, () -> MrConfigV3.parse(new byte[] {'{', (byte) 0xff, '}'}));
    assertFalse(ok.isEmpty());
  }
}
