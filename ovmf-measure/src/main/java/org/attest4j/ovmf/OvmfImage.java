package org.attest4j.ovmf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.internal.Guids;

/**
 * A parsed OVMF (or Coconut-SVSM) firmware image: the bytes, the footer GUID table, the SEV metadata
 * sections, the SEV-ES reset block (AP reset EIP), the SEV hash-table address and the SVSM entry
 * information. The image is mapped so that it ends at 4 GiB.
 *
 * <p>Parsing follows sev-snp-measure 0.0.13 and fails closed where the reference tool silently
 * continues: a footer table with inconsistent lengths, duplicate GUIDs, a bad {@code "ASEV"}
 * header, unknown section types, sections that are not page-aligned, that reach past 4 GiB, that
 * overlap the image or each other are all refused with a {@link MalformedEvidenceException} and an
 * {@link OvmfReason}. An image whose footer GUID is absent parses (its {@linkplain
 * LaunchDigest#firmwareDigest firmware digest} is still defined) but has {@link #hasFooterTable()}
 * false and cannot be used for a full {@code snp} measurement.
 *
 * <p>Instances are immutable and thread-safe (the bytes are copied in and never exposed).
 */
public final class OvmfImage {
  /** The largest image accepted (64 MiB; real OVMF and SVSM images are a few MiB). */
  public static final int MAX_IMAGE_SIZE = 64 << 20;

  /** {@code 96b582de-1fb2-45f7-baea-a366c55a082d}: the footer-table GUID. */
  public static final UUID FOOTER_TABLE_GUID = Guids.FOOTER;
  /** {@code 00f771de-1a7e-4fcb-890e-68c77e2fb44e}: SEV-ES reset block (AP reset EIP). */
  public static final UUID SEV_ES_RESET_BLOCK_GUID = Guids.SEV_ES_RESET_BLOCK;
  /** {@code dc886566-984a-4798-a75e-5585a7bf67cc}: SEV metadata offset. */
  public static final UUID SEV_METADATA_GUID = Guids.SEV_METADATA;
  /** {@code 7255371f-3a3b-4b04-927b-1da6efa8d454}: SEV hash-table GPA and size. */
  public static final UUID SEV_HASH_TABLE_RV_GUID = Guids.SEV_HASH_TABLE_RV;
  /** {@code a789a612-0597-4c4b-a49f-cbb1fe9d1ddd}: SVSM entry information (SVSM images). */
  public static final UUID SVSM_INFO_GUID = Guids.SVSM_INFO;

  static final long FOUR_GIB = 0x1_0000_0000L;
  static final int PAGE = 4096;
  private static final int TRAILER = 18;
  private static final int MAX_SECTIONS = 1024;

  private final byte[] data;
  private final boolean hasTable;
  private final Map<UUID, Bytes> table;
  private final boolean hasMetadata;
  private final List<MetadataSection> sections;
  private final long resetEip; // -1 when absent
  private final long hashTableGpa; // -1 when absent
  private final long hashTableSize; // -1 when absent
  private final long svsmInfo; // -1 when absent

  private OvmfImage(
      byte[] data,
      boolean hasTable,
      Map<UUID, Bytes> table,
      boolean hasMetadata,
      List<MetadataSection> sections,
      long resetEip,
      long hashTableGpa,
      long hashTableSize,
      long svsmInfo) {
    this.data = data;
    this.hasTable = hasTable;
    this.table = table;
    this.hasMetadata = hasMetadata;
    this.sections = sections;
    this.resetEip = resetEip;
    this.hashTableGpa = hashTableGpa;
    this.hashTableSize = hashTableSize;
    this.svsmInfo = svsmInfo;
  }

