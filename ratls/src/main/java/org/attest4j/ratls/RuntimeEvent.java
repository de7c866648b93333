package org.attest4j.ratls;

import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * A dstack runtime event (the input of the RTMR3 / PCR 14 replay): a name, a payload and the digest
 * version (1, or 2 for the JCS form of dstack 0.6). Immutable and thread-safe.
 *
 * @param event the event name, for example {@code "app-id"}
 * @param payload the event payload
 * @param version the digest version, 1 or 2
 */
public record RuntimeEvent(String event, Bytes payload, int version) {
  /**
   * Checks the components.
   *
   * @param event the event name
   * @param payload the payload
   * @param version 1 or 2
   */
  public RuntimeEvent {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(payload, "payload");
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("runtime event version must be 1 or 2, got " + version);
    }
  }

  /**
   * A version-1 event.
   *
   * @param event the event name
   * @param payload the payload
   * @return the event
   */
  public static RuntimeEvent of(String event, Bytes payload) {
    return new RuntimeEvent(event, payload, 1);
  }
}
