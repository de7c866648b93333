package org.attest4j.core;

import java.util.Objects;

/**
 * A configuration value the caller supplied is unusable: a hex string that is not hex, a launch
 * shape that cannot exist, a key directory without valid keys, a public key that cannot be used.
 * Unchecked, because it reports a programming or deployment error that is fixed by changing the
 * configuration, not a refusal of evidence; evidence is refused with the checked {@link
 * AttestationException} subclasses. It carries a {@link ReasonCode} like those.
 *
 * <p>Instances are immutable.
 */
public class InvalidConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient ReasonCode reason;

  /**
   * A configuration error with a reason and an actionable message (no secrets in it).
   *
   * @param reason the machine-readable reason
   * @param message what is wrong and how to fix it
   */
  public InvalidConfigurationException(ReasonCode reason, String message) {
    this(reason, message, null);
  }

  /**
   * A configuration error with a reason, an actionable message and the underlying cause.
   *
   * @param reason the machine-readable reason
   * @param message what is wrong and how to fix it
   * @param cause the underlying failure, or null
   */
  public InvalidConfigurationException(ReasonCode reason, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * A configuration error from a refusal raised while checking a configuration value with code
   * shared with evidence parsing (same reason, message and cause chain).
   *
   * @param refusal the refusal
   * @return the configuration error
   */
  public static InvalidConfigurationException from(AttestationException refusal) {
    return new InvalidConfigurationException(refusal.reason(), refusal.getMessage(), refusal);
  }

  /**
   * The machine-readable reason.
   *
   * @return the reason
   */
  public ReasonCode reason() {
    return reason;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + reason.qualifiedCode() + "]: " + getMessage();
  }
}
