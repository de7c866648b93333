package org.attest4j.ovmf;

import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * One step of the launch digest chain: which page was added, its contents digest, and the launch
 * digest after it.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param index the 0-based position in the chain (counting only updates actually performed)
 * @param type the PAGE_TYPE
 * @param gpa the guest-physical address in PAGE_INFO
 * @param contents the 48-byte CONTENTS field (SHA-384 of the page for NORMAL and VMSA, zeros otherwise)
 * @param digestAfter the launch digest after this update
 * @param what a short description (for example {@code "firmware"}, {@code "SNP_SEC_MEM #0"}, {@code "VMSA vCPU 1 (AP)"})
 */
public record PageUpdate(int index, PageType type, long gpa, Bytes contents, Bytes digestAfter, String what) {
  /**
   * Checks for nulls.
   *
   * @param index the position in the chain (0-based)
   * @param type the page type
   * @param gpa the guest-physical address
   * @param contents the 48-byte contents digest
   * @param digestAfter the launch digest after the update
   * @param what what the page belongs to (firmware, a section, a VMSA)
   */
  public PageUpdate {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(contents, "contents");
    Objects.requireNonNull(digestAfter, "digestAfter");
    Objects.requireNonNull(what, "what");
  }

  /** One line: index, GPA, type, contents digest, digest after, description. */
  @Override
  public String toString() {
    return String.format(
        "%5d gpa=0x%012x %-10s contents=%s ld=%s %s", index, gpa, type, contents.toHex(), digestAfter.toHex(), what);
  }
}
