package org.attest4j.ovmf;

import java.util.Objects;
import org.attest4j.core.MalformedEvidenceException;

/**
 * One SEV metadata section descriptor of a firmware image: a guest-physical range and what it
 * holds. Sections are measured in the order the firmware lists them.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param gpa the guest-physical start address (u32)
 * @param size the size in bytes (u32)
 * @param type the section type
 */
public record MetadataSection(long gpa, long size, SectionType type) {
  /**
   * Checks the fields (u32 ranges, non-null type).
   *
   * @param gpa the guest-physical address
   * @param size the size in bytes
   * @param type the section type
   */
  public MetadataSection {
    Objects.requireNonNull(type, "type");
    if (gpa < 0 || gpa > 0xFFFF_FFFFL || size < 0 || size > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("gpa and size must be u32: gpa=" + gpa + " size=" + size);
    }
  }

  /**
   * A section from raw descriptor values (for example from a dstack measurement document).
   *
   * @param gpa the guest-physical address
   * @param size the size in bytes
   * @param typeCode the numeric section type from the metadata descriptor
   * @return the section
   * @throws MalformedEvidenceException with {@link OvmfReason#UNKNOWN_SECTION_TYPE} for an unknown
   *     type, {@link OvmfReason#SECTION_OUT_OF_RANGE} when gpa or size is not a u32
   */
  public static MetadataSection of(long gpa, long size, long typeCode) throws MalformedEvidenceException {
    // no orElseThrow(lambda): a lambda's bootstrap is start-up time that `attest4j measure` pays
    java.util.Optional<SectionType> type = SectionType.ofCode(typeCode);
    if (type.isEmpty()) {
      throw new MalformedEvidenceException(
          OvmfReason.UNKNOWN_SECTION_TYPE,
          "SEV metadata section at gpa 0x" + Long.toHexString(gpa) + " has unknown type 0x"
              + Long.toHexString(typeCode) + " (known: 1, 2, 3, 4, 0x10)");
    }
    SectionType t = type.get();
    if (gpa < 0 || gpa > 0xFFFF_FFFFL || size < 0 || size > 0xFFFF_FFFFL) {
      throw new MalformedEvidenceException(
          OvmfReason.SECTION_OUT_OF_RANGE,
          "SEV metadata section gpa/size must be 32-bit values: gpa=" + gpa + " size=" + size);
    }
    return new MetadataSection(gpa, size, t);
  }

  /**
   * The end of the range ({@code gpa + size}).
   *
   * @return the end of the range ({@code gpa + size})
   */
  public long end() {
    return gpa + size;
  }

  @Override
  public String toString() {
    return type + "(gpa=0x" + Long.toHexString(gpa) + ", size=0x" + Long.toHexString(size) + ")";
  }
}
