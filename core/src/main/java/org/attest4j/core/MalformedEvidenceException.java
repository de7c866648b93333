package org.attest4j.core;

/**
 * The input is not well-formed evidence (wrong length, unknown version, bad encoding, non-zero
 * reserved field, ...). Parsers throw only this for arbitrary bytes, never a runtime exception.
 */
public class MalformedEvidenceException extends AttestationException {
  private static final long serialVersionUID = 1L;

  public MalformedEvidenceException(ReasonCode reason, String message) {
    super(reason, message, null);
  }

  public MalformedEvidenceException(ReasonCode reason, String message, Throwable cause) {
    super(reason, message, cause);
  }
}
