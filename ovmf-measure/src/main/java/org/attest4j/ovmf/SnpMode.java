package org.attest4j.ovmf;

import org.attest4j.core.MalformedEvidenceException;

/**
 * What to measure, as sev-snp-measure's {@code --mode}.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum SnpMode {
  /** The full SNP launch digest: firmware, metadata sections, kernel hashes, VMSAs. */
  SNP("snp", "SEV_SNP"),
  /** Only the digest after the firmware pages (the value to pass as a precomputed firmware digest). */
  SNP_OVMF_HASH("snp:ovmf-hash", "SEV_SNP"),
  /** SNP with a Coconut-SVSM image below the OVMF_VARS area (QEMU only). */
  SNP_SVSM("snp:svsm", "SEV_SNP_SVSM");

  private final String cliName;
  private final String referenceName;

  SnpMode(String cliName, String referenceName) {
    this.cliName = cliName;
    this.referenceName = referenceName;
  }

  /**
   * The {@code --mode} value.
   *
   * @return the {@code --mode} value
   */
  public String cliName() {
    return cliName;
  }

  /**
   * The mode name sev-snp-measure prints in verbose output ({@code SEV_SNP}, {@code SEV_SNP_SVSM}).
   *
   * @return the mode name sev-snp-measure prints in verbose output ({@code SEV_SNP}, {@code SEV_SNP_SVSM})
   */
  public String referenceName() {
    return referenceName;
  }

  /**
   * Parses a {@code --mode} value ({@code snp}, {@code snp:ovmf-hash}, {@code snp:svsm}).
   *
   * @param name the name (case-insensitive)
   * @return the mode
   * @throws MalformedEvidenceException with {@link OvmfReason#UNKNOWN_MODE} otherwise
   */
  public static SnpMode parse(String name) throws MalformedEvidenceException {
    for (SnpMode m : values()) {
      if (m.cliName.equals(name)) {
        return m;
      }
    }
    throw new MalformedEvidenceException(
        OvmfReason.UNKNOWN_MODE, "unknown mode '" + name + "' (expected snp, snp:ovmf-hash or snp:svsm)");
  }
}
