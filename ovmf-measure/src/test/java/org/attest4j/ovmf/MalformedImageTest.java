package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.internal.Guids;
import org.attest4j.ovmf.testing.SyntheticFirmware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Malformed images and impossible launches are refused with a typed reason; nothing else escapes. */
class MalformedImageTest {
  private static final long[][] A_SECTIONS = {
    {0x800000, 0x9000, 1}, {0x80a000, 0x3000, 1}, {0x80d000, 0x1000, 2}, {0x80e000, 0x1000, 3},
    {0x80f000, 0x1000, 4}, {0x810000, 0x1000, 0x10}, {0x811000, 0xf000, 1}
  };

  private static void refused(OvmfReason reason, Executable e) {
    MalformedEvidenceException x = assertThrows(MalformedEvidenceException.class, e);
    assertEquals(reason, x.reason(), x.getMessage());
    assertFalse(x.getMessage().isBlank());
  }

  private static void misconfigured(OvmfReason reason, Executable e) {
    org.attest4j.core.InvalidConfigurationException x =
        assertThrows(org.attest4j.core.InvalidConfigurationException.class, e);
    assertEquals(reason, x.reason(), x.getMessage());
    assertFalse(x.getMessage().isBlank());
  }

  private static SyntheticFirmware.Builder a(long[][] sections) {
    return metadata(0x600, sections, SyntheticFirmware.builder(0x20000)
        .fill("t")
        .entry(Guids.SEV_METADATA, 0x600)
        .entry(Guids.SEV_HASH_TABLE_RV, 0x810c00, 0x400)
        .entry(Guids.SEV_ES_RESET_BLOCK, 0x80b004));
  }

  private static SyntheticFirmware.Builder metadata(int offsetFromEnd, long[][] sections, SyntheticFirmware.Builder b) {
    b.sevMetadata(offsetFromEnd);
    for (long[] s : sections) {
      b.section(s[0], s[1], s[2]);
    }
    return b;
  }

  private static LaunchFeatures qemu(int vcpus) throws MalformedEvidenceException {
    return LaunchFeatures.builder().vcpus(vcpus).vcpuType(VcpuType.EPYC_MILAN).build();
  }

  private static BootArtifacts kernel() {
    return BootArtifacts.of(Artifact.of(new byte[] {1, 2, 3}), null, "console=ttyS0");
  }

  @Test
  void imageStructure() throws Exception {
    byte[] good = SynthFirmware.synthA();
    refused(OvmfReason.TRUNCATED_IMAGE, () -> OvmfImage.parse(new byte[0]));
    refused(OvmfReason.IMAGE_NOT_PAGE_ALIGNED, () -> OvmfImage.parse(Arrays.copyOf(good, good.length - 1)));
    refused(OvmfReason.IMAGE_NOT_PAGE_ALIGNED, () -> OvmfImage.parse(new byte[100]));
    // footer size below its own trailer
    byte[] b = good.clone();
    Le.put16(b, b.length - 50, 17);
    refused(OvmfReason.BAD_FOOTER_TABLE, () -> OvmfImage.parse(b));
    // footer size larger than the image
    byte[] small = SyntheticFirmware.builder(4096).fill("s").entry(Guids.SEV_ES_RESET_BLOCK, 1).build();
    Le.put16(small, 4096 - 50, 0xFFFF);
    refused(OvmfReason.BAD_FOOTER_TABLE, () -> OvmfImage.parse(small));
    // leftover bytes that form no entry
    byte[] d = good.clone();
    Le.put16(d, d.length - 50, Le.u16(d, d.length - 50) + 5);
    refused(OvmfReason.BAD_FOOTER_TABLE, () -> OvmfImage.parse(d));
    // an entry size below 18 and above what remains
    byte[] e = good.clone();
    Le.put16(e, e.length - 50 - 18, 3);
    refused(OvmfReason.BAD_TABLE_ENTRY, () -> OvmfImage.parse(e));
    byte[] f = good.clone();
    Le.put16(f, f.length - 50 - 18, 500);
    refused(OvmfReason.BAD_TABLE_ENTRY, () -> OvmfImage.parse(f));
    // duplicate GUID
    byte[] dup = SyntheticFirmware.builder(4096).fill("d").entry(Guids.SEV_ES_RESET_BLOCK, 1)
        .entry(Guids.SEV_ES_RESET_BLOCK, 2).build();
    refused(OvmfReason.DUPLICATE_TABLE_ENTRY, () -> OvmfImage.parse(dup));
    // a known entry with too little data
    byte[] shortEntry = SyntheticFirmware.builder(4096).fill("x").entry(Guids.SEV_ES_RESET_BLOCK, new byte[2]).build();
    refused(OvmfReason.BAD_TABLE_ENTRY, () -> OvmfImage.parse(shortEntry));
  }

