package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.tdx.TdReport;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerdict;

/**
 * Steps 1 to 7 for an Intel TDX guest in their fixed, fail-closed order, cheap checks first: after
 * parsing, the policy rules decided by the quote body, the measurement, the identity and the
 * freshness binding run on the unverified quote before step 2 may fetch collateral from the
 * network; the single use is recorded and the hook asked only after the quote verified and the
 * whole policy accepted it. Immutable and thread-safe.
 */
final class TdxReleasePath {
  private final TdxEvidenceStep evidence;
  private final TdxPolicyStep policy;
  private final TdxMeasurementStep measurement;
  private final TdxIdentityStep identity;

  TdxReleasePath(TdxEvidenceStep evidence, TdxPolicyStep policy, TdxMeasurementStep measurement,
      TdxIdentityStep identity) {
    this.evidence = evidence;
    this.policy = policy;
    this.measurement = measurement;
    this.identity = identity;
  }

  /**
   * Runs steps 1 to 7 on a quote.
   *
   * @param events where the replayed app info comes from (step 4)
   * @param claimed the identity the request claims (empty fields: not claimed; step 5)
   * @param fresh how this request proves freshness (step 6)
   * @param authorize the hook to ask (step 7)
   */
  VerifiedGuest run(Bytes quoteBytes, TdxMeasurementStep.AppInfoSource events, AppIdentity claimed, StepRun run,
      FreshnessStep.Check fresh, AuthorizationStep authorize) throws AttestationException {
    evidence.requireConfigured();
    run.begin(KeyReleaseStep.PARSE_REPORT);
    TdxQuote quote = evidence.parse(quoteBytes);
    TdReport body = quote.body();

    // cheap checks first: everything decided by the quote body and the request (no collateral, so
    // no network call) runs on the parsed quote before step 2; the verdict carries the same bytes
    run.begin(KeyReleaseStep.APPLY_POLICY);
    policy.precheck(quote);

    run.begin(KeyReleaseStep.VERIFY_MEASUREMENT);
    TdxMeasurementStep.Measured m = measurement.measure(body, events);

    run.begin(KeyReleaseStep.BIND_IDENTITY);
    AppIdentity id = identity.bind(claimed, m.app());

    run.begin(KeyReleaseStep.CHECK_FRESHNESS);
    Object rd = fresh.bind(body.reportData());

    run.begin(KeyReleaseStep.VERIFY_SIGNATURE);
    TdxVerdict verdict = evidence.verify(quote);

    run.begin(KeyReleaseStep.APPLY_POLICY);
    policy.enforce(verdict);

    run.begin(KeyReleaseStep.CHECK_FRESHNESS);
    fresh.consume();

    run.begin(KeyReleaseStep.AUTHORIZE);
    BootInfo info = bootInfo(verdict, m, id);
    AuthorizationDecision decision = authorize.authorize(info, id);
    return new VerifiedGuest(id, rd, quoteBytes, body.mrTd(), m.osImageHash(), info, decision);
  }

  /**
   * device_id of a verified TDX quote: SHA-256 of the PCK certificate's PPID (spec dstack-kms §2.3,
   * dstack-ratls §5.3). The SHA-256("") of {@code DstackAppInfo} is what dstack's unverified
   * decoding puts in a certificate's AppInfo extension, not what the KMS authorizes.
   */
  static Bytes deviceId(TdxVerdict verdict) {
    try {
      return Bytes.of(java.security.MessageDigest.getInstance("SHA-256").digest(verdict.pck().ppid().toByteArray()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** dstack's BootInfo for a verified TDX quote and its replayed app info. */
  private static BootInfo bootInfo(TdxVerdict verdict, TdxMeasurementStep.Measured m, AppIdentity id) {
    return new BootInfo(
        BootInfo.TEE_VARIANT_TDX,
        m.app().mrAggregated(),
        m.osImageHash(),
        m.app().mrSystem(),
        id.appId(),
        id.composeHash(),
        id.instanceId(),
        deviceId(verdict),
        m.app().keyProviderInfo().orElse(Bytes.empty()),
        verdict.tcbStatus().map(t -> t.intelName()).orElse(BootInfo.TCB_STATUS_NOT_EVALUATED),
        verdict.advisoryIds());
  }
}
