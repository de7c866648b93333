package org.attest4j.ovmf.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.SectionType;
import org.attest4j.ovmf.internal.Guids;

/**
 * <strong>Test-only</strong> synthetic OVMF-format firmware images, written in memory as the
 * measurement spec's synthetic firmware (snp-measure section 11) describes: a filler (zeros, or the
 * deterministic {@link #deterministicBytes det_bytes} of a label), the footer GUID table ending 32
 * bytes before the end of the image (entries in the order added, then the length and {@link
 * OvmfImage#FOOTER_TABLE_GUID}), and optionally an {@code "ASEV"} SEV metadata block (version 1) at a
 * given offset from the end. The images parse with {@link OvmfImage#parse(byte[])} and measure like
 * any OVMF build with that layout, but boot nothing. Never use in production.
 *
 * <pre>{@code
 * byte[] ovmf = SyntheticFirmware.amdSevX64().fill("my-test").build();
 * byte[] odd = SyntheticFirmware.builder(0x3000)
 *     .entry(OvmfImage.SEV_ES_RESET_BLOCK_GUID, 0x80b004)
 *     .build();
 * }</pre>
 *
 * <p>Stateless; the static methods are thread-safe.
 */
public final class SyntheticFirmware {
  /** The size of {@link #amdSevX64()}'s image: 128 KiB. */
  public static final int AMD_SEV_X64_SIZE = 0x20000;

  private static final int GUIDED_ENTRY_OVERHEAD = 18; // u16 length + 16-byte GUID
  private static final int TABLE_END_FROM_IMAGE_END = 32;
  private static final int AMD_SEV_X64_METADATA_OFFSET = 0x600;

  private SyntheticFirmware() {}

  /**
   * A builder of an image of {@code size} bytes with no footer-table entries and no SEV metadata;
   * the filler is zeros until {@link Builder#fill(String)} is called.
   *
   * @param size the image size in bytes, a positive multiple of 4096 (the page size)
   * @return a new builder
   * @throws IllegalArgumentException if {@code size} is not a positive multiple of 4096
   */
  public static Builder builder(int size) {
    if (size <= 0 || size % 4096 != 0) {
      throw new IllegalArgumentException("the image size must be a positive multiple of 4096, not " + size);
    }
    return new Builder(size);
  }

  /**
   * A builder preset to the layout of edk2's AmdSevX64 build: a 128 KiB image whose footer table
   * holds the SEV metadata entry (offset 0x600), the kernel-hashes table entry (GPA 0x810c00, 0x400
   * bytes) and the SEV-ES reset block (AP reset EIP 0x80b004), and whose metadata lists six sections:
   * SNP_SEC_MEM 0x800000+0x9000, SNP_SEC_MEM 0x80a000+0x3000, SNP_SECRETS 0x80d000, CPUID 0x80e000,
   * SNP_KERNEL_HASHES 0x810000 and SNP_SEC_MEM 0x811000+0xf000. The filler is zeros unless {@link
   * Builder#fill(String)} is called; entries and sections may be added.
   *
   * @return a new, preset builder
   */
  public static Builder amdSevX64() {
    return builder(AMD_SEV_X64_SIZE)
        .entry(OvmfImage.SEV_METADATA_GUID, AMD_SEV_X64_METADATA_OFFSET)
        .entry(OvmfImage.SEV_HASH_TABLE_RV_GUID, 0x810c00, 0x400)
        .entry(OvmfImage.SEV_ES_RESET_BLOCK_GUID, 0x80b004)
        .sevMetadata(AMD_SEV_X64_METADATA_OFFSET)
        .section(0x800000, 0x9000, SectionType.SNP_SEC_MEM)
        .section(0x80a000, 0x3000, SectionType.SNP_SEC_MEM)
        .section(0x80d000, 0x1000, SectionType.SNP_SECRETS)
        .section(0x80e000, 0x1000, SectionType.CPUID)
        .section(0x810000, 0x1000, SectionType.SNP_KERNEL_HASHES)
        .section(0x811000, 0xf000, SectionType.SNP_SEC_MEM);
  }

