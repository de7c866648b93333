package org.attest4j.examples.agent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Synthetic boot images for demos and tests, generated in memory (nothing is read from disk): a
 * 128 KiB OVMF-style firmware with a footer GUID table, an {@code "ASEV"} SEV metadata block, an
 * SEV-ES reset block and a kernel-hashes table (the layout of edk2's AmdSevX64 build, as in the
 * synthetic firmware of the measurement spec), plus a kernel and an initrd. The bytes are
 * deterministic: {@code SHA-256(label || le32(i))} blocks.
 *
 * <p>Stateless; the methods are thread-safe.
 */
public final class SyntheticImages {
  private static final UUID FOOTER = UUID.fromString("96b582de-1fb2-45f7-baea-a366c55a082d");
  private static final UUID RESET_BLOCK = UUID.fromString("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
  private static final UUID METADATA = UUID.fromString("dc886566-984a-4798-a75e-5585a7bf67cc");
  private static final UUID HASH_TABLE = UUID.fromString("7255371f-3a3b-4b04-927b-1da6efa8d454");
  private static final int SIZE = 0x20000;
  private static final int META_OFF = 0x600;
  private static final long[][] SECTIONS = {
    {0x800000, 0x9000, 1},
    {0x80a000, 0x3000, 1},
    {0x80d000, 0x1000, 2},
    {0x80e000, 0x1000, 3},
    {0x810000, 0x1000, 0x10},
    {0x811000, 0xf000, 1},
  };

  private SyntheticImages() {}

  /**
   * The synthetic firmware (128 KiB).
   *
   * @return the synthetic firmware (128 KiB)
   */
  public static byte[] firmware() {
    byte[] img = detBytes("attest4j-demo-ovmf", SIZE);
    ByteBuffer meta = ByteBuffer.allocate(16 + 12 * SECTIONS.length).order(ByteOrder.LITTLE_ENDIAN);
    meta.put("ASEV".getBytes(StandardCharsets.US_ASCII)).putInt(16 + 12 * SECTIONS.length).putInt(1)
        .putInt(SECTIONS.length);
    for (long[] s : SECTIONS) {
      meta.putInt((int) s[0]).putInt((int) s[1]).putInt((int) s[2]);
    }
    System.arraycopy(meta.array(), 0, img, SIZE - META_OFF, meta.capacity());

    byte[][] entries = {
      entry(METADATA, le32(META_OFF)),
      entry(HASH_TABLE, concat(le32(0x810c00), le32(0x400))),
      entry(RESET_BLOCK, le32(0x80b004)),
    };
    int total = 18;
    for (byte[] e : entries) {
      total += e.length;
    }
    byte[] table = new byte[total];
    int o = 0;
    for (byte[] e : entries) {
      System.arraycopy(e, 0, table, o, e.length);
      o += e.length;
    }
    System.arraycopy(le16(total), 0, table, o, 2);
    System.arraycopy(guidLe(FOOTER), 0, table, o + 2, 16);
    System.arraycopy(table, 0, img, SIZE - 32 - total, total);
    return img;
  }

  /**
   * A synthetic kernel of {@code size} bytes.
   *
   * @param size the length in bytes
   * @return a synthetic kernel of {@code size} bytes
   */
  public static byte[] kernel(int size) {
    return detBytes("attest4j-demo-kernel", size);
  }

  /**
   * A synthetic initrd of {@code size} bytes.
   *
   * @param size the length in bytes
   * @return a synthetic initrd of {@code size} bytes
   */
  public static byte[] initrd(int size) {
    return detBytes("attest4j-demo-initrd", size);
  }

  private static byte[] entry(UUID guid, byte[] data) {
    return concat(data, le16(data.length + 18), guidLe(guid));
  }

  static byte[] detBytes(String label, int n) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] out = new byte[n];
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      for (int i = 0, off = 0; off < n; i++, off += 32) {
        md.update(l);
        md.update(le32(i));
        byte[] d = md.digest();
        System.arraycopy(d, 0, out, off, Math.min(32, n - off));
      }
      return out;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] guidLe(UUID u) {
    ByteBuffer b = ByteBuffer.allocate(16);
    long msb = u.getMostSignificantBits();
    b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (msb >>> 32)).putShort((short) (msb >>> 16)).putShort((short) msb);
    b.order(ByteOrder.BIG_ENDIAN).putLong(u.getLeastSignificantBits());
    return b.array();
  }

  private static byte[] le32(long v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
  }

  private static byte[] le16(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
