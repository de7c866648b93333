package org.attest4j.tdx;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.PolicyViolationException.Violation;

/**
 * Whether an authentic TDX quote ({@link TdxVerdict}) is acceptable. Separate from verification and
 * immutable. {@link #strict()} (the default) refuses:
 *
 * <ul>
 *   <li>a verdict without collateral (signatures only: TCB status unknown);
 *   <li>TCB status OutOfDate and OutOfDateConfigurationNeeded (and Revoked, which never verifies);
 *       UpToDate, SWHardeningNeeded, ConfigurationNeeded and ConfigurationAndSWHardeningNeeded are
 *       accepted with their advisory ids reported — use {@link Builder#requireUpToDate()} to accept
 *       UpToDate only;
 *   <li>debug TDs (td_attributes bit 0);
 *   <li>a non-zero mr_signer_seam (a TDX module not signed by Intel);
 *   <li>td_attributes with reserved bits set (bits 1-27, 29 unless migratable TDs are allowed, 32-62)
 *       or without SEPT_VE_DISABLE (bit 28);
 *   <li>a non-zero mr_servicetd (TD 1.5).
 * </ul>
 *
 * Each allowance must be granted explicitly with the {@link Builder}. {@link #evaluate(TdxVerdict)}
 * lists every failed rule; {@link #enforce(TdxVerdict)} throws them all at once.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxPolicy {
  /** td_attributes bits that are reserved (TUD 1-7, SEC 8-27, OTHER 32-62). */
  static final long RESERVED_TD_ATTRIBUTES = 0x7FFF_FFFF_0000_0000L | 0x0FFF_FFFEL;

  private static final TdxPolicy STRICT = builder().build();

  private final Set<TcbStatus> acceptedStatuses;
  private final boolean requireCollateral;
  private final boolean allowDebug;
  private final boolean allowMrSignerSeam;
  private final boolean requireSeptVeDisable;
  private final boolean allowMigratable;
  private final boolean allowServiceTd;
  private final Set<String> forbiddenAdvisories;
  private final Duration maxTcbAge;
  private final Bytes expectedReportData;
  private final Bytes expectedMrTd;

  private TdxPolicy(Builder b) {
    this.acceptedStatuses = Set.copyOf(b.accepted);
    this.requireCollateral = b.requireCollateral;
    this.allowDebug = b.allowDebug;
    this.allowMrSignerSeam = b.allowMrSignerSeam;
    this.requireSeptVeDisable = b.requireSeptVeDisable;
    this.allowMigratable = b.allowMigratable;
    this.allowServiceTd = b.allowServiceTd;
    this.forbiddenAdvisories = Set.copyOf(b.forbiddenAdvisories);
    this.maxTcbAge = b.maxTcbAge;
    this.expectedReportData = b.expectedReportData;
    this.expectedMrTd = b.expectedMrTd;
  }

  /**
   * The strict default policy described in the class documentation.
   *
   * @return the strict default policy described in the class documentation
   */
  public static TdxPolicy strict() {
    return STRICT;
  }

  /**
   * A builder starting from the strict defaults.
   *
   * @return this builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this policy's settings.
   *
   * @return this builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.accepted = EnumSet.noneOf(TcbStatus.class);
    b.accepted.addAll(acceptedStatuses);
    b.requireCollateral = requireCollateral;
    b.allowDebug = allowDebug;
    b.allowMrSignerSeam = allowMrSignerSeam;
    b.requireSeptVeDisable = requireSeptVeDisable;
    b.allowMigratable = allowMigratable;
    b.allowServiceTd = allowServiceTd;
    b.forbiddenAdvisories = new TreeSet<>(forbiddenAdvisories);
    b.maxTcbAge = maxTcbAge;
    b.expectedReportData = expectedReportData;
    b.expectedMrTd = expectedMrTd;
    return b;
  }

  /**
   * The TCB statuses accepted.
   *
   * @return the TCB statuses accepted
   */
  public Set<TcbStatus> acceptedStatuses() {
    return acceptedStatuses;
  }

  /**
   * Whether a verdict without verified collateral is refused.
   *
   * @return whether a verdict without verified collateral is refused
   */
  public boolean requiresCollateral() {
    return requireCollateral;
  }

  /**
   * Every rule {@code verdict} fails, in check order; empty when it is acceptable.
   *
   * @param verdict a verified quote
   * @return every rule {@code verdict} fails, in check order; empty when it is acceptable
   */
  public List<Violation> evaluate(TdxVerdict verdict) {
    Objects.requireNonNull(verdict, "verdict");
    List<Violation> out = new ArrayList<>();
    TdReport r = verdict.report();
    if (!verdict.collateralVerified()) {
      if (requireCollateral) {
        out.add(new Violation(TdxReason.COLLATERAL_MISSING, "collateral",
            "verified without collateral: TCB status, CRLs and QE identity were not checked"));
      }
    } else {
      TcbStatus s = verdict.tcbStatus().orElseThrow();
      if (!acceptedStatuses.contains(s) || s == TcbStatus.REVOKED) {
        out.add(new Violation(s.isOutOfDate() ? TdxReason.TCB_OUT_OF_DATE : TdxReason.TCB_STATUS_NOT_ALLOWED, "tcb_status",
            "TCB status " + s + " is not accepted (accepted: " + names(acceptedStatuses) + ")"
                + (verdict.advisoryIds().isEmpty() ? "" : "; advisories " + verdict.advisoryIds())));
      }
      for (String a : verdict.advisoryIds()) {
        if (forbiddenAdvisories.contains(a)) {
          out.add(new Violation(TdxReason.ADVISORY_NOT_ALLOWED, "advisory_ids",
              "advisory " + a + " applies to this platform and is refused"));
        }
      }
      if (maxTcbAge != null && verdict.tcbDate().isPresent()) {
        Instant oldest = verdict.verifiedAt().minus(maxTcbAge);
        if (verdict.tcbDate().get().isBefore(oldest)) {
          out.add(new Violation(TdxReason.TCB_DATE_TOO_OLD, "tcb_date",
              "TCB date " + verdict.tcbDate().get() + " is older than " + maxTcbAge + " before "
                  + verdict.verifiedAt()));
        }
      }
    }
    reportRules(r, out, true);
    return List.copyOf(out);
  }

  /**
   * Accepts the TD report of a quote that has <strong>not</strong> been verified yet, or throws: the
   * rules decided by the report alone (debug TD, td_attributes, mr_servicetd, expected report_data
   * and MRTD), exactly as {@link #evaluate(TdxVerdict)} checks them, without the collateral and TCB
   * rules. <strong>This checks no signature</strong>: it lets a caller refuse a quote the policy
   * would refuse anyway before fetching its collateral; passing it proves nothing, and the verified
   * quote still goes through {@link #enforce(TdxVerdict)}. The mr_signer_seam rule is left out:
   * with collateral, {@link TdxVerifier} compares mr_signer_seam with the TCB info's TDX module
   * signer first and refuses a difference itself ({@link TdxReason#TDX_MODULE_MISMATCH}), so
   * checking it here would change the reason a quote is refused with.
   *
   * @param report the TD report of a parsed quote ({@link TdxQuote#body()})
   * @throws PolicyViolationException with every failed rule, in the order {@link #evaluate} checks
   *     them
   */
  public void enforceUnverified(TdReport report) throws PolicyViolationException {
    Objects.requireNonNull(report, "report");
    List<Violation> out = new ArrayList<>();
    reportRules(report, out, false);
    if (!out.isEmpty()) {
      throw new PolicyViolationException(out);
    }
  }

  /** The rules decided by the TD report alone, appended to {@code out} in check order. */
  private void reportRules(TdReport r, List<Violation> out, boolean signerSeam) {
    long attrs = r.tdAttributesValue();
    if (!allowDebug && (attrs & TdReport.TD_ATTR_DEBUG) != 0) {
      out.add(new Violation(TdxReason.DEBUG_TD, "td_attributes.debug",
          "the TD is a debug TD (td_attributes " + r.tdAttributes() + "): its memory is not protected"));
    }
    long reserved = attrs & RESERVED_TD_ATTRIBUTES;
    if (!allowMigratable) {
      reserved |= attrs & TdReport.TD_ATTR_MIGRATABLE;
    }
    if (reserved != 0) {
      out.add(new Violation(TdxReason.TD_ATTRIBUTES_NOT_ALLOWED, "td_attributes.reserved",
          String.format("td_attributes %s has reserved or disallowed bits 0x%016x set", r.tdAttributes(), reserved)));
    }
    if (requireSeptVeDisable && (attrs & TdReport.TD_ATTR_SEPT_VE_DISABLE) == 0) {
      out.add(new Violation(TdxReason.TD_ATTRIBUTES_NOT_ALLOWED, "td_attributes.sept_ve_disable",
          "td_attributes " + r.tdAttributes() + " lacks SEPT_VE_DISABLE (bit 28)"));
    }
    if (signerSeam && !allowMrSignerSeam && !r.mrSignerSeam().isZero()) {
      out.add(new Violation(TdxReason.MR_SIGNER_SEAM_NONZERO, "mr_signer_seam",
          "mr_signer_seam " + r.mrSignerSeam() + " is not zero: the TDX module is not Intel-signed"));
    }
    if (!allowServiceTd && r.mrServiceTd().isPresent() && !r.mrServiceTd().get().isZero()) {
      out.add(new Violation(TdxReason.SERVICE_TD_NOT_ALLOWED, "mr_servicetd",
          "mr_servicetd " + r.mrServiceTd().get() + " is not zero: the TD is bound to a service TD"));
    }
    if (expectedReportData != null && !expectedReportData.equals(r.reportData())) {
      out.add(new Violation(TdxReason.REPORT_DATA_MISMATCH, "report_data",
          "report_data " + r.reportData() + " is not the expected " + expectedReportData));
    }
    if (expectedMrTd != null && !expectedMrTd.equals(r.mrTd())) {
      out.add(new Violation(TdxReason.MEASUREMENT_MISMATCH, "mr_td",
          "mr_td " + r.mrTd() + " is not the expected " + expectedMrTd));
    }
  }

  /**
   * Accepts {@code verdict} or throws.
   *
   * @param verdict a verified quote
   * @throws PolicyViolationException with every failed rule
   */
  public void enforce(TdxVerdict verdict) throws PolicyViolationException {
    List<Violation> v = evaluate(verdict);
    if (!v.isEmpty()) {
      throw new PolicyViolationException(v);
    }
  }

  private static String names(Set<TcbStatus> s) {
    List<String> l = new ArrayList<>();
    for (TcbStatus t : TcbStatus.values()) {
      if (s.contains(t)) {
        l.add(t.intelName());
      }
    }
    return String.join(", ", l);
  }

  /**
   * The maximum TCB age, if set.
   *
   * @return the maximum TCB age, if set
   */
  public Optional<Duration> maxTcbAge() {
    return Optional.ofNullable(maxTcbAge);
  }

  @Override
  public String toString() {
    return "TdxPolicy[accepted=" + names(acceptedStatuses) + ", requireCollateral=" + requireCollateral
        + ", allowDebug=" + allowDebug + ", allowMrSignerSeam=" + allowMrSignerSeam
        + ", requireSeptVeDisable=" + requireSeptVeDisable + ", allowMigratable=" + allowMigratable
        + ", allowServiceTd=" + allowServiceTd + ", forbiddenAdvisories=" + forbiddenAdvisories
        + ", maxTcbAge=" + maxTcbAge + "]";
  }

  /** Builder for {@link TdxPolicy}; starts from the strict defaults. Not thread-safe. */
  public static final class Builder {
    private EnumSet<TcbStatus> accepted = EnumSet.of(
        TcbStatus.UP_TO_DATE,
        TcbStatus.SW_HARDENING_NEEDED,
        TcbStatus.CONFIGURATION_NEEDED,
        TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED);
    private boolean requireCollateral = true;
    private boolean allowDebug;
    private boolean allowMrSignerSeam;
    private boolean requireSeptVeDisable = true;
    private boolean allowMigratable;
    private boolean allowServiceTd;
    private Set<String> forbiddenAdvisories = new TreeSet<>();
    private Duration maxTcbAge;
    private Bytes expectedReportData;
    private Bytes expectedMrTd;

    private Builder() {}

    /**
     * Also accept OutOfDate and OutOfDateConfigurationNeeded ({@code allow = true}) or not.
     *
     * @param allow true to accept it
     * @return this builder
     */
    public Builder allowOutOfDate(boolean allow) {
      if (allow) {
        accepted.add(TcbStatus.OUT_OF_DATE);
        accepted.add(TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED);
      } else {
        accepted.remove(TcbStatus.OUT_OF_DATE);
        accepted.remove(TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED);
      }
      return this;
    }

    /**
     * Accept only UpToDate.
     *
     * @return this builder
     */
    public Builder requireUpToDate() {
      accepted = EnumSet.of(TcbStatus.UP_TO_DATE);
      return this;
    }

    /**
     * Exactly these statuses are accepted (Revoked is never accepted).
     *
     * @param statuses the accepted statuses
     * @return this builder
     */
    public Builder acceptedStatuses(Set<TcbStatus> statuses) {
      accepted = statuses.isEmpty() ? EnumSet.noneOf(TcbStatus.class) : EnumSet.copyOf(statuses);
      accepted.remove(TcbStatus.REVOKED);
      return this;
    }

    /**
     * Accept verdicts made without collateral ({@link TdxVerifier#verifySignaturesOnly}); for
     * offline tests only, since revocation and TCB status are then unknown.
     *
     * @param allow true to accept it
     * @return this builder
     */
    public Builder allowMissingCollateral(boolean allow) {
      this.requireCollateral = !allow;
      return this;
    }

    /**
     * Accept debug TDs. Never in production: the host can read a debug TD's memory.
     *
     * @param allow true to accept it
     * @return this builder
     */
    public Builder allowDebug(boolean allow) {
      this.allowDebug = allow;
      return this;
    }

    /**
     * Accept a non-zero mr_signer_seam (a TDX module not signed by Intel).
     *
     * @param allow true to accept it
     * @return this builder
     */
    public Builder allowMrSignerSeam(boolean allow) {
      this.allowMrSignerSeam = allow;
      return this;
    }

    /**
     * Require td_attributes.SEPT_VE_DISABLE (default true).
     *
     * @param require true to require it
     * @return this builder
     */
    public Builder requireSeptVeDisable(boolean require) {
      this.requireSeptVeDisable = require;
      return this;
    }

    /**
     * Accept td_attributes bit 29 (MIGRATABLE in TDX 1.5).
     *
     * @param allow true to accept it
     * @return this builder
     */
    public Builder allowMigratable(boolean allow) {
      this.allowMigratable = allow;
      return this;
    }

    /**
     * Accept a non-zero mr_servicetd.
     *
     * @param allow true to accept it
     * @return this builder
     */
    public Builder allowServiceTd(boolean allow) {
      this.allowServiceTd = allow;
      return this;
    }

    /**
     * Refuse platforms to which any of these advisory ids (e.g. "INTEL-SA-00837") apply.
     *
     * @param advisoryIds the advisory ids
     * @return this builder
     */
    public Builder forbidAdvisories(Set<String> advisoryIds) {
      this.forbiddenAdvisories = new TreeSet<>(advisoryIds);
      return this;
    }

    /**
     * Refuse TCB dates older than {@code age} before the verification instant.
     *
     * @param age the maximum age
     * @return this builder
     */
    public Builder maxTcbAge(Duration age) {
      this.maxTcbAge = age;
      return this;
    }

    /**
     * Require this exact report_data (64 bytes).
     *
     * @param reportData the expected report_data (64 bytes)
     * @return this builder
     */
    public Builder expectedReportData(Bytes reportData) {
      this.expectedReportData = reportData;
      return this;
    }

    /**
     * Require this exact MRTD (48 bytes).
     *
     * @param mrTd the expected MRTD (48 bytes)
     * @return this builder
     */
    public Builder expectedMrTd(Bytes mrTd) {
      this.expectedMrTd = mrTd;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the built object
     */
    public TdxPolicy build() {
      return new TdxPolicy(this);
    }
  }
}
