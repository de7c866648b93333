package org.attest4j.kms;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;

/**
 * Steps 1 to 7 for a SEV-SNP guest in their fixed, fail-closed order, cheap checks first: after
 * parsing, everything that needs no endorsement runs before step 2 may go to the network, and the
 * single use is recorded only after the signature verified. Shared by GetAppKeyAmd, GetAppKey,
 * SignCert and GetKmsKey. Immutable and thread-safe.
 */
final class SnpReleasePath {
  private final SnpEvidenceStep evidence;
  private final SnpPolicyStep policy;
  private final SnpMeasurementStep measurement;
  private final SnpIdentityStep identity;
  private final PinnedLaunch launch;
  private final Bytes keyProviderInfo;

  /**
   * @param launch the pinned launch (its os_image_hash goes into BootInfo)
   * @param keyProviderInfo this KMS as BootInfo's key provider
   */
  SnpReleasePath(SnpEvidenceStep evidence, SnpPolicyStep policy, SnpMeasurementStep measurement,
      SnpIdentityStep identity, PinnedLaunch launch, Bytes keyProviderInfo) {
    this.evidence = evidence;
    this.policy = policy;
    this.measurement = measurement;
    this.identity = identity;
    this.launch = launch;
    this.keyProviderInfo = keyProviderInfo;
  }

  /**
   * Runs steps 1 to 7 on {@code req}.
   *
   * @param fresh how this request proves freshness (step 6)
   * @param authorize the hook to ask (step 7)
   */
  VerifiedGuest run(KeyReleaseRequest req, StepRun run, FreshnessStep.Check fresh, AuthorizationStep authorize)
      throws AttestationException {
    run.begin(KeyReleaseStep.PARSE_REPORT);
    Ports.Evidence parsed = evidence.parse(req.report());

    // cheap checks first: everything that needs no endorsement (and so no network call) runs on
    // the parsed report before step 2; the verified report carries the same bytes
    run.begin(KeyReleaseStep.APPLY_POLICY);
    policy.precheck(parsed, req);

    run.begin(KeyReleaseStep.VERIFY_MEASUREMENT);
    measurement.verify(req, parsed);

    run.begin(KeyReleaseStep.BIND_IDENTITY);
    AppIdentity id = identity.bind(req, parsed);

    run.begin(KeyReleaseStep.CHECK_FRESHNESS);
    Object rd = fresh.bind(parsed.reportData());

    run.begin(KeyReleaseStep.VERIFY_SIGNATURE);
    Ports.Evidence ev = evidence.verify(parsed, req);

    run.begin(KeyReleaseStep.APPLY_POLICY);
    policy.apply(ev);

    run.begin(KeyReleaseStep.CHECK_FRESHNESS);
    fresh.consume();

    run.begin(KeyReleaseStep.AUTHORIZE);
    BootInfo info = bootInfo(ev, id);
    AuthorizationDecision decision = authorize.authorize(info, id);
    return new VerifiedGuest(id, rd, req.report(), ev.measurement(), launch.osImageHash(), info, decision);
  }

  /** dstack's BootInfo for a verified SEV-SNP report. */
  private BootInfo bootInfo(Ports.Evidence ev, AppIdentity id) {
    byte[] m = ev.measurement().toByteArray();
    MessageDigest md = sha256();
    return new BootInfo(
        evidence.teeVariant(),
        digest(md, m, ev.hostData().toByteArray()),
        launch.osImageHash(),
        digest(md, m),
        id.appId(),
        id.composeHash(),
        id.instanceId(),
        digest(md, ev.chipId().toByteArray()),
        keyProviderInfo,
        ev.tcbStatus(),
        List.of());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of the parts with {@code md}, which digest() leaves reset for the next one. */
  private static Bytes digest(MessageDigest md, byte[]... parts) {
    for (byte[] p : parts) {
      md.update(p);
    }
    return Bytes.of(md.digest());
  }

  @Override
  public String toString() {
    return evidence.toString();
  }
}
