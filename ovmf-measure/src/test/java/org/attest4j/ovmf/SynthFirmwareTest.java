package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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
      assertArrayEquals(b, SynthFirmware.detBytes(f, b.length), f);
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
}
