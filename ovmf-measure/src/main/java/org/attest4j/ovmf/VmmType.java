package org.attest4j.ovmf;

import java.util.Locale;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The virtual machine monitor that launched the guest. It changes the initial vCPU state (VMSA) and
 * how some metadata sections are measured.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum VmmType {
  /** QEMU/KVM (the default of sev-snp-measure). */
  QEMU("QEMU"),
  /** Amazon EC2: CPUID pages measured last, different segment attributes, RDX 0x600. */
  EC2("ec2"),
  /** Google Compute Engine: SEC_MEM measured as UNMEASURED pages, different G_PAT, RDX 0x600. */
  GCE("gce");

  private final String cliName;

  VmmType(String cliName) {
    this.cliName = cliName;
  }

  /**
   * The name sev-snp-measure uses on its command line ({@code QEMU}, {@code ec2}, {@code gce}).
   *
   * @return the name sev-snp-measure uses on its command line ({@code QEMU}, {@code ec2}, {@code gce})
   */
  public String cliName() {
    return cliName;
  }

  /**
   * Parses a VMM name, case-insensitively ({@code QEMU}, {@code ec2}, {@code gce}).
   *
   * @param name the name (case-insensitive)
   * @return the VMM type
   * @throws MalformedEvidenceException with {@link OvmfReason#UNKNOWN_VMM_TYPE} for other names
   */
  public static VmmType parse(String name) throws MalformedEvidenceException {
    if (name != null) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      for (VmmType t : values()) {
        if (t.cliName.toLowerCase(Locale.ROOT).equals(n)) {
          return t;
        }
      }
    }
    throw new MalformedEvidenceException(
        OvmfReason.UNKNOWN_VMM_TYPE, "unknown VMM type '" + name + "' (expected QEMU, ec2 or gce)");
  }
}
