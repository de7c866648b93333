package org.attest4j.ovmf;

import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * The page-by-page account of one launch digest computation: every PAGE_INFO update in order,
 * the final measurement, and the VMSA pages that were measured (so that a user can diff them with
 * what the VMM produced).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class MeasurementLog {
  private final Bytes initialDigest;
  private final List<PageUpdate> updates;
  private final Bytes measurement;
  private final Bytes bspVmsa;
  private final Bytes apVmsa;
  private final int firmwarePagesSkipped;

  MeasurementLog(
      Bytes initialDigest, List<PageUpdate> updates, Bytes measurement, Bytes bspVmsa, Bytes apVmsa,
      int firmwarePagesSkipped) {
    this.initialDigest = Objects.requireNonNull(initialDigest);
    this.updates = List.copyOf(updates);
    this.measurement = Objects.requireNonNull(measurement);
    this.bspVmsa = bspVmsa;
    this.apVmsa = apVmsa;
    this.firmwarePagesSkipped = firmwarePagesSkipped;
  }

  /**
   * The launch digest the chain started from (zeros, or a precomputed firmware digest).
   *
   * @return the launch digest the chain started from (zeros, or a precomputed firmware digest)
   */
  public Bytes initialDigest() {
    return initialDigest;
  }

  /**
   * Every update in order.
   *
   * @return every update in order
   */
  public List<PageUpdate> updates() {
    return updates;
  }

  /**
   * The number of PAGE_INFO updates performed.
   *
   * @return the number of PAGE_INFO updates performed
   */
  public int updateCount() {
    return updates.size();
  }

  /**
   * How many firmware pages are not in this log because the chain started from a given firmware
   * digest: the image's page count, -1 when the image itself is unknown (firmware prepared from a
   * layout), 0 when the firmware pages were replayed.
   *
   * @return the number of skipped firmware pages (see above)
   */
  public int firmwarePagesSkipped() {
    return firmwarePagesSkipped;
  }

  /**
   * The resulting 48-byte measurement.
   *
   * @return the resulting 48-byte measurement
   */
  public Bytes measurement() {
    return measurement;
  }

  /**
   * The 4096-byte VMSA page of the boot vCPU (vCPU 0), or empty bytes in snp:ovmf-hash mode.
   *
   * @return the 4096-byte VMSA page of the boot vCPU (vCPU 0), or empty bytes in snp:ovmf-hash mode
   */
  public Bytes bspVmsaPage() {
    return bspVmsa == null ? Bytes.empty() : bspVmsa;
  }

  /**
   * The 4096-byte VMSA page of every other vCPU (the same as the BSP page in SVSM mode).
   *
   * @return the 4096-byte VMSA page of every other vCPU (the same as the BSP page in SVSM mode)
   */
  public Bytes apVmsaPage() {
    return apVmsa == null ? Bytes.empty() : apVmsa;
  }

  /**
   * The VMSA page of vCPU {@code i}.
   *
   * @param i the vCPU index (0 is the boot vCPU)
   * @return the VMSA page of vCPU {@code i}
   */
  public Bytes vmsaPage(int i) {
    return i == 0 ? bspVmsaPage() : apVmsaPage();
  }

  /** The log as text, one update per line, then the measurement. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append("initial ld=").append(initialDigest.toHex());
    if (firmwarePagesSkipped != 0) {
      sb.append(firmwarePagesSkipped > 0 ? " (" + firmwarePagesSkipped + " firmware pages not replayed)" : " (firmware pages not replayed)");
    }
    sb.append('\n');
    for (PageUpdate u : updates) {
      sb.append(u).append('\n');
    }
    sb.append("measurement ").append(measurement.toHex()).append(" after ").append(updates.size()).append(" updates");
    return sb.toString();
  }
}
