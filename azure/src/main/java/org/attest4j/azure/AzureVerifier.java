package org.attest4j.azure;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import org.attest4j.azure.tpm.QuoteResult;
import org.attest4j.azure.tpm.TpmQuote;
import org.attest4j.azure.tpm.TpmtPublic;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxVerifier;

/**
 * Verifies Azure confidential-VM evidence end to end (spec {@code azure-cvm.md} section 8): container
 * → HCL report structure and report_type → runtime claims → hardware report (SEV-SNP through {@link
 * SnpVerifier}; TDX through {@link TdxVerifier} and the TD-report/quote comparison) → REPORT_DATA
 * binding of the claims → the AK from the claims (by kid) → quote signature → nonce in extraData (and
 * the v2 user-data echo) → PCR digest. Every check runs; the result names each outcome. The platform
 * is the verifier's, never taken from the evidence.
 *
 * <p>SNP needs AMD KDS's {@code cert_chain} (ASK and ARK; the ARK is pinned by {@link SnpVerifier}) for
 * the VCEK's product, configured with {@link Builder#snpCertChain}, unless the evidence's VCEK file
 * carries it. TDX needs DCAP collateral ({@link Builder#tdxCollateral}) or an explicit {@link
 * Builder#tdxSignaturesOnly()}; otherwise {@code tdx.dcap} fails.
 *
 * <p>Policy (PCR values, vm-configuration, SNP measurement and TCB) is separate: see {@link
 * AzurePolicy}. Instances are immutable and thread-safe (the SNP chain cache is synchronized).
 */
public final class AzureVerifier {
  private final AzurePlatform platform;
  private final Clock clock;
  private final SnpStep snp;
  private final TdxStep tdx;

  private AzureVerifier(Builder b) {
    this.platform = b.platform;
    this.clock = b.clock;
    SnpVerifier sv = b.snpVerifier != null ? b.snpVerifier : SnpVerifier.builder().clock(b.clock).build();
    this.snp = new SnpStep(sv, b.chains);
    TdxVerifier tv = b.tdxVerifier != null ? b.tdxVerifier : TdxVerifier.builder().clock(b.clock).build();
    this.tdx = new TdxStep(tv, b.collateral, b.dcap);
  }

  /**
   * A builder for one platform.
   *
   * @param platform SNP or TDX
   * @return a builder (system UTC clock, AMD roots, no cert_chain, no TDX collateral)
   */
  public static Builder builder(AzurePlatform platform) {
    return new Builder(Objects.requireNonNull(platform, "platform"));
  }

  /**
   * The platform this verifier accepts.
   *
   * @return SNP or TDX
   */
  public AzurePlatform platform() {
    return platform;
  }

  /**
   * Decodes trustee's evidence JSON and verifies it; a container that does not decode gives a result
   * with {@code container.decode} failed.
   *
   * @param evidenceJson trustee's evidence (v0, v1, v2)
   * @param nonce the nonce the verifier gave the guest
   * @return every check's outcome
   */
  public AzureVerification verify(byte[] evidenceJson, byte[] nonce) {
    AzureEvidence ev;
    try {
      ev = AzureEvidence.parse(evidenceJson);
    } catch (MalformedEvidenceException e) {
      AzureVerification.Builder out = start();
      out.fail(AzureCheck.CONTAINER_DECODE, e.getMessage());
      return out.build();
    }
    return verify(ev, nonce);
  }

  private AzureVerification.Builder start() {
    AzureVerification.Builder out = new AzureVerification.Builder();
    out.platform = platform;
    out.verifiedAt = clock.instant();
    return out;
  }

  /**
   * Verifies decoded evidence.
   *
   * @param evidence the evidence
   * @param nonce the nonce expected in the quote's extraData (and, for v2, at the start of user-data);
   *     may be null only for evidence without a quote, which then proves no freshness
   * @return every check's outcome
   */
  public AzureVerification verify(AzureEvidence evidence, byte[] nonce) {
    Objects.requireNonNull(evidence, "evidence");
    AzureVerification.Builder out = start();
    out.evidenceVersion = evidence.version();
    out.pass(AzureCheck.CONTAINER_DECODE);
    byte[] raw = evidence.hclReport().toByteArray();
    HclReport hcl = structure(raw, out);
    RuntimeClaims claims = claims(hcl, out);
    byte[] reportData = null;
    if (platform == AzurePlatform.SNP) {
      expect(out, AzureCheck.SNP_VEK_CHAIN, AzureCheck.SNP_REPORT_SIGNATURE, AzureCheck.SNP_VEK_MATCHES_REPORT,
          AzureCheck.SNP_VMPL0);
      if (hcl != null) {
        reportData = snp.run(hcl, evidence.vcekCertificates(), out);
      }
    } else {
      expect(out, AzureCheck.TDX_QUOTE_PARSE, AzureCheck.TDX_DCAP, AzureCheck.TDX_TD_REPORT_MATCHES_QUOTE);
      TdReportArea td = hcl == null ? null : tdReport(hcl, out);
      reportData = tdx.runQuote(evidence.tdQuote().orElse(null), td, out.verifiedAt, out);
    }
    if (hcl != null && reportData != null) {
      binding(hcl, reportData, out);
    }
    evidence.tpmQuote().ifPresent(q -> quote(q, claims, nonce, out));
    if (evidence.version() == 2) {
      userData(claims, nonce, out);
    }
    return out.build();
  }

