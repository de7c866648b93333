package org.attest4j.ovmf.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * GUID constants and the mixed-endian ("GUID LE") encoding, shared by the measurement and the
 * test firmware builder. Not API: the package is not exported. Stateless and thread-safe.
 */
public final class Guids {
  public static final UUID FOOTER = UUID.fromString("96b582de-1fb2-45f7-baea-a366c55a082d");
  public static final UUID SEV_ES_RESET_BLOCK = UUID.fromString("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
  public static final UUID SEV_METADATA = UUID.fromString("dc886566-984a-4798-a75e-5585a7bf67cc");
  public static final UUID SEV_HASH_TABLE_RV = UUID.fromString("7255371f-3a3b-4b04-927b-1da6efa8d454");
  public static final UUID SVSM_INFO = UUID.fromString("a789a612-0597-4c4b-a49f-cbb1fe9d1ddd");
  public static final UUID SEV_SECRET_BLOCK = UUID.fromString("4c2eb361-7d9b-4cc3-8081-127c90d3d294");
  public static final UUID TDX_METADATA = UUID.fromString("e47a6535-984a-4798-865e-4685a7bf8ec2");
  public static final UUID HASH_TABLE_HEADER = UUID.fromString("9438d606-4f22-4cc9-b479-a793d411fd21");
  public static final UUID KERNEL_ENTRY = UUID.fromString("4de79437-abd2-427f-b835-d5b172d2045b");
  public static final UUID INITRD_ENTRY = UUID.fromString("44baf731-3a2f-4bd7-9af1-41e29169781d");
  public static final UUID CMDLINE_ENTRY = UUID.fromString("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");

  private Guids() {}

  /** The 16-byte mixed-endian form (first three fields little-endian). */
  public static byte[] toLe(UUID u) {
    ByteBuffer be = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
    be.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    byte[] b = be.array();
    byte[] out = b.clone();
    out[0] = b[3];
    out[1] = b[2];
    out[2] = b[1];
    out[3] = b[0];
    out[4] = b[5];
    out[5] = b[4];
    out[6] = b[7];
    out[7] = b[6];
    return out;
  }

  /** Decodes 16 mixed-endian bytes at {@code off}. */
  public static UUID fromLe(byte[] d, int off) {
    byte[] b = new byte[16];
    b[0] = d[off + 3];
    b[1] = d[off + 2];
    b[2] = d[off + 1];
    b[3] = d[off];
    b[4] = d[off + 5];
    b[5] = d[off + 4];
    b[6] = d[off + 7];
    b[7] = d[off + 6];
    System.arraycopy(d, off + 8, b, 8, 8);
    ByteBuffer bb = ByteBuffer.wrap(b);
    return new UUID(bb.getLong(), bb.getLong());
  }

  public static String name(UUID u) {
    if (u.equals(FOOTER)) return "OVMF_TABLE_FOOTER";
    if (u.equals(SEV_ES_RESET_BLOCK)) return "SEV_ES_RESET_BLOCK";
    if (u.equals(SEV_METADATA)) return "OVMF_SEV_METADATA";
    if (u.equals(SEV_HASH_TABLE_RV)) return "SEV_HASH_TABLE_RV";
    if (u.equals(SVSM_INFO)) return "SVSM_INFO";
    if (u.equals(SEV_SECRET_BLOCK)) return "SEV_SECRET_BLOCK";
    if (u.equals(TDX_METADATA)) return "TDX_METADATA_OFFSET";
    return u.toString();
  }
}
