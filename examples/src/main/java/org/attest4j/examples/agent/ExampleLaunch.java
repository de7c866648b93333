package org.attest4j.examples.agent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * The launch that {@code GuestAgent --simulate} simulates and that {@code examples/kms.example.json}
 * pins: the {@link SyntheticImages} firmware, a 64 KiB kernel and initrd, {@link #CMDLINE}, 2 x
 * EPYC-v4, app {@link #appId()} with compose hash {@link #composeHash()}, on a Genoa platform with
 * the <strong>test-only</strong> simulated root ({@link SimulatedSnpPlatform.Builder#testOnlyRoot()}).
 * Demos and tests only.
 *
 * <p>Stateless; the methods are thread-safe.
 */
public final class ExampleLaunch {
  /** The measured kernel command line. */
  public static final String CMDLINE = "console=ttyS0 dstack.rootfs_hash=" + "ab".repeat(32);
  /** The vCPU count. */
  public static final int VCPUS = 2;
  /** The vCPU type. */
  public static final String VCPU_TYPE = "EPYC-v4";
  /** The kernel and initrd size in bytes. */
  public static final int IMAGE_SIZE = 64 * 1024;

  private ExampleLaunch() {}

  /**
   * The app id (20 bytes): the first 20 bytes of SHA-256("attest4j example app").
   *
   * @return a fresh copy
   */
  public static byte[] appId() {
    return Arrays.copyOf(sha256("attest4j example app"), 20);
  }

  /**
   * The compose hash: SHA-256("attest4j example app-compose.json").
   *
   * @return a fresh copy
   */
  public static byte[] composeHash() {
    return sha256("attest4j example app-compose.json");
  }

  /**
   * The guest's MrConfigV3 document naming the KMS whose envelope-signing key is {@code kmsSpki}.
   *
   * @param kmsSpki the KMS's root CA key (GetMeta {@code envelope_signing_key}), DER SubjectPublicKeyInfo
   * @param instanceId the instance id (20 bytes)
   * @return the MrConfigV3
   * @throws MalformedEvidenceException if {@code kmsSpki} or {@code instanceId} is malformed
   */
  public static MrConfigV3 mrConfig(byte[] kmsSpki, byte[] instanceId) throws MalformedEvidenceException {
    return MrConfigV3.builder().appId(Bytes.of(appId())).composeHash(Bytes.of(composeHash()))
        .instanceId(Bytes.of(instanceId)).keyProvider(KeyProviderKind.KMS).keyProviderId(Bytes.of(kmsSpki)).build();
  }

  /**
   * A guest launched with the example artifacts on a fresh test-only simulated Genoa platform.
   *
   * @param hostData HOST_DATA (the MrConfigV3 digest)
   * @return the guest
   * @throws MalformedEvidenceException if the launch cannot be measured
   */
  public static SimulatedGuest guest(Bytes hostData) throws MalformedEvidenceException {
    SimulatedSnpPlatform platform = SimulatedSnpPlatform.builder(Product.GENOA).testOnlyRoot().build();
    return SimulatedGuest.builder(platform).firmware(firmware())
        .boot(SyntheticImages.kernel(IMAGE_SIZE), SyntheticImages.initrd(IMAGE_SIZE), CMDLINE)
        .vcpus(VCPUS, VCPU_TYPE).hostData(hostData).build();
  }

  /**
   * The synthetic firmware, prepared for measurement.
   *
   * @return the firmware
   * @throws MalformedEvidenceException never for the synthetic image
   */
  public static PreparedFirmware firmware() throws MalformedEvidenceException {
    return OvmfImage.parse(SyntheticImages.firmware()).prepare();
  }

  static byte[] sha256(String s) {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
