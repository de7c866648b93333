package org.attest4j.core;

/**
 * The input is not well-formed evidence (wrong length, unknown version, bad encoding, non-zero
 * reserved field, ...). Parsers throw only this for arbitrary bytes, never a runtime exception.
 */
public class MalformedEvidenceException extends AttestationException {
  private static final long serialVersionUID = 1L;

  /** A refusal with a reason and an actionable message (no secrets in it). */
  public MalformedEvidenceException(ReasonCode reason, String message) {
    super(reason, message, null);
  }

  /** A refusal with a reason, an actionable message and the underlying cause. */
  public MalformedEvidenceException(ReasonCode reason, String message, Throwable cause) {
    super(reason, message, cause);
  }
}
