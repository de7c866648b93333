package org.attest4j.examples.agent;

/**
 * The guest agent got no keys: the KMS refused (with its HTTP status, reason, and the step that
 * refused), the KMS could not be reached, or the guest refused the KMS's answer (for example an
 * envelope that does not open under the trusted KMS key). The message never contains key material.
 */
public final class AgentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The KMS's HTTP status, 0 when the failure is local. */
  private final int status;
  /** The reason code. */
  private final String reason;
  /** The KMS step that refused, -1 when unknown or local. */
  private final int step;

  /**
   * An agent failure.
   *
   * @param status the KMS's HTTP status (0 when the failure is local)
   * @param reason the reason code, for example {@code KmsReason.MEASUREMENT_MISMATCH}
   * @param step the KMS step that refused (-1 when unknown or local)
   * @param message what happened
   * @param cause the cause, or null
   */
  public AgentException(int status, String reason, int step, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.reason = reason;
    this.step = step;
  }

  /**
   * The KMS's HTTP status, or 0 when the failure is on the guest side.
   *
   * @return the KMS's HTTP status, or 0 when the failure is on the guest side
   */
  public int status() {
    return status;
  }

  /**
   * The reason code.
   *
   * @return the reason code
   */
  public String reason() {
    return reason;
  }

  /**
   * The KMS step that refused, or -1.
   *
   * @return the KMS step that refused, or -1
   */
  public int step() {
    return step;
  }
}
