package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.attest4j.examples.TdxCliTest.Run;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tdx verify}'s relaxation flags on quotes shaped like Azure's (td_attributes 0) and
 * Alibaba's TD 1.5 (non-zero mr_servicetd), made by a simulated platform trusted with
 * {@code --trust-root}; the quote input shapes; header fields and "not yet valid" in the JSON.
 */
class TdxCliRelaxationsTest {
  private static final Instant NOW = Instant.parse("2026-05-01T00:00:00Z");
  private static final SimulatedTdxPlatform P = SimulatedTdxPlatform.builder().now(NOW).build();

  @TempDir static Path dir;
  static Path root;
  static Path collateral;

  @BeforeAll
  static void files() throws Exception {
    root = Files.writeString(dir.resolve("root.pem"), P.rootCertificatePem());
    collateral = Files.writeString(dir.resolve("collateral.json"), P.collateral().toQuoteCollateralJson());
  }

  private static Run verify(byte[] quote, String... extra) throws Exception {
    Path q = Files.createTempFile(dir, "quote", ".bin");
    Files.write(q, quote);
    List<String> a = new ArrayList<>(List.of("tdx", "verify", "--quote", q.toString(), "--collateral",
        collateral.toString(), "--at", NOW.toString(), "--json"));
    a.addAll(Arrays.asList(extra));
    return TdxCliTest.run(a.toArray(String[]::new));
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    a.forEach(e -> out.add(e.getAsString()));
    return out;
  }

  @Test
  void azureShapedQuoteNeedsAllowWithoutSeptVeDisable() throws Exception {
    byte[] q = P.quoteBuilder().tdAttributes(0).build();
    Run refused = verify(q, "--trust-root", root.toString());
    assertEquals(1, refused.exit(), refused.out() + refused.err());
    assertEquals("TD_ATTRIBUTES_NOT_ALLOWED", refused.json().get("reason").getAsString());
    assertEquals(List.of(), strings(refused.json().getAsJsonArray("relaxations")));

    Run ok = verify(q, "--trust-root", root.toString(), "--allow-without-sept-ve-disable");
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertEquals(List.of("--allow-without-sept-ve-disable"), strings(ok.json().getAsJsonArray("relaxations")));
    assertFalse(ok.json().getAsJsonObject("trust_root").get("intel").getAsBoolean());
  }

  @Test
  void alibabaShapedTd15QuoteNeedsAllowServiceTd() throws Exception {
    byte[] svc = new byte[48];
    Arrays.fill(svc, (byte) 0x5a);
    byte[] q = P.quoteBuilder().td15(true).mrServiceTd(svc).build();
    Run refused = verify(q, "--trust-root", root.toString());
    assertEquals(1, refused.exit());
    assertEquals("SERVICE_TD_NOT_ALLOWED", refused.json().get("reason").getAsString());

    Run ok = verify(q, "--trust-root", root.toString(), "--allow-service-td", "--allow-debug");
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertEquals(List.of("--allow-debug", "--allow-service-td"), strings(ok.json().getAsJsonArray("relaxations")));
    assertEquals(5, ok.json().get("quote_version").getAsInt());
    assertEquals("5a".repeat(48), ok.json().get("mr_servicetd").getAsString());
  }

  @Test
  void simulatedRootIsRefusedWithoutTrustRoot() throws Exception {
    Run r = verify(P.quoteBuilder().build());
    assertEquals(1, r.exit());
    assertEquals("UNTRUSTED_ROOT", r.json().get("reason").getAsString());
    assertTrue(r.json().getAsJsonObject("trust_root").get("intel").getAsBoolean());
    assertEquals(2, TdxCliTest.run("tdx", "verify", "--quote", root.toString(), "--trust-root",
        collateral.toString()).exit());
  }

  @Test
  void headerFieldsIncludingUserData() throws Exception {
    byte[] ud = "qe-vendor-user-data!".getBytes(StandardCharsets.US_ASCII);
    Run r = verify(P.quoteBuilder().userData(ud).qeSvn(9).headerPceSvn(13).build(), "--trust-root", root.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    JsonObject q = r.json().getAsJsonObject("quote");
    assertEquals(org.attest4j.core.Bytes.of(ud).toHex(), q.get("user_data").getAsString());
    assertEquals(9, q.get("qe_svn").getAsInt());
    assertEquals(13, q.get("pce_svn_header").getAsInt());
    for (String k : List.of("quote_version", "attestation_key_type", "tee_type", "qe_vendor_id", "user_data")) {
      assertTrue(r.json().has(k), k);
    }
  }

  @Test
  void nestedBase64JsonQuoteReads() throws Exception {
    Path d = SharedData.path("vectors/tdx/dcapqvl-v4-b0c06f-uptodate");
    String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(d.resolve("quote.bin")));
    Path q = Files.writeString(dir.resolve("gcp.json"), "{\n  \"platform\": \"gcp\",\n  \"tdx\": {\"quote\": \"" + b64 + "\"}\n}\n");
    Run r = TdxCliTest.run("tdx", "verify", "--quote", q.toString(), "--collateral-dir", d.toString(),
        "--at", "1752919234", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals("JSON tdx.quote (base64)", r.json().get("quote_input").getAsString());

    Path bad = Files.writeString(dir.resolve("bad.json"), "{\n  \"tdx\": {\"report\": \"00\"}\n}\n");
    Run refused = TdxCliTest.run("tdx", "verify", "--quote", bad.toString(), "--json");
    assertEquals(1, refused.exit());
    assertEquals("QUOTE_PARSE_ERROR", refused.json().get("reason").getAsString());
    assertTrue(refused.json().get("message").getAsString().contains("nested"), refused.out());
  }

  @Test
  void collateralNotYetValidIsNamed() {
    Path d = SharedData.path("vectors/tdx/dcapqvl-v4-b0c06f-uptodate");
    Run r = TdxCliTest.run("tdx", "verify", "--quote", d.resolve("quote.bin").toString(), "--collateral-dir",
        d.toString(), "--at", "2025-06-01T00:00:00Z", "--json");
    assertEquals(1, r.exit());
    assertEquals("COLLATERAL_NOT_YET_VALID", r.json().get("reason").getAsString(), r.out());
  }
}
