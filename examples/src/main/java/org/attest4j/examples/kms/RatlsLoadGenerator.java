package org.attest4j.examples.kms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.examples.agent.RatlsGuest;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyRequest;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.RatlsKeyManager;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsTrustManager;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * A load harness for dstack's {@code GetAppKey} over RA-TLS against the example server ({@link
 * KmsServer} with its RA-TLS endpoint, as {@code "ratls": true} runs it) on loopback, for simulated
 * SEV-SNP guests: a pool of guests (distinct instance ids and keys) each makes its RA-TLS client
 * certificate once (GetTempCaCert from the server, report bound to a fresh P-256 key, certificate
 * from the temp CA); then the timed phases, each request a {@code POST /prpc/GetAppKey} on mutual
 * TLS 1.3 whose answer is decoded (and the first compared with {@code AppKeyDeriver}'s keys):
 *
 * <ul>
 *   <li>{@code new connection per request}: a full handshake each time (a fresh client TLS context,
 *       nothing resumed, {@code Connection: close}), as a booting dstack guest does: the server's
 *       offline RA-TLS check of the client certificate in the handshake, then the whole SEV-SNP
 *       flow ({@link KeyReleaseService#releaseRatls}: signature, policy, measurement, identity,
 *       binding, authorization, keys);
 *   <li>{@code keep-alive}: one mutual TLS connection per client thread, reused: the key-release
 *       flow and HTTP without the handshake.
 * </ul>
 *
 * It prints requests per second and p50/p90/p99 latency per phase. Run: {@code java -cp
 * examples/target/attest4j.jar org.attest4j.examples.kms.RatlsLoadGenerator [requests] [threads]}
 * (defaults 1000 and 2). Not thread-safe; a command-line tool.
 */
public final class RatlsLoadGenerator {
  private static final int GUESTS = 32;

  private RatlsLoadGenerator() {}

  /**
   * Runs the harness.
   *
   * @param args {@code [requests] [threads]}
   * @throws Exception if the setup fails or a request is refused
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    java.util.logging.Logger.getLogger("org.attest4j").setLevel(java.util.logging.Level.WARNING);

    SimulatedSnpPlatform platform = SimulatedSnpPlatform.create(Product.GENOA);
    Clock clock = platform.clockInsideValidity();
    PreparedFirmware fw = ExampleLaunch.firmware();
    byte[] kernel = SyntheticImages.kernel(ExampleLaunch.IMAGE_SIZE);
    byte[] initrd = SyntheticImages.initrd(ExampleLaunch.IMAGE_SIZE);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    PinnedLaunch launch = PinnedLaunch.builder().firmware(fw).kernelDigest(Bytes.of(sha.digest(kernel)))
        .initrdDigest(Bytes.of(sha.digest(initrd))).cmdline(CmdlineTemplate.of(ExampleLaunch.CMDLINE))
        .allowVcpuCounts(ExampleLaunch.VCPUS).allowVcpuTypes(ExampleLaunch.VCPU_TYPE).build();
    KmsRootKeys roots = KmsRootKeys.generate(new SecureRandom(), clock);
    byte[] appId = ExampleLaunch.appId();
    byte[] compose = ExampleLaunch.composeHash();
    KeyReleaseService service = KeyReleaseService.builder()
        .snp(platform.verifier(clock), KmsEndorsements.certChain(platform.certChainPem()))
        .minimumTcb(platform.tcb()).launch(launch).rootKeys(roots).clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .authorization(AllowListAuthorizer.builder().allowOsImage(launch.osImageHash())
            .allowApp(Bytes.of(appId), Bytes.of(compose)).build())
        .build();
    String vmConfig = RatlsGuest.vmConfig(ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
    byte[] body = GetAppKeyRequest.newBuilder().setApiVersion(1).setVmConfig(vmConfig).build().toByteArray();

    System.out.printf(Locale.ROOT, "GetAppKey over RA-TLS load: %d requests per phase, %d client threads, %d"
        + " cores, %d simulated SEV-SNP guests%n", n, threads, Runtime.getRuntime().availableProcessors(), GUESTS);
    try (KmsServer server = KmsServer.builder(service).port(0)
        .limits(HttpLimits.DEFAULTS.withWorkerThreads(threads).withRate(0, 1))
        .ratls(KmsCertificateAuthority.of(roots, clock)).start()) {
      URL url = new URL(server.baseUri() + "/prpc/GetAppKey");
      KeyManager[] keyManagers = new KeyManager[GUESTS];
      TrustManager serverCheck = null;
      byte[][] instanceIds = new byte[GUESTS][];
      for (int g = 0; g < GUESTS; g++) {
        instanceIds[g] = new byte[20];
        instanceIds[g][0] = (byte) g;
        instanceIds[g][1] = 0x1d;
        MrConfigV3 mr = MrConfigV3.builder().appId(Bytes.of(appId)).composeHash(Bytes.of(compose)).instanceId(Bytes.of(instanceIds[g]))
            .keyProvider(KeyProviderKind.KMS).keyProviderId(roots.rootCaPublicKeySpki()).build();
        SimulatedGuest guest = SimulatedGuest.builder(platform).firmware(fw)
            .boot(kernel, initrd, ExampleLaunch.CMDLINE).vcpus(ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE)
            .hostData(mr.hostData()).build();
        RatlsGuest ratls = RatlsGuest.create(server.baseUri(), guest);
        RatlsGuest.TempCa ca = ratls.tempCa(mr.documentBytes());
        KeyPair key = RatlsGuest.newKey();
        byte[] cert = RatlsGuest.certificate(ca, key, ratls.attest(
            RatlsReportData.forCertificateKey(key.getPublic().getEncoded()), mr.documentBytes(), vmConfig));
        keyManagers[g] = RatlsKeyManager.of(key.getPrivate(), cert);
        if (serverCheck == null) {
          serverCheck = RatlsTrustManager.of(RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
              .trustedCa(ca.rootCaCertificate()).build());
        }
      }
      TrustManager trust = serverCheck;

      // the answer is the derived keys
      AppKeyResponse first = post(url, context(keyManagers[0], trust).getSocketFactory(), body, true);
      if (!Arrays.equals(first.getDiskCryptKey().toByteArray(),
          AppKeyDeriver.of(roots).derive(Bytes.of(appId), Bytes.of(instanceIds[0])).diskCryptKey())) {
        throw new IllegalStateException("the released disk key is not AppKeyDeriver's");
      }

      // new connection per request: a fresh client context each time (nothing to resume)
      SSLSocketFactory[] fresh = new SSLSocketFactory[n + n / 4];
      for (int i = 0; i < fresh.length; i++) {
        fresh[i] = context(keyManagers[i % GUESTS], trust).getSocketFactory();
      }
      int warm = n / 4;
      KmsLoadGenerator.run(threads, warm, i -> post(url, fresh[n + i], body, true));
      long[] lat = KmsLoadGenerator.run(threads, n, i -> post(url, fresh[i], body, true));
      KmsLoadGenerator.report("GetAppKey, new mTLS connection per request (full TLS 1.3 handshake)", lat, threads);

      // keep-alive: one connection per thread (the factory is per thread, so is the pooled connection)
      ThreadLocal<SSLSocketFactory> perThread = new ThreadLocal<>();
      java.util.concurrent.atomic.AtomicInteger guest = new java.util.concurrent.atomic.AtomicInteger();
      KmsLoadGenerator.Op keepAlive = i -> {
        SSLSocketFactory f = perThread.get();
        if (f == null) {
          f = context(keyManagers[guest.getAndIncrement() % GUESTS], trust).getSocketFactory();
          perThread.set(f);
        }
        post(url, f, body, false);
      };
      KmsLoadGenerator.run(threads, warm, keepAlive);
      long[] kl = KmsLoadGenerator.run(threads, n, keepAlive);
      KmsLoadGenerator.report("GetAppKey, keep-alive mTLS connection per client thread", kl, threads);
    }
  }

  private static SSLContext context(KeyManager km, TrustManager tm) throws Exception {
    SSLContext c = SSLContext.getInstance("TLSv1.3");
    c.init(new KeyManager[] {km}, new TrustManager[] {tm}, new SecureRandom());
    return c;
  }

  private static AppKeyResponse post(URL url, SSLSocketFactory tls, byte[] body, boolean close)
      throws IOException {
    HttpsURLConnection c = (HttpsURLConnection) url.openConnection();
    c.setSSLSocketFactory(tls);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/x-protobuf");
    if (close) {
      c.setRequestProperty("Connection", "close");
    }
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    int status = c.getResponseCode();
    InputStream in = status == 200 ? c.getInputStream() : c.getErrorStream();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    if (in != null) {
      try (in) {
        in.transferTo(buf);
      }
    }
    if (status != 200) {
      throw new IllegalStateException("HTTP " + status + ": " + buf.toString(StandardCharsets.UTF_8));
    }
    return AppKeyResponse.parseFrom(buf.toByteArray());
  }
}