  /**
   * The spec's {@code det_bytes(label, n)}: {@code SHA-256(label || le32(0)) || SHA-256(label ||
   * le32(1)) || ...}, cut to {@code length} bytes, the label in US-ASCII. The synthetic kernels,
   * initrds and firmware fillers of the shared vectors are made this way.
   *
   * @param label the label (US-ASCII)
   * @param length the number of bytes, at least 0
   * @return {@code length} deterministic bytes (a new array)
   * @throws IllegalArgumentException if {@code length} is negative
   * @throws NullPointerException if {@code label} is null
   */
  public static byte[] deterministicBytes(String label, int length) {
    Objects.requireNonNull(label, "label");
    if (length < 0) {
      throw new IllegalArgumentException("length must be at least 0, not " + length);
    }
    MessageDigest md = sha256();
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[length];
    for (int i = 0, off = 0; off < length; i++, off += 32) {
      md.update(l);
      md.update(le32(i));
      System.arraycopy(md.digest(), 0, out, off, Math.min(32, length - off));
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private static byte[] le32(long... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      if (v < 0 || v > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("not an unsigned 32-bit value: " + v);
      }
      b.putInt((int) v);
    }
    return b.array();
  }

  /** The mixed-endian on-disk form of a GUID: the first three fields little-endian. */
  private static void putGuid(ByteBuffer b, UUID u) {
    b.put(Guids.toLe(u));
  }

  /**
   * Collects the parts of one synthetic image; {@link #build()} writes them.
   *
   * <p>Not thread-safe (confine a builder to one thread); {@link #build()} may be called more than
   * once and returns a new array each time.
   */
  public static final class Builder {
    private final int size;
    private String label;
    private final List<UUID> guids = new ArrayList<>();
    private final List<byte[]> data = new ArrayList<>();
    private int metadataOffset = -1;
    private final List<long[]> sections = new ArrayList<>();

    private Builder(int size) {
      this.size = size;
    }

    /**
     * Fills the image with {@link SyntheticFirmware#deterministicBytes deterministicBytes(label,
     * size)} instead of zeros.
     *
     * @param label the label (US-ASCII)
     * @return this builder
     * @throws NullPointerException if {@code label} is null
     */
    public Builder fill(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /**
     * Appends a footer-table entry whose data are the given unsigned 32-bit little-endian values
     * (for instance the SEV metadata offset, the hashes table's GPA and size, or the reset EIP).
     *
     * @param guid the entry's GUID
     * @param u32s the values, each in [0, 2^32)
     * @return this builder
     * @throws IllegalArgumentException if a value is outside [0, 2^32)
     * @throws NullPointerException if {@code guid} is null
     */
    public Builder entry(UUID guid, long... u32s) {
      return entry(guid, le32(u32s));
    }

    /**
     * Appends a footer-table entry with the given raw data (any length, including malformed ones).
     *
     * @param guid the entry's GUID
     * @param data the entry's data (copied)
     * @return this builder
     * @throws IllegalArgumentException if the entry would be longer than 65535 bytes
     * @throws NullPointerException if an argument is null
     */
    public Builder entry(UUID guid, byte[] data) {
      Objects.requireNonNull(guid, "guid");
      if (data.length > 0xFFFF - GUIDED_ENTRY_OVERHEAD) {
        throw new IllegalArgumentException("entry data too long: " + data.length + " bytes");
      }
      guids.add(guid);
      this.data.add(data.clone());
      return this;
    }

    /**
     * Writes an {@code "ASEV"} SEV metadata block (version 1, the length and count of the {@link
     * #section sections}) starting {@code offsetFromEnd} bytes before the end of the image. The
     * footer table's pointer to it is a separate {@link #entry(UUID, long...) entry} ({@link
     * OvmfImage#SEV_METADATA_GUID}), so tests can make the two disagree.
     *
     * @param offsetFromEnd the block's offset from the end of the image, in (0, size]
     * @return this builder
     * @throws IllegalArgumentException if the offset is outside (0, size]
     */
    public Builder sevMetadata(int offsetFromEnd) {
      if (offsetFromEnd <= 0 || offsetFromEnd > size) {
        throw new IllegalArgumentException("metadata offset " + offsetFromEnd + " is outside the image");
      }
      this.metadataOffset = offsetFromEnd;
      return this;
    }

    /**
     * Appends an SEV metadata section descriptor.
     *
     * @param gpa the section's guest-physical address, in [0, 2^32)
     * @param length the section's size in bytes, in [0, 2^32)
     * @param type the section's type
     * @return this builder
     * @throws IllegalArgumentException if a value is outside [0, 2^32)
     * @throws NullPointerException if {@code type} is null
     */
    public Builder section(long gpa, long length, SectionType type) {
      return section(gpa, length, type.code());
    }

    /**
     * Appends an SEV metadata section descriptor with a raw type code (which may be one no {@link
     * SectionType} names).
     *
     * @param gpa the section's guest-physical address, in [0, 2^32)
     * @param length the section's size in bytes, in [0, 2^32)
     * @param typeCode the section's numeric type, in [0, 2^32)
     * @return this builder
     * @throws IllegalArgumentException if a value is outside [0, 2^32)
     */
    public Builder section(long gpa, long length, long typeCode) {
      le32(gpa, length, typeCode); // range check
      sections.add(new long[] {gpa, length, typeCode});
      return this;
    }

    /**
     * Writes the image.
     *
     * @return the image bytes (a new array)
     * @throws IllegalStateException if sections were added without {@link #sevMetadata}, or the
     *     footer table or the metadata block does not fit in the image
     */
    public byte[] build() {
      byte[] img = label == null ? new byte[size] : deterministicBytes(label, size);
      int tableLength = GUIDED_ENTRY_OVERHEAD;
      for (byte[] d : data) {
        tableLength += d.length + GUIDED_ENTRY_OVERHEAD;
      }
      if (tableLength > 0xFFFF || tableLength + TABLE_END_FROM_IMAGE_END > size) {
        throw new IllegalStateException("the footer table (" + tableLength + " bytes) does not fit in the image");
      }
      ByteBuffer table = ByteBuffer.allocate(tableLength).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < data.size(); i++) {
        table.put(data.get(i)).putShort((short) (data.get(i).length + GUIDED_ENTRY_OVERHEAD));
        putGuid(table, guids.get(i));
      }
      table.putShort((short) tableLength);
      putGuid(table, OvmfImage.FOOTER_TABLE_GUID);
      System.arraycopy(table.array(), 0, img, size - TABLE_END_FROM_IMAGE_END - tableLength, tableLength);
      if (metadataOffset < 0) {
        if (!sections.isEmpty()) {
          throw new IllegalStateException("sections were added but no sevMetadata offset was set");
        }
        return img;
      }
      int metaLength = 16 + 12 * sections.size();
      if (metaLength > metadataOffset) {
        throw new IllegalStateException("the metadata block (" + metaLength + " bytes) runs past the end of the image");
      }
      ByteBuffer meta = ByteBuffer.allocate(metaLength).order(ByteOrder.LITTLE_ENDIAN);
      meta.put("ASEV".getBytes(StandardCharsets.US_ASCII)).put(le32(metaLength, 1, sections.size()));
      for (long[] s : sections) {
        meta.put(le32(s));
      }
      System.arraycopy(meta.array(), 0, img, size - metadataOffset, metaLength);
      return img;
    }
  }
}
