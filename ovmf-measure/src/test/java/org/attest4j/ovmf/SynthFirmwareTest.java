package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.attest4j.ovmf.internal.Guids;
import org.attest4j.ovmf.testing.SyntheticFirmware;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/** The synthetic firmware builder (spec section 11) rebuilds the shared images byte for byte. */
class SynthFirmwareTest {
  @Test
  void rebuildsTheSharedSyntheticImages() {
    assertArrayEquals(SharedData.bytes(VectorSupport.DIR + "synth-ovmf-a.fd"), SynthFirmware.synthA());
    assertArrayEquals(SharedData.bytes(VectorSupport.DIR + "synth-ovmf-b.fd"), SynthFirmware.synthB());
    assertArrayEquals(SharedData.bytes(VectorSupport.DIR + "synth-ovmf-c.fd"), SynthFirmware.synthC());
    assertArrayEquals(SharedData.bytes(VectorSupport.DIR + "synth-svsm.bin"), SynthFirmware.synthSvsm());
  }

  @Test
  void kernelsAndInitrdsAreDetBytes() {
    for (String f : List.of("kernel-a.bin", "kernel-b.bin", "kernel-c.bin", "kernel-d.bin", "initrd-a.bin",
        "initrd-c.bin", "initrd-empty.bin")) {
      byte[] b = SharedData.bytes(VectorSupport.DIR + f);
      assertArrayEquals(b, SyntheticFirmware.deterministicBytes(f, b.length), f);
    }
  }

  @Test
  void parsesWhatTheSpecSays() throws Exception {
    OvmfImage a = OvmfImage.parse(SynthFirmware.synthA());
    assertEquals(7, a.sections().size());
    assertEquals(0x80b004, a.apResetEip().getAsLong());
    assertEquals(0x810c00, a.hashTableGpa().getAsLong());
    OvmfImage b = OvmfImage.parse(SynthFirmware.synthB());
    assertEquals(4, b.footerTable().size(), "the unknown TDX entry is kept");
    assertEquals(0x808f40, b.hashTableGpa().getAsLong());
    OvmfImage svsm = OvmfImage.parse(SynthFirmware.synthSvsm());
    assertEquals(0x1000, svsm.svsmEntryOffset().getAsLong());
  }

  @Test
  void theAmdSevX64PresetHasTheEdk2Layout() throws Exception {
    OvmfImage img = OvmfImage.parse(SyntheticFirmware.amdSevX64().build());
    assertEquals(SyntheticFirmware.AMD_SEV_X64_SIZE, img.size());
    assertEquals(java.util.Set.of(Guids.SEV_METADATA, Guids.SEV_HASH_TABLE_RV, Guids.SEV_ES_RESET_BLOCK),
        img.footerTable().keySet());
    assertEquals(6, img.sections().size());
    assertEquals(SectionType.SNP_KERNEL_HASHES, img.sections().get(4).type());
    assertEquals(0x80b004, img.apResetEip().getAsLong());
    assertEquals(0x810c00, img.hashTableGpa().getAsLong());
    assertEquals(0x400, img.hashTableSize().getAsLong());
    byte[] filled = SyntheticFirmware.amdSevX64().fill("f").build();
    assertArrayEquals(SyntheticFirmware.deterministicBytes("f", 0x1000), java.util.Arrays.copyOf(filled, 0x1000));
  }

  @Test
  void theBuilderRefusesWhatCannotBeWritten() {
    assertThrows(IllegalArgumentException.class, () -> SyntheticFirmware.builder(4095));
    assertThrows(IllegalArgumentException.class, () -> SyntheticFirmware.builder(0));
    assertThrows(IllegalArgumentException.class, () -> SyntheticFirmware.builder(4096).entry(Guids.SVSM_INFO, -1));
    assertThrows(IllegalArgumentException.class, () -> SyntheticFirmware.builder(4096).entry(Guids.SVSM_INFO, 1L << 32));
    assertThrows(IllegalArgumentException.class, () -> SyntheticFirmware.builder(4096).sevMetadata(4097));
    assertThrows(IllegalArgumentException.class, () -> SyntheticFirmware.deterministicBytes("x", -1));
    assertThrows(IllegalStateException.class, () -> SyntheticFirmware.builder(4096).section(0, 0x1000, 1).build());
    assertThrows(IllegalStateException.class,
        () -> SyntheticFirmware.builder(4096).sevMetadata(16).section(0, 0x1000, 1).build());
    assertThrows(IllegalStateException.class,
        () -> SyntheticFirmware.builder(4096).entry(Guids.SVSM_INFO, new byte[4096]).build());
  }
}
