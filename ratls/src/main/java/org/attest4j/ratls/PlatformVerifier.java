package org.attest4j.ratls;

import org.attest4j.core.AttestationException;

/**
 * The vendor half of an attestation check: the quote's or report's signature, its certificate chain
 * to the pinned Intel or AMD roots, collateral and TCB. {@link RatlsVerifier} runs it last, after the
 * certificate, the binding and {@link EvidenceConsistency}; without one the verdict says the vendor
 * signatures were not checked. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface PlatformVerifier {
  /**
   * Verifies the platform evidence of an attestation whose binding and consistency already hold.
   *
   * @param attestation the attestation
   * @throws AttestationException when the evidence is not genuine or not acceptable
   */
  void verify(Attestation attestation) throws AttestationException;
}
