package org.attest4j.examples.kms;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseRequest;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KeyReleaseStep;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * A load harness for the key-release flow on the simulated SEV-SNP platform: it pre-generates
 * distinct, validly signed requests (each with its own nonce), then releases them in-process
 * ({@link KeyReleaseService#release}) and over HTTP on loopback ({@link KmsServer}, protobuf), with
 * a given number of client threads, and prints requests per second, p50/p90/p99 latency and the
 * median time of each step.
 *
 * <p>Run: {@code java -cp examples/target/attest4j.jar org.attest4j.examples.kms.KmsLoadGenerator
 * [requests] [threads] [redis://HOST:PORT]} (defaults 4000 and 2; with a Redis URL a third phase runs
 * HTTP with the used nonces in Redis). Not thread-safe; a command-line tool.
 */
public final class KmsLoadGenerator {
  private KmsLoadGenerator() {}

  /** Runs the harness. */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    java.util.logging.Logger.getLogger("org.attest4j").setLevel(java.util.logging.Level.WARNING);

    SimulatedSnpPlatform platform = SimulatedSnpPlatform.create(Product.GENOA);
    PreparedFirmware fw = OvmfImage.parse(SyntheticImages.firmware()).prepare();
    byte[] kernel = SyntheticImages.kernel(1 << 20);
    byte[] initrd = SyntheticImages.initrd(1 << 20);
    String cmdline = "console=ttyS0 dstack.rootfs_hash=" + "33".repeat(32);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    PinnedLaunch launch = PinnedLaunch.builder().firmware(fw).kernelDigest(Bytes.of(sha.digest(kernel)))
        .initrdDigest(Bytes.of(sha.digest(initrd))).cmdline(CmdlineTemplate.of(cmdline)).allowVcpuCounts(4)
        .allowVcpuTypes("EPYC-v4").build();
    KmsRootKeys roots = KmsRootKeys.generate();
    byte[] appId = Arrays.copyOf(sha.digest("load app".getBytes(StandardCharsets.UTF_8)), 20);
    byte[] compose = sha.digest("load compose".getBytes(StandardCharsets.UTF_8));
    MrConfigV3 mr = MrConfigV3.builder().appId(appId).composeHash(compose).keyProvider(KeyProviderKind.KMS)
        .keyProviderId(roots.rootCaPublicKeySpki()).build();
    Clock clock = platform.clockInsideValidity();
    KeyReleaseService.Builder b = KeyReleaseService.builder()
        .snp(platform.verifier(clock), KmsEndorsements.certChain(platform.certChainPem()))
        .minimumTcb(platform.tcb())
        .launch(launch).rootKeys(roots).clock(clock)
        .authorization(AllowListAuthorizer.builder().allowOsImage(launch.osImageHash())
            .allowApp(Bytes.of(appId), Bytes.of(compose)).build());
    SimulatedGuest guest = SimulatedGuest.builder(platform).firmware(fw).boot(kernel, initrd, cmdline).vcpus(4, "EPYC-v4")
        .hostData(mr.hostData()).build();
    X25519KeyPair key = X25519KeyPair.generate();
    Bytes vek = Bytes.of(platform.vekPem());
    Bytes doc = Bytes.of(mr.documentBytes());

    System.out.printf(Locale.ROOT, "key-release load: %d requests per phase, %d client threads, %d cores%n", n,
        threads, Runtime.getRuntime().availableProcessors());

    // ---- in-process
    KeyReleaseService svc = b.nonceStore(NonceStore.builder().clock(clock).capacity(4 * n).lifetime(Duration.ofHours(1)).build()).build();
    KeyReleaseRequest[] warm = generate(svc, guest, key, vek, doc, n / 2);
    KeyReleaseRequest[] reqs = generate(svc, guest, key, vek, doc, n);
    run(threads, warm.length, i -> svc.release(warm[i]));
    List<KeyRelease> out = new ArrayList<>(n);
    long[] lat = run(threads, n, i -> {
      KeyRelease r = svc.release(reqs[i]);
      synchronized (out) {
        out.add(r);
      }
    });
    report("in-process", lat, threads);
    System.out.println("  median per step:");
    for (KeyReleaseStep s : KeyReleaseStep.values()) {
      long[] v = out.stream().mapToLong(r -> r.timings().nanos(s)).sorted().toArray();
      if (v[v.length / 2] > 0) {
        System.out.printf(Locale.ROOT, "    %d %-28s %8.1f us%n", s.number(), s.label(), v[v.length / 2] / 1e3);
      }
    }

    // ---- HTTP
    KeyReleaseService httpSvc = b.nonceStore(NonceStore.builder().clock(clock).capacity(4 * n).lifetime(Duration.ofHours(1)).build()).build();
    try (KmsServer server = KmsServer.start(httpSvc, 0, threads, null)) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create(server.baseUri() + "/prpc/GetAppKeyAmd");
      byte[][] hw = toBodies(generate(httpSvc, guest, key, vek, doc, n / 2));
      byte[][] hr = toBodies(generate(httpSvc, guest, key, vek, doc, n));
      run(threads, hw.length, i -> post(http, uri, hw[i]));
      long[] hl = run(threads, n, i -> post(http, uri, hr[i]));
      report("HTTP (loopback, protobuf)", hl, threads);
    }

    // ---- HTTP with the used nonces in Redis (real time: Redis's memory starts at connect time)
    if (args.length > 2) {
      try (org.attest4j.redis.RedisStore redis = org.attest4j.redis.RedisStore.connect(URI.create(args[2]), Duration.ofSeconds(2))) {
        Clock now = Clock.systemUTC();
        KeyReleaseService redisSvc = b.clock(now).nonceStore(NonceStore.builder().clock(now).lifetime(Duration.ofHours(1))
            .usedValues(redis.usedValues(now, Duration.ofHours(1))).build()).build();
        try (KmsServer server = KmsServer.start(redisSvc, 0, threads, null)) {
          HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          URI uri = URI.create(server.baseUri() + "/prpc/GetAppKeyAmd");
          byte[][] hw = toBodies(generate(redisSvc, guest, key, vek, doc, n / 2));
          byte[][] hr = toBodies(generate(redisSvc, guest, key, vek, doc, n));
          run(threads, hw.length, i -> post(http, uri, hw[i]));
          long[] hl = run(threads, n, i -> post(http, uri, hr[i]));
          report("HTTP (loopback, protobuf) + Redis used-nonce store", hl, threads);
        }
      }
    }
  }

  private static void post(HttpClient http, URI uri, byte[] body) throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .header("Content-Type", "application/x-protobuf").build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
    }
  }

  private static byte[][] toBodies(KeyReleaseRequest[] reqs) {
    byte[][] out = new byte[reqs.length][];
    for (int i = 0; i < reqs.length; i++) {
      KeyReleaseRequest r = reqs[i];
      out[i] = GetAppKeyAmdRequest.newBuilder()
          .setSnpReport(com.google.protobuf.ByteString.copyFrom(r.report().toByteArray()))
          .setVcekPem(com.google.protobuf.ByteString.copyFrom(r.vcekCert().toByteArray()))
          .setMrConfig(new String(r.mrConfig().toByteArray(), StandardCharsets.UTF_8))
          .setVcpus(r.vcpus()).setVcpuType(r.vcpuType())
          .setNonce(com.google.protobuf.ByteString.copyFrom(r.nonce().toByteArray()))
          .build().toByteArray();
    }
    return out;
  }

  private static KeyReleaseRequest[] generate(KeyReleaseService svc, SimulatedGuest guest, X25519KeyPair key, Bytes vek,
      Bytes doc, int n) throws Exception {
    byte[][] nonces = new byte[n][];
    for (int i = 0; i < n; i++) {
      nonces[i] = svc.issueNonce().nonce().toByteArray();
    }
    KeyReleaseRequest[] out = new KeyReleaseRequest[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      try {
        byte[] rd = ReportData.withNonce(key.publicKey(), nonces[i]).toBytes();
        out[i] = KeyReleaseRequest.builder().report(guest.getReport(rd).report()).vcekCert(vek).mrConfig(doc).vcpus(4)
            .vcpuType("EPYC-v4").nonce(Bytes.of(nonces[i])).build();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    return out;
  }

  /** One request of a load phase. */
  @FunctionalInterface
  interface Op {
    void run(int i) throws Exception;
  }

  /** Runs {@code n} operations on {@code threads} threads; latencies, then the wall time. */
  static long[] run(int threads, int n, Op op) throws Exception {
    long[] lat = new long[n];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        fs.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < n) {
            long s = System.nanoTime();
            op.run(i);
            lat[i] = System.nanoTime() - s;
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      long wall = System.nanoTime() - start;
      long[] res = Arrays.copyOf(lat, n + 1);
      res[n] = wall;
      return res;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Prints requests per second and p50/p90/p99 of a phase. */
  static void report(String what, long[] latAndWall, int threads) {
    int n = latAndWall.length - 1;
    long wall = latAndWall[n];
    long[] s = Arrays.copyOf(latAndWall, n);
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%s: %.0f requests/s, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (%d requests, %d threads)%n",
        what, n / (wall / 1e9), s[n / 2] / 1e6, s[(int) (n * 0.90)] / 1e6, s[(int) (n * 0.99)] / 1e6, n, threads);
  }
}