  /**
   * Checks an HCL report on its own, without authenticating the hardware report: structure,
   * report_type, claims, the binding of the claims to the report's (unverified) REPORT_DATA, and for
   * TDX the TD report's hashes. A passing result means "consistent", not "authentic"; use it to inspect
   * a report (for example constellation's TDX HCL report, which comes without a TD quote).
   *
   * @param hclReport the HCL report bytes
   * @return the outcomes of those checks
   */
  public AzureVerification checkHclReport(byte[] hclReport) {
    Objects.requireNonNull(hclReport, "hclReport");
    AzureVerification.Builder out = start();
    out.pass(AzureCheck.CONTAINER_DECODE);
    HclReport hcl = structure(hclReport, out);
    claims(hcl, out);
    if (hcl == null) {
      return out.build();
    }
    byte[] reportData;
    if (platform == AzurePlatform.SNP) {
      byte[] hw = hcl.hardwareReport();
      reportData = java.util.Arrays.copyOfRange(hw, 0x50, 0x90);
    } else {
      reportData = tdReport(hcl, out).reportData();
    }
    binding(hcl, reportData, out);
    return out.build();
  }

  private static void expect(AzureVerification.Builder out, AzureCheck... checks) {
    for (AzureCheck c : checks) {
      out.expect(c);
    }
  }

  private HclReport structure(byte[] raw, AzureVerification.Builder out) {
    expect(out, AzureCheck.HCL_STRUCTURE, AzureCheck.HCL_REPORT_TYPE, AzureCheck.CLAIMS_PARSE,
        AzureCheck.HCL_REPORT_DATA_BINDING);
    HclReport hcl = null;
    try {
      hcl = HclReport.parse(raw);
      out.pass(AzureCheck.HCL_STRUCTURE);
      out.hcl = hcl;
    } catch (MalformedEvidenceException e) {
      out.fail(AzureCheck.HCL_STRUCTURE, e.getMessage());
    }
    OptionalInt rt = HclReport.peekReportType(raw);
    if (rt.isPresent()) {
      out.outcome(AzureCheck.HCL_REPORT_TYPE, rt.getAsInt() == platform.reportType(),
          "HCL report_type is " + Integer.toUnsignedString(rt.getAsInt()) + " but this verifier is for " + platform
              + " (report_type " + platform.reportType() + ")");
    }
    return hcl;
  }

  private static RuntimeClaims claims(HclReport hcl, AzureVerification.Builder out) {
    if (hcl == null) {
      return null;
    }
    try {
      RuntimeClaims c = RuntimeClaims.parse(hcl.variableData().toByteArray());
      out.pass(AzureCheck.CLAIMS_PARSE);
      out.claims = c;
      return c;
    } catch (MalformedEvidenceException e) {
      out.fail(AzureCheck.CLAIMS_PARSE, e.getMessage());
      return null;
    }
  }

  private static TdReportArea tdReport(HclReport hcl, AzureVerification.Builder out) {
    TdReportArea td = new TdReportArea(hcl.hardwareReport());
    out.outcome(AzureCheck.TDX_TD_REPORT_HASHES, td.hashesValid(),
        "the TD report's TEE_TCB_INFO_HASH / TEE_INFO_HASH do not recompute (or REPORTTYPE is not TDX)");
    return td;
  }

  private static void binding(HclReport hcl, byte[] reportData, AzureVerification.Builder out) {
    byte[] digest = hcl.variableDataDigest().toByteArray();
    boolean ok = reportData.length == 64 && ConstantTime.equals(java.util.Arrays.copyOf(reportData, digest.length), digest);
    for (int i = digest.length; i < reportData.length; i++) {
      ok &= reportData[i] == 0;
    }
    out.outcome(AzureCheck.HCL_REPORT_DATA_BINDING, ok,
        "REPORT_DATA " + Bytes.of(reportData) + " is not " + hcl.reportDataHash() + "(runtime claims) = "
            + Bytes.of(digest) + " followed by zero bytes");
  }

