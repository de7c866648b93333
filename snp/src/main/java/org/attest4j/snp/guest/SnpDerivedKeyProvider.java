package org.attest4j.snp.guest;

import java.nio.file.Path;
import java.util.Objects;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * Derives keys inside an SEV-SNP guest: the AMD Secure Processor mixes a root key (the chip's VCEK
 * or the VM's VMRK) with the launch fields a {@link SnpDerivedKeyRequest} selects, so the same guest
 * image on the same chip (or TCB) gets the same key, and nothing else does. The only Linux interface
 * is the {@code SNP_GET_DERIVED_KEY} ioctl of {@code /dev/sev-guest} (configfs-tsm has none).
 *
 * <p>Implementations are thread-safe.
 */
public interface SnpDerivedKeyProvider {
  /**
   * Which mechanism this is, for diagnostics.
   *
   * @return a short description
   */
  String name();

  /**
   * Asks the AMD Secure Processor for a derived key.
   *
   * @param request what to derive the key from
   * @return the key (a secret)
   * @throws EvidenceUnavailableException when the device is absent or inaccessible, the hypervisor or
   *     firmware refuses the request (the reason says which), or the response is malformed
   */
  SnpDerivedKey deriveKey(SnpDerivedKeyRequest request) throws EvidenceUnavailableException;

  /**
   * The ioctl interface at {@link SnpReportProvider#DEFAULT_DEVICE}.
   *
   * @return the provider (the device is opened per request)
   */
  static SnpDerivedKeyProvider ioctl() {
    return ioctl(SnpReportProvider.DEFAULT_DEVICE);
  }

  /**
   * The ioctl interface at {@code device}.
   *
   * @param device the SEV guest device
   * @return the provider (the device is opened per request)
   */
  static SnpDerivedKeyProvider ioctl(Path device) {
    Objects.requireNonNull(device, "device");
    return new SevGuestDerivedKeyProvider(device, LibC::system);
  }
}
