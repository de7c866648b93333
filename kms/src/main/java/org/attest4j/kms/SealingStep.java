package org.attest4j.kms;

import java.util.Optional;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.VerificationException;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.kms.proto.AppKeyAmdResponse;

/**
 * Step 9 of GetAppKeyAmd and GetAppKeyTdx: the app keys sealed to report_data[0..32] in an enabled
 * envelope (else {@link KmsReason#ENVELOPE_MODE_NOT_ALLOWED}). Immutable and thread-safe.
 */
final class SealingStep {
  private final Ports.KeyPort keys;
  private final EnvelopeMode defaultEnvelope;
  private final Set<EnvelopeMode> envelopes;
  private final String caCertPem;

  SealingStep(Ports.KeyPort keys, EnvelopeMode defaultEnvelope, Set<EnvelopeMode> envelopes, String caCertPem) {
    this.keys = keys;
    this.defaultEnvelope = defaultEnvelope;
    this.envelopes = Set.copyOf(envelopes);
    this.caCertPem = caCertPem;
  }

  /** The envelope a nonce must have been issued for; null when not enabled (then {@link #envelopeFor} refuses it). */
  EnvelopeMode nonceEnvelope(Optional<EnvelopeMode> requested) {
    EnvelopeMode m = requested.orElse(defaultEnvelope);
    return envelopes.contains(m) ? m : null;
  }

  /** The requested envelope (or the default), refused when not enabled. */
  EnvelopeMode envelopeFor(Optional<EnvelopeMode> requested) throws VerificationException {
    EnvelopeMode m = requested.orElse(defaultEnvelope);
    if (!envelopes.contains(m)) {
      throw new VerificationException(
          KmsReason.ENVELOPE_MODE_NOT_ALLOWED, "envelope " + m + " is not enabled on this KMS; enabled: " + envelopes);
    }
    return m;
  }

  /** The response with the keys of step 8 sealed for {@code guest}. */
  AppKeyAmdResponse seal(Object derived, EnvelopeMode mode, VerifiedGuest guest) throws AttestationException {
    return keys.seal(derived, mode, new Ports.SealContext(guest.reportData(), guest.evidence(),
        guest.decision().gatewayAppId(), guest.osImageHash(), caCertPem));
  }
}
