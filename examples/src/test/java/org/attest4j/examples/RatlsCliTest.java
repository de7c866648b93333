package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code attest4j ratls check} and {@code ratls decode} on the dstack-ratls vectors. */
class RatlsCliTest {
  private static final String DIR = "vectors/dstack-ratls/";

  static Stream<Arguments> cases() {
    JsonObject root = SharedData.json(DIR + "certs/cases.json").getAsJsonObject();
    Stream.Builder<Arguments> b = Stream.builder();
    for (JsonElement c : root.getAsJsonArray("cases")) {
      b.add(Arguments.of(c.getAsJsonObject().get("id").getAsString(), c.getAsJsonObject()));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void checkOfflineGivesTheExpectedVerdictAndStage(String id, JsonObject c) {
    JsonObject e = c.getAsJsonObject("expected");
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
        "ratls", "check", "--cert", SharedData.path(DIR + c.get("file").getAsString()).toString(),
        "--mode", c.get("mode").getAsString(), "--at", c.get("reference_time").getAsString(),
        "--offline", "--json"));
    if (c.has("ca") && !c.get("ca").isJsonNull()) {
      args.add("--ca");
      args.add(SharedData.path(DIR + c.get("ca").getAsString()).toString());
    }
    CliRun r = CliRun.of(args.toArray(String[]::new));
    JsonObject out = JsonParser.parseString(r.out()).getAsJsonObject();
    boolean accept = e.get("mode_verdict").getAsString().equals("accept");
    assertEquals(accept ? 0 : 1, r.exit(), r.err());
    assertEquals(e.get("mode_verdict").getAsString(), out.get("verdict").getAsString());
    assertEquals(e.get("reject_stage"), out.get("stage"));
    assertEquals("not checked (--offline)", out.get("vendor_signatures").getAsString());
    JsonObject att = e.getAsJsonObject("attestation");
    if (accept && att.has("platform")) {
      assertEquals(att.get("platform"), out.get("platform"));
      assertEquals(att.get("report_data"), out.get("report_data"));
    }
  }

  @Test
  void fullModeChecksTheVendorSignatureAndRefusesThePatchedQuote() {
    // the vectors patch report_data into a real quote: its attestation-key signature is invalid
    CliRun r = CliRun.of("ratls", "check", "--cert", SharedData.path(DIR + "certs/pos-tdx-v0-guest-client.pem").toString(),
        "--mode", "kms-client", "--ca", SharedData.path(DIR + "pki/tmp-ca.pem").toString(),
        "--at", "2026-08-08T00:00:00Z", "--json");
    assertEquals(1, r.exit(), r.out());
    JsonObject out = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals("vendor", out.get("stage").getAsString());
    assertEquals(4, out.getAsJsonArray("offline_checks").size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"attestation.bin", "sev_snp_attestation.bin", "tdx-lite-attestation.json"})
  void decodePrintsTheV1View(String name) {
    CliRun r = CliRun.of("ratls", "decode", "--attestation", SharedData.path(DIR + "fixtures/" + name).toString());
    assertEquals(0, r.exit(), r.err());
    JsonObject out = JsonParser.parseString(r.out()).getAsJsonObject();
    JsonObject decoded = SharedData.json(DIR + "decoded/" + name + ".json").getAsJsonObject();
    assertEquals(decoded.get("attestation"), out.get("attestation"));
    assertEquals("v0-scale", out.get("wire_format").getAsString());
  }

  @Test
  void decodeRefusesGarbageWithExit1() {
    CliRun r = CliRun.of("ratls", "decode", "--attestation", SharedData.path(DIR + "pki/tmp-ca.pem").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("wire format"), r.err());
  }
}
