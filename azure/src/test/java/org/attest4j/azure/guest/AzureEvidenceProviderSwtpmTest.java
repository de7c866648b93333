package org.attest4j.azure.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.azure.AzureCheck;
import org.attest4j.azure.AzureEvidence;
import org.attest4j.azure.AzurePlatform;
import org.attest4j.azure.AzurePolicy;
import org.attest4j.azure.AzureVerification;
import org.attest4j.azure.AzureVerifier;
import org.attest4j.azure.HclReport;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guest provider against a real software TPM (swtpm), provisioned like Azure's vTPM: the AK is
 * created from Azure's template as an Endorsement primary and made persistent at 0x81000003, and NV
 * index 0x01400001 holds an HCL report whose SNP report (signed by a simulated AMD platform) binds
 * runtime claims carrying that AK. swtpm limits an NV index to 2048 bytes, so the synthetic claims
 * carry only HCLAkPub (no HCLEkPub), like Azure's oldest format; the report is written in chunks of
 * the TPM's NV buffer size.
 */
class AzureEvidenceProviderSwtpmTest {
  private static final SimulatedSnpPlatform SNP = SimulatedSnpPlatform.create(Product.MILAN);
  private static final byte[] NONCE = "a fresh verifier nonce".getBytes(StandardCharsets.UTF_8);

  private Swtpm swtpm;
  private Tpm2 tpm;

  @BeforeEach
  void start() throws Exception {
    swtpm = Swtpm.start();
    tpm = Tpm2.connect(swtpm.server);
  }

  @AfterEach
  void stop() throws Exception {
    if (tpm != null) {
      tpm.close();
    }
    if (swtpm != null) {
      swtpm.close();
    }
  }

  /** Creates a primary RSA AK from Azure's template in {@code hierarchy} and persists it at 0x81000003. */
  private TpmtPublic provisionAk(int hierarchy) throws Exception {
    int h = tpm.createPrimary(hierarchy, TpmtPublic.azureAkCreationTemplate(2048));
    try {
      tpm.evictControl(Tpm2.AZURE_AK_HANDLE, Tpm2.AZURE_AK_HANDLE);
    } catch (Tpm2.TpmResponseException none) {
      // no AK persisted yet
    }
    tpm.evictControl(h, Tpm2.AZURE_AK_HANDLE);
    tpm.flush(h);
    return tpm.readPublic(Tpm2.AZURE_AK_HANDLE);
  }