  @Test
  void metadataStructure() {
    byte[] off = SyntheticFirmware.builder(0x2000).fill("o").entry(Guids.SEV_METADATA, 0x3000).build();
    refused(OvmfReason.BAD_METADATA_OFFSET, () -> OvmfImage.parse(off));
    byte[] sig = a(A_SECTIONS).build();
    sig[0x20000 - 0x600] = 'B';
    refused(OvmfReason.BAD_METADATA_SIGNATURE, () -> OvmfImage.parse(sig));
    byte[] ver = a(A_SECTIONS).build();
    Le.put32(ver, 0x20000 - 0x600 + 8, 2);
    refused(OvmfReason.BAD_METADATA_VERSION, () -> OvmfImage.parse(ver));
    byte[] len = a(A_SECTIONS).build();
    Le.put32(len, 0x20000 - 0x600 + 4, 16);
    refused(OvmfReason.BAD_METADATA_HEADER, () -> OvmfImage.parse(len));
    byte[] many = a(A_SECTIONS).build();
    Le.put32(many, 0x20000 - 0x600 + 12, 0x7FFFFFFF);
    refused(OvmfReason.BAD_METADATA_HEADER, () -> OvmfImage.parse(many));
    byte[] past = SyntheticFirmware.builder(0x2000).fill("p").entry(Guids.SEV_METADATA, 0x100)
        .sevMetadata(0x100).section(0x800000, 0x1000, 1).section(0x801000, 0x1000, 1).section(0x802000, 0x1000, 1).build();
    Le.put32(past, 0x2000 - 0x100 + 4, 16 + 12 * 30);
    Le.put32(past, 0x2000 - 0x100 + 12, 30);
    refused(OvmfReason.TRUNCATED_IMAGE, () -> OvmfImage.parse(past));
  }

  @Test
  void sectionRules() {
    refused(OvmfReason.UNKNOWN_SECTION_TYPE,
        () -> OvmfImage.parse(a(new long[][] {{0x800000, 0x1000, 5}}).build()));
    refused(OvmfReason.SECTION_NOT_PAGE_ALIGNED,
        () -> OvmfImage.parse(a(new long[][] {{0x800800, 0x1000, 1}}).build()));
    refused(OvmfReason.SECTION_NOT_PAGE_ALIGNED,
        () -> OvmfImage.parse(a(new long[][] {{0x800000, 0x1800, 1}}).build()));
    refused(OvmfReason.SECTIONS_OVERLAP,
        () -> OvmfImage.parse(a(new long[][] {{0x800000, 0, 2}, {0x800000, 0x1000, 1}}).build()));
    refused(OvmfReason.SECTION_OUT_OF_RANGE,
        () -> OvmfImage.parse(a(new long[][] {{0xFFFFF000L, 0x2000, 1}}).build()));
    refused(OvmfReason.SECTION_OUT_OF_RANGE,
        () -> OvmfImage.parse(a(new long[][] {{0xFFFE0000L, 0x1000, 2}}).build()));
    refused(OvmfReason.SECTIONS_OVERLAP,
        () -> OvmfImage.parse(a(new long[][] {{0x800000, 0x3000, 1}, {0x802000, 0x1000, 2}}).build()));
  }

  @Test
  void emptySectionsAreMeasuredAsTheReferenceDoes() throws Exception {
    // size 0: SEC_MEM gives no update, SECRETS/CPUID still one, KERNEL_HASHES none without a kernel
    OvmfImage img = OvmfImage.parse(a(new long[][] {{0x800000, 0, 1}, {0x801000, 0, 2}, {0x802000, 0, 3},
        {0x803000, 0, 0x10}}).build());
    assertEquals(32 + 2 + 1, LaunchDigest.explain(img, BootArtifacts.none(), qemu(1)).updateCount());
    refused(OvmfReason.KERNEL_HASHES_SECTION_SIZE, () -> LaunchDigest.compute(img, kernel(), qemu(1)));
  }

