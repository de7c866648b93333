package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The AppInfo (.9) and SignCert CSR known answers of vectors/dstack-ratls/misc: every AppInfo form
 * decodes to its value and re-encodes byte for byte; the CSRs decode, re-encode and verify (or are
 * refused) as dstack's KMS does.
 */
class AppInfoAndCsrVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  private static Stream<JsonObject> cases(String file) {
    return StreamSupport.stream(
            JsonParser.parseString(SharedData.text("vectors/dstack-ratls/misc/" + file))
                .getAsJsonArray().spliterator(), false)
        .map(JsonElement::getAsJsonObject);
  }

  static Stream<JsonObject> appInfos() {
    return cases("app-info.json");
  }

  private static Bytes hex(JsonObject o, String k) {
    return Bytes.of(HEX.parseHex(o.get(k).getAsString()));
  }

  @ParameterizedTest
  @MethodSource("appInfos")
  void appInfoDecodesAndReencodes(JsonObject c) throws Exception {
    byte[] bytes = HEX.parseHex(c.get("hex").getAsString());
    JsonObject d = c.getAsJsonObject("decoded");
    AppInfo a = AppInfo.parse(bytes);
    assertEquals(hex(d, "app_id"), a.appId());
    assertEquals(hex(d, "compose_hash"), a.composeHash());
    assertEquals(hex(d, "instance_id"), a.instanceId());
    assertEquals(hex(d, "device_id"), a.deviceId());
    assertEquals(hex(d, "mr_system"), a.mrSystem());
    assertEquals(hex(d, "mr_aggregated"), a.mrAggregated());
    assertEquals(hex(d, "os_image_hash"), a.osImageHash());
    assertEquals(hex(d, "key_provider_info"), a.keyProviderInfo());
    Optional<List<Bytes>> scripts = Optional.empty();
    if (!d.get("init_script_hashes").isJsonNull()) {
      List<Bytes> l = new ArrayList<>();
      d.getAsJsonArray("init_script_hashes")
          .forEach(e -> l.add(Bytes.of(HEX.parseHex(e.getAsString()))));
      scripts = Optional.of(l);
    }
    assertEquals(scripts, a.initScriptHashes());
    assertEquals(d.get("_form").getAsString(),
        a.encoding() == AppInfo.Encoding.NAMED ? "named" : "positional");
    assertArrayEquals(bytes, a.encode());
  }

  @Test
  void appInfoRefusesWhatDstackCannotWrite() throws Exception {
    JsonObject named = appInfos().filter(c -> c.get("id").getAsString().equals("app-info-named"))
        .findFirst().orElseThrow();
    byte[] ok = HEX.parseHex(named.get("hex").getAsString());
    byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
    assertEquals(RatlsReason.TRAILING_BYTES,
        assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(trailing)).reason());
    byte[] truncated = java.util.Arrays.copyOf(ok, ok.length - 1);
    assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(truncated));
    // a 7-element array
    byte[] seven = HEX.parseHex("97c400c400c400c400c420" + "00".repeat(32) + "c420" + "00".repeat(32)
        + "c400");
    assertEquals(CoreReason.BAD_FIELD,
        assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(seven)).reason());
    // mr_system of 31 bytes
    byte[] shortMr = HEX.parseHex("98c400c400c400c400c41f" + "00".repeat(31) + "c420" + "00".repeat(32)
        + "c400c400");
    assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(shortMr));
    // app_id as an array of integers instead of bin
    byte[] arrayField = HEX.parseHex("9891a1c400c400c400c420" + "00".repeat(32) + "c420"
        + "00".repeat(32) + "c400c400");
    assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(arrayField));
    // a map with app_id twice
    byte[] dup = HEX.parseHex("82a6" + HEX.formatHex("app_id".getBytes()) + "c400a6"
        + HEX.formatHex("app_id".getBytes()) + "c400");
    assertEquals(RatlsReason.DUPLICATE_KEY,
        assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(dup)).reason());
    // a map missing fields
    byte[] missing = HEX.parseHex("81a6" + HEX.formatHex("app_id".getBytes()) + "c400");
    assertEquals(RatlsReason.MISSING_FIELD,
        assertThrows(MalformedEvidenceException.class, () -> AppInfo.parse(missing)).reason());
  }

  @Test
  void appInfoConvertsBetweenEncodings() throws Exception {
    JsonObject named = appInfos().filter(c -> c.get("id").getAsString().equals("app-info-named"))
        .findFirst().orElseThrow();
    JsonObject pos9 = appInfos().filter(c -> c.get("id").getAsString().equals("app-info-positional-9"))
        .findFirst().orElseThrow();
    AppInfo a = AppInfo.parse(HEX.parseHex(named.get("hex").getAsString()));
    assertArrayEquals(HEX.parseHex(pos9.get("hex").getAsString()),
        a.withEncoding(AppInfo.Encoding.POSITIONAL_9).encode());
    assertThrows(IllegalArgumentException.class,
        () -> a.withEncoding(AppInfo.Encoding.POSITIONAL_8));
  }

  private static JsonObject csr(String id) {
    return cases("csr.json").filter(c -> c.get("id").getAsString().equals(id)).findFirst()
        .orElseThrow();
  }

  private static CertConfig config(JsonObject c) {
    JsonObject j = c.getAsJsonObject("config");
    List<String> sans = new ArrayList<>();
    j.getAsJsonArray("subject_alt_names").forEach(e -> sans.add(e.getAsString()));
    return new CertConfig(
        j.get("org_name").isJsonNull() ? Optional.empty() : Optional.of(j.get("org_name").getAsString()),
        j.get("subject").getAsString(), sans,
        j.get("usage_server_auth").getAsBoolean(), j.get("usage_client_auth").getAsBoolean(),
        j.get("ext_quote").getAsBoolean(), j.get("ext_app_info").getAsBoolean(),
        j.get("not_before").isJsonNull() ? OptionalLong.empty()
            : OptionalLong.of(j.get("not_before").getAsLong()),
        j.get("not_after").isJsonNull() ? OptionalLong.empty()
            : OptionalLong.of(j.get("not_after").getAsLong()));
  }

  @Test
  void upstreamScaleVectorsReencode() throws Exception {
    for (String id : List.of("csr-v2-repo-vector-1", "csr-v2-repo-vector-2")) {
      JsonObject c = csr(id);
      byte[] bytes = HEX.parseHex(c.get("csr_hex").getAsString());
      CertSigningRequest r = CertSigningRequest.parse(2, bytes);
      assertEquals(config(c), r.config(), id);
      assertEquals(hex(c, "pubkey"), r.publicKey(), id);
      assertEquals(CertSigningRequest.CONFIRM, r.confirm());
      assertArrayEquals(bytes, CertSigningRequest.encodeV2(HEX.parseHex(c.get("pubkey").getAsString()),
          r.config(), r.attestation()), id);
    }
  }

  @Test
  void signedV2RequestVerifiesAndReencodes() throws Exception {
    JsonObject c = csr("csr-v2-signed");
    byte[] bytes = HEX.parseHex(c.get("csr_hex").getAsString());
    CertSigningRequest r = CertSigningRequest.parse(2, bytes);
    assertEquals(config(c), r.config());
    assertEquals(hex(c, "pubkey"), r.publicKey());
    r.verify(HEX.parseHex(c.get("signature_der_hex").getAsString()));
    assertArrayEquals(bytes, CertSigningRequest.encodeV2(r.publicKey().toByteArray(), r.config(),
        r.attestation()));
    assertTrue(r.toString().contains("app.example.test"));
    // one flipped signature bit
    byte[] sig = HEX.parseHex(c.get("signature_der_hex").getAsString());
    sig[sig.length - 1] ^= 1;
    assertEquals(RatlsReason.BAD_CSR,
        assertThrows(VerificationException.class, () -> r.verify(sig)).reason());
    assertEquals(RatlsReason.BAD_CSR,
        assertThrows(VerificationException.class, () -> r.verify(new byte[0])).reason());
  }

  @Test
  void badConfirmWordIsRefusedAfterAValidSignature() throws Exception {
    JsonObject c = csr("csr-v2-bad-confirm");
    CertSigningRequest r = CertSigningRequest.parse(2, HEX.parseHex(c.get("csr_hex").getAsString()));
    VerificationException e = assertThrows(VerificationException.class,
        () -> r.verify(HEX.parseHex(c.get("signature_der_hex").getAsString())));
    assertEquals(RatlsReason.BAD_CSR, e.reason());
    assertTrue(e.getMessage().contains("confirm word"), e.getMessage());
  }

  @Test
  void v1RequestUpgradesAndFailsItsBinding() throws Exception {
    JsonObject c = csr("csr-v1-signed");
    CertSigningRequest r = CertSigningRequest.parse(1, HEX.parseHex(c.get("csr_hex").getAsString()));
    assertEquals(1, r.apiVersion());
    assertEquals(hex(c, "pubkey"), r.publicKey());
    assertEquals("tdx", r.attestation().attestation().platform().kind());
    assertEquals(RatlsReason.REPORT_DATA_MISMATCH, assertThrows(VerificationException.class,
        () -> r.verify(HEX.parseHex(c.get("signature_der_hex").getAsString()))).reason());
  }

  @Test
  void unknownApiVersionAndTrailingGarbageAreRefused() throws Exception {
    byte[] bytes = HEX.parseHex(csr("csr-v2-repo-vector-1").get("csr_hex").getAsString());
    assertEquals(RatlsReason.BAD_CSR, assertThrows(MalformedEvidenceException.class,
        () -> CertSigningRequest.parse(3, bytes)).reason());
    assertThrows(MalformedEvidenceException.class,
        () -> CertSigningRequest.parse(2, java.util.Arrays.copyOf(bytes, 20)));
    byte[] badBool = bytes.clone();
    int at = 18 + 4 + 1 + 17 + 1; // confirm, pubkey, org None, subject, no SANs: usage_server_auth
    assertEquals(1, badBool[at]);
    badBool[at] = 2;
    assertEquals(CoreReason.BAD_FIELD, assertThrows(MalformedEvidenceException.class,
        () -> CertSigningRequest.parse(2, badBool)).reason());
  }
}
