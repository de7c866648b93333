package org.attest4j.examples.kms;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
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
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * A load harness for the key-release flow on the simulated SEV-SNP platform: it pre-generates
 * distinct, validly signed requests (each with its own nonce), then releases them in-process
 * ({@link KeyReleaseService#release}) and over HTTP on loopback ({@link KmsServer}, protobuf), with
 * a given number of client threads, and prints requests per second, p50/p90/p99 latency, the CPU
 * time per request (the whole process and the client threads' share) and the median time of each
 * step.
 *
 * <p>Freshness mode measured: {@code kms_nonce}. Every nonce is issued by the service and every
 * report signed (the simulated platform's P-384 signature) before the timed phase, so the timed
 * phase is only the release; stateless nonces stay valid for their lifetime (an hour here), and
 * each is used once. The HTTP client is a minimal keep-alive HTTP/1.1 client (one connection per
 * client thread, each request pre-encoded), so that on a 2-core machine the client costs a small
 * part of the CPU; the CPU line shows how much.
 *
 * <p>Run: {@code java -cp examples/target/attest4j.jar org.attest4j.examples.kms.KmsLoadGenerator
 * [--tls] [requests] [threads] [redis://HOST:PORT]} (defaults 4000 and 2; with a Redis URL a third
 * phase runs HTTP with the used nonces in Redis; {@code --tls} serves the HTTP phases over HTTPS
 * ({@link TlsOptions}) with a server certificate from the KMS's root CA, which the client trusts).
 * Not thread-safe; a command-line tool.
 */
public final class KmsLoadGenerator {
  private KmsLoadGenerator() {}

  /**
   * Runs the harness.
   *
   * @param args the command-line arguments
   * @throws Exception if the harness cannot run (it reports refusals itself)
   */
  public static void main(String[] args) throws Exception {
    List<String> positional = new ArrayList<>();
    boolean tls = false;
    for (String a : args) {
      if (a.equals("--tls")) {
        tls = true;
      } else if (a.startsWith("--")) {
        throw new IllegalArgumentException("unknown option " + a + " (usage: [--tls] [requests] [threads] [redis://HOST:PORT])");
      } else {
        positional.add(a);
      }
    }
    int n = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 4000;
    int threads = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 2;
    String redisUrl = positional.size() > 2 ? positional.get(2) : null;
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
    MrConfigV3 mr = MrConfigV3.builder().appId(Bytes.of(appId)).composeHash(Bytes.of(compose)).keyProvider(KeyProviderKind.KMS)
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

    System.out.printf(Locale.ROOT, "key-release load: %d requests per phase, %d client threads, %d cores, load average"
        + " %.2f at start%n", n, threads, Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.println("freshness: kms_nonce (nonces issued and reports signed before the timed phase; HPKE envelope)");
    Optional<Tls> https = tls ? Optional.of(Tls.forLoopback(roots)) : Optional.empty();
    String scheme = tls ? "HTTPS" : "HTTP";

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

    // ---- HTTP (or HTTPS)
    KeyReleaseService httpSvc = b.nonceStore(NonceStore.builder().clock(clock).capacity(4 * n).lifetime(Duration.ofHours(1)).build()).build();
    try (KmsServer server = start(httpSvc, threads, https)) {
      byte[][] hw = toRequests(server, generate(httpSvc, guest, key, vek, doc, n / 2));
      byte[][] hr = toRequests(server, generate(httpSvc, guest, key, vek, doc, n));
      httpPhase(scheme + " (loopback, protobuf, keep-alive)", server, https, threads, hw, hr);
    }

    // ---- HTTP with the used nonces in Redis (real time: Redis's memory starts at connect time)
    if (redisUrl != null) {
      try (org.attest4j.redis.RedisStore redis = org.attest4j.redis.RedisStore.connect(URI.create(redisUrl), Duration.ofSeconds(2))) {
        Clock now = Clock.systemUTC();
        KeyReleaseService redisSvc = b.clock(now).nonceStore(NonceStore.builder().clock(now).lifetime(Duration.ofHours(1))
            .usedValues(redis.usedValues(now, Duration.ofHours(1))).build()).build();
        try (KmsServer server = start(redisSvc, threads, https)) {
          byte[][] hw = toRequests(server, generate(redisSvc, guest, key, vek, doc, n / 2));
          byte[][] hr = toRequests(server, generate(redisSvc, guest, key, vek, doc, n));
          httpPhase(scheme + " (loopback, protobuf, keep-alive) + Redis used-nonce store", server, https, threads, hw, hr);
        }
      }
    }
  }

  private static KmsServer start(KeyReleaseService svc, int threads, Optional<Tls> tls) throws IOException {
    KmsServer.Builder sb = KmsServer.builder(svc).port(0).limits(HttpLimits.DEFAULTS.withWorkerThreads(threads).withRate(0, 1));
    tls.ifPresent(t -> sb.tls(t.server));
    return sb.start();
  }

  /** A warm-up pass and a timed pass over keep-alive connections, one per client thread. */
  private static void httpPhase(String what, KmsServer server, Optional<Tls> tls, int threads, byte[][] warm, byte[][] timed)
      throws Exception {
    ConcurrentLinkedQueue<Connection> open = new ConcurrentLinkedQueue<>();
    ThreadLocal<Connection> conn = new ThreadLocal<>();
    try {
      for (byte[][] reqs : new byte[][][] {warm, timed}) {
        Op op = i -> {
          Connection c = conn.get();
          if (c == null || c.closed) {
            c = Connection.open(server.baseUri(), tls.map(t -> t.client).orElse(null));
            open.add(c);
            conn.set(c);
          }
          c.post(reqs[i]);
        };
        long[] res = run(threads, reqs.length, op);
        if (reqs == timed) {
          report(what, res, threads);
        }
      }
    } finally {
      for (Connection c : open) {
        c.close();
      }
    }
  }

  /** The pre-encoded HTTP/1.1 requests (headers and protobuf body) for {@code reqs}. */
  private static byte[][] toRequests(KmsServer server, KeyReleaseRequest[] reqs) {
    byte[][] bodies = toBodies(reqs);
    String host = server.baseUri().getHost() + ":" + server.baseUri().getPort();
    byte[][] out = new byte[bodies.length][];
    for (int i = 0; i < bodies.length; i++) {
      byte[] head = ("POST /prpc/GetAppKeyAmd HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/x-protobuf\r\n"
          + "Content-Length: " + bodies[i].length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      out[i] = Arrays.copyOf(head, head.length + bodies[i].length);
      System.arraycopy(bodies[i], 0, out[i], head.length, bodies[i].length);
    }
    return out;
  }

  /** The HTTPS setup: a server certificate from the KMS's root CA, and a client that trusts that CA. */
  private static final class Tls {
    final TlsOptions server;
    final SSLContext client;

    private Tls(TlsOptions server, SSLContext client) {
      this.server = server;
      this.client = client;
    }

    static Tls forLoopback(KmsRootKeys roots) throws Exception {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair key = g.generateKeyPair();
      List<byte[]> chain = KmsCertificateAuthority.of(roots, Clock.systemUTC())
          .rpcCertificateChain(key, "127.0.0.1", Optional.empty());
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Certificate[] certs = new Certificate[chain.size()];
      for (int i = 0; i < certs.length; i++) {
        certs[i] = cf.generateCertificate(new java.io.ByteArrayInputStream(chain.get(i)));
      }
      char[] pw = "load-generator".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("kms", key.getPrivate(), pw, certs);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("kms-root", cf.generateCertificate(new java.io.ByteArrayInputStream(
          roots.rootCaCertificatePem().getBytes(StandardCharsets.US_ASCII))));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return new Tls(TlsOptions.keyStore(ks, pw), ctx);
    }
  }

  /**
   * One keep-alive HTTP/1.1 connection that sends pre-encoded requests and reads each response by
   * its Content-Length (what the example server sends). Not thread-safe: one per client thread.
   */
  private static final class Connection implements AutoCloseable {
    private static final byte[] END_OF_HEADERS = {'\r', '\n', '\r', '\n'};
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private byte[] buf = new byte[8192];
    boolean closed;

    private Connection(Socket socket) throws IOException {
      this.socket = socket;
      socket.setTcpNoDelay(true);
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
    }

    static Connection open(URI base, SSLContext tls) throws IOException {
      if (tls == null) {
        return new Connection(new Socket(base.getHost(), base.getPort()));
      }
      SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(base.getHost(), base.getPort());
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.startHandshake();
      return new Connection(s);
    }

    /** Sends one request; throws unless the answer is 200. */
    void post(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      int len = 0;
      int end = -1;
      while (end < 0) {
        if (len == buf.length) {
          buf = Arrays.copyOf(buf, 2 * len);
        }
        int r = in.read(buf, len, buf.length - len);
        if (r < 0) {
          closed = true;
          throw new EOFException("the server closed the connection");
        }
        int from = Math.max(0, len - 3);
        len += r;
        end = indexOf(buf, from, len, END_OF_HEADERS);
      }
      String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(head.substring(9, 12));
      int contentLength = -1;
      for (String line : head.split("\r\n")) {
        String l = line.toLowerCase(Locale.ROOT);
        if (l.startsWith("content-length:")) {
          contentLength = Integer.parseInt(l.substring(15).trim());
        } else if (l.startsWith("connection:") && l.contains("close")) {
          closed = true;
        } else if (l.startsWith("transfer-encoding:")) {
          throw new IOException("the load generator reads Content-Length bodies only: " + line);
        }
      }
      if (contentLength < 0) {
        throw new IOException("response without Content-Length: " + head.lines().findFirst().orElse(""));
      }
      byte[] body = new byte[contentLength];
      int have = Math.min(len - end - 4, contentLength);
      System.arraycopy(buf, end + 4, body, 0, have);
      if (in.readNBytes(body, have, contentLength - have) != contentLength - have) {
        closed = true;
        throw new EOFException("the server closed the connection mid-body");
      }
      if (closed) {
        close();
      }
      if (status != 200) {
        throw new IllegalStateException("HTTP " + status + ": " + new String(body, StandardCharsets.UTF_8));
      }
    }

    private static int indexOf(byte[] b, int from, int to, byte[] what) {
      outer:
      for (int i = from; i + what.length <= to; i++) {
        for (int j = 0; j < what.length; j++) {
          if (b[i + j] != what[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    @Override
    public void close() {
      closed = true;
      try {
        socket.close();
      } catch (IOException e) {
        // closing a loopback socket: nothing to do
      }
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
        byte[] rd = ReportData.withNonce(key.publicKey(), Bytes.of(nonces[i])).toBytes();
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

  /**
   * Runs {@code op} for 0..n-1 on {@code threads} threads; returns the latencies, then the wall
   * time, the process CPU time and the CPU time of the calling threads (all nanoseconds).
   */
  static long[] run(int threads, int n, Op op) throws Exception {
    long[] lat = new long[n];
    AtomicInteger next = new AtomicInteger();
    java.util.concurrent.atomic.AtomicLong threadCpu = new java.util.concurrent.atomic.AtomicLong();
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      long cpu0 = processCpuNanos();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        fs.add(pool.submit(() -> {
          long c0 = mx.getCurrentThreadCpuTime();
          int i;
          while ((i = next.getAndIncrement()) < n) {
            long s = System.nanoTime();
            op.run(i);
            lat[i] = System.nanoTime() - s;
          }
          threadCpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      long wall = System.nanoTime() - start;
      long cpu = processCpuNanos() - cpu0;
      long[] res = Arrays.copyOf(lat, n + 3);
      res[n] = wall;
      res[n + 1] = cpu;
      res[n + 2] = threadCpu.get();
      return res;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  /** Prints requests per second and p50/p90/p99 of a phase ({@code res} as {@link #run} returns it). */
  static void report(String what, long[] res, int threads) {
    int n = res.length - 3;
    long wall = res[n];
    long cpu = res[n + 1];
    long callers = res[n + 2];
    long[] s = Arrays.copyOf(res, n);
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%s: %.0f requests/s, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (%d requests, %d threads)%n",
        what, n / (wall / 1e9), s[n / 2] / 1e6, s[(int) (n * 0.90)] / 1e6, s[(int) (n * 0.99)] / 1e6, n, threads);
    if (cpu >= 0) {
      System.out.printf(Locale.ROOT, "  CPU per request: %.0f us in the process, of which %.0f us in the calling threads"
          + " (%.0f%%); load average now %.2f%n", cpu / 1e3 / n, callers / 1e3 / n, 100.0 * callers / Math.max(1, cpu),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
