package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.ovmf.internal.Guids;
import org.attest4j.ovmf.testing.SyntheticFirmware;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/** The dstack measurement cases of dstack-kms.md section 7. */
class DstackCasesTest {
  private static String hexOf(int b, int n) {
    byte[] x = new byte[n];
    Arrays.fill(x, (byte) b);
    return HexFormat.of().formatHex(x);
  }

  @Test
  void realHardwareMeasurementReproducesFromTheMeasurementDocument() throws Exception {
    JsonObject meta = SharedData.json("vectors/dstack/fixtures/meta.json").getAsJsonObject();
    JsonObject doc = meta.getAsJsonObject("snp_real_measurement_doc");
    JsonObject in = doc.getAsJsonObject("input");
    List<MetadataSection> sections = new ArrayList<>();
    for (JsonElement e : in.getAsJsonArray("ovmf_sections")) {
      JsonObject s = e.getAsJsonObject();
      sections.add(
          MetadataSection.of(s.get("gpa").getAsLong(), s.get("size").getAsLong(), s.get("section_type").getAsLong()));
    }
    PreparedFirmware fw =
        PreparedFirmware.fromLayout(
            Bytes.fromHex(in.get("ovmf_hash").getAsString()),
            sections,
            in.get("sev_es_reset_eip").getAsLong(),
            in.get("sev_hashes_table_gpa").getAsLong());
    BootArtifacts boot =
        BootArtifacts.of(
            Artifact.ofSha256Hex(in.get("kernel_hash").getAsString()),
            Artifact.ofSha256Hex(in.get("initrd_hash").getAsString()),
            in.get("base_cmdline").getAsString());
    assertEquals(doc.get("cmdline_sha256_with_nul").getAsString(), boot.cmdlineSha256().orElseThrow().toHex());
    LaunchFeatures f =
        LaunchFeatures.builder()
            .vcpus(in.get("vcpus").getAsInt())
            .vcpuType(in.get("vcpu_type").getAsString())
            .guestFeatures(in.get("guest_features").getAsLong())
            .build();
    assertEquals(doc.get("vcpu_signature").getAsLong(), f.vcpuSignature().getAsLong());
    String expected = "7f51e17f72a04d5422cb2c00998166536019a217376f3aa45a630e59c805a599847ff250dbffcd07e1ba639771d6f05d";
    assertEquals(expected, doc.get("expected_measurement").getAsString());
    assertEquals(expected, meta.getAsJsonObject("sev_snp_attestation_bin").getAsJsonObject("report")
        .get("measurement").getAsString());
    assertEquals(expected, fw.measure(boot, f).toHex());
    assertEquals(expected, fw.explain(boot, f).measurement().toHex());
    fw.verify(Bytes.fromHex(expected), boot, f);
    // and the mismatch search finds the launch shape from the report's measurement alone
    SearchResult r = fw.search(Bytes.fromHex(expected), boot);
    assertEquals(1, r.matches().size(), r.toString());
    LaunchShape shape = r.matches().get(0);
    assertEquals(2, shape.vcpus());
    assertEquals(VmmType.QEMU, shape.vmmType());
    assertEquals(VcpuType.EPYC.signature(), shape.vcpuSignature().getAsLong());
    assertEquals(1, shape.guestFeatures());
    // one more vCPU is refused with both values in the message
    LaunchFeatures three = f.toBuilder().vcpus(3).build();
    VerificationException e =
        assertThrows(VerificationException.class, () -> fw.verify(Bytes.fromHex(expected), boot, three));
    assertEquals(OvmfReason.MEASUREMENT_MISMATCH, e.reason());
  }

  @Test
  void syntheticDstackInputReproduces() throws Exception {
    PreparedFirmware fw =
        PreparedFirmware.fromLayout(
            Bytes.fromHex(hexOf(0x44, 48)),
            List.of(
                MetadataSection.of(0x100000, 0x2000, 1),
                MetadataSection.of(0x800000, 0x1000, 0x10),
                MetadataSection.of(0x810000, 0x1000, 2),
                MetadataSection.of(0x820000, 0x1000, 3)),
            0xFFFF_FFF0L,
            0x80_1000);
    BootArtifacts boot =
        BootArtifacts.of(
            Artifact.ofSha256Hex(hexOf(0x55, 32)),
            Artifact.ofSha256Hex(hexOf(0x66, 32)),
            "console=ttyS0 dstack.rootfs_hash=" + hexOf(0x33, 32));
    LaunchFeatures f = LaunchFeatures.builder().vcpus(2).vcpuType("epyc-v4").guestFeatures(1).build();
    assertEquals(
        "88b48404819692fd2a5068f1a07bf1973bbcaa1314adc670705f9388762a759faf889f8e2c71fe1ec892554415257960",
        fw.measure(boot, f).toHex());
  }

