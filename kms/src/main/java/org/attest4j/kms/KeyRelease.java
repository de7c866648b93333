package org.attest4j.kms;

import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.kms.proto.AppKeyAmdResponse;

/**
 * A successful key release: the sealed response for the guest, what the authorization hook was
 * told and answered, and per-step timings. It holds no plaintext key: the keys exist only inside
 * {@link #response()}'s envelope.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class KeyRelease {
  private final AppKeyAmdResponse response;
  private final BootInfo bootInfo;
  private final AuthorizationDecision decision;
  private final EnvelopeMode envelope;
  private final Bytes measurement;
  private final StepTimings timings;

  KeyRelease(
      AppKeyAmdResponse response,
      BootInfo bootInfo,
      AuthorizationDecision decision,
      EnvelopeMode envelope,
      Bytes measurement,
      StepTimings timings) {
    this.response = Objects.requireNonNull(response);
    this.bootInfo = Objects.requireNonNull(bootInfo);
    this.decision = Objects.requireNonNull(decision);
    this.envelope = Objects.requireNonNull(envelope);
    this.measurement = Objects.requireNonNull(measurement);
    this.timings = Objects.requireNonNull(timings);
  }

  /**
   * The response for the guest (keys sealed to its report_data[0..32]).
   *
   * @return the response for the guest (keys sealed to its report_data[0..32])
   */
  public AppKeyAmdResponse response() {
    return response;
  }

  /**
   * The BootInfo the authorization hook saw (app_id, compose_hash, instance_id, ...).
   *
   * @return the BootInfo the authorization hook saw (app_id, compose_hash, instance_id, ...)
   */
  public BootInfo bootInfo() {
    return bootInfo;
  }

  /**
   * The authorization hook's decision.
   *
   * @return the authorization hook's decision
   */
  public AuthorizationDecision decision() {
    return decision;
  }

  /**
   * The envelope the keys were sealed in.
   *
   * @return the envelope the keys were sealed in
   */
  public EnvelopeMode envelope() {
    return envelope;
  }

  /**
   * The verified launch measurement.
   *
   * @return the verified launch measurement
   */
  public Bytes measurement() {
    return measurement;
  }

  /**
   * How long each step took.
   *
   * @return how long each step took
   */
  public StepTimings timings() {
    return timings;
  }

  @Override
  public String toString() {
    return "KeyRelease[app_id=" + bootInfo.appId() + ", instance_id=" + bootInfo.instanceId() + ", envelope="
        + envelope + ", " + timings + "]";
  }
}
