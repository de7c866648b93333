package org.attest4j.core;

import java.util.Objects;

/**
 * The root of every refusal attest4j reports. It is checked: a caller that releases keys must decide
 * what a refusal means. Subclasses split failures by class:
 *
 * <ul>
 *   <li>{@link MalformedEvidenceException}: the bytes are not well-formed evidence;
 *   <li>{@link VerificationException}: a signature or a certificate chain does not verify, or the
 *       certificate does not belong to the evidence;
 *   <li>{@link PolicyViolationException}: authentic evidence that the caller's policy refuses, with
 *       every failed rule;
 *   <li>{@link EndorsementUnavailableException}: certificates or collateral could not be had; the only
 *       retryable class.
 * </ul>
 *
 * <p>Configuration the caller supplies (hex digests, launch shapes, key files, its own public key)
 * is refused with the unchecked {@link InvalidConfigurationException} instead: that is a deployment
 * error, not a verdict on evidence.
 *
 * <p>Messages name the offending field and values so a user can act on them; they never contain key
 * material or other secrets. Instances are immutable.
 */
public abstract class AttestationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient ReasonCode reason;

  /**
   * For subclasses: a refusal with a reason, a message a user can act on, and an optional cause.
   *
   * @param reason the machine-readable reason code
   * @param message what was refused and why, naming the offending field; no secrets
   * @param cause the underlying failure, or {@code null}
   */
  protected AttestationException(ReasonCode reason, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * The machine-readable reason.
   *
   * @return the reason code this refusal was created with
   */
  public ReasonCode reason() {
    return reason;
  }

  /**
   * Whether trying again later may succeed (true only for unavailable endorsements).
   *
   * @return {@code false} here; subclasses for transient failures override it
   */
  public boolean isRetryable() {
    return false;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + reason.qualifiedCode() + "]: " + getMessage();
  }
}
