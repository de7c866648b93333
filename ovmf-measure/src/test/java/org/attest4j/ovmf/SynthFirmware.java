package org.attest4j.ovmf;

import org.attest4j.ovmf.internal.Guids;
import org.attest4j.ovmf.testing.SyntheticFirmware;

/**
 * The four synthetic images of snp-measure.md section 11 (the shared {@code synth-*.fd} and {@code
 * synth-svsm.bin}), written with the public {@link SyntheticFirmware}.
 */
final class SynthFirmware {
  private SynthFirmware() {}

  static byte[] synthA() {
    return SyntheticFirmware.builder(0x20000)
        .fill("synth-ovmf-a")
        .entry(Guids.SEV_METADATA, 0x600)
        .entry(Guids.SEV_SECRET_BLOCK, 0x80d000, 0x1000)
        .entry(Guids.SEV_HASH_TABLE_RV, 0x810c00, 0x400)
        .entry(Guids.SEV_ES_RESET_BLOCK, 0x80b004)
        .sevMetadata(0x600)
        .section(0x800000, 0x9000, 1)
        .section(0x80a000, 0x3000, 1)
        .section(0x80d000, 0x1000, 2)
        .section(0x80e000, 0x1000, 3)
        .section(0x80f000, 0x1000, 4)
        .section(0x810000, 0x1000, 0x10)
        .section(0x811000, 0xf000, 1)
        .build();
  }

  static byte[] synthB() {
    return SyntheticFirmware.builder(0x15000)
        .fill("synth-ovmf-b")
        .entry(Guids.SEV_ES_RESET_BLOCK, 0x80a004)
        .entry(Guids.TDX_METADATA, 0x9d0)
        .entry(Guids.SEV_HASH_TABLE_RV, 0x808f40, 0xc0)
        .entry(Guids.SEV_METADATA, 0x2a2)
        .sevMetadata(0x2a2)
        .section(0x800000, 0x8000, 1)
        .section(0x808000, 0x1000, 0x10)
        .section(0x80b000, 0x1000, 3)
        .section(0x809000, 0x1000, 2)
        .section(0x80a000, 0x1000, 1)
        .section(0x80c000, 0x4000, 1)
        .build();
  }

  static byte[] synthC() {
    return SyntheticFirmware.builder(0x3000)
        .fill("synth-ovmf-c")
        .entry(Guids.SEV_HASH_TABLE_RV, 0xc00000, 0x1000)
        .entry(Guids.SEV_METADATA, 0x100)
        .entry(Guids.SEV_ES_RESET_BLOCK, 0xc01234)
        .sevMetadata(0x100)
        .section(0xc00000, 0x1000, 0x10)
        .section(0xc01000, 0x1000, 2)
        .section(0xc02000, 0x1000, 3)
        .section(0xc03000, 0x2000, 1)
        .build();
  }

  static byte[] synthSvsm() {
    return SyntheticFirmware.builder(0x23000)
        .fill("synth-svsm")
        .entry(Guids.SEV_ES_RESET_BLOCK, 0xfffffff0L)
        .entry(Guids.SEV_SECRET_BLOCK, 0xdeadbeefL, 0)
        .entry(Guids.SVSM_INFO, 0x1000)
        .entry(Guids.SEV_METADATA, 0xc2)
        .sevMetadata(0xc2)
        .section(0x0, 0x9e000, 1)
        .section(0x9e000, 0x1000, 2)
        .section(0x9f000, 0x1000, 3)
        .build();
  }
}
