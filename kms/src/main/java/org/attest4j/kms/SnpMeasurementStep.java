package org.attest4j.kms;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.VerificationException;

/**
 * Step 4 for SEV-SNP: MEASUREMENT equals the one recomputed from the pinned launch and the
 * request's allowed launch shape. Client-sent digests and firmware layouts are only compared with
 * the pins, never used. Immutable (its memo of expected measurements is a thread-safe cache) and
 * thread-safe.
 */
final class SnpMeasurementStep {
  private final PinnedLaunch launch;
  private final BoundedCache<MeasurementKey, Bytes> measurements = new BoundedCache<>(256);

  /** What an expected measurement depends on besides the pins. */
  private record MeasurementKey(int vcpus, String vcpuType, String cmdline) {}

  SnpMeasurementStep(PinnedLaunch launch) {
    this.launch = launch;
  }

  /**
   * Refuses a claimed digest or layout that differs from the pin ({@link
   * KmsReason#CLAIMED_ARTIFACT_MISMATCH}), a launch shape not allowed ({@link
   * KmsReason#LAUNCH_SHAPE_NOT_ALLOWED}) and a measurement that differs ({@link
   * KmsReason#MEASUREMENT_MISMATCH}).
   */
  void verify(KeyReleaseRequest req, Ports.Evidence ev) throws AttestationException {
    claimed("ovmf_hash", req.claimedOvmfHash(), launch.firmwareDigest());
    claimed("kernel_hash", req.claimedKernelHash(), launch.kernelDigest());
    claimed("initrd_hash", req.claimedInitrdHash(), launch.initrdDigest());
    claimedLayout(req);
    if (!launch.vcpuCounts().contains(req.vcpus())) {
      throw new PolicyViolationException(
          List.of(
              new PolicyViolationException.Violation(
                  KmsReason.LAUNCH_SHAPE_NOT_ALLOWED,
                  "vcpus",
                  (req.vcpus() == 0
                          ? "the request claims no vCPU count (vcpus=0); the measurement check cannot be skipped"
                          : "vcpus=" + req.vcpus() + " is not allowed")
                      + "; allowed: " + launch.vcpuCounts())));
    }
    String type = canonicalType(req.vcpuType());
    if (type == null) {
      throw new PolicyViolationException(
          List.of(
              new PolicyViolationException.Violation(
                  KmsReason.LAUNCH_SHAPE_NOT_ALLOWED,
                  "vcpu_type",
                  (req.vcpuType().isEmpty() ? "the request claims no vCPU type" : "vcpu_type \"" + req.vcpuType()
                          + "\" is not allowed")
                      + "; allowed: " + launch.vcpuTypes())));
    }
    CmdlineTemplate template = launch.cmdline();
    String cmdline = template.render(template.placeholders().isEmpty() ? Map.of() : placeholderValues(req));
    MeasurementKey key = new MeasurementKey(req.vcpus(), type, cmdline);
    Bytes expected = measurements.get(key);
    if (expected == null) {
      expected = launch.measurer().expected(cmdline, req.vcpus(), type);
      measurements.put(key, expected);
    }
    if (!expected.equals(ev.measurement())) {
      throw new VerificationException(
          KmsReason.MEASUREMENT_MISMATCH,
          "MEASUREMENT " + ev.measurement() + " differs from " + expected + " recomputed from the pinned firmware, "
              + "kernel and initrd with command line \"" + cmdline + "\", " + req.vcpus() + " x " + type
              + ", VMM " + launch.vmmType().cliName() + ", guest features 0x" + Long.toHexString(launch.guestFeatures()));
    }
  }

  private String canonicalType(String claimed) {
    for (String t : launch.vcpuTypes()) {
      if (t.equalsIgnoreCase(claimed)) {
        return t;
      }
    }
    return null;
  }

  private static void claimed(String field, Bytes claimed, Bytes pinned) throws VerificationException {
    if (claimed.length() != 0 && !claimed.equals(pinned)) {
      throw new VerificationException(
          KmsReason.CLAIMED_ARTIFACT_MISMATCH,
          "the request claims " + field + " " + claimed + " but this KMS pins " + pinned
              + "; client-supplied launch digests are never used");
    }
  }

  /** The firmware layout a request claims (PR #630's fields) must be the pinned one. */
  private void claimedLayout(KeyReleaseRequest req) throws VerificationException {
    if (req.claimedHashesTableGpa() != 0
        && (launch.hashTableGpa().isEmpty() || launch.hashTableGpa().getAsLong() != req.claimedHashesTableGpa())) {
      throw new VerificationException(
          KmsReason.CLAIMED_ARTIFACT_MISMATCH,
          "the request claims sev_hashes_table_gpa 0x" + Long.toHexString(req.claimedHashesTableGpa())
              + " but the pinned firmware's is "
              + (launch.hashTableGpa().isPresent() ? "0x" + Long.toHexString(launch.hashTableGpa().getAsLong()) : "absent")
              + "; the firmware layout comes from the pinned firmware, never from the client");
    }
    if (req.claimedResetEip() != 0
        && (launch.resetEip().isEmpty() || launch.resetEip().getAsLong() != req.claimedResetEip())) {
      throw new VerificationException(
          KmsReason.CLAIMED_ARTIFACT_MISMATCH,
          "the request claims sev_es_reset_eip 0x" + Long.toHexString(req.claimedResetEip())
              + " but the pinned firmware's is "
              + (launch.resetEip().isPresent() ? "0x" + Long.toHexString(launch.resetEip().getAsLong()) : "absent")
              + "; the firmware layout comes from the pinned firmware, never from the client");
    }
    if (!req.claimedSections().isEmpty() && !req.claimedSections().equals(launch.sections())) {
      throw new VerificationException(
          KmsReason.CLAIMED_ARTIFACT_MISMATCH,
          "the request claims " + req.claimedSections().size() + " ovmf_sections that differ from the pinned firmware's "
              + launch.sections().size() + "; the firmware layout comes from the pinned firmware, never from the client");
    }
  }

  private static Map<String, Bytes> placeholderValues(KeyReleaseRequest req) {
    Map<String, Bytes> v = new HashMap<>();
    put(v, "app_id", req.appId());
    put(v, "compose_hash", req.composeHash());
    v.put("instance_id", req.instanceId()); // empty is a legitimate value (no instance id)
    put(v, "rootfs_hash", req.rootfsHash());
    put(v, "docker_files_hash", req.dockerFilesHash());
    return v;
  }

  private static void put(Map<String, Bytes> m, String k, Bytes v) {
    if (v.length() != 0) {
      m.put(k, v);
    }
  }
}