  @Test
  void launchesTheFirmwareCannotMeasure() throws Exception {
    // no footer table: parses, gives the firmware digest, refuses mode snp
    byte[] noTable = SyntheticFirmware.deterministicBytes("n", 0x3000);
    OvmfImage nt = OvmfImage.parse(noTable);
    assertFalse(nt.hasFooterTable());
    assertEquals(48, LaunchDigest.firmwareDigest(nt).length());
    refused(OvmfReason.NO_FOOTER_TABLE, () -> LaunchDigest.compute(nt, BootArtifacts.none(), qemu(1)));
    refused(OvmfReason.NO_FOOTER_TABLE, () -> nt.prepare().measure(BootArtifacts.none(), qemu(1)));
    // no reset block
    OvmfImage noReset = OvmfImage.parse(SyntheticFirmware.builder(0x3000).fill("r")
        .entry(Guids.SEV_HASH_TABLE_RV, 0, 0).build());
    refused(OvmfReason.MISSING_RESET_EIP, () -> LaunchDigest.compute(noReset, BootArtifacts.none(), qemu(1)));
    // reset EIP 0: one vCPU only
    OvmfImage zero = OvmfImage.parse(SyntheticFirmware.builder(0x3000).fill("z")
        .entry(Guids.SEV_ES_RESET_BLOCK, 0).build());
    LaunchDigest.compute(zero, BootArtifacts.none(), qemu(1));
    refused(OvmfReason.ZERO_RESET_EIP, () -> LaunchDigest.compute(zero, BootArtifacts.none(), qemu(2)));
    // kernel-hashes section of two pages with a kernel
    long[][] twoPages = {{0x800000, 0x2000, 0x10}};
    OvmfImage big = OvmfImage.parse(a(twoPages).build());
    LaunchDigest.compute(big, BootArtifacts.none(), qemu(1));
    refused(OvmfReason.KERNEL_HASHES_SECTION_SIZE, () -> LaunchDigest.compute(big, kernel(), qemu(1)));
    // kernel without a hash-table entry, or with the table not fitting its page
    OvmfImage noRv = OvmfImage.parse(metadata(0x600, A_SECTIONS, SyntheticFirmware.builder(0x20000).fill("h")
        .entry(Guids.SEV_METADATA, 0x600)
        .entry(Guids.SEV_ES_RESET_BLOCK, 0x80b004)).build());
    refused(OvmfReason.MISSING_HASH_TABLE, () -> LaunchDigest.compute(noRv, kernel(), qemu(1)));
    OvmfImage late = OvmfImage.parse(metadata(0x600, A_SECTIONS, SyntheticFirmware.builder(0x20000).fill("h")
        .entry(Guids.SEV_METADATA, 0x600)
        .entry(Guids.SEV_HASH_TABLE_RV, 0x810F80, 0x80)
        .entry(Guids.SEV_ES_RESET_BLOCK, 0x80b004)).build());
    refused(OvmfReason.BAD_HASH_TABLE_LOCATION, () -> LaunchDigest.compute(late, kernel(), qemu(1)));
    refused(OvmfReason.BAD_HASH_TABLE_LOCATION, () -> late.prepare().measure(kernel(), qemu(1)));
    // SVSM and ovmf-hash modes measure no kernel
    OvmfImage good = OvmfImage.parse(SynthFirmware.synthA());
    OvmfImage svsm = OvmfImage.parse(SynthFirmware.synthSvsm());
    LaunchFeatures sv = LaunchFeatures.builder().mode(SnpMode.SNP_SVSM).vcpus(1).vcpuType("EPYC").svsm(svsm, 0).build();
    refused(OvmfReason.UNSUPPORTED_COMBINATION, () -> LaunchDigest.compute(good, kernel(), sv));
    refused(OvmfReason.MISSING_SVSM_INFO, () -> LaunchDigest.compute(good, BootArtifacts.none(),
        sv.toBuilder().svsm(good, 0).build()));
    LaunchFeatures oh = LaunchFeatures.builder().mode(SnpMode.SNP_OVMF_HASH).build();
    refused(OvmfReason.UNSUPPORTED_COMBINATION, () -> LaunchDigest.compute(good, kernel(), oh));
    refused(OvmfReason.UNSUPPORTED_COMBINATION, () -> LaunchDigest.compute(good, null, null, "x", qemu(1)));
  }

