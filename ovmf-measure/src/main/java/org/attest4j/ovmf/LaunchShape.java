package org.attest4j.ovmf;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A launch shape that reproduces an observed measurement, as found by {@link
 * PreparedFirmware#search} or {@link PreparedFirmware#searchSvsm}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param vcpus the vCPU count
 * @param vmmType the VMM type
 * @param vcpuSignature the vCPU signature (QEMU); empty for EC2 and GCE, which ignore it
 * @param guestFeatures the guest features (VMSA SEV_FEATURES)
 * @param kernelMeasured whether the given kernel/initrd/cmdline were part of the measurement
 * @param mode {@link SnpMode#SNP}, or {@link SnpMode#SNP_SVSM} for shapes found by {@link
 *     PreparedFirmware#searchSvsm}
 */
public record LaunchShape(
    int vcpus,
    VmmType vmmType,
    OptionalLong vcpuSignature,
    long guestFeatures,
    boolean kernelMeasured,
    SnpMode mode) {
  /**
   * Checks for nulls and the mode.
   *
   * @param vcpus the number of vCPUs
   * @param vmmType the VMM type
   * @param vcpuSignature the vCPU signature (QEMU); empty for EC2 and GCE
   * @param guestFeatures the guest features (VMSA SEV_FEATURES)
   * @param kernelMeasured whether the kernel was part of the measurement
   * @param mode the mode
   */
  public LaunchShape {
    Objects.requireNonNull(vmmType, "vmmType");
    Objects.requireNonNull(vcpuSignature, "vcpuSignature");
    Objects.requireNonNull(mode, "mode");
    if (mode == SnpMode.SNP_OVMF_HASH) {
      throw new IllegalArgumentException("a launch shape has mode snp or snp:svsm, not snp:ovmf-hash");
    }
  }

  /**
   * A mode {@code snp} shape.
   *
   * @param vcpus the vCPU count
   * @param vmmType the VMM type
   * @param vcpuSignature the vCPU signature (QEMU); empty for EC2 and GCE
   * @param guestFeatures the guest features
   * @param kernelMeasured whether the kernel was part of the measurement
   */
  public LaunchShape(
      int vcpus, VmmType vmmType, OptionalLong vcpuSignature, long guestFeatures, boolean kernelMeasured) {
    this(vcpus, vmmType, vcpuSignature, guestFeatures, kernelMeasured, SnpMode.SNP);
  }

  /**
   * The QEMU vCPU model names with this signature (empty for EC2/GCE or an unknown signature).
   *
   * @return the QEMU vCPU model names with this signature (empty for EC2/GCE or an unknown signature)
   */
  public List<String> vcpuTypeNames() {
    if (vcpuSignature.isEmpty()) {
      return List.of();
    }
    return VcpuType.ofSignature(vcpuSignature.getAsLong()).map(VcpuType::qemuNames).orElse(List.of());
  }

  /**
   * The sev-snp-measure / {@code attest4j measure} flags for this shape (without the files).
   *
   * @return the sev-snp-measure / {@code attest4j measure} flags for this shape (without the files)
   */
  public String toFlags() {
    StringBuilder sb = new StringBuilder("--mode ").append(mode.cliName()).append(" --vcpus ").append(vcpus);
    if (mode == SnpMode.SNP_SVSM) {
      // the SVSM image and --vars-size/--vars-file are the caller's; the guest features are fixed
      return sb.append(sigFlag()).toString();
    }
    sb.append(" --vmm-type ").append(vmmType.cliName());
    sb.append(sigFlag());
    sb.append(" --guest-features 0x").append(Long.toHexString(guestFeatures));
    return sb.toString();
  }

  private String sigFlag() {
    if (vcpuSignature.isEmpty()) {
      return "";
    }
    List<String> names = vcpuTypeNames();
    return names.isEmpty()
        ? " --vcpu-sig 0x" + Long.toHexString(vcpuSignature.getAsLong())
        : " --vcpu-type " + names.get(0);
  }

  /**
   * The launch features of this shape (mode snp).
   *
   * @return the features
   * @throws org.attest4j.core.MalformedEvidenceException with {@link
   *     OvmfReason#UNSUPPORTED_COMBINATION} for an {@code snp:svsm} shape, whose features also need
   *     the SVSM image (build them with {@link LaunchFeatures#builder()})
   */
  public LaunchFeatures toFeatures() throws org.attest4j.core.MalformedEvidenceException {
    if (mode == SnpMode.SNP_SVSM) {
      throw new org.attest4j.core.MalformedEvidenceException(
          OvmfReason.UNSUPPORTED_COMBINATION,
          "an snp:svsm launch shape needs the SVSM image and OVMF_VARS size to become launch features");
    }
    LaunchFeatures.Builder b = LaunchFeatures.builder().vcpus(vcpus).vmmType(vmmType).guestFeatures(guestFeatures);
    if (vcpuSignature.isPresent()) {
      b.vcpuSignature(vcpuSignature.getAsLong());
    }
    return b.build();
  }

  @Override
  public String toString() {
    return toFlags() + (kernelMeasured || mode == SnpMode.SNP_SVSM ? "" : " (without the kernel)");
  }
}
