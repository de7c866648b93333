package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.attest4j.kms.proto.NonceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 13 item 1 and the HTTP limits: slow clients, floods, deadlines, body limit, overload, TLS. */
class KmsServerLimitsTest {
  static KmsTestbed bed;

  @BeforeAll
  static void up() throws Exception {
    bed = new KmsTestbed();
  }

  @AfterAll
  static void down() {
    bed.close();
  }

  /** Sends {@code request} from {@code local} and returns everything the server answers (it closes). */
  static String raw(InetAddress local, int port, String request) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(local, 0));
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static String getNonce(String host) {
    return "GET /prpc/GetNonce HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  }

  /**
   * Connections that send headers (or part of them) and then nothing, from 127.0.0.2 (the attacker
   * is not the client whose requests must still be answered; over {@code max_connections_per_client}
   * they are closed at once).
   */
  static List<Socket> slowConnections(int n, int port) throws IOException {
    List<Socket> held = new ArrayList<>();
    InetAddress attacker = InetAddress.getByName("127.0.0.2");
    for (int i = 0; i < n; i++) {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), port, attacker, 0);
      String partial = i % 2 == 0
          ? "POST /prpc/GetAppKeyAmd HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"
          : "POST /prpc/GetMeta HTTP/1.1\r\nHo";
      s.getOutputStream().write(partial.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      held.add(s);
    }
    return held;
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 64})
  void getNonceIsAnsweredWhileSlowConnectionsAreHeld(int slow) throws Exception {
    // long deadlines: it is the design (no thread per waiting connection), not a timeout, that answers
    HttpLimits limits = HttpLimits.DEFAULTS.withWorkerThreads(4).withTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5));
    try (KmsServer s = KmsServer.builder(bed.service).limits(limits).start()) {
      List<Socket> held = slowConnections(slow, s.baseUri().getPort());
      try {
        for (int i = 0; i < 8; i++) {
          HttpResponse<byte[]> r = bed.http.send(
              HttpRequest.newBuilder(URI.create(s.baseUri() + "/prpc/GetNonce")).timeout(Duration.ofSeconds(30)).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
          assertEquals(200, r.statusCode());
          assertEquals(32, NonceResponse.parseFrom(r.body()).getNonce().size());
        }
        HttpResponse<String> meta = bed.http.send(
            HttpRequest.newBuilder(URI.create(s.baseUri() + "/prpc/GetMeta?json")).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, meta.statusCode());
      } finally {
        for (Socket h : held) {
          h.close();
        }
      }
    }
  }

  @Test
  void aBodyThatDoesNotArriveGets408AndTheConnectionIsClosed() throws Exception {
    HttpLimits limits = HttpLimits.DEFAULTS.withTimeouts(Duration.ofMillis(300), Duration.ofMinutes(1));
    try (KmsServer s = KmsServer.builder(bed.service).limits(limits).start()) {
      try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.baseUri().getPort())) {
        sock.setSoTimeout(30_000);
        sock.getOutputStream().write(
            "POST /prpc/GetAppKeyAmd HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        sock.getInputStream().transferTo(b); // returns because the server closes the connection
        String answer = b.toString(StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
        assertTrue(answer.contains("ServerReason.READ_TIMEOUT"), answer);
      }
    }
  }

  @Test
  void aBodyOverTheLimitIs413() throws Exception {
    String big = "x".repeat(KmsServer.MAX_BODY + 1);
    String answer = raw(InetAddress.getLoopbackAddress(), bed.server.baseUri().getPort(),
        "POST /prpc/GetAppKeyAmd HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + big.length() + "\r\n\r\n" + big);
    assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    String chunked = raw(InetAddress.getLoopbackAddress(), bed.server.baseUri().getPort(),
        "POST /prpc/GetAppKeyAmd HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");
    assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked);
  }

  @Test
  void aFloodFromOneAddressDoesNotStarveAnother() throws Exception {
    HttpLimits limits = HttpLimits.DEFAULTS.withRate(5, 5);
    try (KmsServer s = KmsServer.builder(bed.service).limits(limits).start()) {
      int port = s.baseUri().getPort();
      InetAddress flooder = InetAddress.getByName("127.0.0.2");
      int ok = 0;
      int limited = 0;
      String lastRefusal = "";
      for (int i = 0; i < 40; i++) {
        String a = raw(flooder, port, getNonce("x"));
        if (a.startsWith("HTTP/1.1 200")) {
          ok++;
        } else {
          assertTrue(a.startsWith("HTTP/1.1 429"), a);
          limited++;
          lastRefusal = a;
        }
      }
      assertTrue(limited > 0, "the flood was never limited (" + ok + " answered)");
      assertTrue(lastRefusal.contains("\"reason\":\"ServerReason.RATE_LIMITED\""), lastRefusal);
      assertTrue(lastRefusal.contains("\"retryable\":true"), lastRefusal);
      assertTrue(lastRefusal.toLowerCase(java.util.Locale.ROOT).contains("retry-after: "), lastRefusal);
      // another address still gets its nonces at once
      InetAddress other = InetAddress.getByName("127.0.0.3");
      for (int i = 0; i < 3; i++) {
        String a = raw(other, port, getNonce("x"));
        assertTrue(a.startsWith("HTTP/1.1 200"), a);
      }
      // GetMeta is not rate limited
      assertTrue(raw(flooder, port, getNonce("x").replace("GetNonce", "GetMeta")).startsWith("HTTP/1.1 200"));
    }
  }

  @Test
  void busyWorkersAnswer503AtOnce() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpLimits limits = new HttpLimits(1, 0, Duration.ofSeconds(5), Duration.ofSeconds(30), 1024, 256, KmsServer.MAX_BODY, 0, 1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (KmsServer s = KmsServer.builder(bed.service).limits(limits).observer(o -> {
      inside.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }).start()) {
      int port = s.baseUri().getPort();
      // a request the service refuses at step 1; the observer holds the only worker
      Future<String> held = pool.submit(() -> raw(InetAddress.getLoopbackAddress(), port,
          "POST /prpc/GetAppKeyAmd HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\n\n\u0001x"));
      assertTrue(inside.await(30, TimeUnit.SECONDS));
      String busy = raw(InetAddress.getLoopbackAddress(), port, getNonce("x"));
      assertTrue(busy.startsWith("HTTP/1.1 503"), busy);
      assertTrue(busy.contains("ServerReason.OVERLOADED"), busy);
      release.countDown();
      assertTrue(held.get(30, TimeUnit.SECONDS).startsWith("HTTP/1.1 400"));
      assertTrue(raw(InetAddress.getLoopbackAddress(), port, getNonce("x")).startsWith("HTTP/1.1 200"));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void tlsWithAPkcs12KeyStoreAndAPluggableClientTrustDecision(@TempDir Path dir) throws Exception {
    Path p12 = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "kms", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    keytool.getInputStream().transferTo(OutputStream.nullOutputStream());
    assertEquals(0, keytool.waitFor());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(p12)) {
      ks.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).build();
    TlsOptions tls = TlsOptions.pkcs12(p12, "changeit".toCharArray());
    try (KmsServer s = KmsServer.builder(bed.service).tls(tls).start()) {
      assertEquals("https", s.baseUri().getScheme());
      HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create(s.baseUri() + "/prpc/GetMeta?json")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("envelope_signing_key"), r.body());
    }
    // the RA-TLS hook: a custom trust decision about client certificates; this one refuses all,
    // so a client without an accepted certificate does not get through the handshake
    X509TrustManager refuseAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("no attested client certificate");
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("not a client");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try (KmsServer s = KmsServer.builder(bed.service).tls(tls.requireClientCertificates(refuseAll)).start()) {
      assertThrows(IOException.class, () -> https.send(
          HttpRequest.newBuilder(URI.create(s.baseUri() + "/prpc/GetMeta")).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }
  }

  /** One address cannot hold more than max_connections_per_client connections; another still can. */
  @Test
  void oneClientCannotHoldMoreThanItsConnections() throws Exception {
    HttpLimits limits = HttpLimits.DEFAULTS.withMaxConnectionsPerClient(2);
    try (KmsServer s = KmsServer.builder(bed.service).limits(limits).start()) {
      int port = s.baseUri().getPort();
      InetAddress attacker = InetAddress.getByName("127.0.0.2");
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket k = new Socket(InetAddress.getLoopbackAddress(), port, attacker, 0);
          held.add(k);
          // a complete keep-alive request, answered: the connection is open at the server
          k.getOutputStream().write("GET /prpc/GetMeta HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          k.setSoTimeout(30_000);
          byte[] head = new byte[12];
          int n = k.getInputStream().readNBytes(head, 0, head.length);
          assertEquals("HTTP/1.1 200", new String(head, 0, n, StandardCharsets.ISO_8859_1));
        }
        String third;
        try {
          third = raw(attacker, port, "GET /prpc/GetMeta HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        } catch (IOException reset) {
          third = "";
        }
        assertEquals("", third, "a third connection from one address was served");
        String other = raw(InetAddress.getByName("127.0.0.3"), port,
            "GET /prpc/GetMeta HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(other.startsWith("HTTP/1.1 200"), other);
      } finally {
        for (Socket k : held) {
          k.close();
        }
      }
    }
  }

  @Test
  void closedConnectionsAreNoLongerCounted() throws Exception {
    // limit 2, 20 connections one after the other: the server counts a connection down when Jetty
    // reports it closed, which may come a little after the client saw the end of the response, so
    // a connection refused because earlier ones are still closing is tried again (up to 500
    // times); a leak (a closed connection never counted down) refuses every attempt after two
    HttpLimits limits = HttpLimits.DEFAULTS.withMaxConnectionsPerClient(2);
    try (KmsServer s = KmsServer.builder(bed.service).limits(limits).start()) {
      int port = s.baseUri().getPort();
      InetAddress client = InetAddress.getByName("127.0.0.4");
      for (int i = 0; i < 20; i++) {
        String r = "";
        for (int attempt = 0; attempt < 500 && !r.startsWith("HTTP/1.1 200"); attempt++) {
          try {
            r = raw(client, port, "GET /prpc/GetMeta HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
          } catch (IOException refused) {
            r = "";
          }
        }
        assertTrue(r.startsWith("HTTP/1.1 200"), "connection " + i + ": " + r);
      }
    }
  }
}
