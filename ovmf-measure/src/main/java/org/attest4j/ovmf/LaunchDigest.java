package org.attest4j.ovmf;

import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * Computes the AMD SEV-SNP launch MEASUREMENT a guest ought to have, compatible with
 * sev-snp-measure 0.0.13 ({@code --mode snp}, {@code snp:ovmf-hash}, {@code snp:svsm}; VMM types
 * QEMU, EC2 and GCE).
 *
 * <pre>{@code
 * OvmfImage ovmf = OvmfImage.parse(Path.of("OVMF.amdsev.fd"));
 * LaunchFeatures f = LaunchFeatures.builder().vcpus(4).vcpuType("EPYC-Milan").build();
 * Bytes m = LaunchDigest.compute(ovmf, Artifact.of(kernelPath), Artifact.of(initrdPath), "console=ttyS0", f);
 *
 * // many requests: prepare once, then measure per request with pinned digests
 * PreparedFirmware fw = LaunchDigest.prepare(ovmf);
 * Bytes m2 = fw.measure(BootArtifacts.of(Artifact.ofSha256Hex(k), Artifact.ofSha256Hex(i), cmdline), f);
 * }</pre>
 *
 * <p>All methods are static and thread-safe.
 */
public final class LaunchDigest {
  private LaunchDigest() {}

  /**
   * Computes the launch measurement in one go.
   *
   * @param ovmf the firmware image
   * @param kernel the kernel, or null for no measured direct boot
   * @param initrd the initrd, or null (hashed as empty input); only used with a kernel
   * @param cmdline the kernel command line, or null (hashed as empty); only used with a kernel
   * @param features the launch shape and mode
   * @return the 48-byte MEASUREMENT (or, in {@link SnpMode#SNP_OVMF_HASH} mode, the firmware digest)
   * @throws MalformedEvidenceException when the inputs cannot be measured, with an {@link OvmfReason}
   */
  public static Bytes compute(OvmfImage ovmf, Artifact kernel, Artifact initrd, String cmdline, LaunchFeatures features)
      throws MalformedEvidenceException {
    return compute(ovmf, boot(kernel, initrd, cmdline), features);
  }

  /**
   * Like {@link #compute(OvmfImage, Artifact, Artifact, String, LaunchFeatures)}.
   *
   * @param ovmf the firmware image
   * @param boot the kernel, initrd and command line ({@link BootArtifacts#none()} for none)
   * @param features the launch shape
   * @return the digest
   * @throws MalformedEvidenceException when the input is refused, with an {@link OvmfReason}
   */
  public static Bytes compute(OvmfImage ovmf, BootArtifacts boot, LaunchFeatures features)
      throws MalformedEvidenceException {
    Objects.requireNonNull(ovmf, "ovmf");
    return PreparedFirmware.oneShot(ovmf).measure(boot, features);
  }

  /**
   * The launch digest after the firmware pages only: sev-snp-measure {@code --mode snp:ovmf-hash}.
   *
   * @param ovmf the firmware image
   * @return the launch digest after the firmware pages only: sev-snp-measure {@code --mode snp:ovmf-hash}
   */
  public static Bytes firmwareDigest(OvmfImage ovmf) {
    Objects.requireNonNull(ovmf, "ovmf");
    try {
      return PreparedFirmware.oneShot(ovmf)
          .measure(BootArtifacts.none(), LaunchFeatures.builder().mode(SnpMode.SNP_OVMF_HASH).build());
    } catch (MalformedEvidenceException e) {
      throw new IllegalStateException("unreachable", e);
    }
  }

  /**
   * Parses nothing more but hashes the firmware once, for many measurements (see {@link
   * PreparedFirmware}).
   *
   * @param ovmf the firmware image
   * @return the prepared firmware
   */
  public static PreparedFirmware prepare(OvmfImage ovmf) {
    return PreparedFirmware.of(ovmf);
  }

  /**
   * Computes the measurement and records every page update and the VMSA pages.
   *
   * @param ovmf the firmware image
   * @param boot the kernel, initrd and command line ({@link BootArtifacts#none()} for none)
   * @param features the launch shape
   * @return the log
   * @throws MalformedEvidenceException when the input is refused, with an {@link OvmfReason}
   */
  public static MeasurementLog explain(OvmfImage ovmf, BootArtifacts boot, LaunchFeatures features)
      throws MalformedEvidenceException {
    Objects.requireNonNull(ovmf, "ovmf");
    return PreparedFirmware.oneShot(ovmf).explain(boot, features);
  }

  /** Boot artifacts from nullable parts (a null kernel with a non-null initrd or cmdline is refused). */
  static BootArtifacts boot(Artifact kernel, Artifact initrd, String cmdline) throws MalformedEvidenceException {
    if (kernel == null) {
      if (initrd != null || cmdline != null) {
        throw new MalformedEvidenceException(
            OvmfReason.UNSUPPORTED_COMBINATION,
            "an initrd or a command line is only measured with a kernel; none was given");
      }
      return BootArtifacts.none();
    }
    return BootArtifacts.of(kernel, initrd, cmdline);
  }
}