  private static void quote(TpmQuote q, RuntimeClaims claims, byte[] nonce, AzureVerification.Builder out) {
    expect(out, AzureCheck.TPM_ATTEST_PARSE, AzureCheck.TPM_SIGNATURE, AzureCheck.TPM_NONCE, AzureCheck.TPM_PCR_DIGEST);
    TpmtPublic ak = null;
    if (claims != null) {
      try {
        ak = claims.attestationKey().asAzureAk();
      } catch (MalformedEvidenceException e) {
        out.fail(AzureCheck.TPM_SIGNATURE, "HCLAkPub is not a usable RSA key: " + e.getMessage());
      }
    }
    QuoteResult r = q.verify(ak, nonce == null ? new byte[0] : nonce, TpmtPublic.TPM_RH_ENDORSEMENT);
    out.attest = r.attest().orElse(null);
    out.pcrValues = q.pcrValues();
    out.outcome(AzureCheck.TPM_ATTEST_PARSE, r.attestParsed(), problem(r, "tpm.attest_parse"));
    r.signatureValid().ifPresent(v -> out.outcome(AzureCheck.TPM_SIGNATURE, v, problem(r, "tpm.signature")));
    r.nonceMatches().ifPresent(v -> out.outcome(AzureCheck.TPM_NONCE, v && nonce != null,
        nonce == null ? "no nonce was given to check the quote's extraData against" : problem(r, "tpm.nonce")));
    r.pcrDigestMatches().ifPresent(v -> out.outcome(AzureCheck.TPM_PCR_DIGEST, v, problem(r, "tpm.pcr_digest")));
    r.qualifiedSignerMatches().ifPresent(
        v -> out.outcome(AzureCheck.TPM_QUALIFIED_SIGNER, v, problem(r, "tpm.qualified_signer")));
  }

  private static String problem(QuoteResult r, String check) {
    for (String p : r.problems()) {
      if (p.startsWith(check + ": ")) {
        return p.substring(check.length() + 2);
      }
    }
    return check + " failed";
  }

  private static void userData(RuntimeClaims claims, byte[] nonce, AzureVerification.Builder out) {
    out.expect(AzureCheck.CLAIMS_USER_DATA);
    if (claims == null) {
      return;
    }
    byte[] ud = claims.userData().map(Bytes::toByteArray).orElse(null);
    boolean ok = ud != null && nonce != null && nonce.length <= ud.length
        && ConstantTime.equals(java.util.Arrays.copyOf(ud, nonce.length), nonce);
    out.outcome(AzureCheck.CLAIMS_USER_DATA, ok, ud == null
        ? "evidence v2 but the runtime claims have no user-data"
        : "the runtime claims' user-data does not start with the nonce");
    if (ok) {
      boolean zero = true;
      for (int i = nonce.length; i < ud.length; i++) {
        zero &= ud[i] == 0;
      }
      out.outcome(AzureCheck.CLAIMS_USER_DATA_TAIL, zero, "user-data is not zero after the nonce");
    }
  }

  /** Configures an {@link AzureVerifier}; not thread-safe. */
  public static final class Builder {
    private final AzurePlatform platform;
    private Clock clock = Clock.systemUTC();
    private SnpVerifier snpVerifier;
    private final List<SnpStep.Chain> chains = new ArrayList<>();
    private TdxVerifier tdxVerifier;
    private TdxCollateral collateral;
    private TdxStep.Dcap dcap = TdxStep.Dcap.NONE;

    private Builder(AzurePlatform platform) {
      this.platform = platform;
    }

    /**
     * The clock for certificate validity and the result's time (also used by the default SNP and TDX
     * verifiers).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The SEV-SNP verifier (trust anchors, CRLs, chain cache); default: AMD roots with this clock.
     *
     * @param verifier the verifier
     * @return this builder
     */
    public Builder snpVerifier(SnpVerifier verifier) {
      this.snpVerifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * Adds an AMD KDS {@code cert_chain} (PEM: ASK or ASVK, then ARK); the one whose ASK issued the
     * evidence's VCEK is used. Call once per product you accept.
     *
     * @param pem the PEM text
     * @return this builder
     * @throws MalformedEvidenceException if it does not hold two certificates
     */
    public Builder snpCertChain(byte[] pem) throws MalformedEvidenceException {
      chains.add(SnpStep.chain(MalformedEvidenceException.requirePresent(pem, "cert_chain")));
      return this;
    }

    /**
     * The TDX verifier; default: {@code TdxVerifier} with this clock.
     *
     * @param verifier the verifier
     * @return this builder
     */
    public Builder tdxVerifier(TdxVerifier verifier) {
      this.tdxVerifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * Full DCAP verification of the TD quote with this collateral.
     *
     * @param collateral Intel PCS collateral for the quote's platform
     * @return this builder
     */
    public Builder tdxCollateral(TdxCollateral collateral) {
      this.collateral = Objects.requireNonNull(collateral, "collateral");
      this.dcap = TdxStep.Dcap.FULL;
      return this;
    }

    /**
     * DCAP without collateral: the PCK chain to the pinned Intel root, the QE report and the quote
     * signature, but no TCB status and no revocation. An explicit, weaker choice.
     *
     * @return this builder
     */
    public Builder tdxSignaturesOnly() {
      this.collateral = null;
      this.dcap = TdxStep.Dcap.SIGNATURES_ONLY;
      return this;
    }

    /**
     * The verifier.
     *
     * @return the verifier
     */
    public AzureVerifier build() {
      return new AzureVerifier(this);
    }
  }
}
