package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.attest4j.core.Bytes;
import org.attest4j.ovmf.internal.Guids;
import org.attest4j.ovmf.testing.SyntheticFirmware;
import org.junit.jupiter.api.Test;

/** Sharing a prepared firmware between threads; logs; search reporting. */
class PreparedFirmwareTest {
  @Test
  void oneInstanceServesConcurrentRequests() throws Exception {
    OvmfImage img = OvmfImage.parse(SynthFirmware.synthA());
    PreparedFirmware fw = LaunchDigest.prepare(img);
    List<Object[]> cases = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      BootArtifacts b =
          i % 5 == 0
              ? BootArtifacts.none()
              : BootArtifacts.of(Artifact.of(new byte[] {(byte) i}), Artifact.of(new byte[] {(byte) (i * 7)}), "c=" + i);
      LaunchFeatures f =
          LaunchFeatures.builder()
              .vcpus(1 + i % 9)
              .vmmType(VmmType.values()[i % 3])
              .vcpuType(VcpuType.values()[i % 5])
              .guestFeatures(i % 2 == 0 ? 1 : 0x21)
              .build();
      cases.add(new Object[] {b, f, LaunchDigest.compute(img, b, f)});
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        final int offset = t;
        results.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int r = 0; r < 5; r++) {
                    for (int i = 0; i < cases.size(); i++) {
                      Object[] c = cases.get((i + offset * 13) % cases.size());
                      if (fw.measure((BootArtifacts) c[0], (LaunchFeatures) c[1]).equals(c[2])) {
                        ok++;
                      }
                    }
                  }
                  return ok;
                }));
      }
      for (Future<Integer> f : results) {
        assertEquals(5 * cases.size(), f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void logShowsEveryStepAndTheVmsaPages() throws Exception {
    OvmfImage img = OvmfImage.parse(SynthFirmware.synthA());
    BootArtifacts b = BootArtifacts.of(Artifact.of(new byte[] {1}), null, "console=ttyS0");
    LaunchFeatures f = LaunchFeatures.builder().vcpus(3).vcpuType(VcpuType.EPYC_GENOA).build();
    MeasurementLog log = img.prepare().explain(b, f);
    assertEquals(32 + 9 + 3 + 1 + 1 + 1 + 1 + 15 + 3, log.updateCount());
    assertEquals(0, log.firmwarePagesSkipped());
    PageUpdate hashPage =
        log.updates().stream().filter(u -> u.what().contains("SEV hashes table")).findFirst().orElseThrow();
    assertEquals(PageType.NORMAL, hashPage.type());
    assertEquals(0x810000, hashPage.gpa());
    byte[] page = PreparedFirmware.hashPageBytes(b.hashTable().orElseThrow().toByteArray(), 0x810c00);
    assertEquals(Bytes.of(Gctx.sha384().digest(page)), hashPage.contents());
    assertEquals(0xFFF0, Le.u16(log.bspVmsaPage().toByteArray(), 0x178));
    assertEquals(0xB004, Le.u16(log.apVmsaPage().toByteArray(), 0x178));
    assertEquals(VcpuType.EPYC_GENOA.signature(), Le.u32(log.vmsaPage(2).toByteArray(), 0x310));
    assertTrue(log.toString().contains("VMSA vCPU 2 (AP)"));
    // seeded with a firmware digest: the firmware pages are not in the log
    LaunchFeatures seeded = f.toBuilder().firmwareDigest(LaunchDigest.firmwareDigest(img)).build();
    MeasurementLog s = LaunchDigest.explain(img, b, seeded);
    assertEquals(log.measurement(), s.measurement());
    assertEquals(log.updateCount() - 32, s.updateCount());
    assertEquals(32, s.firmwarePagesSkipped());
  }

  @Test
  void searchReportsWhatItCouldNotTry() throws Exception {
    OvmfImage plain = OvmfImage.parse(SyntheticFirmware.builder(0x3000).fill("q")
        .entry(Guids.SEV_ES_RESET_BLOCK, 0x80b004).build());
    PreparedFirmware fw = plain.prepare();
    LaunchFeatures f = LaunchFeatures.builder().vcpus(7).vmmType(VmmType.GCE).guestFeatures(0x21).build();
    Bytes m = fw.measure(BootArtifacts.none(), f);
    BootArtifacts withKernel = BootArtifacts.of(Artifact.of(new byte[] {1}), null, "");
    SearchResult r = fw.search(m, withKernel, SearchSpace.builder().vcpus(1, 32).build());
    assertEquals(1, r.matches().size(), r.toString());
    LaunchShape s = r.matches().get(0);
    assertEquals(7, s.vcpus());
    assertEquals(VmmType.GCE, s.vmmType());
    assertFalse(s.kernelMeasured());
    assertTrue(s.vcpuSignature().isEmpty());
    assertEquals("--mode snp --vcpus 7 --vmm-type gce --guest-features 0x21", s.toFlags());
    assertEquals(3, r.notes().size(), "with the kernel, each VMM type is impossible: " + r.notes());
    // without the kernel: 32 counts x 29 guest-feature values x (5 QEMU signatures + EC2 + GCE)
    assertEquals(32L * SearchSpace.commonGuestFeatures().size() * 7, r.candidatesTried());
  }
}