  @Test
  void singleGctxUpdate() throws Exception {
    byte[] contents = MessageDigest.getInstance("SHA-384").digest("page".getBytes(StandardCharsets.US_ASCII));
    Gctx g = new Gctx(MessageDigest.getInstance("SHA-384"), null, null);
    g.withContents(PageType.NORMAL, 0x1000, contents);
    assertEquals(
        "3ebc1a70acc0bae5ae2788fae29a0371f983b19a68faf9843064f36040f58571ce5bb6bcdc9c361087073f8cffd92635",
        HexFormat.of().formatHex(g.ld()));
    Gctx other = new Gctx(MessageDigest.getInstance("SHA-384"), null, null);
    other.withContents(PageType.NORMAL, 0x2000, contents);
    assertNotEquals(HexFormat.of().formatHex(g.ld()), HexFormat.of().formatHex(other.ld()));
  }

  /**
   * dstack's 4 KiB synthetic OVMF (zero filler, metadata at 512, three footer entries). dstack's
   * builder leaves the metadata length field 0, which its own parser ignores; sev-snp-measure (which
   * slices the descriptors by that length) and this library refuse it. With the length filled in
   * the image parses to the expected layout; the page chain over dstack's exact bytes gives the
   * dstack vector.
   */
  @Test
  void dstackSyntheticOvmfParsesAndHashes() throws Exception {
    byte[] img =
        SyntheticFirmware.builder(4096)
            .entry(Guids.SEV_HASH_TABLE_RV, 0x4000)
            .entry(Guids.SEV_ES_RESET_BLOCK, 0xFFFF_FFF0L)
            .entry(Guids.SEV_METADATA, 4096 - 512)
            .sevMetadata(4096 - 512)
            .section(0x1000, 0x1000, 1)
            .section(0x2000, 0x1000, 2)
            .section(0x3000, 0x1000, 3)
            .section(0x4000, 0x1000, 0x10)
            .build();
    byte[] dstackBytes = img.clone();
    Le.put32(dstackBytes, 512 + 4, 0); // dstack writes no metadata length
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, () -> OvmfImage.parse(dstackBytes));
    assertEquals(OvmfReason.BAD_METADATA_HEADER, e.reason());
    Gctx g = new Gctx(MessageDigest.getInstance("SHA-384"), null, null);
    g.normalPages(dstackBytes, 0, 4096, 0xFFFF_F000L);
    assertEquals(
        "7c0f80f0a8d0ab1ee23fe763b255b8b210bb71113febcda60d76c00e84512f0cc141ffaa61be7bd22164736e85ec52d3",
        HexFormat.of().formatHex(g.ld()));

    OvmfImage ovmf = OvmfImage.parse(img);
    assertEquals(0xFFFF_F000L, ovmf.gpa());
    assertEquals(0x4000, ovmf.hashTableGpa().getAsLong());
    assertEquals(0xFFFF_FFF0L, ovmf.apResetEip().getAsLong());
    assertEquals(
        List.of(
            new MetadataSection(0x1000, 0x1000, SectionType.SNP_SEC_MEM),
            new MetadataSection(0x2000, 0x1000, SectionType.SNP_SECRETS),
            new MetadataSection(0x3000, 0x1000, SectionType.CPUID),
            new MetadataSection(0x4000, 0x1000, SectionType.SNP_KERNEL_HASHES)),
        ovmf.sections());
    assertEquals(1 + 4 + 2, LaunchDigest.explain(ovmf, BootArtifacts.none(),
        LaunchFeatures.builder().vcpus(2).vcpuType(VcpuType.EPYC).build()).updateCount());
  }

  @Test
  void layoutRefusesBadInputs() {
    assertThrows(
        MalformedEvidenceException.class,
        () -> PreparedFirmware.fromLayout(Bytes.fromHex(hexOf(0x44, 32)), List.of(), 0, 0));
    MalformedEvidenceException e =
        assertThrows(
            MalformedEvidenceException.class,
            () ->
                PreparedFirmware.fromLayout(
                    Bytes.fromHex(hexOf(0x44, 48)),
                    List.of(MetadataSection.of(0x1000, 0x2000, 1), MetadataSection.of(0x2000, 0x1000, 2)),
                    0,
                    0));
    assertEquals(OvmfReason.SECTIONS_OVERLAP, e.reason());
    e = assertThrows(MalformedEvidenceException.class, () -> MetadataSection.of(0x1000, 0x1000, 7));
    assertEquals(OvmfReason.UNKNOWN_SECTION_TYPE, e.reason());
  }
}
