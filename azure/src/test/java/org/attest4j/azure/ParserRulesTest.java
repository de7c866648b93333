package org.attest4j.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.Pcrs;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.azure.tpm.TpmtSignature;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each refusal rule of the HCL report, the runtime claims and the TPM structures (spec 2, 3, 5). */
class ParserRulesTest {
  static final String CLAIMS = "{\"keys\":[{\"kid\":\"HCLAkPub\",\"key_ops\":[\"sign\"],\"kty\":\"RSA\",\"e\":\"AQAB\","
      + "\"n\":\"xyz0\"}],\"vm-configuration\":{\"secure-boot\":true,\"vmUniqueId\":\"X\"},\"user-data\":\"AB00\"}";

  static byte[] hcl() throws MalformedEvidenceException {
    return HclReport.assemble(1, AzurePlatform.SNP, new byte[1184], CLAIMS.getBytes(StandardCharsets.UTF_8), 2048)
        .toByteArray();
  }

  static void putU32(byte[] b, int off, int v) {
    ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
  }

  @Test
  void assembledReportParsesBack() throws Exception {
    HclReport r = HclReport.parse(hcl());
    assertEquals(CLAIMS, new String(r.variableData().toByteArray(), StandardCharsets.UTF_8));
    assertEquals(AzurePlatform.SNP, r.platform().orElseThrow());
    assertEquals(0x4D4 + CLAIMS.length(), r.reportSize());
    RuntimeClaims c = RuntimeClaims.parse(r.variableData().toByteArray());
    assertEquals(true, c.vmFlag("secure-boot").orElseThrow());
    assertEquals("ab00", c.userData().orElseThrow().toHex());
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0x424C4348", // magic
    "4, 3", // header version
    "12, 3", // request_type
    "1220, 2", // request-data version (0x4C4)
    "1228, 0", // hash type (0x4CC)
    "1228, 4",
    "1216, 21", // data_size (0x4C0)
    "8, 100", // report_size
    "1232, 5000" // variable_data_size past the buffer (0x4D0)
  })
  void everyStructureRuleIsEnforced(int offset, String value) throws Exception {
    byte[] b = hcl();
    putU32(b, offset, Integer.decode(value));
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, () -> HclReport.parse(b));
    assertEquals(AzureReason.BAD_HCL_REPORT, e.reason());
  }

  @Test
  void shortReportIsRefused() {
    assertThrows(MalformedEvidenceException.class, () -> HclReport.parse(new byte[0x4D3]));
    assertThrows(MalformedEvidenceException.class, () -> HclReport.parse(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "[]",
    "{}",
    "{\"keys\":{}}",
    "{\"keys\":[]}",
    "{\"keys\":[1]}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"EC\",\"e\":\"AQAB\",\"n\":\"xyz0\"}]}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"x*z0\"}]}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\"}]}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"},"
        + "{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"}]}",
    "{\"keys\":[{\"kid\":\"HCLEkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"}]}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"}],\"user-data\":\"zz\"}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"}],\"vm-configuration\":[]}",
    "{\"keys\":[{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"}]} x",
    "{'keys':[]}"
  })
  void claimsRulesAreEnforced(String json) {
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> RuntimeClaims.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(AzureReason.BAD_RUNTIME_CLAIMS, e.reason());
  }

  @Test
  void theAkIsFoundByKidNotPosition() throws Exception {
    String json = "{\"keys\":[{\"kid\":\"HCLEkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"AAAA\"},"
        + "{\"kid\":\"HCLAkPub\",\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"xyz0\"}]}";
    RuntimeClaims c = RuntimeClaims.parse(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("c72cf4", c.attestationKey().n().toHex());
    assertEquals("000000", c.endorsementKey().orElseThrow().n().toHex());
  }

  @ParameterizedTest
  @ValueSource(strings = {"001a000b00010000010000", "0010", "0005000b0000", "001b000b0000", "0014000b000102ff"})
  void unsupportedOrTrailingSignaturesAreRefused(String hex) {
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> TpmtSignature.parse(Bytes.fromHex(hex).toByteArray()));
    assertEquals(AzureReason.BAD_TPM_STRUCTURE, e.reason());
  }

  @Test
  void quoteMessageRulesAreEnforced() throws Exception {
    // a minimal quote: magic, type, empty name, empty extraData, clock info, firmware, no selection, empty digest
    String ok = "ff544347" + "8018" + "0000" + "0000" + "0000000000000001" + "00000000" + "00000000" + "01"
        + "0000000000000000" + "00000000" + "0000";
    TpmsAttest.parse(Bytes.fromHex(ok).toByteArray());
    for (String bad : List.of(ok + "00", ok.replace("ff544347", "ff544348"), ok.replace("8018", "8017"),
        ok.substring(0, 20))) {
      assertThrows(MalformedEvidenceException.class, () -> TpmsAttest.parse(Bytes.fromHex(bad).toByteArray()));
    }
  }

  @Test
  void pcrValuesMustMatchTheSelection() throws Exception {
    List<PcrSelection> sel = List.of(PcrSelection.ofPcrs(TpmHash.SHA256, 0, 1), PcrSelection.ofPcrs(TpmHash.SHA1, 2));
    Bytes z32 = Bytes.of(new byte[32]);
    Bytes z20 = Bytes.of(new byte[20]);
    byte[] expect = TpmHash.SHA256.digest(new byte[84]);
    assertArrayEquals(expect, Pcrs.digest(sel, List.of(z32, z32, z20), TpmHash.SHA256).toByteArray());
    assertThrows(MalformedEvidenceException.class, () -> Pcrs.digest(sel, List.of(z32, z32), TpmHash.SHA256));
    assertThrows(MalformedEvidenceException.class, () -> Pcrs.digest(sel, List.of(z32, z32, z32), TpmHash.SHA256));
    assertThrows(MalformedEvidenceException.class,
        () -> Pcrs.digest(sel, List.of(z32, z32, z20, z20), TpmHash.SHA256));
  }
}
