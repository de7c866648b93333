package org.attest4j.kms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.MetadataSection;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.SectionType;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/** A simulated platform, pinned launch, root keys and a guest that builds requests. */
final class Fixture {
  static final SimulatedSnpPlatform PLATFORM = SimulatedSnpPlatform.create(Product.GENOA);
  static final SecureRandom RNG = new SecureRandom();

  final Clock clock = PLATFORM.clockInsideValidity();
  final KmsRootKeys roots = KmsRootKeys.generate(RNG);
  final PreparedFirmware firmware;
  final byte[] kernel = "synthetic kernel".getBytes(StandardCharsets.UTF_8);
  final byte[] initrd = "synthetic initrd".getBytes(StandardCharsets.UTF_8);
  final String rootfs = "33".repeat(32);
  final String fixedCmdline = "console=ttyS0 dstack.rootfs_hash=" + rootfs;
  final String templatedCmdline = "console=ttyS0 dstack.app_id={app_id} dstack.compose_hash={compose_hash} dstack.instance_id={instance_id}";
  final Bytes appId = rep(0x11, 20);
  final Bytes composeHash = rep(0x22, 32);
  final Bytes instanceId = rep(0x44, 20);

  Fixture() {
    try {
      byte[] seed = MessageDigest.getInstance("SHA-384").digest("synthetic firmware".getBytes(StandardCharsets.UTF_8));
      firmware =
          PreparedFirmware.fromLayout(
              Bytes.of(seed),
              List.of(
                  new MetadataSection(0x100000, 0x2000, SectionType.SNP_SEC_MEM),
                  new MetadataSection(0x800000, 0x1000, SectionType.SNP_KERNEL_HASHES),
                  new MetadataSection(0x810000, 0x1000, SectionType.SNP_SECRETS),
                  new MetadataSection(0x820000, 0x1000, SectionType.CPUID)),
              0xfffffff0L,
              0x801000L);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Bytes rep(int b, int n) {
    byte[] a = new byte[n];
    java.util.Arrays.fill(a, (byte) b);
    return Bytes.of(a);
  }

  static Bytes sha256(byte[] b) throws Exception {
    return Bytes.of(MessageDigest.getInstance("SHA-256").digest(b));
  }

  PinnedLaunch pinned(String template) throws Exception {
    return PinnedLaunch.builder()
        .firmware(firmware)
        .kernelDigest(sha256(kernel))
        .initrdDigest(sha256(initrd))
        .cmdline(CmdlineTemplate.of(template))
        .allowVcpuCounts(1, 2, 4)
        .allowVcpuTypes("EPYC-v4")
        .build();
  }

  /** A complete builder with the platform's own TCB as the floor. */
  KeyReleaseService.Builder serviceBuilder(IdentityBinding binding) throws Exception {
    return serviceBuilderWithoutFloor(binding).minimumTcb(PLATFORM.tcb());
  }

  /** A builder with everything but the TCB floor (build() refuses it as it is). */
  KeyReleaseService.Builder serviceBuilderWithoutFloor(IdentityBinding binding) throws Exception {
    PinnedLaunch launch = pinned(binding == IdentityBinding.HOST_DATA ? fixedCmdline : templatedCmdline);
    return KeyReleaseService.builder()
        .snp(PLATFORM.verifier(clock), KmsEndorsements.certChain(PLATFORM.certChainPem()))
        .launch(launch)
        .rootKeys(roots)
        .identityBinding(binding)
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .authorization(
            AllowListAuthorizer.builder()
                .allowOsImage(launch.osImageHash())
                .allowApp(appId, composeHash)
                .gatewayAppId("gateway")
                .build());
  }

  MrConfigV3 mrConfig(Bytes app, Bytes compose, Bytes instance, Bytes keyProviderId) throws Exception {
    return MrConfigV3.builder()
        .appId(app)
        .composeHash(compose)
        .instanceId(instance.length() == 0 ? null : instance)
        .keyProvider(KeyProviderKind.KMS)
        .keyProviderId(keyProviderId)
        .build();
  }

  /** What the "host" launched and what the guest then asks. */
  final class Guest {
    X25519KeyPair key = X25519KeyPair.generate(RNG);
    String cmdline;
    int vcpus = 2;
    String vcpuType = "EPYC-v4";
    boolean debug;
    MrConfigV3 launchedConfig;
    byte[] chipId; // null: the platform's
    boolean sendVek = true;

    Guest(String cmdline) {
      this.cmdline = cmdline;
    }

    Bytes measurement() throws Exception {
      LaunchFeatures f = LaunchFeatures.builder().vcpus(vcpus).vcpuType(VcpuType.parse(vcpuType)).build();
      return firmware.measure(BootArtifacts.of(Artifact.of(kernel), Artifact.of(initrd), cmdline), f);
    }

    byte[] report(byte[] reportData) throws Exception {
      var b = PLATFORM.reportBuilder().measurement(measurement().toByteArray()).reportData(reportData).debug(debug);
      if (chipId != null) {
        b.chipId(chipId);
      }
      if (launchedConfig != null) {
        b.hostData(launchedConfig.hostData().toByteArray());
      }
      return b.sign();
    }

    /** A complete nonce-bound request. */
    KeyReleaseRequest.Builder request(KeyReleaseService kms) throws Exception {
      return request(kms, kms.issueNonce().nonce());
    }

    /** A complete request bound to {@code nonce}. */
    KeyReleaseRequest.Builder request(KeyReleaseService kms, Bytes nonce) throws Exception {
      byte[] rd = ReportData.withNonce(key.publicKey(), nonce).toBytes();
      KeyReleaseRequest.Builder r =
          KeyReleaseRequest.builder()
              .report(report(rd))
              .vcekCert(sendVek ? Bytes.of(PLATFORM.vekPem()) : Bytes.empty())
              .vcpus(vcpus)
              .vcpuType(vcpuType)
              .nonce(nonce);
      if (launchedConfig != null) {
        r.mrConfig(Bytes.of(launchedConfig.documentBytes()));
      }
      return r;
    }
  }
}
