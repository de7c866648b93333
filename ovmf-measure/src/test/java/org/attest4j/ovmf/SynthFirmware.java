package org.attest4j.ovmf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds synthetic OVMF-format images as snp-measure.md section 11 describes. */
final class SynthFirmware {
  private SynthFirmware() {}

  /** {@code det_bytes(label, n)}: SHA256(label || le32(0)) || SHA256(label || le32(1)) || ..., cut to n. */
  static byte[] detBytes(String label, int n) {
    try {
      byte[] out = new byte[n];
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      int off = 0;
      for (long i = 0; off < n; i++) {
        md.update(l);
        md.update(le32(i));
        byte[] h = md.digest();
        int k = Math.min(32, n - off);
        System.arraycopy(h, 0, out, off, k);
        off += k;
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Little-endian u32 values, concatenated. */
  static byte[] le32(long... vs) {
    byte[] b = new byte[4 * vs.length];
    for (int i = 0; i < vs.length; i++) {
      Le.put32(b, 4 * i, vs[i]);
    }
    return b;
  }

  static Builder builder(int size) {
    return new Builder(size);
  }

  static final class Builder {
    private final int size;
    private byte[] filler;
    private final List<Object[]> entries = new ArrayList<>();
    private long metaOff = -1;
    private long[][] sections;

    Builder(int size) {
      this.size = size;
    }

    Builder label(String label) {
      this.filler = detBytes(label, size);
      return this;
    }

    Builder zeroFiller() {
      this.filler = new byte[size];
      return this;
    }

    Builder entry(UUID guid, byte[] data) {
      entries.add(new Object[] {guid, data});
      return this;
    }

    Builder metadata(long metaOff, long[][] sections) {
      this.metaOff = metaOff;
      this.sections = sections;
      return this;
    }

    byte[] build() {
      byte[] img = filler == null ? new byte[size] : filler.clone();
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      for (Object[] e : entries) {
        byte[] data = (byte[]) e[1];
        t.writeBytes(data);
        byte[] len = new byte[2];
        Le.put16(len, 0, data.length + 18);
        t.writeBytes(len);
        t.writeBytes(Guids.toLe((UUID) e[0]));
      }
      int total = t.size() + 18;
      byte[] len = new byte[2];
      Le.put16(len, 0, total);
      t.writeBytes(len);
      t.writeBytes(Guids.toLe(Guids.FOOTER));
      byte[] table = t.toByteArray();
      System.arraycopy(table, 0, img, size - 32 - table.length, table.length);
      if (metaOff >= 0) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes("ASEV".getBytes(StandardCharsets.US_ASCII));
        m.writeBytes(le32(16 + 12L * sections.length, 1, sections.length));
        for (long[] s : sections) {
          m.writeBytes(le32(s[0], s[1], s[2]));
        }
        byte[] blob = m.toByteArray();
        System.arraycopy(blob, 0, img, (int) (size - metaOff), blob.length);
      }
      return img;
    }
  }

  static byte[] synthA() {
    return builder(0x20000)
        .label("synth-ovmf-a")
        .entry(Guids.SEV_METADATA, le32(0x600))
        .entry(Guids.SEV_SECRET_BLOCK, le32(0x80d000, 0x1000))
        .entry(Guids.SEV_HASH_TABLE_RV, le32(0x810c00, 0x400))
        .entry(Guids.SEV_ES_RESET_BLOCK, le32(0x80b004))
        .metadata(
            0x600,
            new long[][] {
              {0x800000, 0x9000, 1}, {0x80a000, 0x3000, 1}, {0x80d000, 0x1000, 2}, {0x80e000, 0x1000, 3},
              {0x80f000, 0x1000, 4}, {0x810000, 0x1000, 0x10}, {0x811000, 0xf000, 1}
            })
        .build();
  }

  static byte[] synthB() {
    return builder(0x15000)
        .label("synth-ovmf-b")
        .entry(Guids.SEV_ES_RESET_BLOCK, le32(0x80a004))
        .entry(Guids.TDX_METADATA, le32(0x9d0))
        .entry(Guids.SEV_HASH_TABLE_RV, le32(0x808f40, 0xc0))
        .entry(Guids.SEV_METADATA, le32(0x2a2))
        .metadata(
            0x2a2,
            new long[][] {
              {0x800000, 0x8000, 1}, {0x808000, 0x1000, 0x10}, {0x80b000, 0x1000, 3}, {0x809000, 0x1000, 2},
              {0x80a000, 0x1000, 1}, {0x80c000, 0x4000, 1}
            })
        .build();
  }

  static byte[] synthC() {
    return builder(0x3000)
        .label("synth-ovmf-c")
        .entry(Guids.SEV_HASH_TABLE_RV, le32(0xc00000, 0x1000))
        .entry(Guids.SEV_METADATA, le32(0x100))
        .entry(Guids.SEV_ES_RESET_BLOCK, le32(0xc01234))
        .metadata(
            0x100,
            new long[][] {{0xc00000, 0x1000, 0x10}, {0xc01000, 0x1000, 2}, {0xc02000, 0x1000, 3}, {0xc03000, 0x2000, 1}})
        .build();
  }

  static byte[] synthSvsm() {
    return builder(0x23000)
        .label("synth-svsm")
        .entry(Guids.SEV_ES_RESET_BLOCK, le32(0xfffffff0L))
        .entry(Guids.SEV_SECRET_BLOCK, le32(0xdeadbeefL, 0))
        .entry(Guids.SVSM_INFO, le32(0x1000))
        .entry(Guids.SEV_METADATA, le32(0xc2))
        .metadata(0xc2, new long[][] {{0x0, 0x9e000, 1}, {0x9e000, 0x1000, 2}, {0x9f000, 0x1000, 3}})
        .build();
  }
}
