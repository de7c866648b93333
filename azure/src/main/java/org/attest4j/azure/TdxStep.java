package org.attest4j.azure;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * Step 4 for TDX: parses the TD quote, runs DCAP on it (full with collateral, or signatures and PCK
 * chain only when the verifier was built that way), compares it with the TD report inside the HCL
 * report, and the advisory consistency checks. Returns the REPORT_DATA to bind the claims to.
 * Immutable and thread-safe.
 */
final class TdxStep {
  /** How {@code tdx.dcap} is evaluated. */
  enum Dcap {
    /** Full DCAP with collateral. */
    FULL,
    /** PCK chain, QE report and quote signatures, no TCB status or revocation. */
    SIGNATURES_ONLY,
    /** Not configured: {@code tdx.dcap} fails. */
    NONE
  }

  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");

  private final TdxVerifier verifier;
  private final TdxCollateral collateral;
  private final Dcap mode;

  TdxStep(TdxVerifier verifier, TdxCollateral collateral, Dcap mode) {
    this.verifier = verifier;
    this.collateral = collateral;
    this.mode = mode;
  }

  /** Runs the TD quote checks; returns the authenticated REPORT_DATA, or null without a quote. */
  byte[] runQuote(Bytes tdQuote, TdReportArea td, Instant at, AzureVerification.Builder out) {
    if (tdQuote == null) {
      out.fail(AzureCheck.TDX_QUOTE_PARSE, "the evidence carries no TD quote: the TD report is not authenticated");
      return null;
    }
    TdxQuote q;
    try {
      q = TdxQuote.parse(tdQuote.toByteArray());
    } catch (MalformedEvidenceException e) {
      out.fail(AzureCheck.TDX_QUOTE_PARSE, e.getMessage());
      return null;
    }
    out.pass(AzureCheck.TDX_QUOTE_PARSE);
    out.tdQuote = q;
    out.outcome(AzureCheck.TDX_QUOTE_BODY_SIGNATURE, bodySignatureValid(q),
        "the TD quote's signature does not verify with the attestation key it carries");
    dcap(q, at, out);
    if (td != null) {
      List<String> diff = td.differences(q.body());
      out.outcome(AzureCheck.TDX_TD_REPORT_MATCHES_QUOTE, diff.isEmpty(),
          "TD quote body differs from the HCL report's TD report in " + diff);
    }
    return q.body().reportData().toByteArray();
  }

  private void dcap(TdxQuote q, Instant at, AzureVerification.Builder out) {
    try {
      switch (mode) {
        case FULL:
          out.tdx = verifier.verify(q, collateral, at);
          out.pass(AzureCheck.TDX_DCAP);
          break;
        case SIGNATURES_ONLY:
          out.tdx = verifier.verifySignaturesOnly(q, at);
          out.pass(AzureCheck.TDX_DCAP);
          break;
        default:
          out.fail(AzureCheck.TDX_DCAP, "no DCAP collateral configured: the TD quote is not verified"
              + " (give the verifier collateral, or choose signatures-only explicitly)");
      }
    } catch (AttestationException e) {
      out.fail(AzureCheck.TDX_DCAP, e.reason().qualifiedCode() + ": " + e.getMessage());
    }
  }

  static boolean bodySignatureValid(TdxQuote q) {
    try {
      byte[] ak = q.attestationKey().toByteArray();
      byte[] sig = q.signature().toByteArray();
      if (ak.length != 64 || sig.length != 64) {
        return false;
      }
      ECDomainParameters dom = new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());
      org.bouncycastle.math.ec.ECPoint point = P256.getCurve().validatePoint(
          new BigInteger(1, Arrays.copyOfRange(ak, 0, 32)), new BigInteger(1, Arrays.copyOfRange(ak, 32, 64)));
      ECDSASigner s = new ECDSASigner();
      s.init(false, new ECPublicKeyParameters(point, dom));
      byte[] digest = TpmHash.SHA256.digest(q.signedRegion().toByteArray());
      return s.verifySignature(digest, new BigInteger(1, Arrays.copyOfRange(sig, 0, 32)),
          new BigInteger(1, Arrays.copyOfRange(sig, 32, 64)));
    } catch (RuntimeException e) {
      return false;
    }
  }
}
