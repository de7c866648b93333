package org.example.consumer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.attest4j.ovmf.OvmfImage;

/**
 * A synthetic 128 KiB AMD SEV firmware image, written by a consumer from the public layout
 * constants of {@link OvmfImage}: a footer GUID table with the SEV metadata, kernel-hashes and
 * SEV-ES reset-block entries, and an {@code "ASEV"} metadata block with the sections of edk2's
 * AmdSevX64 build. The README snippets take an OVMF file as given; this stands in for one.
 * Deterministic; stateless.
 */
final class TestFirmware {
  private static final int SIZE = 0x20000;
  private static final int METADATA_OFFSET = 0x600;
  // gpa, size, type (1 SNP_SEC_MEM, 2 SNP_SECRETS, 3 CPUID, 0x10 SNP_KERNEL_HASHES)
  private static final int[][] SECTIONS = {
    {0x800000, 0x9000, 1},
    {0x80a000, 0x3000, 1},
    {0x80d000, 0x1000, 2},
    {0x80e000, 0x1000, 3},
    {0x810000, 0x1000, 0x10},
    {0x811000, 0xf000, 1},
  };

  private TestFirmware() {}

  /** The image bytes. */
  static byte[] image() {
    byte[] img = new byte[SIZE];
    Arrays.fill(img, (byte) 0x5a);
    ByteBuffer meta = le(16 + 12 * SECTIONS.length);
    meta.put("ASEV".getBytes(StandardCharsets.US_ASCII)).putInt(meta.capacity()).putInt(1).putInt(SECTIONS.length);
    for (int[] s : SECTIONS) {
      meta.putInt(s[0]).putInt(s[1]).putInt(s[2]);
    }
    System.arraycopy(meta.array(), 0, img, SIZE - METADATA_OFFSET, meta.capacity());
    ByteBuffer table = le(3 * 18 + 4 + 8 + 4 + 18);
    entry(table, OvmfImage.SEV_METADATA_GUID, METADATA_OFFSET);
    entry(table, OvmfImage.SEV_HASH_TABLE_RV_GUID, 0x810c00, 0x400);
    entry(table, OvmfImage.SEV_ES_RESET_BLOCK_GUID, 0x80b004);
    table.putShort((short) table.capacity());
    guid(table, OvmfImage.FOOTER_TABLE_GUID);
    System.arraycopy(table.array(), 0, img, SIZE - 32 - table.capacity(), table.capacity());
    return img;
  }

  private static void entry(ByteBuffer b, UUID guid, int... data) {
    for (int d : data) {
      b.putInt(d);
    }
    b.putShort((short) (4 * data.length + 18));
    guid(b, guid);
  }

  // a GUID in its mixed-endian on-disk form
  private static void guid(ByteBuffer b, UUID u) {
    long msb = u.getMostSignificantBits();
    b.putInt((int) (msb >>> 32)).putShort((short) (msb >>> 16)).putShort((short) msb);
    b.order(ByteOrder.BIG_ENDIAN).putLong(u.getLeastSignificantBits()).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
