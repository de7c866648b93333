package org.attest4j.tdx;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of verifying a TDX quote with {@link TdxVerifier}: the authenticated quote, the PCK
 * certificate values, and (when collateral was given) the TCB evaluation: the merged status, each
 * component's status, advisory ids, the TCB date and the collateral's validity window. A verdict is
 * returned only when every signature, chain and binding verified; whether to <em>accept</em> it is
 * decided by a {@link TdxPolicy}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxVerdict {
  private final TdxQuote quote;
  private final PckCertificateInfo pck;
  private final Instant verifiedAt;
  private final boolean collateralVerified;
  private final TcbStatus tcbStatus;
  private final TcbStatus platformTcbStatus;
  private final TcbStatus tdxModuleStatus;
  private final TcbStatus qeTcbStatus;
  private final List<String> advisoryIds;
  private final Instant tcbDate;
  private final Instant platformTcbDate;
  private final Instant qeTcbDate;
  private final Instant tdxModuleTcbDate;
  private final String tdxModuleIdentityId;
  private final long tcbEvaluationDataNumber;
  private final Instant collateralNotBefore;
  private final Instant collateralNotAfter;

  TdxVerdict(Builder b) {
    this.quote = Objects.requireNonNull(b.quote);
    this.pck = Objects.requireNonNull(b.pck);
    this.verifiedAt = Objects.requireNonNull(b.verifiedAt);
    this.collateralVerified = b.collateralVerified;
    this.tcbStatus = b.tcbStatus;
    this.platformTcbStatus = b.platformTcbStatus;
    this.tdxModuleStatus = b.tdxModuleStatus;
    this.qeTcbStatus = b.qeTcbStatus;
    this.advisoryIds = b.advisoryIds == null ? List.of() : List.copyOf(b.advisoryIds);
    this.tcbDate = b.tcbDate;
    this.platformTcbDate = b.platformTcbDate;
    this.qeTcbDate = b.qeTcbDate;
    this.tdxModuleTcbDate = b.tdxModuleTcbDate;
    this.tdxModuleIdentityId = b.tdxModuleIdentityId;
    this.tcbEvaluationDataNumber = b.tcbEvaluationDataNumber;
    this.collateralNotBefore = b.collateralNotBefore;
    this.collateralNotAfter = b.collateralNotAfter;
  }

  static final class Builder {
    TdxQuote quote;
    PckCertificateInfo pck;
    Instant verifiedAt;
    boolean collateralVerified;
    TcbStatus tcbStatus;
    TcbStatus platformTcbStatus;
    TcbStatus tdxModuleStatus;
    TcbStatus qeTcbStatus;
    List<String> advisoryIds;
    Instant tcbDate;
    Instant platformTcbDate;
    Instant qeTcbDate;
    Instant tdxModuleTcbDate;
    String tdxModuleIdentityId;
    long tcbEvaluationDataNumber = -1;
    Instant collateralNotBefore;
    Instant collateralNotAfter;
  }

  /**
   * The verified quote (all its fields are authenticated by the quote signature).
   *
   * @return the verified quote (all its fields are authenticated by the quote signature)
   */
  public TdxQuote quote() {
    return quote;
  }

  /**
   * Shortcut for {@code quote().body()}.
   *
   * @return shortcut for {@code quote().body()}
   */
  public TdReport report() {
    return quote.body();
  }

  /**
   * The PCK certificate values (FMSPC, PCESVN, CPUSVN, PPID, ...).
   *
   * @return the PCK certificate values (FMSPC, PCESVN, CPUSVN, PPID, ...)
   */
  public PckCertificateInfo pck() {
    return pck;
  }

  /**
   * The instant at which certificates, CRLs and collateral were checked.
   *
   * @return the instant at which certificates, CRLs and collateral were checked
   */
  public Instant verifiedAt() {
    return verifiedAt;
  }

  /**
   * Whether collateral (CRLs, TCB info, QE identity) was verified. False for {@link
   * TdxVerifier#verifySignaturesOnly}: then only the signatures, the attestation-key binding and the
   * PCK chain were checked, and no TCB status is known.
   *
   * @return whether collateral (CRLs, TCB info, QE identity) was verified
   */
  public boolean collateralVerified() {
    return collateralVerified;
  }

  /**
   * The merged TCB status (platform, TDX module and QE; the most severe wins), if collateral was verified.
   *
   * @return the merged TCB status (platform, TDX module and QE; the most severe wins), if
   *     collateral was verified
   */
  public Optional<TcbStatus> tcbStatus() {
    return Optional.ofNullable(tcbStatus);
  }

  /**
   * The status of the matched platform TCB level.
   *
   * @return the status of the matched platform TCB level
   */
  public Optional<TcbStatus> platformTcbStatus() {
    return Optional.ofNullable(platformTcbStatus);
  }

  /**
   * The status of the matched TDX module TCB level (empty when no TDX module identity applies).
   *
   * @return the status of the matched TDX module TCB level (empty when no TDX module identity
   *     applies)
   */
  public Optional<TcbStatus> tdxModuleStatus() {
    return Optional.ofNullable(tdxModuleStatus);
  }

  /**
   * The status of the matched QE identity TCB level.
   *
   * @return the status of the matched QE identity TCB level
   */
  public Optional<TcbStatus> qeTcbStatus() {
    return Optional.ofNullable(qeTcbStatus);
  }

  /**
   * The union of the advisory ids of the matched levels (platform, module, QE), in that order.
   *
   * @return the union of the advisory ids of the matched levels (platform, module, QE), in that
   *     order
   */
  public List<String> advisoryIds() {
    return advisoryIds;
  }

  /**
   * The earliest tcbDate of the matched levels (platform, TDX module, QE).
   *
   * @return the earliest tcbDate of the matched levels (platform, TDX module, QE)
   */
  public Optional<Instant> tcbDate() {
    return Optional.ofNullable(tcbDate);
  }

  /**
   * The tcbDate of the matched platform TCB level.
   *
   * @return the tcbDate of the matched platform TCB level
   */
  public Optional<Instant> platformTcbDate() {
    return Optional.ofNullable(platformTcbDate);
  }

  /**
   * The tcbDate of the matched TDX module level.
   *
   * @return the tcbDate of the matched TDX module level
   */
  public Optional<Instant> tdxModuleTcbDate() {
    return Optional.ofNullable(tdxModuleTcbDate);
  }

  /**
   * The tcbDate of the matched QE level.
   *
   * @return the tcbDate of the matched QE level
   */
  public Optional<Instant> qeTcbDate() {
    return Optional.ofNullable(qeTcbDate);
  }

  /**
   * The TDX module identity used ({@code "TDX_01"}, ...), when one applied.
   *
   * @return the TDX module identity used ({@code "TDX_01"}, ...), when one applied
   */
  public Optional<String> tdxModuleIdentityId() {
    return Optional.ofNullable(tdxModuleIdentityId);
  }

  /**
   * The TCB info's tcbEvaluationDataNumber, or -1 without collateral.
   *
   * @return the TCB info's tcbEvaluationDataNumber, or -1 without collateral
   */
  public long tcbEvaluationDataNumber() {
    return tcbEvaluationDataNumber;
  }

  /**
   * Start of the interval in which every collateral item and certificate is current.
   *
   * @return start of the interval in which every collateral item and certificate is current
   */
  public Optional<Instant> collateralNotBefore() {
    return Optional.ofNullable(collateralNotBefore);
  }

  /**
   * End of the interval in which every collateral item and certificate is current.
   *
   * @return end of the interval in which every collateral item and certificate is current
   */
  public Optional<Instant> collateralNotAfter() {
    return Optional.ofNullable(collateralNotAfter);
  }

  @Override
  public String toString() {
    return "TdxVerdict[" + (collateralVerified ? "tcb_status=" + tcbStatus + ", advisories=" + advisoryIds
        : "signatures only (no collateral)") + ", fmspc=" + pck.fmspc() + ", at=" + verifiedAt + "]";
  }
}
