package org.attest4j.ovmf;

/**
 * The SNP_LAUNCH_UPDATE page type recorded in each PAGE_INFO of the launch digest chain.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum PageType {
  /** A page whose contents are hashed (firmware, SVSM and hash-table pages). */
  NORMAL(1),
  /** A VMSA (vCPU save area) page. */
  VMSA(2),
  /** A zero page (contents not hashed). */
  ZERO(3),
  /** An unmeasured page (GCE pre-validated memory). */
  UNMEASURED(4),
  /** The secrets page. */
  SECRETS(5),
  /** The CPUID page. */
  CPUID(6);

  private final int code;

  PageType(int code) {
    this.code = code;
  }

  /**
   * The PAGE_TYPE byte.
   *
   * @return the PAGE_TYPE byte
   */
  public int code() {
    return code;
  }
}
