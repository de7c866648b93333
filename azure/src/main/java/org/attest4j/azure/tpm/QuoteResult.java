package org.attest4j.azure.tpm;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of every check of a {@link TpmQuote}; a check that could not be evaluated is empty.
 * Immutable and thread-safe.
 */
public final class QuoteResult {
  private final TpmsAttest attest;
  private final boolean parsed;
  private final Boolean signature;
  private final Boolean nonce;
  private final Boolean pcrDigest;
  private final Boolean qualifiedSigner;
  private final List<String> problems;

  QuoteResult(TpmsAttest attest, boolean parsed, Boolean signature, Boolean nonce, Boolean pcrDigest,
      Boolean qualifiedSigner, List<String> problems) {
    this.attest = attest;
    this.parsed = parsed;
    this.signature = signature;
    this.nonce = nonce;
    this.pcrDigest = pcrDigest;
    this.qualifiedSigner = qualifiedSigner;
    this.problems = List.copyOf(problems);
  }

  /**
   * The parsed TPMS_ATTEST.
   *
   * @return it, or empty when {@code tpm.attest_parse} failed
   */
  public Optional<TpmsAttest> attest() {
    return Optional.ofNullable(attest);
  }

  /**
   * {@code tpm.attest_parse}.
   *
   * @return whether the message is a well-formed quote
   */
  public boolean attestParsed() {
    return parsed;
  }

  /**
   * {@code tpm.signature}.
   *
   * @return the outcome, empty without a key or a parsed message
   */
  public Optional<Boolean> signatureValid() {
    return Optional.ofNullable(signature);
  }

  /**
   * {@code tpm.nonce}.
   *
   * @return the outcome, empty without a parsed message
   */
  public Optional<Boolean> nonceMatches() {
    return Optional.ofNullable(nonce);
  }

  /**
   * {@code tpm.pcr_digest}.
   *
   * @return the outcome, empty without a parsed message
   */
  public Optional<Boolean> pcrDigestMatches() {
    return Optional.ofNullable(pcrDigest);
  }

  /**
   * {@code tpm.qualified_signer} (advisory).
   *
   * @return the outcome, empty when not evaluated
   */
  public Optional<Boolean> qualifiedSignerMatches() {
    return Optional.ofNullable(qualifiedSigner);
  }

  /**
   * What failed, one line per failed check.
   *
   * @return the messages
   */
  public List<String> problems() {
    return problems;
  }

  /**
   * Whether every evaluated required check passed and the signature was checked.
   *
   * @return true when the quote is authentic, fresh and matches its PCR values
   */
  public boolean valid() {
    return parsed && Boolean.TRUE.equals(signature) && Boolean.TRUE.equals(nonce) && Boolean.TRUE.equals(pcrDigest);
  }

  @Override
  public String toString() {
    return "QuoteResult[" + (valid() ? "valid" : "invalid: " + problems) + "]";
  }
}
