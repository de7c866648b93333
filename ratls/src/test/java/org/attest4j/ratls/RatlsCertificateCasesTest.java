package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 25 generated RA-TLS certificate cases (vectors/dstack-ratls/certs/cases.json): each gives its
 * expected verdict and reject stage in its mode, offline (the vectors patch report_data into real
 * evidence, so vendor signatures are invalid by design and not part of any verdict).
 */
class RatlsCertificateCasesTest {
  static Stream<Arguments> cases() {
    JsonObject root = SharedData.json("vectors/dstack-ratls/certs/cases.json").getAsJsonObject();
    Stream.Builder<Arguments> b = Stream.builder();
    for (JsonElement c : root.getAsJsonArray("cases")) {
      b.add(Arguments.of(c.getAsJsonObject().get("id").getAsString(), c.getAsJsonObject()));
    }
    return b.build();
  }

  static RatlsVerdict run(JsonObject c) {
    RatlsVerifier.Mode mode = RatlsVerifier.Mode.fromLabel(c.get("mode").getAsString());
    Instant at = Instant.parse(c.get("reference_time").getAsString());
    RatlsVerifier.Builder b =
        RatlsVerifier.builder(mode).clock(Clock.fixed(at, ZoneOffset.UTC));
    if (c.has("ca") && !c.get("ca").isJsonNull()) {
      b.trustedCa(SharedData.bytes("vectors/dstack-ratls/" + c.get("ca").getAsString()));
    }
    return b.build().verify(SharedData.bytes("vectors/dstack-ratls/" + c.get("file").getAsString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verdictAndStageAsExpected(String id, JsonObject c) {
    JsonObject e = c.getAsJsonObject("expected");
    RatlsVerdict v = run(c);
    boolean accept = e.get("mode_verdict").getAsString().equals("accept");
    assertEquals(accept, v.accepted(), () -> id + ": " + v);
    if (!accept) {
      assertEquals(e.get("reject_stage").getAsString(), v.rejectStage().orElseThrow().label(),
          () -> id + ": " + v);
    } else {
      assertFalse(v.vendorChecked());
    }
    assertEquals(e.get("expected_report_data").getAsString(), v.expectedReportData().orElseThrow().toHex());
    JsonObject att = e.getAsJsonObject("attestation");
    if (att.get("status").getAsString().equals("ok") && v.attestation().isPresent()) {
      VersionedAttestation va = v.attestation().get();
      assertEquals(att.get("source").getAsString(), v.source().orElseThrow());
      assertEquals(att.get("platform").getAsString(), va.attestation().platform().kind());
      assertEquals(att.get("stack").getAsString(), va.attestation().stack().kind());
      assertEquals(att.get("report_data").getAsString(), va.attestation().stack().reportData().toHex());
      if (att.has("wire_format") && v.source().get().equals("oid-1.8")) {
        assertEquals(att.get("wire_format").getAsString(), va.wireFormat().label());
      }
    }
    if (e.has("ratls_ok") && e.get("ratls_ok").getAsBoolean() && accept) {
      assertTrue(v.checks().size() >= 2, () -> id + " ran checks " + v.checks());
    }
  }
}
