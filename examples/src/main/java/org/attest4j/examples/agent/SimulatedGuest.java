package org.attest4j.examples.agent;

import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.snp.guest.SnpGuestReport;
import org.attest4j.snp.guest.SnpReportProvider;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * A guest "launched" on a {@link SimulatedSnpPlatform}, <strong>for demos and tests</strong>: the
 * host measured the given firmware, kernel, initrd, command line and vCPUs (exactly as SEV-SNP
 * launch would), set HOST_DATA and the guest policy, and the simulated firmware signs reports with
 * that MEASUREMENT for whatever report_data the guest asks. It stands in for configfs-tsm or
 * {@code /dev/sev-guest} ({@link SnpReportProvider}) and returns the VCEK, ASK and ARK in the
 * certificate table as a real host does.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SimulatedGuest implements SnpReportProvider {
  private final SimulatedSnpPlatform platform;
  private final Bytes measurement;
  private final byte[] hostData;
  private final boolean debug;

  private SimulatedGuest(Builder b) throws MalformedEvidenceException {
    this.platform = b.platform;
    LaunchFeatures f =
        LaunchFeatures.builder().vcpus(b.vcpus).vcpuType(VcpuType.parse(b.vcpuType)).guestFeatures(b.guestFeatures).build();
    this.measurement =
        b.firmware.measure(BootArtifacts.of(Artifact.of(b.kernel), Artifact.of(b.initrd), b.cmdline), f);
    this.hostData = b.hostData == null ? new byte[32] : b.hostData.clone();
    this.debug = b.debug;
  }

  /**
   * A builder for a guest on {@code platform}.
   *
   * @param platform the simulated platform that signs the guest's reports
   * @return a new builder
   */
  public static Builder builder(SimulatedSnpPlatform platform) {
    return new Builder(platform);
  }

  /**
   * The MEASUREMENT the simulated launch produced.
   *
   * @return the MEASUREMENT the simulated launch produced
   */
  public Bytes measurement() {
    return measurement;
  }

  @Override
  public String name() {
    return "simulated SEV-SNP platform (" + platform.product() + ")";
  }

  @Override
  public SnpGuestReport getReport(byte[] reportData) throws EvidenceUnavailableException {
    return getReport(reportData, 0);
  }

  @Override
  public SnpGuestReport getReport(byte[] reportData, int vmpl) throws EvidenceUnavailableException {
    if (reportData.length > 64 || vmpl < 0 || vmpl > 3) {
      throw new EvidenceUnavailableException(CoreReason.BAD_FIELD, "report_data over 64 bytes or VMPL out of range");
    }
    byte[] rd = java.util.Arrays.copyOf(reportData, 64);
    byte[] report =
        platform.reportBuilder()
            .measurement(measurement.toByteArray())
            .hostData(hostData)
            .reportData(rd)
            .debug(debug)
            .vmpl(vmpl)
            .sign();
    return SnpGuestReport.of(report, platform.certTable(), name());
  }

  /** Configures a {@link SimulatedGuest}. Not thread-safe. */
  public static final class Builder {
    private final SimulatedSnpPlatform platform;
    private PreparedFirmware firmware;
    private byte[] kernel;
    private byte[] initrd = new byte[0];
    private String cmdline = "";
    private int vcpus = 1;
    private String vcpuType = "EPYC-v4";
    private long guestFeatures = 0x1;
    private byte[] hostData;
    private boolean debug;

    private Builder(SimulatedSnpPlatform platform) {
      this.platform = Objects.requireNonNull(platform, "platform");
    }

    /**
     * The firmware the host loaded.
     *
     * @param firmware the firmware the host loaded
     * @return this builder
     */
    public Builder firmware(PreparedFirmware firmware) {
      this.firmware = Objects.requireNonNull(firmware);
      return this;
    }

    /**
     * The kernel, initrd and command line of the measured direct boot.
     *
     * @param kernel the kernel
     * @param initrd the initrd
     * @param cmdline the command line
     * @return this builder
     */
    public Builder boot(byte[] kernel, byte[] initrd, String cmdline) {
      this.kernel = kernel.clone();
      this.initrd = initrd.clone();
      this.cmdline = Objects.requireNonNull(cmdline);
      return this;
    }

    /**
     * The vCPU count and type.
     *
     * @param count the number of vCPUs
     * @param type the vCPU type name, for example {@code "EPYC-v4"}
     * @return this builder
     */
    public Builder vcpus(int count, String type) {
      this.vcpus = count;
      this.vcpuType = Objects.requireNonNull(type);
      return this;
    }

    /**
     * The guest features (default 0x1).
     *
     * @param features the guest features (default 0x1)
     * @return this builder
     */
    public Builder guestFeatures(long features) {
      this.guestFeatures = features;
      return this;
    }

    /**
     * HOST_DATA (32 bytes), for example an MrConfigV3 digest.
     *
     * @param hostData HOST_DATA (32 bytes), for example an MrConfigV3 digest
     * @return this builder
     */
    public Builder hostData(Bytes hostData) {
      this.hostData = hostData.toByteArray();
      return this;
    }

    /**
     * Whether the guest policy allows debugging (a KMS must refuse such a guest).
     *
     * @param debug whether the guest policy allows debugging (a KMS must refuse such a guest)
     * @return this builder
     */
    public Builder debug(boolean debug) {
      this.debug = debug;
      return this;
    }

    /**
     * The guest (the launch is measured here).
     *
     * @return the new {@code SimulatedGuest}
     * @throws MalformedEvidenceException if the launch cannot be measured
     */
    public SimulatedGuest build() throws MalformedEvidenceException {
      if (firmware == null || kernel == null) {
        throw new MalformedEvidenceException(CoreReason.MISSING_INPUT, "a simulated guest needs a firmware and a kernel");
      }
      return new SimulatedGuest(this);
    }
  }
}
