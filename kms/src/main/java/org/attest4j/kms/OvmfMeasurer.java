package org.attest4j.kms;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.ovmf.VmmType;

/**
 * Step 4 over ovmf-measure: the pinned prepared firmware, kernel and initrd digests, and one {@link
 * LaunchFeatures} per allowed (vCPU count, vCPU type), built once. Immutable and thread-safe.
 * Internal.
 */
final class OvmfMeasurer implements Ports.MeasurementPort {
  private final PreparedFirmware firmware;
  private final Artifact kernel;
  private final Artifact initrd;
  private final Map<String, LaunchFeatures> shapes = new HashMap<>();

  OvmfMeasurer(
      PreparedFirmware firmware,
      Bytes kernelDigest,
      Bytes initrdDigest,
      Set<Integer> vcpuCounts,
      Set<String> vcpuTypes,
      VmmType vmm,
      long guestFeatures)
      throws MalformedEvidenceException {
    this.firmware = firmware;
    this.kernel = Artifact.ofSha256(kernelDigest);
    this.initrd = Artifact.ofSha256(initrdDigest);
    for (String type : vcpuTypes) {
      VcpuType t = VcpuType.parse(type);
      for (int n : vcpuCounts) {
        shapes.put(
            key(n, type),
            LaunchFeatures.builder().vcpus(n).vcpuType(t).vmmType(vmm).guestFeatures(guestFeatures).build());
      }
    }
  }

  private static String key(int vcpus, String type) {
    return vcpus + "/" + type;
  }

  @Override
  public Bytes expected(String cmdline, int vcpus, String vcpuType) throws MalformedEvidenceException {
    LaunchFeatures f = shapes.get(key(vcpus, vcpuType));
    if (f == null) {
      throw new MalformedEvidenceException(
          KmsReason.LAUNCH_SHAPE_NOT_ALLOWED, vcpus + " x " + vcpuType + " is not an allowed launch shape");
    }
    return firmware.measure(BootArtifacts.of(kernel, initrd, cmdline), f);
  }
}
