package org.attest4j.core;

/**
 * The input is not well-formed evidence (wrong length, unknown version, bad encoding, non-zero
 * reserved field, ...). Parsers throw only this for arbitrary bytes, never a runtime exception.
 */
public class MalformedEvidenceException extends AttestationException {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal with a reason and an actionable message (no secrets in it).
   *
   * @param reason the machine-readable reason code
   * @param message the offending field and values; no secrets
   */
  public MalformedEvidenceException(ReasonCode reason, String message) {
    super(reason, message, null);
  }

  /**
   * A refusal with a reason, an actionable message and the underlying cause.
   *
   * @param reason the machine-readable reason code
   * @param message the offending field and values; no secrets
   * @param cause the underlying parse failure, or {@code null}
   */
  public MalformedEvidenceException(ReasonCode reason, String message, Throwable cause) {
    super(reason, message, cause);
  }

  /**
   * Returns {@code value}, or refuses a missing input with {@link CoreReason#MISSING_INPUT}: parsers
   * of untrusted input call this so that a null gives the library's exception, not a
   * NullPointerException.
   *
   * @param value the input
   * @param what names the input in the message
   * @param <T> the input's type
   * @return {@code value}, never null
   * @throws MalformedEvidenceException when {@code value} is null
   */
  public static <T> T requirePresent(T value, String what) throws MalformedEvidenceException {
    if (value == null) {
      throw new MalformedEvidenceException(CoreReason.MISSING_INPUT, what + " is missing (null)");
    }
    return value;
  }
}