  /**
   * Parses an image held in memory (the array is copied).
   *
   * @param image the image bytes
   * @return the parsed image
   * @throws MalformedEvidenceException when the image is malformed (see the class description)
   */
  public static OvmfImage parse(byte[] image) throws MalformedEvidenceException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(image, "image");
    return parseOwned(image.clone());
  }

  /**
   * Reads and parses an image file.
   *
   * @param file the image file
   * @return the parsed image
   * @throws IOException when the file cannot be read
   * @throws MalformedEvidenceException when the image is malformed
   */
  public static OvmfImage parse(Path file) throws IOException, MalformedEvidenceException {
    Objects.requireNonNull(file, "file");
    long size = Files.size(file);
    if (size > MAX_IMAGE_SIZE) {
      throw new MalformedEvidenceException(
          OvmfReason.IMAGE_TOO_LARGE,
          "firmware image " + file + " has " + size + " bytes; at most " + MAX_IMAGE_SIZE + " are accepted");
    }
    return parseOwned(Files.readAllBytes(file));
  }

  private static OvmfImage parseOwned(byte[] d) throws MalformedEvidenceException {
    int len = d.length;
    if (len == 0) {
      throw new MalformedEvidenceException(OvmfReason.TRUNCATED_IMAGE, "firmware image is empty");
    }
    if (len > MAX_IMAGE_SIZE) {
      throw new MalformedEvidenceException(
          OvmfReason.IMAGE_TOO_LARGE,
          "firmware image has " + len + " bytes; at most " + MAX_IMAGE_SIZE + " are accepted");
    }
    if (len % PAGE != 0) {
      throw new MalformedEvidenceException(
          OvmfReason.IMAGE_NOT_PAGE_ALIGNED,
          "firmware image length " + len + " is not a multiple of 4096 (" + (len % PAGE) + " bytes over)");
    }
    // footer: u16 size || GUID at len-50, just before the 32-byte reset vector
    int f = len - 32 - TRAILER;
    UUID footer = Guids.fromLe(d, f + 2);
    Map<UUID, Bytes> table = new LinkedHashMap<>();
    boolean hasTable = footer.equals(Guids.FOOTER);
    if (hasTable) {
      int footerSize = Le.u16(d, f);
      if (footerSize < TRAILER) {
        throw new MalformedEvidenceException(
            OvmfReason.BAD_FOOTER_TABLE,
            "OVMF footer table declares size " + footerSize + ", less than its own 18-byte trailer");
      }
      int tableLen = footerSize - TRAILER;
      if (tableLen > f) {
        throw new MalformedEvidenceException(
            OvmfReason.BAD_FOOTER_TABLE,
            "OVMF footer table declares " + tableLen + " bytes of entries but only " + f
                + " bytes precede the footer");
      }
      int start = f - tableLen;
      int end = f;
      List<Map.Entry<UUID, Bytes>> reversed = new ArrayList<>();
      while (end - start >= TRAILER) {
        int size = Le.u16(d, end - TRAILER);
        UUID guid = Guids.fromLe(d, end - 16);
        if (size < TRAILER || size > end - start) {
          throw new MalformedEvidenceException(
              OvmfReason.BAD_TABLE_ENTRY,
              "OVMF footer table entry " + Guids.name(guid) + " declares size " + size + " but "
                  + (size < TRAILER ? "an entry needs at least 18 bytes" : "only " + (end - start) + " bytes remain"));
        }
        for (Map.Entry<UUID, Bytes> e : reversed) {
          if (e.getKey().equals(guid)) {
            throw new MalformedEvidenceException(
                OvmfReason.DUPLICATE_TABLE_ENTRY, "OVMF footer table holds " + Guids.name(guid) + " twice");
          }
        }
        reversed.add(Map.entry(guid, Bytes.of(d, end - size, size - TRAILER)));
        end -= size;
      }
      if (end != start) {
        throw new MalformedEvidenceException(
            OvmfReason.BAD_FOOTER_TABLE,
            "OVMF footer table leaves " + (end - start) + " bytes that form no entry");
      }
      Collections.reverse(reversed);
      for (Map.Entry<UUID, Bytes> e : reversed) {
        table.put(e.getKey(), e.getValue());
      }
    }
    long resetEip = u32Entry(table, Guids.SEV_ES_RESET_BLOCK, 4);
    long hashGpa = u32Entry(table, Guids.SEV_HASH_TABLE_RV, 4);
    long hashSize = -1;
    Bytes rv = table.get(Guids.SEV_HASH_TABLE_RV);
    if (rv != null && rv.length() >= 8) {
      byte[] b = rv.toByteArray();
      hashSize = Le.u32(b, 4);
    }
    long svsm = u32Entry(table, Guids.SVSM_INFO, 4);
    long metaOff = u32Entry(table, Guids.SEV_METADATA, 4);
    List<MetadataSection> sections = List.of();
    boolean hasMeta = metaOff >= 0;
    if (hasMeta) {
      sections = parseMetadata(d, metaOff);
      validateSections(sections, FOUR_GIB - len, "firmware image");
    }
    return new OvmfImage(
        d, hasTable, Collections.unmodifiableMap(table), hasMeta, sections, resetEip, hashGpa, hashSize, svsm);
  }

  private static long u32Entry(Map<UUID, Bytes> table, UUID guid, int need) throws MalformedEvidenceException {
    Bytes b = table.get(guid);
    if (b == null) {
      return -1;
    }
    if (b.length() < need) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_TABLE_ENTRY,
          "OVMF footer table entry " + Guids.name(guid) + " has " + b.length() + " data bytes; at least "
              + need + " are needed");
    }
    return Le.u32(b.toByteArray(), 0);
  }

  private static List<MetadataSection> parseMetadata(byte[] d, long metaOff) throws MalformedEvidenceException {
    int len = d.length;
    if (metaOff < 16 || metaOff > len) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_METADATA_OFFSET,
          "SEV metadata offset 0x" + Long.toHexString(metaOff) + " (counted back from the image end) is outside "
              + "the " + len + "-byte image or leaves no room for the 16-byte header");
    }
    int h = (int) (len - metaOff);
    if (!(d[h] == 'A' && d[h + 1] == 'S' && d[h + 2] == 'E' && d[h + 3] == 'V')) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_METADATA_SIGNATURE,
          String.format(
              "SEV metadata at image offset 0x%x starts with %02x%02x%02x%02x, not \"ASEV\"",
              h, d[h], d[h + 1], d[h + 2], d[h + 3]));
    }
    long hdrLen = Le.u32(d, h + 4);
    long version = Le.u32(d, h + 8);
    long n = Le.u32(d, h + 12);
    if (version != 1) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_METADATA_VERSION, "SEV metadata version is " + version + "; only version 1 is known");
    }
    if (n > MAX_SECTIONS) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_METADATA_HEADER,
          "SEV metadata declares " + n + " sections; at most " + MAX_SECTIONS + " are accepted");
    }
    if (hdrLen != 16 + 12 * n) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_METADATA_HEADER,
          "SEV metadata length is " + hdrLen + " but " + n + " sections need 16 + 12*" + n + " = " + (16 + 12 * n));
    }
    if (h + hdrLen > len) {
      throw new MalformedEvidenceException(
          OvmfReason.TRUNCATED_IMAGE,
          "SEV metadata (" + hdrLen + " bytes at image offset 0x" + Integer.toHexString(h) + ") runs past the "
              + "image end");
    }
    List<MetadataSection> out = new ArrayList<>((int) n);
    for (int i = 0; i < n; i++) {
      int o = h + 16 + 12 * i;
      long gpa = Le.u32(d, o);
      long size = Le.u32(d, o + 4);
      long type = Le.u32(d, o + 8);
      out.add(MetadataSection.of(gpa, size, type));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Checks page alignment, range and overlap of sections. {@code imageStart} is the GPA where the
   * image owning them is mapped (its end being 4 GiB), or -1 when unknown. A SECRETS or CPUID
   * section always occupies one page (its size is not used by the measurement); other sections
   * occupy their size, which may be 0.
   */
  static void validateSections(List<MetadataSection> sections, long imageStart, String owner)
      throws MalformedEvidenceException {
    for (int i = 0; i < sections.size(); i++) {
      MetadataSection s = sections.get(i);
      if (s.gpa() % PAGE != 0 || s.size() % PAGE != 0) {
        throw new MalformedEvidenceException(
            OvmfReason.SECTION_NOT_PAGE_ALIGNED,
            "SEV metadata section #" + i + " " + s + " of the " + owner
                + " is not page-aligned (gpa and size must be multiples of 4096)");
      }
      long end = occupiedEnd(s);
      if (end > FOUR_GIB) {
        throw new MalformedEvidenceException(
            OvmfReason.SECTION_OUT_OF_RANGE,
            "SEV metadata section #" + i + " " + s + " of the " + owner + " ends past 4 GiB");
      }
      if (imageStart >= 0 && end > imageStart) {
        throw new MalformedEvidenceException(
            OvmfReason.SECTION_OUT_OF_RANGE,
            "SEV metadata section #" + i + " " + s + " of the " + owner + " overlaps the image mapped at 0x"
                + Long.toHexString(imageStart) + "..0x100000000");
      }
      for (int j = 0; j < i; j++) {
        MetadataSection o = sections.get(j);
        if (s.gpa() < occupiedEnd(o) && o.gpa() < end) {
          throw new MalformedEvidenceException(
              OvmfReason.SECTIONS_OVERLAP,
              "SEV metadata sections #" + j + " " + o + " and #" + i + " " + s + " of the " + owner + " overlap");
        }
      }
    }
  }

  /** The end of the guest-physical range a section's measurement touches. */
  static long occupiedEnd(MetadataSection s) {
    if (s.type() == SectionType.SNP_SECRETS || s.type() == SectionType.CPUID) {
      return s.gpa() + Math.max(s.size(), PAGE);
    }
    return s.end();
  }

  /**
   * The image length in bytes.
   *
   * @return the image length in bytes
   */
  public int size() {
    return data.length;
  }

  /**
   * The number of 4 KiB pages.
   *
   * @return the number of 4 KiB pages
   */
  public int pageCount() {
    return data.length / PAGE;
  }

  /**
   * The guest-physical address where the image starts ({@code 4 GiB - size}).
   *
   * @return the guest-physical address where the image starts ({@code 4 GiB - size})
   */
  public long gpa() {
    return FOUR_GIB - data.length;
  }

  /**
   * Whether the image ends with the OVMF footer GUID table.
   *
   * @return whether the image ends with the OVMF footer GUID table
   */
  public boolean hasFooterTable() {
    return hasTable;
  }

  /**
   * The footer-table entries in file order (GUID to entry data); empty without a table.
   *
   * @return the footer-table entries in file order (GUID to entry data); empty without a table
   */
  public Map<UUID, Bytes> footerTable() {
    return table;
  }

  /**
   * The data of one footer-table entry.
   *
   * @param guid the GUID
   * @return the data of one footer-table entry
   */
  public Optional<Bytes> tableEntry(UUID guid) {
    return Optional.ofNullable(table.get(guid));
  }

  /**
   * Whether the image has an SEV metadata entry (the Debian 4M builds have none).
   *
   * @return whether the image has an SEV metadata entry (the Debian 4M builds have none)
   */
  public boolean hasSevMetadata() {
    return hasMetadata;
  }

  /**
   * The SEV metadata sections in file order (empty without metadata).
   *
   * @return the SEV metadata sections in file order (empty without metadata)
   */
  public List<MetadataSection> sections() {
    return sections;
  }

  /**
   * Whether an SNP_KERNEL_HASHES section exists, i.e. whether measured direct boot is possible.
   *
   * @return whether an SNP_KERNEL_HASHES section exists, i.e. whether measured direct boot is possible
   */
  public boolean supportsKernelHashes() {
    return sections.stream().anyMatch(s -> s.type() == SectionType.SNP_KERNEL_HASHES);
  }

  /**
   * The AP reset EIP from the SEV-ES reset block.
   *
   * @return the AP reset EIP from the SEV-ES reset block
   */
  public OptionalLong apResetEip() {
    return resetEip < 0 ? OptionalLong.empty() : OptionalLong.of(resetEip);
  }

  /**
   * The SEV hash-table GPA from SEV_HASH_TABLE_RV (only its offset in the page is used).
   *
   * @return the SEV hash-table GPA from SEV_HASH_TABLE_RV (only its offset in the page is used)
   */
  public OptionalLong hashTableGpa() {
    return hashTableGpa < 0 ? OptionalLong.empty() : OptionalLong.of(hashTableGpa);
  }

  /**
   * The SEV hash-table area size from SEV_HASH_TABLE_RV (informational).
   *
   * @return the SEV hash-table area size from SEV_HASH_TABLE_RV (informational)
   */
  public OptionalLong hashTableSize() {
    return hashTableSize < 0 ? OptionalLong.empty() : OptionalLong.of(hashTableSize);
  }

  /**
   * The SVSM entry offset from SVSM_INFO (SVSM images only).
   *
   * @return the SVSM entry offset from SVSM_INFO (SVSM images only)
   */
  public OptionalLong svsmEntryOffset() {
    return svsmInfo < 0 ? OptionalLong.empty() : OptionalLong.of(svsmInfo);
  }

  /**
   * The SHA-256 of the image bytes (to compare with a published checksum).
   *
   * @return the SHA-256 of the image bytes (to compare with a published checksum)
   */
  public Bytes sha256() {
    try {
      return Bytes.of(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /**
   * A copy of the image bytes.
   *
   * @return the bytes
   */
  public byte[] toByteArray() {
    return data.clone();
  }

  /**
   * Parses once and hashes the firmware pages once, for many measurements. Same as {@link
   * LaunchDigest#prepare(OvmfImage)}.
   *
   * @return the prepared firmware
   */
  public PreparedFirmware prepare() {
    return PreparedFirmware.of(this);
  }

  /** The bytes, not copied (internal). */
  byte[] data() {
    return data;
  }

  long rawResetEip() {
    return resetEip;
  }

  long rawHashTableGpa() {
    return hashTableGpa;
  }

  @Override
  public String toString() {
    return "OvmfImage[" + data.length + " bytes, table=" + (hasTable ? table.size() + " entries" : "none")
        + ", sections=" + sections + ", apResetEip=" + (resetEip < 0 ? "none" : "0x" + Long.toHexString(resetEip))
        + ", hashTableGpa=" + (hashTableGpa < 0 ? "none" : "0x" + Long.toHexString(hashTableGpa)) + "]";
  }
}
