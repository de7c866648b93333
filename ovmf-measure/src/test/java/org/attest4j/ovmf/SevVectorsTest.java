package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every SEV / SEV-ES case of sev-vectors.jsonl reproduces (or is refused) through the API. */
class SevVectorsTest {
  /** The API inputs of one case, read from its argv as sev-snp-measure would. */
  record Case(String mode, OvmfImage ovmf, BootArtifacts boot, LaunchFeatures features) {
    static Case of(JsonObject v) throws Exception {
      JsonArray argv = v.getAsJsonArray("argv");
      String mode = null;
      String ovmf = null;
      String kernel = null;
      String initrd = null;
      String append = null;
      int vcpus = 1;
      String type = null;
      for (int i = 0; i < argv.size(); i += 2) {
        String k = argv.get(i).getAsString();
        String val = argv.get(i + 1).getAsString();
        switch (k) {
          case "--mode" -> mode = val;
          case "--ovmf" -> ovmf = val;
          case "--kernel" -> kernel = val;
          case "--initrd" -> initrd = val;
          case "--append" -> append = val;
          case "--vcpus" -> vcpus = Integer.parseInt(val);
          case "--vcpu-type" -> type = val;
          default -> throw new AssertionError("unexpected flag " + k);
        }
      }
      OvmfImage image = OvmfImage.parse(SharedData.path(VectorSupport.DIR + ovmf));
      BootArtifacts boot =
          kernel == null
              ? BootArtifacts.none()
              : BootArtifacts.of(
                  Artifact.of(SharedData.path(VectorSupport.DIR + kernel)),
                  initrd == null ? null : Artifact.of(SharedData.path(VectorSupport.DIR + initrd)),
                  append);
      LaunchFeatures f =
          mode.equals("seves") ? LaunchFeatures.builder().vcpus(vcpus).vcpuType(type).build() : null;
      return new Case(mode, image, boot, f);
    }

    Bytes compute() throws MalformedEvidenceException {
      return mode.equals("sev") ? SevLaunchDigest.sev(ovmf, boot) : SevLaunchDigest.sevEs(ovmf, boot, features);
    }
  }

  @TestFactory
  Stream<DynamicTest> sevVectorsReproduce() {
    return SharedData.vectorTests(VectorSupport.DIR + "sev-vectors.jsonl", 60, v -> {
      Case c = Case.of(v);
      assertEquals(v.getAsJsonObject("ovmf").get("sha256").getAsString(), c.ovmf().sha256().toHex());
      if (v.has("expected_error")) {
        MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, c::compute);
        assertEquals(OvmfReason.MISSING_HASH_TABLE, e.reason());
        String want = v.get("expected_error").getAsString().replaceFirst("^Error: ", "");
        assertTrue(e.getMessage().startsWith(want), e.getMessage());
      } else {
        assertEquals(v.get("expected_measurement").getAsString(), c.compute().toHex());
      }
    });
  }

  @Test
  void sevIsTheSha256OfTheImageWithoutKernel() throws Exception {
    OvmfImage fw = OvmfImage.parse(SynthFirmware.synthC());
    assertEquals(fw.sha256(), SevLaunchDigest.sev(fw, BootArtifacts.none()));
  }

  @Test
  void sevEsPagesAreTheVmsasWithoutSevFeatures() throws Exception {
    OvmfImage fw = OvmfImage.parse(SynthFirmware.synthA());
    LaunchFeatures f = LaunchFeatures.builder().vcpus(3).vcpuType("EPYC-Milan").guestFeatures(0x21).build();
    List<Bytes> pages = SevLaunchDigest.sevEsVmsaPages(fw, f);
    assertEquals(3, pages.size());
    assertEquals(pages.get(1), pages.get(2));
    byte[] bsp = pages.get(0).toByteArray();
    byte[] ap = pages.get(1).toByteArray();
    assertEquals(0, Le.u32(bsp, 0x3B0), "SEV_FEATURES");
    assertEquals(0xA00F11L, Le.u32(bsp, 0x310), "rdx = signature");
    assertEquals(0xFFF0L, Le.u32(bsp, 0x178), "BSP rip");
    assertEquals(fw.apResetEip().getAsLong() & 0xFFFF, Le.u32(ap, 0x178), "AP rip");
    // the digest is SHA-256(image || pages)
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    md.update(fw.toByteArray());
    pages.forEach(p -> md.update(p.toByteArray()));
    assertEquals(Bytes.of(md.digest()), SevLaunchDigest.sevEs(fw, BootArtifacts.none(), f));
  }

  @Test
  void sevEsRefusesSnpOnlyInputs() throws Exception {
    OvmfImage fw = OvmfImage.parse(SynthFirmware.synthA());
    LaunchFeatures hash =
        LaunchFeatures.builder().vcpus(1).vcpuType("EPYC").firmwareDigest(Bytes.of(new byte[48])).build();
    assertEquals(
        OvmfReason.UNSUPPORTED_COMBINATION,
        assertThrows(MalformedEvidenceException.class, () -> SevLaunchDigest.sevEs(fw, BootArtifacts.none(), hash))
            .reason());
    LaunchFeatures ovmfHashMode = LaunchFeatures.builder().mode(SnpMode.SNP_OVMF_HASH).build();
    assertThrows(
        MalformedEvidenceException.class, () -> SevLaunchDigest.sevEs(fw, BootArtifacts.none(), ovmfHashMode));
  }

  @Test
  void sevEsNeedsTheResetBlock() throws Exception {
    // a page of zeros has no footer table, so no reset block
    OvmfImage fw = OvmfImage.parse(new byte[4096]);
    LaunchFeatures f = LaunchFeatures.builder().vcpus(1).vcpuType("EPYC").build();
    assertEquals(
        OvmfReason.MISSING_RESET_EIP,
        assertThrows(MalformedEvidenceException.class, () -> SevLaunchDigest.sevEs(fw, BootArtifacts.none(), f))
            .reason());
    assertEquals(Bytes.of(java.security.MessageDigest.getInstance("SHA-256").digest(new byte[4096])),
        SevLaunchDigest.sev(fw, BootArtifacts.none()));
  }
}
