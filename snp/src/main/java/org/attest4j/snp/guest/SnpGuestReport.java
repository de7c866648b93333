package org.attest4j.snp.guest;

import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;

/**
 * What a SEV-SNP guest got from the platform: the raw ATTESTATION_REPORT and, when the host supplies
 * one, the extended-report certificate table (VCEK or VLEK, ASK/ASVK, ARK). Immutable and
 * thread-safe.
 */
public final class SnpGuestReport {
  private final byte[] report;
  private final byte[] certificateTable;
  private final String source;

  private SnpGuestReport(byte[] report, byte[] certificateTable, String source) {
    this.report = report;
    this.certificateTable = certificateTable;
    this.source = source;
  }

  /**
   * A report and its optional certificate table.
   *
   * @param certificateTable the table, or null when the host gave none
   * @param source how it was obtained, for diagnostics
   * @param report the report
   * @return a report and its optional certificate table
   */
  public static SnpGuestReport of(byte[] report, byte[] certificateTable, String source) {
    Objects.requireNonNull(report, "report");
    return new SnpGuestReport(
        report.clone(),
        certificateTable == null || certificateTable.length == 0 ? null : certificateTable.clone(),
        Objects.requireNonNull(source, "source"));
  }

  /**
   * The raw report bytes (1184 for every report version shipped).
   *
   * @return the raw report bytes (1184 for every report version shipped)
   */
  public byte[] report() {
    return report.clone();
  }

  /**
   * The raw certificate table, when the host supplied one.
   *
   * @return the raw certificate table, when the host supplied one
   */
  public Optional<byte[]> certificateTable() {
    return certificateTable == null ? Optional.empty() : Optional.of(certificateTable.clone());
  }

  /**
   * How the report was obtained, e.g. {@code configfs-tsm (provider sev_guest)}.
   *
   * @return how the report was obtained, e.g
   */
  public String source() {
    return source;
  }

  /**
   * The report, parsed.
   *
   * @return the report, parsed
   * @throws MalformedEvidenceException if the input cannot be decoded
   */
  public SnpReport parse() throws MalformedEvidenceException {
    return SnpReport.parse(report);
  }

  /**
   * The certificate table, parsed, when there is one.
   *
   * @return the certificate table, parsed, when there is one
   * @throws MalformedEvidenceException if the input cannot be decoded
   */
  public Optional<SnpCertTable> parseCertificateTable() throws MalformedEvidenceException {
    return certificateTable == null ? Optional.empty() : Optional.of(SnpCertTable.parse(certificateTable));
  }

  @Override
  public String toString() {
    return "SnpGuestReport[" + report.length + " bytes, certificate table "
        + (certificateTable == null ? "none" : certificateTable.length + " bytes") + ", from " + source + "]";
  }
}
