package org.attest4j.ovmf;

import java.util.Optional;

/**
 * The type of an SEV metadata section in an OVMF (or SVSM) image.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum SectionType {
  /** Pre-validated memory, measured as ZERO pages (UNMEASURED on GCE). */
  SNP_SEC_MEM(1),
  /** The secrets page, one SECRETS update. */
  SNP_SECRETS(2),
  /** The CPUID page, one CPUID update (at the end on EC2). */
  CPUID(3),
  /** The SVSM calling-area page(s), measured as ZERO pages. */
  SVSM_CAA(4),
  /** The page holding the SEV hashes table of a measured direct boot. */
  SNP_KERNEL_HASHES(0x10);

  private final int code;

  SectionType(int code) {
    this.code = code;
  }

  /**
   * The numeric type in the metadata descriptor.
   *
   * @return the numeric type in the metadata descriptor
   */
  public int code() {
    return code;
  }

  /**
   * The type with the given numeric code, if it is one of the five known types.
   *
   * @param code the numeric code
   * @return the type with the given numeric code, if it is one of the five known types
   */
  public static Optional<SectionType> ofCode(long code) {
    for (SectionType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
