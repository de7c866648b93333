package org.attest4j.core;

/**
 * A signature, a certificate chain, a CRL or a binding between a certificate and the evidence does
 * not verify. Evidence refused this way must never be trusted, whatever the policy.
 */
public class VerificationException extends AttestationException {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal with a reason and an actionable message (no secrets in it).
   *
   * @param reason the machine-readable reason code
   * @param message what did not verify, naming the field; no secrets
   */
  public VerificationException(ReasonCode reason, String message) {
    super(reason, message, null);
  }

  /**
   * A refusal with a reason, an actionable message and the underlying cause.
   *
   * @param reason the machine-readable reason code
   * @param message what did not verify, naming the field; no secrets
   * @param cause the underlying failure, or {@code null}
   */
  public VerificationException(ReasonCode reason, String message, Throwable cause) {
    super(reason, message, cause);
  }
}
