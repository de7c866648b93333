package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseRequest;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.ovmf.testing.SyntheticFirmware;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every README snippet ({@link ReadmeSnippets}) against the test-only simulated SEV-SNP
 * platform and a test-only synthetic firmware image ({@link SyntheticFirmware}): the givens are made
 * here, the snippets' results are checked.
 */
class ReadmeSnippetsRunTest {
  // the simulated platform's TCB is the floor the README names
  private static final TcbVersion TCB =
      TcbVersion.builder(Product.GENOA).bootloader(10).tee(0).snp(25).microcode(84).build();
  private static final SimulatedSnpPlatform PLATFORM =
      SimulatedSnpPlatform.builder(Product.GENOA).tcb(TCB).testOnlyRoot().build();
  private static final String CMDLINE = "console=ttyS0 dstack.rootfs_hash=" + "33".repeat(32);
  private static final byte[] KERNEL = "a kernel".repeat(512).getBytes(StandardCharsets.US_ASCII);
  private static final byte[] INITRD = "an initrd".repeat(512).getBytes(StandardCharsets.US_ASCII);

  /** The "service" snippet builds the service, and the "release" snippet releases a guest's keys. */
  @Test
  void serviceReleasesKeysToAGuestLaunchedAsPinned(@TempDir Path dir) throws Exception {
    SnpVerifier verifier = PLATFORM.verifier(Clock.systemUTC());
    Path ovmfFile = Files.write(dir.resolve("OVMF.fd"), SyntheticFirmware.amdSevX64().build());
    Path certDir = dir.resolve("kms-keys");
    KmsRootKeys.generate().store(certDir);
    Bytes appId = Bytes.of(new byte[20]);
    Bytes composeHash = sha256("compose".getBytes(StandardCharsets.UTF_8));

    KeyReleaseService kms =
        ReadmeSnippets.service(
            verifier,
            KmsEndorsements.certChain(PLATFORM.certChainPem()),
            ovmfFile,
            sha256(KERNEL),
            sha256(INITRD),
            CMDLINE,
            certDir,
            appId,
            composeHash);

    // a guest launched with exactly the pinned artifacts asks for its keys
    X25519KeyPair guestKey = X25519KeyPair.generate();
    MrConfigV3 mrConfig =
        MrConfigV3.builder()
            .appId(appId)
            .composeHash(composeHash)
            .keyProvider(KeyProviderKind.KMS)
            .keyProviderId(KmsRootKeys.loadDirectory(certDir).rootCaPublicKeySpki())
            .build();
    Bytes nonce = kms.issueNonce().nonce();
    LaunchFeatures features =
        LaunchFeatures.builder().vcpus(2).vcpuType(VcpuType.parse("EPYC-v4")).build();
    Bytes measurement =
        OvmfImage.parse(ovmfFile)
            .prepare()
            .measure(BootArtifacts.of(Artifact.of(KERNEL), Artifact.of(INITRD), CMDLINE), features);
    byte[] report =
        PLATFORM.reportBuilder()
            .measurement(measurement.toByteArray())
            .hostData(mrConfig.hostData().toByteArray())
            .reportData(ReportData.withNonce(guestKey.publicKey(), nonce).toBytes())
            .sign();
    KeyReleaseRequest request =
        KeyReleaseRequest.builder()
            .report(Bytes.of(report))
            .vcekCert(Bytes.of(PLATFORM.vekPem()))
            .mrConfig(Bytes.of(mrConfig.documentBytes()))
            .vcpus(2)
            .vcpuType("EPYC-v4")
            .nonce(nonce)
            .build();

    KeyRelease r = ReadmeSnippets.release(kms, request);

    assertEquals(appId, r.bootInfo().appId());
    assertEquals(measurement, r.measurement());
  }

  /** The "pieces" snippet verifies, validates, measures, derives and seals. */
  @Test
  void piecesWorkOnTheirOwn() throws Exception {
    byte[] reportBytes = PLATFORM.reportBuilder().reportData(new byte[64]).sign();
    KmsRootKeys rootKeys = KmsRootKeys.generate();
    X25519KeyPair guest = X25519KeyPair.generate();
    SealBinding binding = SealBinding.forEvidence(guest.publicKey(), reportBytes);
    byte[] payload = "app keys".getBytes(StandardCharsets.UTF_8);

    ReadmeSnippets.Pieces p =
        ReadmeSnippets.pieces(
            PLATFORM.verifier(Clock.systemUTC()),
            reportBytes,
            PLATFORM.vcekDer(),
            PLATFORM.certChainPem(),
            OvmfImage.parse(SyntheticFirmware.amdSevX64().build()),
            Artifact.of(KERNEL),
            Artifact.of(INITRD),
            CMDLINE,
            LaunchFeatures.builder().vcpus(2).vcpuType(VcpuType.EPYC).build(),
            rootKeys,
            Bytes.of(new byte[20]),
            Bytes.of(new byte[20]),
            binding,
            payload);

    assertEquals(PLATFORM.chipId(), p.verified().report().chipId());
    assertEquals(48, p.expected().length());
    assertEquals(32, p.keys().diskCryptKey().length);
    assertArrayEquals(
        payload, p.sealed().open(guest, binding, rootKeys.sealingIdentity().publicKey()));
  }

  /** In the consumer projects, the snippets ran on the path the build asked for. */
  @Test
  void ranOnTheExpectedPath() {
    String mode = System.getProperty("expected.path"); // set by the consumer projects in it/src/it
    if (mode != null) {
      assertEquals("module".equals(mode), ReadmeSnippets.class.getModule().isNamed(), "ran on the " + mode + " path");
    }
  }

  private static Bytes sha256(byte[] b) throws Exception {
    return Bytes.of(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