  @Test
  void launchFeatureRules() {
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER, () -> LaunchFeatures.builder().vcpuType("EPYC").build());
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER, () -> LaunchFeatures.builder().vcpus(5000).vcpuType("EPYC").build());
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER, () -> LaunchFeatures.builder().vcpus(1).build());
    misconfigured(OvmfReason.UNKNOWN_VCPU_TYPE, () -> LaunchFeatures.builder().vcpus(1).vcpuType("EPYC-Zen9").build());
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER,
        () -> LaunchFeatures.builder().vcpus(1).vcpuFamilyModelStepping(25, 1, 16).build());
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER, () -> LaunchFeatures.builder().vcpus(1).vcpuSignature(1L << 32).build());
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER, () -> LaunchFeatures.builder().vcpus(1).vcpuType("EPYC")
        .firmwareDigest(Bytes.of(new byte[32])).build());
    misconfigured(OvmfReason.UNSUPPORTED_COMBINATION, () -> LaunchFeatures.builder().vcpus(1).vcpuType("EPYC")
        .vmmType(VmmType.EC2).mode(SnpMode.SNP_SVSM).svsm(OvmfImage.parse(SynthFirmware.synthSvsm()), 0).build());
    misconfigured(OvmfReason.BAD_LAUNCH_PARAMETER, () -> LaunchFeatures.builder().vcpus(1).vcpuType("EPYC")
        .mode(SnpMode.SNP_SVSM).svsm(OvmfImage.parse(SynthFirmware.synthSvsm()), 100).build());
    misconfigured(OvmfReason.UNSUPPORTED_COMBINATION, () -> LaunchFeatures.builder().vcpus(1).vcpuType("EPYC")
        .mode(SnpMode.SNP_SVSM).svsm(OvmfImage.parse(SynthFirmware.synthSvsm()), 0)
        .firmwareDigest(Bytes.of(new byte[48])).build());
    refused(OvmfReason.UNKNOWN_VMM_TYPE, () -> VmmType.parse("kvm"));
    refused(OvmfReason.UNKNOWN_MODE, () -> SnpMode.parse("sev"));
    // EC2 and GCE need no signature; vCPU names are case-insensitive
    assertTrue(VcpuType.fromQemuName("epyc-genoa-v1").isPresent());
  }

  @Test
  void vcpuSignatures() {
    assertEquals(0x00800F12L, VcpuType.EPYC.signature());
    assertEquals(0x00830F10L, VcpuType.EPYC_ROME.signature());
    assertEquals(0x00A00F11L, VcpuType.EPYC_MILAN.signature());
    assertEquals(0x00A10F10L, VcpuType.EPYC_GENOA.signature());
    assertEquals(0x00B00F00L, VcpuType.EPYC_TURIN.signature());
    assertEquals(11144962L, VcpuType.signature(25, 160, 2));
  }

  @Provide
  Arbitrary<byte[]> randomImages() {
    return Arbitraries.integers().between(0, 6).flatMap(
        pages -> Arbitraries.bytes().array(byte[].class).ofSize(pages * 4096 + (pages == 6 ? 17 : 0)));
  }

  @Property(tries = 200)
  void randomBytesGiveOnlyTypedRefusals(@ForAll("randomImages") byte[] img) {
    onlyTypedExceptions(img);
  }

  @Property(tries = 300)
  void mutatedImagesGiveOnlyTypedRefusals(
      @ForAll @IntRange(min = 0, max = 2) int which,
      @ForAll @IntRange(min = 1, max = 700) int fromEnd,
      @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 3) int extra) {
    byte[] img = which == 0 ? SynthFirmware.synthA() : which == 1 ? SynthFirmware.synthB() : SynthFirmware.synthC();
    img[img.length - fromEnd] = value;
    if (extra == 1) {
      img[img.length - fromEnd / 2 - 1] ^= (byte) 0x80;
    }
    if (extra == 2) {
      img = Arrays.copyOf(img, img.length - 4096);
    }
    onlyTypedExceptions(img);
  }

  private static void onlyTypedExceptions(byte[] img) {
    OvmfImage parsed;
    try {
      parsed = OvmfImage.parse(img);
    } catch (AttestationException e) {
      assertTrue(e instanceof MalformedEvidenceException && e.reason() instanceof OvmfReason);
      return;
    }
    LaunchDigest.firmwareDigest(parsed);
    PreparedFirmware p = parsed.prepare();
    SearchSpace tiny = SearchSpace.builder().vcpus(1, 2).guestFeatures(java.util.List.of(1L)).build();
    for (BootArtifacts b : new BootArtifacts[] {BootArtifacts.none(), kernel()}) {
      for (VmmType vmm : VmmType.values()) {
        try {
          LaunchFeatures f = LaunchFeatures.builder().vcpus(3).vmmType(vmm).vcpuType("EPYC").build();
          assertEquals(LaunchDigest.compute(parsed, b, f), p.measure(b, f));
        } catch (AttestationException e) {
          assertTrue(e.reason() instanceof OvmfReason, e.toString());
        }
      }
      try {
        p.search(Bytes.of(new byte[48]), b, tiny);
      } catch (AttestationException e) {
        assertTrue(e.reason() instanceof OvmfReason, e.toString());
      }
    }
  }
}
