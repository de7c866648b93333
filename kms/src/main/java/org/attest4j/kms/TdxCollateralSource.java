package org.attest4j.kms;

import java.util.Objects;
import org.attest4j.core.AttestationException;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;

/**
 * Where the KMS gets the Intel collateral (CRLs, TCB info, QE identity) for a TDX quote at step 2 of
 * {@link KeyReleaseService#releaseTdx(TdxKeyReleaseRequest)}: a fixed set ({@link #fixed}), or for
 * example {@code quote -> pcsClient.collateral(quote, UpdateType.STANDARD)} with the tdx module's
 * {@code PcsClient}. The collateral is never taken from the guest's request.
 *
 * <p>Implementations must be thread-safe; the KMS calls them concurrently.
 */
@FunctionalInterface
public interface TdxCollateralSource {
  /**
   * The collateral to verify {@code quote} with.
   *
   * @param quote the quote
   * @return the collateral to verify {@code quote} with
   * @throws AttestationException if none can be had ({@code EndorsementUnavailableException} when a
   *     retry may help)
   */
  TdxCollateral collateralFor(TdxQuote quote) throws AttestationException;

  /**
   * Always the same collateral (for example read with {@link TdxCollateral#fromDirectory}).
   *
   * @param collateral the collateral
   * @return a source that always returns {@code collateral}
   */
  static TdxCollateralSource fixed(TdxCollateral collateral) {
    Objects.requireNonNull(collateral, "collateral");
    return new RequestPathCollateral.Local() {
      @Override
      public TdxCollateral collateralFor(TdxQuote quote) {
        return collateral;
      }

      @Override
      public String toString() {
        return "fixed " + collateral;
      }
    };
  }
}
