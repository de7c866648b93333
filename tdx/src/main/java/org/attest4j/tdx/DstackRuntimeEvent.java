package org.attest4j.tdx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * A dstack runtime event (extended into RTMR3 by dstack's guest tools): a name, a payload and a
 * digest version. Digests are always computed here from name and payload, never taken from a log:
 *
 * <ul>
 *   <li>v1: {@code SHA-384(le32(0x08000001) || ":" || name || ":" || payload)};
 *   <li>v2: {@code SHA-384} of the JCS JSON {@code {"name":name,"payload":hex(payload),"type":134217729}}.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DstackRuntimeEvent {
  /** dstack's runtime event type, 0x08000001 (134217729). */
  public static final long EVENT_TYPE = 0x08000001L;

  /** The event that ends the boot-time part of RTMR3. */
  public static final String BOOT_MR_DONE = "boot-mr-done";

  /** The event after which no event counts for the app identity. */
  public static final String SYSTEM_READY = "system-ready";

  private final String name;
  private final Bytes payload;
  private final int version;
  private final Bytes digest;

  private DstackRuntimeEvent(String name, Bytes payload, int version) {
    this.name = Objects.requireNonNull(name, "name");
    this.payload = Objects.requireNonNull(payload, "payload");
    if (version != 1 && version != 2) {
      throw new IllegalArgumentException("runtime event digest version must be 1 or 2, got " + version);
    }
    this.version = version;
    this.digest = Bytes.of(version == 1 ? digestV1(name, payload.toByteArray()) : digestV2(name, payload.toByteArray()));
  }

  /**
   * A v1 event.
   *
   * @param name the name
   * @param payload the event payload
   * @return A v1 event
   */
  public static DstackRuntimeEvent of(String name, Bytes payload) {
    return new DstackRuntimeEvent(name, payload, 1);
  }

  /**
   * An event with digest version 1 or 2.
   *
   * @param name the name
   * @param payload the event payload
   * @param version the version
   * @return an event with digest version 1 or 2
   */
  public static DstackRuntimeEvent of(String name, Bytes payload, int version) {
    return new DstackRuntimeEvent(name, payload, version);
  }

  /**
   * The v1 digest of an event.
   *
   * @param name the name
   * @param payload the event payload
   * @return the v1 digest of an event
   */
  public static byte[] digestV1(String name, byte[] payload) {
    MessageDigest md = Rtmrs.sha384();
    md.update(new byte[] {0x01, 0x00, 0x00, 0x08, ':'});
    md.update(name.getBytes(StandardCharsets.UTF_8));
    md.update((byte) ':');
    md.update(payload);
    return md.digest();
  }

  /**
   * The v2 digest of an event: SHA-384 of {@link #canonicalV2(String, byte[])}.
   *
   * @param name the name
   * @param payload the event payload
   * @return the v2 digest of an event: SHA-384 of {@link #canonicalV2(String, byte[])}
   */
  public static byte[] digestV2(String name, byte[] payload) {
    return Rtmrs.sha384().digest(canonicalV2(name, payload));
  }

  /**
   * The v2 preimage of an event: the RFC 8785 (JCS) text {@code
   * {"name":…,"payload":"<hex>","type":134217729}} as UTF-8.
   *
   * @param name the event name
   * @param payload the event payload
   * @return the canonical JSON bytes
   */
  public static byte[] canonicalV2(String name, byte[] payload) {
    StringBuilder sb = new StringBuilder();
    sb.append("{\"name\":");
    jcsString(sb, name);
    sb.append(",\"payload\":\"").append(Bytes.of(payload).toHex()).append("\",\"type\":")
        .append(EVENT_TYPE).append('}');
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** RFC 8785 string serialization. */
  static void jcsString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\b':
          sb.append("\\b");
          break;
        case '\f':
          sb.append("\\f");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  /**
   * {@code RTMR3 = 0^48; for e: RTMR3 = SHA-384(RTMR3 || digest(e))} over all events.
   *
   * @param events the events, in order
   * @return the replayed RTMR3 (48 bytes)
   */
  public static Bytes replay(List<DstackRuntimeEvent> events) {
    return replay(events, false);
  }

  /**
   * The boot-time RTMR3: the replay stops after the first {@code boot-mr-done} event.
   *
   * @param events the events, in order
   * @return the boot-time RTMR3: the replay stops after the first {@code boot-mr-done} event
   */
  public static Bytes replayBootTime(List<DstackRuntimeEvent> events) {
    return replay(events, true);
  }

  private static Bytes replay(List<DstackRuntimeEvent> events, boolean bootTime) {
    byte[] mr = new byte[48];
    for (DstackRuntimeEvent e : events) {
      mr = Rtmrs.extend(mr, e.digest.toByteArray());
      if (bootTime && e.name.equals(BOOT_MR_DONE)) {
        break;
      }
    }
    return Bytes.of(mr);
  }

  /**
   * The event name (e.g. "app-id").
   *
   * @return the event name (e.g. "app-id")
   */
  public String name() {
    return name;
  }

  /**
   * The payload.
   *
   * @return the payload
   */
  public Bytes payload() {
    return payload;
  }

  /**
   * The digest version (1 or 2).
   *
   * @return the digest version (1 or 2)
   */
  public int version() {
    return version;
  }

  /**
   * The SHA-384 digest computed from name and payload.
   *
   * @return the SHA-384 digest computed from name and payload
   */
  public Bytes digest() {
    return digest;
  }

  @Override
  public String toString() {
    return "DstackRuntimeEvent[" + name + ", v" + version + ", " + payload.length() + " payload bytes]";
  }
}
