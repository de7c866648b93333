package org.attest4j.azure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmsAttest;
import org.attest4j.core.Bytes;
import org.attest4j.snp.VerifiedSnpReport;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerdict;

/**
 * The outcome of an Azure verification: every evaluated check by its spec name (absent = not
 * applicable or not evaluable), a message per failed check, and what was extracted: the runtime
 * claims, the quote, the PCR values, and the inner verified hardware report. The verdict ({@link
 * #valid()}) is true only when every required check that applies was evaluated and passed. Immutable
 * and thread-safe.
 */
public final class AzureVerification {
  private final AzurePlatform platform;
  private final int evidenceVersion;
  private final Map<AzureCheck, Boolean> checks;
  private final Map<AzureCheck, String> problems;
  private final List<AzureCheck> expected;
  private final HclReport hcl;
  private final RuntimeClaims claims;
  private final TpmsAttest attest;
  private final List<Bytes> pcrValues;
  private final VerifiedSnpReport snp;
  private final TdxQuote tdQuote;
  private final TdxVerdict tdx;
  private final Instant verifiedAt;

  AzureVerification(Builder b) {
    this.platform = b.platform;
    this.evidenceVersion = b.evidenceVersion;
    this.checks = Collections.unmodifiableMap(new EnumMap<>(b.checks));
    this.problems = Collections.unmodifiableMap(new EnumMap<>(b.problems));
    this.expected = List.copyOf(b.expected);
    this.hcl = b.hcl;
    this.claims = b.claims;
    this.attest = b.attest;
    this.pcrValues = b.pcrValues == null ? List.of() : List.copyOf(b.pcrValues);
    this.snp = b.snp;
    this.tdQuote = b.tdQuote;
    this.tdx = b.tdx;
    this.verifiedAt = b.verifiedAt;
  }

