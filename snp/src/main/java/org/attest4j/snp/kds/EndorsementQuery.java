package org.attest4j.snp.kds;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpReason;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.TcbVersion;

/**
 * What a verifier needs endorsements for: the product, which key signed the report (VCEK or VLEK),
 * the report's CHIP_ID and REPORTED_TCB, and whether the ARK-signed CRL is wanted too. Immutable
 * and thread-safe.
 */
public final class EndorsementQuery {
  private final Product product;
  private final SigningKey signingKey;
  private final byte[] chipId;
  private final TcbVersion reportedTcb;
  private final boolean includeCrl;

  private EndorsementQuery(
      Product product, SigningKey signingKey, byte[] chipId, TcbVersion reportedTcb, boolean includeCrl) {
    this.product = product;
    this.signingKey = signingKey;
    this.chipId = chipId;
    this.reportedTcb = reportedTcb;
    this.includeCrl = includeCrl;
  }

  /**
   * A query without the CRL.
   *
   * @param chipId the report's CHIP_ID (64 bytes; for Turin 8 bytes are accepted too)
   * @param reportedTcb the report's REPORTED_TCB
   * @param product the product
   * @param signingKey the signing key
   * @return a query without the CRL
   */
  public static EndorsementQuery of(
      Product product, SigningKey signingKey, byte[] chipId, TcbVersion reportedTcb) {
    Objects.requireNonNull(product, "product");
    Objects.requireNonNull(signingKey, "signingKey");
    Objects.requireNonNull(chipId, "chipId");
    Objects.requireNonNull(reportedTcb, "reportedTcb");
    if (signingKey == SigningKey.NONE) {
      throw new IllegalArgumentException("an unsigned report (SIGNING_KEY=NONE) has no endorsements");
    }
    if (chipId.length != 64 && chipId.length != product.hwIdLength()) {
      throw new IllegalArgumentException(
          "chipId must be 64 bytes (or " + product.hwIdLength() + " for " + product + "), got " + chipId.length);
    }
    TcbVersion tcb = reportedTcb.product() == product ? reportedTcb : reportedTcb.decodedAs(product);
    return new EndorsementQuery(product, signingKey, chipId.clone(), tcb, false);
  }

  /**
   * The query for a parsed report: its product (from the signed CPUID fields, v3+), signing key,
   * CHIP_ID and REPORTED_TCB.
   *
   * @param report the report
   * @return the query for a parsed report: its product (from the signed CPUID fields, v3+), signing key,
   *     CHIP_ID and REPORTED_TCB
   * @throws MalformedEvidenceException if the report names no product (v2: use {@link
   *     #forReport(SnpReport, Product)}) or is not signed (SIGNING_KEY=NONE)
   */
  public static EndorsementQuery forReport(SnpReport report) throws MalformedEvidenceException {
    Product p =
        report.product()
            .orElseThrow(
                () ->
                    new MalformedEvidenceException(
                        SnpReason.UNKNOWN_PRODUCT,
                        "the report (version " + report.version() + ") does not name its product;"
                            + " give the product (Milan, Genoa, Turin)"));
    return forReport(report, p);
  }

  /**
   * The query for a report whose product is known to the caller (needed for v2 reports; for v3+
   * reports the signed CPUID product wins when present).
   *
   * @param report the report
   * @param product the product
   * @return the query for a report whose product is known to the caller (needed for v2 reports; for v3+
   *     reports the signed CPUID product wins when present)
   * @throws MalformedEvidenceException if the report is not signed (SIGNING_KEY=NONE)
   */
  public static EndorsementQuery forReport(SnpReport report, Product product) throws MalformedEvidenceException {
    Product p = report.product().orElse(Objects.requireNonNull(product, "product"));
    if (report.signingKey() == SigningKey.NONE) {
      throw new MalformedEvidenceException(
          SnpReason.UNSIGNED_REPORT, "the report is unsigned (SIGNING_KEY=NONE): no endorsements apply");
    }
    return of(p, report.signingKey(), report.chipId().toByteArray(), TcbVersion.of(p, report.rawReportedTcb()));
  }

  /**
   * This query, also asking for the ARK-signed CRL.
   *
   * @return this query, also asking for the ARK-signed CRL
   */
  public EndorsementQuery withCrl() {
    return new EndorsementQuery(product, signingKey, chipId, reportedTcb, true);
  }

  /**
   * The product whose KDS endpoints and chain apply.
   *
   * @return the product whose KDS endpoints and chain apply
   */
  public Product product() {
    return product;
  }

  /**
   * VCEK or VLEK.
   *
   * @return VCEK or VLEK
   */
  public SigningKey signingKey() {
    return signingKey;
  }

  /**
   * The CHIP_ID as given.
   *
   * @return the CHIP_ID as given
   */
  public byte[] chipId() {
    return chipId.clone();
  }

  /**
   * The KDS hwID: the 64-byte CHIP_ID, or its first 8 bytes on Turin.
   *
   * @return the KDS hwID: the 64-byte CHIP_ID, or its first 8 bytes on Turin
   */
  public byte[] hwId() {
    return Arrays.copyOf(chipId, product.hwIdLength());
  }

  /**
   * The report's REPORTED_TCB, decoded for {@link #product()}.
   *
   * @return the report's REPORTED_TCB, decoded for {@link #product()}
   */
  public TcbVersion reportedTcb() {
    return reportedTcb;
  }

  /**
   * Whether the ARK-signed CRL is wanted too.
   *
   * @return whether the ARK-signed CRL is wanted too
   */
  public boolean includeCrl() {
    return includeCrl;
  }

  @Override
  public String toString() {
    return "EndorsementQuery[" + product + " " + signingKey + " hwID=" + HexFormat.of().formatHex(hwId())
        + " tcb=" + reportedTcb + (includeCrl ? " +crl" : "") + "]";
  }
}
