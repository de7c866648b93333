package org.example.consumer;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.IdentityBinding;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.MetadataSection;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.SectionType;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * The key-release flow as another team would embed it: a KMS ({@link KeyReleaseService}) and a
 * guest on a simulated SEV-SNP platform exchange dstack's protobuf messages (serialized and parsed
 * again, so the generated classes run on whatever protobuf-java the consumer chose), and the guest
 * opens the sealed keys.
 */
public final class KeyReleaseFlow {
  private KeyReleaseFlow() {}

  /** Runs the flow once and returns the released disk key's length (32). */
  public static int run() throws Exception {
    SecureRandom rng = new SecureRandom();
    // the shipped test-only AMD root and ASK (generating them takes seconds); the VCEK is made fresh
    SimulatedSnpPlatform platform = SimulatedSnpPlatform.builder(Product.GENOA).testOnlyRoot().build();
    Clock clock = platform.clockInsideValidity();
    KmsRootKeys roots = KmsRootKeys.generate(rng);
    PreparedFirmware firmware =
        PreparedFirmware.fromLayout(
            Bytes.of(sha384("consumer firmware")),
            List.of(
                new MetadataSection(0x100000, 0x2000, SectionType.SNP_SEC_MEM),
                new MetadataSection(0x800000, 0x1000, SectionType.SNP_KERNEL_HASHES),
                new MetadataSection(0x810000, 0x1000, SectionType.SNP_SECRETS),
                new MetadataSection(0x820000, 0x1000, SectionType.CPUID)),
            0xfffffff0L,
            0x801000L);
    byte[] kernel = "consumer kernel".getBytes(StandardCharsets.UTF_8);
    byte[] initrd = "consumer initrd".getBytes(StandardCharsets.UTF_8);
    Bytes appId = Bytes.of(new byte[20]);
    Bytes composeHash = Bytes.of(sha256("consumer compose"));
    String template = "console=ttyS0 dstack.app_id={app_id} dstack.compose_hash={compose_hash}";
    PinnedLaunch launch =
        PinnedLaunch.builder()
            .firmware(firmware)
            .kernelDigest(Bytes.of(sha256(kernel)))
            .initrdDigest(Bytes.of(sha256(initrd)))
            .cmdline(CmdlineTemplate.of(template))
            .allowVcpuCounts(2)
            .allowVcpuTypes("EPYC-v4")
            .build();
    KeyReleaseService kms =
        KeyReleaseService.builder()
            .snp(platform.verifier(clock), KmsEndorsements.certChain(platform.certChainPem()))
            .minimumTcb(platform.tcb())
            .launch(launch)
            .rootKeys(roots)
            .identityBinding(IdentityBinding.COMMAND_LINE)
            .clock(clock)
            .authorization(
                AllowListAuthorizer.builder()
                    .allowOsImage(launch.osImageHash())
                    .allowApp(appId, composeHash)
                    .build())
            .build();

    // the guest: launched with the pinned artifacts, binds its key and the KMS nonce in report_data
    X25519KeyPair key = X25519KeyPair.generate(rng);
    String cmdline = "console=ttyS0 dstack.app_id=" + appId + " dstack.compose_hash=" + composeHash;
    Bytes measurement =
        firmware.measure(
            BootArtifacts.of(Artifact.of(kernel), Artifact.of(initrd), cmdline),
            LaunchFeatures.builder().vcpus(2).vcpuType(VcpuType.parse("EPYC-v4")).build());
    Bytes nonce = kms.issueNonce().nonce();
    byte[] reportData = ReportData.withNonce(key.publicKey(), nonce).toBytes();
    byte[] report =
        platform.reportBuilder().measurement(measurement.toByteArray()).reportData(reportData).sign();
    byte[] wire =
        GetAppKeyAmdRequest.newBuilder()
            .setSnpReport(ByteString.copyFrom(report))
            .setVcekPem(ByteString.copyFrom(platform.vekPem()))
            .setAppId(appId.toHex())
            .setComposeHash(composeHash.toHex())
            .setVcpus(2)
            .setVcpuType("EPYC-v4")
            .setNonce(ByteString.copyFrom(nonce.toByteArray()))
            .build()
            .toByteArray();

    // the KMS: parses the wire bytes and runs the whole flow
    KeyRelease release = kms.release(GetAppKeyAmdRequest.parseFrom(wire));
    byte[] responseWire = release.response().toByteArray();

    // the guest again: opens the sealed keys
    AppKeyAmdResponse response = AppKeyAmdResponse.parseFrom(responseWire);
    byte[] plain =
        SealedResponse.open(
            response.getSealedKeys().toByteArray(),
            key,
            SealBinding.forEvidence(key.publicKey(), report),
            KmsPublicKey.fromSpki(roots.rootCaPublicKeySpki().toByteArray()));
    AppKeyResponse keys = AppKeyResponse.parseFrom(plain);
    return keys.getDiskCryptKey().size();
  }

  /**
   * Runs the flow and prints the protobuf runtime it ran on.
   *
   * @param args ignored
   * @throws Exception when the flow fails
   */
  public static void main(String[] args) throws Exception {
    System.out.println("released a " + run() + "-byte disk key on protobuf-java " + protobufRuntime());
  }

  /** The protobuf-java version on the path (from its jar manifest or pom properties). */
  public static String protobufRuntime() {
    Package p = ByteString.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    if (v == null) {
      v = ByteString.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    }
    return v;
  }

  private static byte[] sha256(String s) throws Exception {
    return sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  private static byte[] sha384(String s) throws Exception {
    return MessageDigest.getInstance("SHA-384").digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
