package org.attest4j.snp;

/**
 * Which key signed a report (KEY_INFO.SIGNING_KEY, bits 4:2): the chip's VCEK, a cloud provider's
 * VLEK, or none. Enum constants are immutable and thread-safe.
 */
public enum SigningKey {
  /** Versioned Chip Endorsement Key (value 0); certificate from AMD KDS, chain ARK-ASK-VCEK. */
  VCEK(0),
  /** Versioned Loaded Endorsement Key (value 1); chain ARK-ASVK-VLEK. */
  VLEK(1),
  /** The report is not signed (value 7). */
  NONE(7);

  private final int code;

  SigningKey(int code) {
    this.code = code;
  }

  /**
   * The 3-bit value in KEY_INFO.
   *
   * @return the 3-bit value in KEY_INFO
   */
  public int code() {
    return code;
  }
}
