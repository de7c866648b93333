package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;

/**
 * sev-snp-measure's own SEV, SEV-ES and SNP test values (tests/test_guest.py at its head), for its
 * fixture {@code ovmf_AmdSev_suffix.bin} (4 KiB, sha256 8f765dfa…6ab16c), which this repository
 * does not carry. Runs when {@code -Dattest4j.snpMeasureFixtures=DIR} names a folder holding it;
 * skipped otherwise. The kernel and initrd of those tests are /dev/null, i.e. empty input.
 */
class UpstreamFixturesTest {
  private static OvmfImage amdSevSuffix() throws Exception {
    String dir = System.getProperty("attest4j.snpMeasureFixtures");
    assumeTrue(dir != null, "set -Dattest4j.snpMeasureFixtures=DIR to run sev-snp-measure's own values");
    Path p = Path.of(dir, "ovmf_AmdSev_suffix.bin");
    assumeTrue(Files.isRegularFile(p), "no ovmf_AmdSev_suffix.bin in " + dir);
    OvmfImage image = OvmfImage.parse(p);
    assertEquals("8f765dfabc127fc0a938a0744a3103ec15864d7d794eb4c398aa976b6d6ab16c", image.sha256().toHex());
    return image;
  }

  private static BootArtifacts emptyKernel(String cmdline) {
    return BootArtifacts.of(Artifact.empty(), Artifact.empty(), cmdline);
  }

  @Test
  void sevAndSevEs() throws Exception {
    OvmfImage fw = amdSevSuffix();
    LaunchFeatures one = LaunchFeatures.builder().vcpus(1).vcpuType("EPYC-v4").build();
    LaunchFeatures four = LaunchFeatures.builder().vcpus(4).vcpuType("EPYC-v4").guestFeatures(0x21).build();
    assertEquals("13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c",
        SevLaunchDigest.sevEs(fw, emptyKernel(""), one).toHex(), "test_seves");
    assertEquals("0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91",
        SevLaunchDigest.sevEs(fw, emptyKernel(""), four).toHex(), "test_seves_with_multiple_vcpus");
    assertEquals("82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff",
        SevLaunchDigest.sev(fw, emptyKernel("console=ttyS0 loglevel=7")).toHex(), "test_sev");
    assertEquals("77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898",
        SevLaunchDigest.sev(fw, BootArtifacts.of(Artifact.empty(), null, (String) null)).toHex(),
        "test_sev_with_kernel_without_initrd_and_append");
  }

  @Test
  void snp() throws Exception {
    OvmfImage fw = amdSevSuffix();
    LaunchFeatures f21 = LaunchFeatures.builder().vcpus(1).vcpuType("EPYC-v4").guestFeatures(0x21).build();
    LaunchFeatures f1 = LaunchFeatures.builder().vcpus(1).vcpuType("EPYC-v4").guestFeatures(0x1).build();
    BootArtifacts boot = emptyKernel("console=ttyS0 loglevel=7");
    assertEquals("803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977",
        LaunchDigest.compute(fw, boot, f21).toHex(), "test_snp_default");
    assertEquals("6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa",
        LaunchDigest.compute(fw, boot, f1).toHex(), "test_snp_guest_feature_snp_only");
    assertEquals("e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b",
        LaunchDigest.compute(fw, BootArtifacts.none(), f21).toHex(), "test_snp_without_kernel_default");
    assertEquals("086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74",
        LaunchDigest.firmwareDigest(fw).toHex(), "test_snp_ovmf_hash_full_default");
  }

  @Test
  void refusals() throws Exception {
    OvmfImage fw = amdSevSuffix();
    // a page without the footer table stands in for ovmf_OvmfX64_suffix.bin's missing hash table
    OvmfImage plain = OvmfImage.parse(new byte[4096]);
    assertThrows(MalformedEvidenceException.class, () -> SevLaunchDigest.sev(plain, emptyKernel("")));
    assertEquals(fw.sha256(), SevLaunchDigest.sev(fw, BootArtifacts.none()));
  }
}
