package org.attest4j.snp.guest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;

/** Detection order and argument checks for the SEV-SNP guest providers. Stateless. */
final class Detection {
  private Detection() {}

  static ConfigfsTsm tsm(Path root) {
    return ConfigfsTsm.of(root, ConfigfsTsm.Fs.nio(), () -> "attest4j-" + UUID.randomUUID());
  }

  /** configfs-tsm when its provider is sev_guest, else the ioctl device when present, else an error. */
  static SnpReportProvider detect(ConfigfsTsm tsm, Path device, Supplier<LibC> libc)
      throws EvidenceUnavailableException {
    Optional<String> provider = tsm.isAvailable() ? tsm.probeProvider() : Optional.empty();
    if (provider.isPresent() && provider.get().equals(ConfigfsTsmSnpProvider.PROVIDER)) {
      return new ConfigfsTsmSnpProvider(tsm);
    }
    if (Files.exists(device)) {
      return new SevGuestIoctlProvider(device, libc.get(), true);
    }
    String seen =
        provider.isPresent()
            ? "configfs-tsm at " + tsm.root() + " is served by '" + provider.get() + "', not sev_guest,"
            : tsm.isAvailable()
                ? "configfs-tsm at " + tsm.root() + " has no TSM provider"
                : tsm.root() + " does not exist (configfs-tsm, Linux 6.7+)";
    throw new EvidenceUnavailableException(
        provider.isPresent() ? SnpGuestReason.WRONG_PROVIDER : SnpGuestReason.NO_GUEST_INTERFACE,
        "no SEV-SNP guest interface: " + seen + " and " + device + " does not exist. This is not an"
            + " SEV-SNP guest, or the sev-guest driver is not loaded (modprobe sev-guest). On Azure"
            + " confidential VMs the report comes from the vTPM (HCL report) instead.");
  }

  static void checkArgs(byte[] reportData, int vmpl) {
    Objects.requireNonNull(reportData, "reportData");
    if (reportData.length > 64) {
      throw new IllegalArgumentException("report data is " + reportData.length + " bytes; at most 64 fit");
    }
    if (vmpl < 0 || vmpl > 3) {
      throw new IllegalArgumentException("VMPL must be 0..3, got " + vmpl);
    }
  }
}
