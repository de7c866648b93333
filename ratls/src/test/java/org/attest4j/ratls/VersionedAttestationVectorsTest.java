package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * dstack's own attestation fixtures and the generated V1 encodings (vectors/dstack-ratls): every
 * fixture decodes to its {@code decoded/*.json} view, re-encodes byte for byte, and its V1 projection
 * equals {@code v1/*.v1.msgpack} in both directions.
 */
class VersionedAttestationVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  static Stream<Arguments> fixtures() {
    return Stream.of(
        "attestation.bin",
        "sev_snp_attestation.bin",
        "nitro_attestation.bin",
        "nitro_attestation_dbg.bin",
        "tdx-lite-attestation.json",
        "sev-snp-attestation.json")
        .map(Arguments::of);
  }

  private static byte[] fixtureBytes(String name) {
    byte[] raw = SharedData.bytes("vectors/dstack-ratls/fixtures/" + name);
    if (name.endsWith(".json")) {
      String hex = JsonParser.parseString(new String(raw, java.nio.charset.StandardCharsets.UTF_8))
          .getAsJsonObject().get("attestation").getAsString();
      return HEX.parseHex(hex);
    }
    return raw;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void fixtureDecodesToItsViewAndReencodesExactly(String name) throws Exception {
    byte[] bytes = fixtureBytes(name);
    JsonObject decoded =
        JsonParser.parseString(SharedData.text("vectors/dstack-ratls/decoded/" + name + ".json"))
            .getAsJsonObject();
    VersionedAttestation va = VersionedAttestation.parse(bytes);
    assertEquals(decoded.get("wire_format").getAsString(), va.wireFormat().label());
    assertEquals(decoded.get("attestation"), AttestationJson.tree(va.attestation()));
    assertArrayEquals(bytes, va.encode(), "V0 re-encoding differs");

    byte[] v1 = SharedData.bytes("vectors/dstack-ratls/v1/" + name + ".v1.msgpack");
    assertArrayEquals(v1, VersionedAttestation.encodeV1(va.attestation()), "V1 projection differs");
    VersionedAttestation back = VersionedAttestation.parse(v1);
    assertEquals(WireFormat.V1_MSGPACK, back.wireFormat());
    assertEquals(va.attestation(), back.attestation());
    assertArrayEquals(bytes, VersionedAttestation.encodeV0(back.attestation()), "V1 -> V0 differs");
  }

  static Stream<Arguments> synthetic() {
    JsonArray cases =
        JsonParser.parseString(SharedData.text("vectors/dstack-ratls/v1/synthetic.json"))
            .getAsJsonArray();
    Stream.Builder<Arguments> b = Stream.builder();
    for (JsonElement c : cases) {
      JsonObject o = c.getAsJsonObject();
      b.add(Arguments.of(o.get("id").getAsString(), o.get("msgpack_hex").getAsString(),
          o.get("decoded")));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("synthetic")
  void syntheticV1DecodesAndReencodesExactly(String id, String hex, JsonElement decoded)
      throws Exception {
    byte[] bytes = HEX.parseHex(hex);
    VersionedAttestation va = VersionedAttestation.parse(bytes);
    assertEquals(WireFormat.V1_MSGPACK, va.wireFormat());
    assertEquals(decoded, AttestationJson.tree(va.attestation()));
    assertArrayEquals(bytes, va.encode());
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void everyTruncationIsATypedRefusal(String name) {
    byte[] bytes = fixtureBytes(name);
    // every prefix length that cuts a field must refuse, never throw a runtime exception
    for (int len = 0; len < bytes.length; len += Math.max(1, bytes.length / 300)) {
      byte[] cut = java.util.Arrays.copyOf(bytes, len);
      assertThrows(MalformedEvidenceException.class, () -> VersionedAttestation.parse(cut));
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void strippedFormIsWhatACertificateCarries(String name) throws Exception {
    JsonObject emb = JsonParser.parseString(
            SharedData.text("vectors/dstack-ratls/decoded/" + name + ".json"))
        .getAsJsonObject().getAsJsonObject("derived").getAsJsonObject("cert_embedding");
    VersionedAttestation va = VersionedAttestation.parse(fixtureBytes(name));
    Attestation stripped = va.attestation().stripped();
    int events = stripped.platform() instanceof PlatformEvidence.Tdx t ? t.eventLog().size() : 0;
    assertEquals(emb.get("stripped_event_log_len").getAsInt(), events, "stripped event count");
    byte[] enc = VersionedAttestation.of(va.wireFormat(), stripped).encode();
    assertEquals(emb.get("wire_format").getAsString(), va.wireFormat().label());
    assertEquals(emb.get("len").getAsInt(), enc.length, "stripped length");
    assertEquals(emb.get("sha256").getAsString(),
        HEX.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(enc)));
  }
}
