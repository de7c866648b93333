package org.attest4j.ratls;

import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;

/**
 * One entry of a TDX platform event log as dstack carries it (CCEL events and runtime events alike).
 * Immutable and thread-safe.
 *
 * @param imr the measurement register index (0..3 for RTMR0..3)
 * @param eventType the TCG event type (unsigned 32-bit), {@code 0x08000001} for dstack runtime events
 * @param digest the extended digest (empty when stripped)
 * @param event the event name (dstack runtime events) or empty
 * @param eventPayload the event data
 * @param version the digest version, 1 or 2
 * @param preimage for version 2: the canonical JCS text as hex, when present
 */
public record TdxEvent(
    long imr,
    long eventType,
    Bytes digest,
    String event,
    Bytes eventPayload,
    int version,
    Optional<String> preimage) {
  /** dstack's runtime event type, {@code 0x08000001}. */
  public static final long DSTACK_RUNTIME_EVENT_TYPE = 0x08000001L;

  /**
   * Checks the components.
   *
   * @param imr register index (unsigned 32-bit)
   * @param eventType event type (unsigned 32-bit)
   * @param digest digest
   * @param event name
   * @param eventPayload payload
   * @param version 1 or 2
   * @param preimage optional JCS preimage (hex text)
   */
  public TdxEvent {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(eventPayload, "eventPayload");
    Objects.requireNonNull(preimage, "preimage");
    if (imr < 0 || imr > 0xffffffffL || eventType < 0 || eventType > 0xffffffffL) {
      throw new IllegalArgumentException("imr and event_type are unsigned 32-bit values");
    }
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("event version must be 1 or 2, got " + version);
    }
  }
}
