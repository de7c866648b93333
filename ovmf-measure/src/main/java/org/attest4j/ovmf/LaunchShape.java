package org.attest4j.ovmf;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A launch shape that reproduces an observed measurement, as found by {@link
 * PreparedFirmware#search}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param vcpus the vCPU count
 * @param vmmType the VMM type
 * @param vcpuSignature the vCPU signature (QEMU); empty for EC2 and GCE, which ignore it
 * @param guestFeatures the guest features (VMSA SEV_FEATURES)
 * @param kernelMeasured whether the given kernel/initrd/cmdline were part of the measurement
 */
public record LaunchShape(
    int vcpus, VmmType vmmType, OptionalLong vcpuSignature, long guestFeatures, boolean kernelMeasured) {
  /** Checks for nulls. */
  public LaunchShape {
    Objects.requireNonNull(vmmType, "vmmType");
    Objects.requireNonNull(vcpuSignature, "vcpuSignature");
  }

  /** The QEMU vCPU model names with this signature (empty for EC2/GCE or an unknown signature). */
  public List<String> vcpuTypeNames() {
    if (vcpuSignature.isEmpty()) {
      return List.of();
    }
    return VcpuType.ofSignature(vcpuSignature.getAsLong()).map(VcpuType::qemuNames).orElse(List.of());
  }

  /** The sev-snp-measure / {@code attest4j measure} flags for this shape (without the files). */
  public String toFlags() {
    StringBuilder sb = new StringBuilder("--mode snp --vcpus ").append(vcpus);
    sb.append(" --vmm-type ").append(vmmType.cliName());
    if (vcpuSignature.isPresent()) {
      List<String> names = vcpuTypeNames();
      if (!names.isEmpty()) {
        sb.append(" --vcpu-type ").append(names.get(0));
      } else {
        sb.append(" --vcpu-sig 0x").append(Long.toHexString(vcpuSignature.getAsLong()));
      }
    }
    sb.append(" --guest-features 0x").append(Long.toHexString(guestFeatures));
    return sb.toString();
  }

  /**
   * The launch features of this shape (mode snp).
   *
   * @return the features
   * @throws org.attest4j.core.InvalidConfigurationException if the shape cannot be launched
   */
  public LaunchFeatures toFeatures() {
    LaunchFeatures.Builder b = LaunchFeatures.builder().vcpus(vcpus).vmmType(vmmType).guestFeatures(guestFeatures);
    if (vcpuSignature.isPresent()) {
      b.vcpuSignature(vcpuSignature.getAsLong());
    }
    return b.build();
  }

  @Override
  public String toString() {
    return toFlags() + (kernelMeasured ? "" : " (without the kernel)");
  }
}
