package org.attest4j.ratls;

import java.util.Objects;

/**
 * A dstack attestation in the common (V1) model: platform evidence plus stack evidence. Both wire
 * formats decode into this model ({@link VersionedAttestation}); V0 projects onto it losslessly.
 * Immutable and thread-safe.
 *
 * @param platform the hardware evidence
 * @param stack the software evidence
 */
public record Attestation(PlatformEvidence platform, StackEvidence stack) {
  /** The only V1 schema version. */
  public static final int VERSION = 1;

  /**
   * Checks the components.
   *
   * @param platform hardware evidence
   * @param stack software evidence
   */
  public Attestation {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(stack, "stack");
  }

  /**
   * The wire format dstack HEAD emits for this attestation ({@code into_versioned}): V1 when any
   * runtime event has version 2 or the stack is not representable in V0, else V0.
   *
   * @return the preferred wire format
   */
  public WireFormat preferredWireFormat() {
    return representableAsV0() ? WireFormat.V0_SCALE : WireFormat.V1_MSGPACK;
  }

  /**
   * Whether V0 (SCALE) can carry this attestation: a {@code dstack} stack with a 64-byte
   * report_data and only version-1 runtime events.
   *
   * @return true when {@link VersionedAttestation#encodeV0(Attestation)} succeeds
   */
  public boolean representableAsV0() {
    return stack instanceof StackEvidence.Dstack
        && stack.reportData().length() == 64
        && stack.runtimeEvents().stream().allMatch(e -> e.version() == 1);
  }
}
