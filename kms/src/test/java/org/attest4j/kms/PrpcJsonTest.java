package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.kms.proto.AppId;
import org.attest4j.kms.proto.EnvelopeMode;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetMetaResponse;
import org.attest4j.kms.proto.OvmfSection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrpcJsonTest {
  @Test
  void parsesDstackStyleJson() throws Exception {
    GetAppKeyAmdRequest r =
        PrpcJson.parse(
            "{\"snp_report\":\"0a0b\",\"app_id\":\"11\",\"vcpus\":4,\"sev_hashes_table_gpa\":\"8457216\","
                + "\"ovmf_sections\":[{\"gpa\":1,\"size\":4096,\"section_type\":16}],"
                + "\"envelope\":\"ENVELOPE_HPKE_V1\",\"nonce\":\"0xff\"}",
            GetAppKeyAmdRequest.getDefaultInstance());
    assertEquals(ByteString.copyFrom(new byte[] {10, 11}), r.getSnpReport());
    assertEquals("11", r.getAppId());
    assertEquals(4, r.getVcpus());
    assertEquals(8457216L, r.getSevHashesTableGpa());
    assertEquals(16, r.getOvmfSections(0).getSectionType());
    assertEquals(EnvelopeMode.ENVELOPE_HPKE_V1, r.getEnvelope());
    assertEquals(ByteString.copyFrom(new byte[] {(byte) 0xff}), r.getNonce());
  }

  @Test
  void printsSnakeCaseAndHex() {
    JsonObject o =
        PrpcJson.toJson(AppId.newBuilder().setAppId(ByteString.copyFrom(new byte[] {0x11, 0x22})).build());
    assertEquals("1122", o.get("app_id").getAsString());
    JsonObject meta = PrpcJson.toJson(GetMetaResponse.newBuilder().setCaCert("x").build());
    assertTrue(meta.has("ca_cert"));
    assertTrue(!meta.has("chain_id"), "unset optional fields are omitted");
  }

  @Test
  void uint32MaxRoundTrips() throws Exception {
    GetAppKeyAmdRequest r =
        GetAppKeyAmdRequest.newBuilder().setSevEsResetEip(0xfffffff0).setSevHashesTableGpa(-1L).build();
    GetAppKeyAmdRequest back = PrpcJson.parse(PrpcJson.print(r), GetAppKeyAmdRequest.getDefaultInstance());
    assertEquals(r, back);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "[]",
        "{\"app_id\":\"11\"",
        "{\"app_id\":\"11\"} x",
        "{app_id:\"11\"}",
        "{'app_id':'11'}",
        "{\"vcpus\":\"4\"}",
        "{\"vcpus\":-1}",
        "{\"vcpus\":4294967296}",
        "{\"vcpus\":1.5}",
        "{\"vcpus\":1e3}",
        "{\"vcpus\":true}",
        "{\"snp_report\":\"xyz\"}",
        "{\"snp_report\":\"abc\"}",
        "{\"snp_report\":12}",
        "{\"app_id\":{}}",
        "{\"ovmf_sections\":{}}",
        "{\"ovmf_sections\":[1]}",
        "{\"ovmf_sections\":[null]}",
        "{\"ovmf_sections\":[{\"bogus\":1}]}",
        "{\"no_such_field\":1}",
        "{\"envelope\":\"ENVELOPE_NOPE\"}",
        "{\"envelope\":99}",
        "{\"sev_hashes_table_gpa\":\"18446744073709551616\"}",
        "{\"sev_hashes_table_gpa\":\"0x10\"}",
        "null",
        "\"string\"",
      })
  void refusesMalformedJsonWithReason(String json) {
    MalformedEvidenceException e =
        assertThrows(
            MalformedEvidenceException.class,
            () -> PrpcJson.parse(json, GetAppKeyAmdRequest.getDefaultInstance()));
    assertEquals(KmsReason.BAD_REQUEST, e.reason());
    assertTrue(!e.getMessage().isBlank());
  }

  @Test
  void duplicateKeysAreRefused() {
    for (String json : new String[] {"{\"app_id\":\"11\",\"app_id\":\"22\"}",
        "{\"ovmf_sections\":[{\"gpa\":1,\"gpa\":2}]}"}) {
      MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
          () -> PrpcJson.parse(json, GetAppKeyAmdRequest.getDefaultInstance()));
      assertEquals(KmsReason.BAD_REQUEST, e.reason());
      assertTrue(e.getMessage().contains("repeats the key"), e.getMessage());
    }
  }

  @Test
  void deepNestingIsRefused() {
    String json = "[".repeat(100_000) + "]".repeat(100_000);
    assertThrows(
        MalformedEvidenceException.class,
        () -> PrpcJson.parse(json, GetAppKeyAmdRequest.getDefaultInstance()));
  }

  @Property(tries = 300)
  void arbitraryTextGivesOnlyTheLibraryException(@ForAll String text) {
    try {
      PrpcJson.parse(text, GetAppKeyAmdRequest.getDefaultInstance());
    } catch (MalformedEvidenceException expected) {
      // fine
    }
  }

  @Property(tries = 100)
  void roundTrip(@ForAll byte[] report, @ForAll int vcpus, @ForAll long gpa, @ForAll String vcpuType) throws Exception {
    GetAppKeyAmdRequest r =
        GetAppKeyAmdRequest.newBuilder()
            .setSnpReport(ByteString.copyFrom(report))
            .setVcpus(vcpus)
            .setSevHashesTableGpa(gpa)
            .setVcpuType(vcpuType)
            .addOvmfSections(OvmfSection.newBuilder().setGpa(vcpus).setSectionType(3))
            .build();
    assertEquals(r, PrpcJson.parse(PrpcJson.print(r), GetAppKeyAmdRequest.getDefaultInstance()));
  }
}