  /** Writes an HCL report whose claims carry {@code ak} and {@code userData} to NV 0x01400001. */
  private void writeHcl(TpmtPublic ak, byte[] userData) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String claims = "{\"keys\":[{\"kid\":\"HCLAkPub\",\"key_ops\":[\"sign\"],\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\""
        + b64.encodeToString(ak.rsaModulus().toByteArray()) + "\"}],\"vm-configuration\":{\"console-enabled\":false,"
        + "\"secure-boot\":true,\"tpm-enabled\":true,\"vmUniqueId\":\"0F0E0D0C-0000-4000-8000-000000000001\"},"
        + "\"user-data\":\"" + HexFormat.of().withUpperCase().formatHex(Arrays.copyOf(userData, 64)) + "\"}";
    byte[] cl = claims.getBytes(StandardCharsets.UTF_8);
    byte[] rd = Arrays.copyOf(TpmHash.SHA256.digest(cl), 64);
    byte[] report = SNP.reportBuilder().reportData(rd).vmpl(0).signReport().toByteArray();
    byte[] hcl = HclReport.assemble(2, AzurePlatform.SNP, report, cl, 2048).toByteArray();
    if (tpm.nvSize(HclReport.NV_INDEX) < 0) {
      tpm.nvDefine(HclReport.NV_INDEX, hcl.length);
    }
    tpm.nvWrite(HclReport.NV_INDEX, hcl);
  }

  private AzureEvidenceProvider provider(int version) {
    return AzureEvidenceProvider.builder(tpm, AzurePlatform.SNP).version(version)
        .vcekSource(() -> List.of(Bytes.of(SNP.vekDer()))).build();
  }

  private static AzureVerifier verifier() throws Exception {
    return AzureVerifier.builder(AzurePlatform.SNP).clock(SNP.clockInsideValidity())
        .snpVerifier(SNP.verifier(SNP.clockInsideValidity())).snpCertChain(SNP.certChainPem()).build();
  }

  @Test
  void evidenceFromSwtpmVerifiesAndIsRefusedForAnotherNonce() throws Exception {
    TpmtPublic ak = provisionAk(Tpm2.TPM_RH_ENDORSEMENT);
    writeHcl(ak, new byte[0]);
    byte[] json = provider(1).evidenceJson(NONCE);
    AzureVerifier v = verifier();
    AzureVerification ok = v.verify(json, NONCE);
    assertTrue(ok.valid(), ok.problems().toString());
    assertEquals(true, ok.outcome(AzureCheck.TPM_QUALIFIED_SIGNER).orElseThrow(), "Azure's AK template");
    assertEquals(1, AzureEvidence.parse(json).version());
    AzurePolicy.recommended().build().validate(ok);

    byte[] other = NONCE.clone();
    other[0] ^= 1;
    AzureVerification bad = v.verify(json, other);
    assertFalse(bad.valid());
    assertEquals(List.of(AzureCheck.TPM_NONCE), bad.failedChecks());
  }

  @Test
  void aChangedPcrIsRefused() throws Exception {
    TpmtPublic ak = provisionAk(Tpm2.TPM_RH_ENDORSEMENT);
    writeHcl(ak, new byte[0]);
    AzureVerifier v = verifier();
    AzureVerification before = v.verify(provider(1).evidenceJson(NONCE), NONCE);
    Bytes pcr8 = before.pcr(TpmHash.SHA256, 8).orElseThrow();
    AzurePolicy pinned = AzurePolicy.builder().pcr(8, pcr8).build();
    pinned.validate(before);

    // a PCR value altered in the evidence no longer matches the signed pcrDigest
    JsonObject o = JsonParser.parseString(new String(provider(1).evidenceJson(NONCE), StandardCharsets.UTF_8))
        .getAsJsonObject();
    JsonArray pcrs = o.getAsJsonObject("tpm_quote").getAsJsonArray("pcrs");
    pcrs.set(8, new com.google.gson.JsonPrimitive("11".repeat(32)));
    AzureVerification tampered = v.verify(o.toString().getBytes(StandardCharsets.UTF_8), NONCE);
    assertEquals(List.of(AzureCheck.TPM_PCR_DIGEST), tampered.failedChecks());

    // a PCR the TPM really extended: the evidence verifies, the pinned policy refuses it
    tpm.pcrExtend(8, TpmHash.SHA256, Bytes.of(TpmHash.SHA256.digest("init-data".getBytes(StandardCharsets.UTF_8))));
    AzureVerification after = v.verify(provider(1).evidenceJson(NONCE), NONCE);
    assertTrue(after.valid(), after.problems().toString());
    assertEquals(Pcrs8.extend(pcr8), after.pcr(TpmHash.SHA256, 8).orElseThrow());
    assertThrows(PolicyViolationException.class, () -> pinned.validate(after));
  }

  @Test
  void aQuoteFromAnotherAkIsRefused() throws Exception {
    TpmtPublic ak = provisionAk(Tpm2.TPM_RH_ENDORSEMENT);
    writeHcl(ak, new byte[0]);
    TpmtPublic other = provisionAk(Tpm2.TPM_RH_OWNER); // another primary seed: another key at 0x81000003
    assertFalse(other.equals(ak));
    AzureVerification r = verifier().verify(provider(1).evidenceJson(NONCE), NONCE);
    assertFalse(r.valid());
    assertEquals(List.of(AzureCheck.TPM_SIGNATURE), r.failedChecks());
    assertEquals(List.of(AzureCheck.TPM_QUALIFIED_SIGNER), r.advisoryFailed());
  }

  @Test
  void evidenceV2EchoesTheNonceInUserData() throws Exception {
    TpmtPublic ak = provisionAk(Tpm2.TPM_RH_ENDORSEMENT);
    // there is no paravisor here: the report is prepared with the user-data it would write
    writeHcl(ak, NONCE);
    byte[] json = provider(2).evidenceJson(NONCE);
    assertArrayEquals64(NONCE, tpm.nvRead(HclReport.USER_DATA_NV_INDEX));
    AzureVerification r = verifier().verify(json, NONCE);
    assertTrue(r.valid(), r.problems().toString());
    assertEquals(true, r.outcome(AzureCheck.CLAIMS_USER_DATA).orElseThrow());
    assertEquals(true, r.outcome(AzureCheck.CLAIMS_USER_DATA_TAIL).orElseThrow());

    byte[] other = NONCE.clone();
    other[3] ^= 1;
    byte[] json2 = provider(2).evidenceJson(other);
    AzureVerification stale = verifier().verify(json2, other);
    assertEquals(List.of(AzureCheck.CLAIMS_USER_DATA), stale.failedChecks());
  }

  private static void assertArrayEquals64(byte[] nonce, byte[] nv) {
    assertEquals(64, nv.length);
    assertEquals(Bytes.of(Arrays.copyOf(nonce, 64)), Bytes.of(nv));
  }

  /** PCR 8 after the test's one extend. */
  private static final class Pcrs8 {
    static Bytes extend(Bytes before) {
      return org.attest4j.azure.tpm.Pcrs.extend(TpmHash.SHA256, before,
          Bytes.of(TpmHash.SHA256.digest("init-data".getBytes(StandardCharsets.UTF_8))));
    }
  }
}
