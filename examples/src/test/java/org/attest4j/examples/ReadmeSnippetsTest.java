package org.attest4j.examples;

// region imports
import java.nio.file.Path;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseRequest;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.LaunchDigest;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.ovmf.VmmType;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.VerifiedSnpReport;
import org.attest4j.snp.kds.EndorsementSource;
// endregion

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet of the README, compiled and run in every build against a simulated SEV-SNP
 * platform. The README shows exactly the code between the {@code // region NAME} and {@code //
 * endregion} markers of this file (indentation removed); {@link #readmeShowsExactlyTheseRegions}
 * fails when the two differ. To change a README snippet, change it here and copy the region.
 */
class ReadmeSnippetsTest {
  // the simulated platform's TCB is the floor the README names
  private static final TcbVersion TCB =
      TcbVersion.builder(Product.GENOA).bootloader(10).tee(0).snp(25).microcode(84).build();
  private static final SimulatedSnpPlatform PLATFORM =
      SimulatedSnpPlatform.builder(Product.GENOA).tcb(TCB).build();

  private static final String CMDLINE = "console=ttyS0 dstack.rootfs_hash=" + "33".repeat(32);

  /** The README's "flow" snippet: the service as shown, then a simulated guest's request released. */
  @Test
  void keyReleaseService(@TempDir Path dir) throws Exception {
    // what the README's snippet takes as given (production: SnpVerifier.withAmdRoots(), KdsClient.create())
    SnpVerifier verifier = PLATFORM.verifier(java.time.Clock.systemUTC());
    EndorsementSource endorsements = KmsEndorsements.certChain(PLATFORM.certChainPem());
    Path ovmfFile = Files.write(dir.resolve("OVMF.fd"), SyntheticImages.firmware());
    String cmdline = CMDLINE;
    byte[] kernel = SyntheticImages.kernel(4096);
    byte[] initrd = SyntheticImages.initrd(4096);
    Bytes kernelSha256 = sha256(kernel);
    Bytes initrdSha256 = sha256(initrd);
    Path certDir = dir.resolve("kms-keys");
    KmsRootKeys.generate().store(certDir);
    Bytes appId = Bytes.of(new byte[20]);
    Bytes composeHash = sha256("compose".getBytes(StandardCharsets.UTF_8));

    // region service
    // once, at start-up
    PinnedLaunch launch = PinnedLaunch.builder()
        .firmware(OvmfImage.parse(ovmfFile).prepare())            // the OVMF build the hosts launch
        .kernelDigest(kernelSha256).initrdDigest(initrdSha256)    // Bytes (32 each)
        .cmdline(CmdlineTemplate.of(cmdline))                     // e.g. "console=ttyS0 dstack.rootfs_hash=..."
        .allowVcpuCounts(2, 4).allowVcpuTypes("EPYC-v4")
        .vmmType(VmmType.QEMU).guestFeatures(0x1)
        .build();                                                 // InvalidConfigurationException if unusable
    KeyReleaseService kms = KeyReleaseService.builder()
        .snp(verifier, endorsements)                              // SnpVerifier.withAmdRoots(), KdsClient.create()
        .minimumTcb(TcbVersion.builder(Product.GENOA)             // required: a TCB floor per product
            .bootloader(10).tee(0).snp(25).microcode(84).build()) // (from AMD's security bulletins)
        .launch(launch)
        .rootKeys(KmsRootKeys.loadDirectory(certDir))
        .authorization(AllowListAuthorizer.builder()              // or AllowListAuthorizer.fromJson(path),
            .allowOsImage(launch.osImageHash())                   // or WebhookAuthorizer (dstack's auth API)
            .allowApp(appId, composeHash).build())
        .build();
    // endregion

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
    LaunchFeatures features = LaunchFeatures.builder().vcpus(2).vcpuType(VcpuType.parse("EPYC-v4")).build();
    Bytes measurement =
        OvmfImage.parse(ovmfFile).prepare().measure(BootArtifacts.of(Artifact.of(kernel), Artifact.of(initrd), CMDLINE), features);
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

    // region release
    // per request
    KeyRelease r = kms.release(request);   // a KeyReleaseRequest or dstack's GetAppKeyAmdRequest;
                                           // throws KeyReleaseException(step, reason)
    // endregion
    assertEquals(appId, r.bootInfo().appId());
    assertEquals(measurement, r.measurement());
  }

  /** The README's "pieces" snippet. */
  @Test
  void pieces(@TempDir Path dir) throws Exception {
    SnpVerifier verifier = PLATFORM.verifier(java.time.Clock.systemUTC());
    byte[] reportBytes = PLATFORM.reportBuilder().reportData(new byte[64]).sign();
    byte[] vcekDer = PLATFORM.vcekDer();
    byte[] certChainPem = PLATFORM.certChainPem();
    OvmfImage ovmf = OvmfImage.parse(SyntheticImages.firmware());
    Artifact kernel = Artifact.of(SyntheticImages.kernel(4096));
    Artifact initrd = Artifact.of(SyntheticImages.initrd(4096));
    String cmdline = CMDLINE;
    LaunchFeatures features = LaunchFeatures.builder().vcpus(2).vcpuType(VcpuType.EPYC).build();
    KmsRootKeys rootKeys = KmsRootKeys.generate();
    Bytes appId = Bytes.of(new byte[20]);
    Bytes instanceId = Bytes.of(new byte[20]);
    X25519KeyPair guest = X25519KeyPair.generate();
    SealBinding binding = SealBinding.forEvidence(guest.publicKey(), reportBytes);
    byte[] payload = "app keys".getBytes(StandardCharsets.UTF_8);

    // region pieces
    VerifiedSnpReport v = verifier.verify(reportBytes, vcekDer, certChainPem);  // byte[] in: raw evidence
    SnpPolicy.strict().validate(v);                                    // every failed rule at once
    Bytes expected = LaunchDigest.compute(ovmf, kernel, initrd, cmdline, features);
    AppKeys keys = AppKeyDeriver.of(rootKeys).derive(appId, instanceId);
    SealedResponse sealed = SealedResponse.encrypt(rootKeys.sealingIdentity(), binding, payload);
    // endregion

    assertEquals(PLATFORM.chipId(), v.report().chipId());
    assertEquals(48, expected.length());
    assertEquals(32, keys.diskCryptKey().length);
    assertArrayEquals(
        payload, sealed.open(guest, binding, rootKeys.sealingIdentity().publicKey()));
  }

  /** The README's java blocks are, in order, exactly the regions of this file. */
  @Test
  void readmeShowsExactlyTheseRegions() throws IOException {
    Path root = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."));
    Path readme = root.resolve("README.md");
    if (!Files.exists(readme)) {
      readme = Path.of("..", "README.md");
    }
    Path self = readme.getParent().resolve("examples/src/test/java/org/attest4j/examples/ReadmeSnippetsTest.java");
    List<String> blocks = javaBlocks(Files.readAllLines(readme));
    List<String> regions = regions(Files.readAllLines(self));
    assertEquals(regions.size(), blocks.size(), "the README has " + blocks.size() + " java blocks, this file "
        + regions.size() + " regions");
    for (int i = 0; i < regions.size(); i++) {
      assertEquals(regions.get(i), blocks.get(i), "README java block " + (i + 1) + " differs from region " + (i + 1)
          + " of ReadmeSnippetsTest.java; copy the region into the README");
    }
    assertTrue(regions.size() >= 4);
  }

  private static List<String> javaBlocks(List<String> lines) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    for (String l : lines) {
      if (cur == null && l.strip().equals("```java")) {
        cur = new StringBuilder();
      } else if (cur != null && l.strip().equals("```")) {
        out.add(cur.toString());
        cur = null;
      } else if (cur != null) {
        cur.append(l.stripTrailing()).append('\n');
      }
    }
    return out;
  }

  private static List<String> regions(List<String> lines) {
    List<String> out = new ArrayList<>();
    List<String> cur = null;
    for (String l : lines) {
      String s = l.strip();
      if (s.startsWith("// region ")) {
        cur = new ArrayList<>();
      } else if (s.equals("// endregion") && cur != null) {
        int indent = cur.stream().filter(x -> !x.isBlank())
            .mapToInt(x -> x.length() - x.stripLeading().length()).min().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String x : cur) {
          b.append(x.isBlank() ? "" : x.substring(indent).stripTrailing()).append('\n');
        }
        out.add(b.toString());
        cur = null;
      } else if (cur != null) {
        cur.add(l);
      }
    }
    return out;
  }

  private static Bytes sha256(byte[] b) throws Exception {
    return Bytes.of(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
