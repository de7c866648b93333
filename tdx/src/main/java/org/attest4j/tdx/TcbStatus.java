package org.attest4j.tdx;

import java.util.Optional;

/**
 * Intel TCB status of a platform, TDX module or QE TCB level, ordered by severity (declaration
 * order). {@link #merge(TcbStatus)} keeps the more severe one.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum TcbStatus {
  /** Fully patched. */
  UP_TO_DATE("UpToDate"),
  /** Patched, but software mitigations for advisories are needed. */
  SW_HARDENING_NEEDED("SWHardeningNeeded"),
  /** Patched, but the platform configuration needs changes. */
  CONFIGURATION_NEEDED("ConfigurationNeeded"),
  /** Both of the above. */
  CONFIGURATION_AND_SW_HARDENING_NEEDED("ConfigurationAndSWHardeningNeeded"),
  /** Not patched for known advisories. */
  OUT_OF_DATE("OutOfDate"),
  /** Not patched, and the configuration needs changes. */
  OUT_OF_DATE_CONFIGURATION_NEEDED("OutOfDateConfigurationNeeded"),
  /** The TCB level is revoked: never trust. */
  REVOKED("Revoked");

  private final String intelName;

  TcbStatus(String intelName) {
    this.intelName = intelName;
  }

  /**
   * Intel's spelling, as in TCB info JSON ("UpToDate", "OutOfDate", ...).
   *
   * @return intel's spelling, as in TCB info JSON ("UpToDate", "OutOfDate", ...)
   */
  public String intelName() {
    return intelName;
  }

  /**
   * 0 (UpToDate) .. 6 (Revoked).
   *
   * @return 0 (UpToDate)
   */
  public int severity() {
    return ordinal();
  }

  /**
   * The more severe of this and {@code other}.
   *
   * @param other the other value
   * @return the more severe of this and {@code other}
   */
  public TcbStatus merge(TcbStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /**
   * Whether this is OutOfDate or OutOfDateConfigurationNeeded.
   *
   * @return whether this is OutOfDate or OutOfDateConfigurationNeeded
   */
  public boolean isOutOfDate() {
    return this == OUT_OF_DATE || this == OUT_OF_DATE_CONFIGURATION_NEEDED;
  }

  /**
   * The status with Intel's spelling {@code name}, if known.
   *
   * @param name the name
   * @return the status with Intel's spelling {@code name}, if known
   */
  public static Optional<TcbStatus> fromIntelName(String name) {
    for (TcbStatus s : values()) {
      if (s.intelName.equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return intelName;
  }
}