  /**
   * Whether the evidence is accepted: every required check that applies passed.
   *
   * @return the verdict
   */
  public boolean valid() {
    for (AzureCheck c : expected) {
      if (!Boolean.TRUE.equals(checks.get(c))) {
        return false;
      }
    }
    for (Map.Entry<AzureCheck, Boolean> e : checks.entrySet()) {
      if (e.getKey().required() && !e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The platform verified against.
   *
   * @return SNP or TDX
   */
  public AzurePlatform platform() {
    return platform;
  }

  /**
   * The evidence container version (0, 1, 2), or -1 for evidence assembled from parts.
   *
   * @return the version
   */
  public int evidenceVersion() {
    return evidenceVersion;
  }

  /**
   * Every evaluated check and its outcome, in the spec's order.
   *
   * @return check to passed
   */
  public Map<AzureCheck, Boolean> checks() {
    return checks;
  }

  /**
   * A check's outcome.
   *
   * @param check the check
   * @return passed or failed, empty when not evaluated
   */
  public Optional<Boolean> outcome(AzureCheck check) {
    return Optional.ofNullable(checks.get(check));
  }

  /**
   * The required checks that were evaluated and failed, in the spec's order.
   *
   * @return the checks
   */
  public List<AzureCheck> failedChecks() {
    List<AzureCheck> out = new ArrayList<>();
    for (Map.Entry<AzureCheck, Boolean> e : checks.entrySet()) {
      if (e.getKey().required() && !e.getValue()) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /**
   * Required checks that apply to this evidence but could not be evaluated because an earlier step
   * failed (for example {@code tpm.signature} when the claims do not parse); they count against the
   * verdict.
   *
   * @return the checks, in the spec's order
   */
  public List<AzureCheck> notEvaluated() {
    List<AzureCheck> out = new ArrayList<>();
    for (AzureCheck c : AzureCheck.values()) {
      if (expected.contains(c) && !checks.containsKey(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The advisory checks that failed.
   *
   * @return the checks
   */
  public List<AzureCheck> advisoryFailed() {
    List<AzureCheck> out = new ArrayList<>();
    for (Map.Entry<AzureCheck, Boolean> e : checks.entrySet()) {
      if (!e.getKey().required() && !e.getValue()) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /**
   * Why each failed check failed (no secrets; evidence values only).
   *
   * @return check to message
   */
  public Map<AzureCheck, String> problems() {
    return problems;
  }

  /**
   * The HCL report, when it parsed.
   *
   * @return the report
   */
  public Optional<HclReport> hclReport() {
    return Optional.ofNullable(hcl);
  }

  /**
   * The runtime claims, when they parsed ({@code vm-configuration}, {@code user-data}, the AK). They
   * are authentic only when {@code hcl.report_data_binding} passed and the hardware report verified.
   *
   * @return the claims
   */
  public Optional<RuntimeClaims> claims() {
    return Optional.ofNullable(claims);
  }

  /**
   * The quote's TPMS_ATTEST, when it parsed.
   *
   * @return the attestation
   */
  public Optional<TpmsAttest> quote() {
    return Optional.ofNullable(attest);
  }

  /**
   * The PCR values carried with the quote, in selection order (authentic only when {@code
   * tpm.pcr_digest} and {@code tpm.signature} passed).
   *
   * @return the values
   */
  public List<Bytes> pcrValues() {
    return pcrValues;
  }

  /**
   * One PCR's value from the quoted selection.
   *
   * @param bank the PCR bank (SHA-256 on Azure)
   * @param index the PCR number
   * @return the value, empty when not quoted
   */
  public Optional<Bytes> pcr(TpmHash bank, int index) {
    if (attest == null) {
      return Optional.empty();
    }
    int i = 0;
    for (PcrSelection s : attest.pcrSelections()) {
      for (int p : s.pcrs()) {
        if (s.bank() == bank && p == index && i < pcrValues.size()) {
          return Optional.of(pcrValues.get(i));
        }
        i++;
      }
    }
    return Optional.empty();
  }

  /**
   * The verified SEV-SNP report (SNP, when the chain, signature and binding checks passed).
   *
   * @return the report
   */
  public Optional<VerifiedSnpReport> snpReport() {
    return Optional.ofNullable(snp);
  }

  /**
   * The parsed TD quote (TDX), verified only if {@link #tdxVerdict()} is present.
   *
   * @return the quote
   */
  public Optional<TdxQuote> tdQuote() {
    return Optional.ofNullable(tdQuote);
  }

  /**
   * The DCAP verdict on the TD quote (TDX, when {@code tdx.dcap} passed).
   *
   * @return the verdict
   */
  public Optional<TdxVerdict> tdxVerdict() {
    return Optional.ofNullable(tdx);
  }

  /**
   * The verification time.
   *
   * @return the instant
   */
  public Instant verifiedAt() {
    return verifiedAt;
  }

  @Override
  public String toString() {
    return "AzureVerification[" + platform + ", " + (valid() ? "valid" : "invalid, failed " + failedChecks()) + "]";
  }

  /** Collects outcomes during a verification; not thread-safe. */
  static final class Builder {
    AzurePlatform platform;
    int evidenceVersion = -1;
    final Map<AzureCheck, Boolean> checks = new EnumMap<>(AzureCheck.class);
    final Map<AzureCheck, String> problems = new EnumMap<>(AzureCheck.class);
    final List<AzureCheck> expected = new ArrayList<>();
    HclReport hcl;
    RuntimeClaims claims;
    TpmsAttest attest;
    List<Bytes> pcrValues;
    VerifiedSnpReport snp;
    TdxQuote tdQuote;
    TdxVerdict tdx;
    Instant verifiedAt;

    void pass(AzureCheck c) {
      checks.put(c, true);
    }

    void fail(AzureCheck c, String why) {
      checks.put(c, false);
      problems.put(c, why);
    }

    void outcome(AzureCheck c, boolean ok, String whyNot) {
      if (ok) {
        pass(c);
      } else {
        fail(c, whyNot);
      }
    }

    /** A required check that applies even if it cannot be evaluated (then it counts as failed). */
    void expect(AzureCheck c) {
      expected.add(c);
    }

    AzureVerification build() {
      return new AzureVerification(this);
    }
  }
}
