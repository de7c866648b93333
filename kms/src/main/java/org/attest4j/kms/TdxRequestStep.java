package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;

/**
 * Step 0 for GetAppKeyTdx: the request names its app and carries all the evidence the TDX steps
 * need, and this KMS serves TDX guests. Immutable and thread-safe.
 */
final class TdxRequestStep {
  private final boolean configured;

  /** @param configured whether this KMS was built with a TDX configuration */
  TdxRequestStep(boolean configured) {
    this.configured = configured;
  }

  /**
   * Refuses a request without quote, event log or vm_config, or with identity fields of the wrong
   * size ({@link KmsReason#BAD_REQUEST}), and every request when this KMS serves no TDX guests
   * ({@link KmsReason#TDX_NOT_CONFIGURED}).
   */
  void check(TdxKeyReleaseRequest req) throws AttestationException {
    if (!configured) {
      throw TdxEvidenceStep.notConfigured();
    }
    if (req.quote().length() == 0) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "the TDX request has no quote (field quote)");
    }
    if (req.eventLog().length() == 0) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "the TDX request has no dstack event log (field event_log); RTMR3 cannot be replayed");
    }
    if (req.vmConfig().isEmpty()) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "the TDX request has no vm_config (field vm_config) naming its os_image_hash");
    }
    if (req.appId().length() != 20) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST,
          "field app_id must be 20 bytes, got " + req.appId().length() + "; a TDX request names the app it asks keys for");
    }
    if (req.composeHash().length() != 0 && req.composeHash().length() != 32) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "field compose_hash must be 32 bytes or empty, got " + req.composeHash().length());
    }
    if (req.instanceId().length() != 0 && req.instanceId().length() != 20) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "field instance_id must be 20 bytes or empty, got " + req.instanceId().length());
    }
  }
}
