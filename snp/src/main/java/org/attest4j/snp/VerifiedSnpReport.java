package org.attest4j.snp;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A report whose signature, certificate chain and certificate-to-report binding verified: the ARK
 * matched a trusted root, ARK -> ASK (ASVK) -> VCEK (VLEK) signatures and validity held at {@link
 * #verifiedAt()}, the VCEK hwID and SPLs matched the report, and the ECDSA P-384 signature over
 * bytes [0, 0x2A0) verified. Only verifiers create it. Apply a {@link SnpPolicy} before trusting
 * the contents for a decision.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class VerifiedSnpReport {
  private final SnpReport report;
  private final ProductSource productSource;
  private final VekCertificate vek;
  private final CertificateInfo ask;
  private final CertificateInfo ark;
  private final SnpTrustAnchor trustAnchor;
  private final Instant verifiedAt;
  private final boolean chainFromCache;

  VerifiedSnpReport(
      SnpReport report,
      ProductSource productSource,
      VekCertificate vek,
      CertificateInfo ask,
      CertificateInfo ark,
      SnpTrustAnchor trustAnchor,
      Instant verifiedAt,
      boolean chainFromCache) {
    this.report = Objects.requireNonNull(report);
    this.productSource = productSource;
    this.vek = vek;
    this.ask = ask;
    this.ark = ark;
    this.trustAnchor = trustAnchor;
    this.verifiedAt = verifiedAt;
    this.chainFromCache = chainFromCache;
  }

  /**
   * The report, bound to {@link #product()} (so its TCB accessors work for v2 too).
   *
   * @return the report, bound to {@link #product()} (so its TCB accessors work for v2 too)
   */
  public SnpReport report() {
    return report;
  }

  /**
   * The product (Milan, Genoa, Turin).
   *
   * @return the product (Milan, Genoa, Turin)
   */
  public Product product() {
    return report.product().orElseThrow();
  }

  /**
   * Where the product came from.
   *
   * @return where the product came from
   */
  public ProductSource productSource() {
    return productSource;
  }

  /**
   * VCEK or VLEK (the report's KEY_INFO, equal to the certificate's kind).
   *
   * @return VCEK or VLEK (the report's KEY_INFO, equal to the certificate's kind)
   */
  public SigningKey signingKey() {
    return vek.kind();
  }

  /**
   * The verified VCEK or VLEK certificate with its AMD extensions.
   *
   * @return the verified VCEK or VLEK certificate with its AMD extensions
   */
  public VekCertificate vek() {
    return vek;
  }

  /**
   * The VLEK's csp_id (the cloud provider), empty for VCEK reports.
   *
   * @return the VLEK's csp_id (the cloud provider), empty for VCEK reports
   */
  public Optional<String> cspId() {
    return vek.cspId();
  }

  /**
   * The ASK (or ASVK for VLEK reports).
   *
   * @return the ASK (or ASVK for VLEK reports)
   */
  public CertificateInfo ask() {
    return ask;
  }

  /**
   * The ARK.
   *
   * @return the ARK
   */
  public CertificateInfo ark() {
    return ark;
  }

  /**
   * The trusted root the ARK matched.
   *
   * @return the trusted root the ARK matched
   */
  public SnpTrustAnchor trustAnchor() {
    return trustAnchor;
  }

  /**
   * The clock instant the chain validity was checked at.
   *
   * @return the clock instant the chain validity was checked at
   */
  public Instant verifiedAt() {
    return verifiedAt;
  }

  /**
   * Start of the chain's validity (the latest notBefore of VEK, ASK, ARK).
   *
   * @return start of the chain's validity (the latest notBefore of VEK, ASK, ARK)
   */
  public Instant chainNotBefore() {
    Instant t = vek.notBefore();
    t = ask.notBefore().isAfter(t) ? ask.notBefore() : t;
    return ark.notBefore().isAfter(t) ? ark.notBefore() : t;
  }

  /**
   * End of the chain's validity (the earliest notAfter of VEK, ASK, ARK).
   *
   * @return end of the chain's validity (the earliest notAfter of VEK, ASK, ARK)
   */
  public Instant chainNotAfter() {
    Instant t = vek.notAfter();
    t = ask.notAfter().isBefore(t) ? ask.notAfter() : t;
    return ark.notAfter().isBefore(t) ? ark.notAfter() : t;
  }

  /**
   * Whether the chain's signatures came from the verifier's cache (only the report signature was checked).
   *
   * @return whether the chain's signatures came from the verifier's cache (only the report signature was
   *     checked)
   */
  public boolean chainFromCache() {
    return chainFromCache;
  }

  @Override
  public String toString() {
    return "VerifiedSnpReport[" + product() + " v" + report.version() + " " + signingKey()
        + " root=" + trustAnchor.name() + " measurement=" + report.measurement().toHex() + "]";
  }
}
