package org.attest4j.kms;

import java.time.Clock;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.TdxVerifier;

/**
 * Steps 1 and 2 for TDX: the quote parses, then verifies with Intel collateral at this KMS's clock
 * (the only step that may go to the network). Immutable and thread-safe.
 */
final class TdxEvidenceStep {
  private final TdxVerifier verifier;
  private final TdxCollateralSource collateral;
  private final Clock clock;

  /** @param verifier null when this KMS serves no TDX guests */
  TdxEvidenceStep(TdxVerifier verifier, TdxCollateralSource collateral, Clock clock) {
    this.verifier = verifier;
    this.collateral = collateral;
    this.clock = clock;
  }

  /** Refuses every TDX guest ({@link KmsReason#TDX_NOT_CONFIGURED}) when this KMS serves none. */
  void requireConfigured() throws VerificationException {
    if (verifier == null) {
      throw notConfigured();
    }
  }

  /** The refusal of a TDX guest by a KMS without a TDX configuration. */
  static VerificationException notConfigured() {
    return new VerificationException(
        KmsReason.TDX_NOT_CONFIGURED,
        "this KMS serves no Intel TDX guests: it was built without tdx(verifier, collateral, policy)");
  }

  /** Step 1. */
  TdxQuote parse(Bytes quote) throws AttestationException {
    return TdxQuote.parse(quote.toByteArray());
  }

  /** Step 2: the verdict; {@link KmsReason#NO_ENDORSEMENT} when the source has no collateral. */
  TdxVerdict verify(TdxQuote quote) throws AttestationException {
    TdxCollateral c = collateral.collateralFor(quote);
    if (c == null) {
      throw new VerificationException(KmsReason.NO_ENDORSEMENT, "the collateral source returned no TDX collateral");
    }
    return verifier.verify(quote, c, clock.instant());
  }
}
