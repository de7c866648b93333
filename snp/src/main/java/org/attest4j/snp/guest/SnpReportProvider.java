package org.attest4j.snp.guest;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;

/**
 * Obtains SEV-SNP attestation reports inside a guest. Two mechanisms exist: configfs-tsm ({@code
 * /sys/kernel/config/tsm/report}, Linux 6.7+; the report in {@code outblob}, the host's certificate
 * table in {@code auxblob}) and the {@code /dev/sev-guest} ioctls ({@code SNP_GET_EXT_REPORT},
 * Linux 5.19+). {@link #detect()} prefers configfs-tsm and falls back to the ioctl; on anything
 * else (a host, a TDX guest, a cloud without either) it fails with {@link
 * SnpGuestReason#NO_GUEST_INTERFACE} and says what it looked for.
 *
 * <p>Implementations are thread-safe.
 */
public interface SnpReportProvider {
  /** The standard device of the SEV guest driver. */
  Path DEFAULT_DEVICE = Paths.get("/dev/sev-guest");

  /** The standard configfs-tsm report directory. */
  Path DEFAULT_TSM_ROOT = ConfigfsTsm.DEFAULT_ROOT;

  /**
   * Which mechanism this is, for diagnostics.
   *
   * @return which mechanism this is, for diagnostics
   */
  String name();

  /**
   * A report binding {@code reportData} (at most 64 bytes; shorter input is zero-padded) at the
   * guest's default VMPL (configfs-tsm: the kernel's default; ioctl: VMPL 0).
   *
   * @param reportData the report data
   * @return a report binding {@code reportData} (at most 64 bytes; shorter input is zero-padded) at the
   *     guest's default VMPL (configfs-tsm: the kernel's default; ioctl: VMPL 0)
   * @throws EvidenceUnavailableException if the evidence cannot be obtained
   */
  SnpGuestReport getReport(byte[] reportData) throws EvidenceUnavailableException;

  /**
   * A report binding {@code reportData} requested for VMPL {@code vmpl} (0..3).
   *
   * @param reportData the report data
   * @param vmpl the VMPL
   * @return a report binding {@code reportData} requested for VMPL {@code vmpl} (0..3)
   * @throws EvidenceUnavailableException if the evidence cannot be obtained
   */
  SnpGuestReport getReport(byte[] reportData, int vmpl) throws EvidenceUnavailableException;

  /**
   * The mechanism available on this machine: configfs-tsm first, then {@code /dev/sev-guest}.
   *
   * @return the mechanism available on this machine: configfs-tsm first, then {@code /dev/sev-guest}
   * @throws EvidenceUnavailableException if the evidence cannot be obtained
   */
  static SnpReportProvider detect() throws EvidenceUnavailableException {
    return detect(DEFAULT_TSM_ROOT, DEFAULT_DEVICE);
  }

  /**
   * {@link #detect()} with other locations (for containers with remapped paths, and for tests).
   *
   * @param tsmRoot the TSM root
   * @param device the device
   * @return the provider available at those locations
   * @throws EvidenceUnavailableException if the evidence cannot be obtained
   */
  static SnpReportProvider detect(Path tsmRoot, Path device) throws EvidenceUnavailableException {
    return Detection.detect(Detection.tsm(tsmRoot), device, LibC::system);
  }

  /**
   * configfs-tsm at {@code root} (no detection).
   *
   * @param root the root
   * @return configfs-tsm at {@code root} (no detection)
   */
  static SnpReportProvider configfsTsm(Path root) {
    return new ConfigfsTsmSnpProvider(Detection.tsm(Objects.requireNonNull(root, "root")));
  }

  /**
   * The ioctl interface at {@code device} (no detection).
   *
   * @param extended true for {@code SNP_GET_EXT_REPORT} (report and certificate table), false for
   *     {@code SNP_GET_REPORT} (report only)
   * @param device the device
   * @return the ioctl interface at {@code device} (no detection)
   */
  static SnpReportProvider ioctl(Path device, boolean extended) {
    return new SevGuestIoctlProvider(Objects.requireNonNull(device, "device"), LibC.system(), extended);
  }
}
