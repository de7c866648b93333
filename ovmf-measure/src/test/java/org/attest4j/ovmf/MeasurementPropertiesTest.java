package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.attest4j.core.Bytes;
import org.attest4j.ovmf.internal.Guids;
import org.attest4j.ovmf.testing.SyntheticFirmware;

/** Properties over generated synthetic firmware and launch shapes. */
class MeasurementPropertiesTest {
  /** A generated firmware and the facts it was built from. */
  record Fw(byte[] image, List<long[]> sections, long hashTableGpa, long resetEip) {
    int pages() {
      return image.length / 4096;
    }

    boolean hasKernelHashes() {
      return sections.stream().anyMatch(s -> s[2] == 0x10);
    }
  }

  /** A launch shape. */
  record Shape(int vcpus, VmmType vmm, VcpuType type, long guestFeatures, byte[] kernel, byte[] initrd, String cmdline) {}

  @Provide
  Arbitrary<Fw> firmware() {
    Arbitrary<Integer> pages = Arbitraries.integers().between(2, 24);
    Arbitrary<List<int[]>> secs =
        Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers().between(1, 6),
                Arbitraries.of(1, 2, 3, 4, 1))
            .as((gap, size, type) -> new int[] {gap, size, type})
            .list()
            .ofMinSize(0)
            .ofMaxSize(7);
    return Combinators.combine(
            pages, secs, Arbitraries.integers().between(0, 4096 - 176), Arbitraries.longs().between(1, 0xFFFF_FFFFL),
            Arbitraries.integers().between(0, 7), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
            Arbitraries.of(true, false))
        .as(
            (p, raw, hashOff, eip, khAt, label, shuffle) -> {
              List<long[]> sections = new ArrayList<>();
              long gpa = 0x800000;
              int kh = raw.isEmpty() ? -1 : khAt % (raw.size() + 1);
              for (int i = 0; i < raw.size() + (kh >= 0 ? 1 : 0); i++) {
                boolean isKh = i == kh;
                int[] r = isKh ? new int[] {1, 1, 0x10} : raw.get(i - (kh >= 0 && i > kh ? 1 : 0));
                gpa += r[0] * 4096L;
                long size = r[2] == 1 || r[2] == 4 ? r[1] * 4096L : 4096;
                sections.add(new long[] {gpa, size, r[2]});
                gpa += size;
              }
              if (shuffle && sections.size() > 2) {
                sections.add(sections.remove(0));
              }
              long htGpa = 0;
              for (long[] s : sections) {
                if (s[2] == 0x10) {
                  htGpa = s[0] + hashOff;
                }
              }
              int size = p * 4096;
              SyntheticFirmware.Builder b = SyntheticFirmware.builder(size).fill(label);
              b.entry(Guids.SEV_ES_RESET_BLOCK, eip);
              if (htGpa != 0) {
                b.entry(Guids.SEV_HASH_TABLE_RV, htGpa, 0x400);
              }
              long metaOff = 32 + 110 + 16 + 12L * sections.size() + 8;
              b.entry(Guids.SEV_METADATA, metaOff);
              b.sevMetadata((int) metaOff);
              for (long[] s : sections) {
                b.section(s[0], s[1], s[2]);
              }
              return new Fw(b.build(), sections, htGpa, eip);
            });
  }

  @Provide
  Arbitrary<Shape> shapes() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 12),
            Arbitraries.of(VmmType.class),
            Arbitraries.of(VcpuType.class),
            Arbitraries.of(0x1L, 0x21L, 0x0L, 0x5L, 0x8021L),
            Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(100).injectNull(0.2),
            Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u2fff').ofMaxLength(40).injectNull(0.2))
        .as(Shape::new);
  }

  private static LaunchFeatures features(Shape s, int vcpus, VmmType vmm, long gf) throws Exception {
    return LaunchFeatures.builder().vcpus(vcpus).vmmType(vmm).vcpuType(s.type()).guestFeatures(gf).build();
  }

  private static BootArtifacts boot(Fw fw, Shape s) {
    if (!fw.hasKernelHashes()) {
      return BootArtifacts.none();
    }
    return BootArtifacts.of(Artifact.of(s.kernel()), s.initrd() == null ? null : Artifact.of(s.initrd()), s.cmdline());
  }

  @Property(tries = 150)
  void preparedThenFinishedEqualsOneShot(@ForAll("firmware") Fw fw, @ForAll("shapes") Shape s) throws Exception {
    OvmfImage img = OvmfImage.parse(fw.image());
    LaunchFeatures f = features(s, s.vcpus(), s.vmm(), s.guestFeatures());
    BootArtifacts b = boot(fw, s);
    PreparedFirmware p = LaunchDigest.prepare(img);
    Bytes oneShot = LaunchDigest.compute(img, b, f);
    assertEquals(oneShot, p.measure(b, f));
    assertEquals(oneShot, p.measure(b, f), "cached VMSA digests");
    assertEquals(oneShot, p.explain(b, f).measurement());
    // the firmware digest as a seed gives the same result
    LaunchFeatures seeded = f.toBuilder().firmwareDigest(p.firmwareDigest()).build();
    assertEquals(oneShot, LaunchDigest.compute(img, b, seeded));
    assertEquals(oneShot, p.measure(b, seeded));
    // and a layout-only firmware too
    PreparedFirmware layout =
        PreparedFirmware.fromLayout(p.firmwareDigest(), img.sections(), fw.resetEip(), fw.hashTableGpa());
    assertEquals(oneShot, layout.measure(b, f));
  }

  @Property(tries = 100)
  void updateCountFollowsTheFormula(@ForAll("firmware") Fw fw, @ForAll("shapes") Shape s) throws Exception {
    OvmfImage img = OvmfImage.parse(fw.image());
    BootArtifacts b = boot(fw, s);
    long expected = fw.pages() + s.vcpus();
    for (long[] sec : fw.sections()) {
      if (sec[2] == 1 || sec[2] == 4) {
        expected += sec[1] / 4096;
      } else if (sec[2] == 0x10) {
        expected += b.hasKernel() ? 1 : sec[1] / 4096;
      } else {
        expected += 1;
      }
    }
    MeasurementLog log = LaunchDigest.explain(img, b, features(s, s.vcpus(), s.vmm(), s.guestFeatures()));
    assertEquals(expected, log.updateCount());
    long vmsas = log.updates().stream().filter(u -> u.type() == PageType.VMSA).count();
    assertEquals(s.vcpus(), vmsas);
    if (s.vmm() == VmmType.EC2) {
      // CPUID pages come after every other metadata page
      int lastCpuid = -1;
      int lastOther = -1;
      for (PageUpdate u : log.updates()) {
        if (u.type() == PageType.CPUID) {
          lastCpuid = u.index();
        } else if (u.type() != PageType.VMSA && u.type() != PageType.NORMAL) {
          lastOther = u.index();
        }
      }
      if (lastCpuid >= 0 && lastOther >= 0) {
        assertEquals(true, lastCpuid > lastOther);
      }
    }
    if (s.vmm() == VmmType.GCE) {
      assertEquals(0, log.updates().stream().filter(u -> u.type() == PageType.ZERO && u.what().startsWith("SNP_SEC_MEM")).count());
    }
  }

  @Property(tries = 60)
  void changingAnyOneInputChangesTheResult(
      @ForAll("firmware") Fw fw, @ForAll("shapes") Shape s, @ForAll @IntRange(min = 0, max = 15) int bit)
      throws Exception {
    OvmfImage img = OvmfImage.parse(fw.image());
    PreparedFirmware p = LaunchDigest.prepare(img);
    LaunchFeatures f = features(s, s.vcpus(), s.vmm(), s.guestFeatures());
    BootArtifacts b = boot(fw, s);
    Bytes base = p.measure(b, f);
    // vCPU count
    assertNotEquals(base, p.measure(b, features(s, s.vcpus() + 1, s.vmm(), s.guestFeatures())));
    // one guest-feature bit
    assertNotEquals(base, p.measure(b, features(s, s.vcpus(), s.vmm(), s.guestFeatures() ^ (1L << bit))));
    // the VMM type
    for (VmmType other : VmmType.values()) {
      if (other != s.vmm()) {
        assertNotEquals(base, p.measure(b, features(s, s.vcpus(), other, s.guestFeatures())), other.toString());
      }
    }
    // the vCPU type (QEMU only: EC2 and GCE ignore it)
    if (s.vmm() == VmmType.QEMU) {
      VcpuType t = VcpuType.values()[(s.type().ordinal() + 1) % VcpuType.values().length];
      LaunchFeatures g = f.toBuilder().vcpuType(t).build();
      assertNotEquals(base, p.measure(b, g));
    }
    // the firmware: one byte of the image
    byte[] mutated = fw.image().clone();
    mutated[0] ^= 1;
    assertNotEquals(base, LaunchDigest.compute(OvmfImage.parse(mutated), b, f));
    if (b.hasKernel()) {
      byte[] k = s.kernel().clone();
      k[k.length / 2] ^= 0x40;
      assertNotEquals(base, p.measure(BootArtifacts.of(Artifact.of(k), b.initrd().orElseThrow(), s.cmdline()), f));
      String c = s.cmdline() == null ? "" : s.cmdline();
      String c2 = c.isEmpty() ? " " : c.substring(0, c.length() - 1) + (char) (c.charAt(c.length() - 1) ^ 1);
      assertNotEquals(base, p.measure(BootArtifacts.of(Artifact.of(s.kernel()), b.initrd().orElseThrow(), c2), f));
      byte[] i = s.initrd() == null || s.initrd().length == 0 ? new byte[] {0} : s.initrd().clone();
      if (s.initrd() != null && s.initrd().length > 0) {
        i[0] ^= 1;
      }
      assertNotEquals(base, p.measure(BootArtifacts.of(Artifact.of(s.kernel()), Artifact.of(i), s.cmdline()), f));
      assertNotEquals(base, p.measure(BootArtifacts.none(), f), "without kernel");
    }
  }

  @Property(tries = 40)
  void searchFindsTheShape(@ForAll("firmware") Fw fw, @ForAll("shapes") Shape s) throws Exception {
    OvmfImage img = OvmfImage.parse(fw.image());
    PreparedFirmware p = LaunchDigest.prepare(img);
    LaunchFeatures f = features(s, s.vcpus(), s.vmm(), s.guestFeatures());
    BootArtifacts b = boot(fw, s);
    Bytes m = p.measure(b, f);
    SearchResult r = p.search(m, b, SearchSpace.builder().vcpus(1, 16).build());
    org.junit.jupiter.api.Assertions.assertTrue(
        r.matches().stream()
            .anyMatch(
                x ->
                    x.vcpus() == s.vcpus()
                        && x.vmmType() == s.vmm()
                        && x.guestFeatures() == s.guestFeatures()
                        && (s.vmm() != VmmType.QEMU || x.vcpuSignature().getAsLong() == s.type().signature())),
        r.toString());
    for (LaunchShape x : r.matches()) {
      assertEquals(m, p.measure(x.kernelMeasured() ? b : BootArtifacts.none(), x.toFeatures()));
    }
  }
}
