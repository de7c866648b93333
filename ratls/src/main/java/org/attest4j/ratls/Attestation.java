package org.attest4j.ratls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

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

  /**
   * What a certificate carries of this attestation (dstack's {@code into_stripped}, spec
   * dstack-ratls §3.6). For {@code tdx}: the three RTMR0 {@code ACPI DATA} events and every imr 3
   * event are kept, everything else dropped; kept dstack runtime events lose their digest (it is
   * recomputable from the payload), other kept events lose their payload ({@code ACPI DATA} events
   * keep that marker). For {@code gcp-tdx}: only imr 3 events, stripped the same way. Other
   * platforms are returned unchanged. {@code stack.runtime_events} is never stripped.
   *
   * @return the stripped attestation
   */
  public Attestation stripped() {
    if (platform instanceof PlatformEvidence.Tdx t) {
      return new Attestation(new PlatformEvidence.Tdx(t.quote(), strip(t.eventLog(), true)), stack);
    }
    if (platform instanceof PlatformEvidence.GcpTdx g) {
      return new Attestation(
          new PlatformEvidence.GcpTdx(g.quote(), strip(g.eventLog(), false), g.tpmQuote()), stack);
    }
    return this;
  }

  private static final Bytes ACPI_DATA = Bytes.of("ACPI DATA".getBytes(StandardCharsets.US_ASCII));
  private static final long EV_PLATFORM_CONFIG_FLAGS = 10;

  private static List<TdxEvent> strip(List<TdxEvent> log, boolean keepAcpi) {
    List<TdxEvent> out = new ArrayList<>();
    for (TdxEvent e : log) {
      boolean acpi = keepAcpi && e.imr() == 0 && e.eventType() == EV_PLATFORM_CONFIG_FLAGS
          && e.eventPayload().equals(ACPI_DATA);
      if (!acpi && e.imr() != 3) {
        continue;
      }
      if (e.eventType() == TdxEvent.DSTACK_RUNTIME_EVENT_TYPE) {
        out.add(new TdxEvent(e.imr(), e.eventType(), Bytes.empty(), e.event(), e.eventPayload(),
            e.version(), e.preimage()));
      } else {
        out.add(new TdxEvent(e.imr(), e.eventType(), e.digest(), e.event(),
            acpi ? ACPI_DATA : Bytes.empty(), e.version(), e.preimage()));
      }
    }
    return out;
  }
}
