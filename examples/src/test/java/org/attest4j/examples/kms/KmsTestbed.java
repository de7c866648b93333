package org.attest4j.examples.kms;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.GuestAgent;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.AuthorizationHook;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/** A simulated platform, synthetic images, a pinned launch and a KMS server on loopback. */
final class KmsTestbed implements AutoCloseable {
  static final SimulatedSnpPlatform PLATFORM = SimulatedSnpPlatform.create(Product.GENOA);

  final Clock clock = PLATFORM.clockInsideValidity();
  final PreparedFirmware firmware;
  final byte[] kernel = SyntheticImages.kernel(64 * 1024);
  final byte[] initrd = SyntheticImages.initrd(64 * 1024);
  final String cmdline = "console=ttyS0 dstack.rootfs_hash=" + "ab".repeat(32);
  final KmsRootKeys roots = KmsRootKeys.generate();
  final byte[] appId;
  final byte[] composeHash;
  final MrConfigV3 mrConfig;
  final PinnedLaunch launch;
  final KeyReleaseService service;
  final KmsServer server;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  KmsTestbed() throws Exception {
    this(null);
  }

  KmsTestbed(AuthorizationHook hook) throws Exception {
    firmware = OvmfImage.parse(SyntheticImages.firmware()).prepare();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    appId = Arrays.copyOf(sha.digest("testbed app".getBytes(StandardCharsets.UTF_8)), 20);
    composeHash = sha.digest("testbed compose".getBytes(StandardCharsets.UTF_8));
    mrConfig = MrConfigV3.builder().appId(Bytes.of(appId)).composeHash(Bytes.of(composeHash)).instanceId(Bytes.of(new byte[20]))
        .keyProvider(KeyProviderKind.KMS).keyProviderId(roots.rootCaPublicKeySpki()).build();
    launch = PinnedLaunch.builder().firmware(firmware).kernelDigest(Bytes.of(sha.digest(kernel)))
        .initrdDigest(Bytes.of(sha.digest(initrd))).cmdline(CmdlineTemplate.of(cmdline)).allowVcpuCounts(2)
        .allowVcpuTypes("EPYC-v4").build();
    service = KeyReleaseService.builder()
        .snp(PLATFORM.verifier(clock), KmsEndorsements.certChain(PLATFORM.certChainPem()))
        .minimumTcb(PLATFORM.tcb())
        .launch(launch).rootKeys(roots).clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .authorization(hook != null ? hook : AllowListAuthorizer.builder().allowOsImage(launch.osImageHash())
            .allowApp(Bytes.of(appId), Bytes.of(composeHash)).gatewayAppId("gw").build())
        .build();
    server = KmsServer.start(service, 0, 4, null);
  }

  SimulatedGuest.Builder guest() {
    return SimulatedGuest.builder(PLATFORM).firmware(firmware).boot(kernel, initrd, cmdline).vcpus(2, "EPYC-v4")
        .hostData(mrConfig.hostData());
  }

  GuestAgent agent(SimulatedGuest g) {
    return GuestAgent.create(server.baseUri(), g, http);
  }

  /** POSTs raw bytes; returns status and body. */
  HttpResponse<String> post(String pathAndQuery, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUri() + pathAndQuery)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    server.close();
  }
}
