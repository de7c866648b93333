package org.attest4j.azure.tpm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.MalformedEvidenceException;

/**
 * A TPM2_Quote as evidence carries it: the TPMS_ATTEST message, its signature, and the PCR values
 * read after the quote (one per selected PCR, in selection order). Holding a quote does not trust
 * it: {@link #verify} checks it against an attestation key and a nonce. Immutable and thread-safe.
 */
public final class TpmQuote {
  private final Bytes message;
  private final TpmtSignature signature;
  private final List<Bytes> pcrValues;

  private TpmQuote(Bytes message, TpmtSignature signature, List<Bytes> pcrValues) {
    this.message = message;
    this.signature = signature;
    this.pcrValues = pcrValues;
  }

  /**
   * A quote from its parts.
   *
   * @param message the TPMS_ATTEST bytes
   * @param signature the signature over them
   * @param pcrValues the PCR values in selection order
   * @return the quote
   * @throws MalformedEvidenceException if a part is missing
   */
  public static TpmQuote of(byte[] message, TpmtSignature signature, List<Bytes> pcrValues)
      throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(message, "quote message");
    MalformedEvidenceException.requirePresent(signature, "quote signature");
    MalformedEvidenceException.requirePresent(pcrValues, "PCR values");
    for (Bytes b : pcrValues) {
      MalformedEvidenceException.requirePresent(b, "PCR value");
    }
    return new TpmQuote(Bytes.of(message), signature, List.copyOf(pcrValues));
  }

  /**
   * The TPMS_ATTEST bytes.
   *
   * @return the signed message
   */
  public Bytes message() {
    return message;
  }

  /**
   * The signature.
   *
   * @return the signature
   */
  public TpmtSignature signature() {
    return signature;
  }

  /**
   * The PCR values.
   *
   * @return one per selected PCR, in selection order
   */
  public List<Bytes> pcrValues() {
    return pcrValues;
  }

  /**
   * Runs every quote check: {@code tpm.attest_parse}, {@code tpm.signature} (when {@code ak} is
   * given), {@code tpm.nonce}, {@code tpm.pcr_digest}, and the advisory {@code tpm.qualified_signer}
   * (when {@code ak} is given and {@code hierarchy} is not null: the AK is then expected to be a
   * primary key of that hierarchy).
   *
   * @param ak the attestation key, or null when none is authenticated
   * @param nonce the verifier's nonce, expected byte for byte in extraData
   * @param hierarchy the hierarchy handle for the qualified-name check, or null to skip it
   * @return every outcome, never throws for bad evidence
   */
  public QuoteResult verify(TpmtPublic ak, byte[] nonce, Integer hierarchy) {
    Objects.requireNonNull(nonce, "nonce");
    List<String> problems = new ArrayList<>();
    TpmsAttest attest;
    try {
      attest = TpmsAttest.parse(message.toByteArray());
    } catch (MalformedEvidenceException e) {
      problems.add("tpm.attest_parse: " + e.getMessage());
      return new QuoteResult(null, false, null, null, null, null, problems);
    }
    Boolean sig = null;
    Boolean qs = null;
    if (ak != null) {
      sig = QuoteSignatures.verify(ak, message.toByteArray(), signature);
      if (!sig) {
        problems.add("tpm.signature: the " + signature + " does not verify with the attestation key " + ak.name());
      }
      if (hierarchy != null) {
        qs = attest.qualifiedSigner().equals(ak.qualifiedName(hierarchy));
        if (!qs) {
          problems.add("tpm.qualified_signer: qualifiedSigner " + attest.qualifiedSigner()
              + " is not the expected qualified name " + ak.qualifiedName(hierarchy));
        }
      }
    }
    boolean nonceOk = ConstantTime.equals(attest.extraData().toByteArray(), nonce);
    if (!nonceOk) {
      problems.add("tpm.nonce: extraData (" + attest.extraData().length()
          + " bytes) is not the verifier's nonce (" + nonce.length + " bytes)");
    }
    boolean pcrOk;
    try {
      Bytes d = Pcrs.digest(attest.pcrSelections(), pcrValues, signature.hash());
      pcrOk = ConstantTime.equals(d.toByteArray(), attest.pcrDigest().toByteArray());
      if (!pcrOk) {
        problems.add("tpm.pcr_digest: the PCR values hash to " + d + " but the quote's pcrDigest is "
            + attest.pcrDigest() + " (a PCR changed, or the values are not the quoted ones)");
      }
    } catch (MalformedEvidenceException e) {
      pcrOk = false;
      problems.add("tpm.pcr_digest: " + e.getMessage());
    }
    return new QuoteResult(attest, true, sig, nonceOk, pcrOk, qs, problems);
  }

  @Override
  public String toString() {
    return "TpmQuote[" + message.length() + "-byte message, " + signature + ", " + pcrValues.size() + " PCRs]";
  }
}
