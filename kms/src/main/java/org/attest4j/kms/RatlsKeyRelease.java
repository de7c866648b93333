package org.attest4j.kms;

import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.kms.proto.AppKeyResponse;

/**
 * A key release over RA-TLS: dstack's {@code AppKeyResponse}, whose keys are in plaintext because
 * the mutually authenticated TLS session is the envelope, with what the authorization hook was told
 * and answered. It holds secrets: send {@link #response()} on the session it was made for and drop
 * it; {@link #toString()} shows none of them. Immutable and thread-safe.
 */
public final class RatlsKeyRelease {
  private final AppKeyResponse response;
  private final BootInfo bootInfo;
  private final AuthorizationDecision decision;
  private final Bytes measurement;
  private final StepTimings timings;

  RatlsKeyRelease(AppKeyResponse response, BootInfo bootInfo, AuthorizationDecision decision,
      Bytes measurement, StepTimings timings) {
    this.response = Objects.requireNonNull(response);
    this.bootInfo = Objects.requireNonNull(bootInfo);
    this.decision = Objects.requireNonNull(decision);
    this.measurement = Objects.requireNonNull(measurement);
    this.timings = Objects.requireNonNull(timings);
  }

  /**
   * The response for the TLS session (plaintext keys).
   *
   * @return the AppKeyResponse
   */
  public AppKeyResponse response() {
    return response;
  }

  /**
   * The BootInfo the authorization hook saw.
   *
   * @return the BootInfo
   */
  public BootInfo bootInfo() {
    return bootInfo;
  }

  /**
   * The authorization hook's decision.
   *
   * @return the decision
   */
  public AuthorizationDecision decision() {
    return decision;
  }

  /**
   * The verified launch measurement.
   *
   * @return MEASUREMENT
   */
  public Bytes measurement() {
    return measurement;
  }

  /**
   * How long each step took.
   *
   * @return the timings
   */
  public StepTimings timings() {
    return timings;
  }

  @Override
  public String toString() {
    return "RatlsKeyRelease[app_id=" + bootInfo.appId() + ", instance_id=" + bootInfo.instanceId()
        + ", " + timings + "]";
  }
}
