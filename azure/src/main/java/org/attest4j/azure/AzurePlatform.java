package org.attest4j.azure;

/** The hardware behind an Azure confidential VM, as the HCL report's report_type names it. */
public enum AzurePlatform {
  /** AMD SEV-SNP (report_type 2). */
  SNP(2),
  /** Intel TDX (report_type 4). */
  TDX(4);

  private final int reportType;

  AzurePlatform(int reportType) {
    this.reportType = reportType;
  }

  /**
   * The HCL request data's report_type for this platform.
   *
   * @return 2 for SNP, 4 for TDX
   */
  public int reportType() {
    return reportType;
  }
}
