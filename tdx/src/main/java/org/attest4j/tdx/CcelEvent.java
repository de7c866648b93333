package org.attest4j.tdx;

import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * One event of a CCEL (TCG2 crypto-agile) event log: the CC measurement-register index (1..4 =
 * RTMR0..3), the event type, the SHA-384 digest as recorded and the event data.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CcelEvent {
  /** EV_NO_ACTION: informational, never extended. */
  public static final long EV_NO_ACTION = 0x3;

  private final int mrIndex;
  private final long eventType;
  private final Bytes sha384Digest;
  private final Bytes data;

  CcelEvent(int mrIndex, long eventType, Bytes sha384Digest, Bytes data) {
    this.mrIndex = mrIndex;
    this.eventType = eventType;
    this.sha384Digest = Objects.requireNonNull(sha384Digest);
    this.data = Objects.requireNonNull(data);
  }

  /**
   * The CC MR index as recorded: 1..4 = RTMR0..RTMR3 (0 would be MRTD).
   *
   * @return the CC MR index as recorded: 1..4 = RTMR0..RTMR3 (0 would be MRTD)
   */
  public int mrIndex() {
    return mrIndex;
  }

  /**
   * The RTMR index (0..3), i.e. {@code mrIndex() - 1}.
   *
   * @return the RTMR index (0..3), i.e. {@code mrIndex() - 1}
   */
  public int rtmrIndex() {
    return mrIndex - 1;
  }

  /**
   * The TCG event type (e.g. 0x80000001 EV_EFI_VARIABLE_DRIVER_CONFIG).
   *
   * @return the TCG event type (e.g. 0x80000001 EV_EFI_VARIABLE_DRIVER_CONFIG)
   */
  public long eventType() {
    return eventType;
  }

  /**
   * The recorded SHA-384 digest (48 bytes) that is extended into the RTMR.
   *
   * @return the recorded SHA-384 digest (48 bytes) that is extended into the RTMR
   */
  public Bytes sha384Digest() {
    return sha384Digest;
  }

  /**
   * The event data.
   *
   * @return the event data
   */
  public Bytes data() {
    return data;
  }

  @Override
  public String toString() {
    return String.format("CcelEvent[mr=%d, type=0x%x, digest=%s, %d data bytes]",
        mrIndex, eventType, sha384Digest, data.length());
  }
}
