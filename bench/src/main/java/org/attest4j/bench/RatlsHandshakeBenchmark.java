package org.attest4j.bench;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import org.attest4j.ratls.RatlsKeyManager;
import org.attest4j.ratls.RatlsTrustManager;
import org.attest4j.ratls.RatlsVerdict;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Full TLS 1.3 mutually authenticated handshakes with the RA-TLS key and trust managers, as the
 * example KMS and a dstack guest run them for {@code GetAppKey}: the server (KMS) presents its
 * {@code kms:rpc} certificate from the root CA and requires a client certificate, which its {@link
 * RatlsTrustManager} checks in mode {@code kms-client} ({@code check}: {@code offline} as the
 * example server's TLS layer does, or {@code full} with the SEV-SNP vendor signatures); the guest
 * checks the server in mode {@code kms-server}. Each operation is one complete handshake between
 * two fresh {@link SSLEngine}s whose records are passed <strong>in memory</strong> (no socket, no
 * threads: the figure is CPU per handshake, both sides on one thread, without loopback or scheduler
 * noise). Engines are created without a peer host, so nothing is resumed: every handshake is a full
 * one (ECDHE, two certificate chains, two CertificateVerify signatures, the RA-TLS checks).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar RatlsHandshake -f 1 -wi 3 -w 1 -i 5 -r 1}.
 * Throughput is handshakes per second on one thread (both ends); add {@code -t 2} for two.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RatlsHandshakeBenchmark {
  /** The server's check of the client certificate: without or with the vendor signatures. */
  @Param({"offline", "full"})
  public String check;

  private SSLContext server;
  private SSLContext client;

  /**
   * Builds both TLS contexts and checks that a handshake succeeds and hands the verdict over.
   *
   * @throws Exception if the fixture cannot be built or the handshake fails
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    RatlsFixture f = new RatlsFixture();
    boolean full = check.equals("full");
    server = context(RatlsKeyManager.of(f.serverKey.getPrivate(), f.serverChain.toArray(new byte[0][])),
        RatlsTrustManager.of(f.clientVerifier(full)));
    client = context(RatlsKeyManager.of(f.guestKey.getPrivate(), f.guestCertificate),
        RatlsTrustManager.of(f.serverVerifier()));
    SSLEngine[] pair = connect();
    RatlsFixture.accepted(RatlsTrustManager.verdictOf(pair[1].getSession()).orElseThrow(), full);
    RatlsTrustManager.verdictOf(pair[0].getSession()).orElseThrow();
  }

  private static SSLContext context(KeyManager km, TrustManager tm) throws Exception {
    SSLContext c = SSLContext.getInstance("TLSv1.3");
    c.init(new KeyManager[] {km}, new TrustManager[] {tm}, new SecureRandom());
    return c;
  }

  /**
   * One full mutually authenticated handshake.
   *
   * @return the server's verdict on the client certificate
   * @throws SSLException if the handshake fails
   */
  @Benchmark
  public RatlsVerdict handshake() throws SSLException {
    SSLEngine[] pair = connect();
    return RatlsTrustManager.verdictOf(pair[1].getSession()).orElseThrow();
  }

  private SSLEngine[] connect() throws SSLException {
    SSLEngine c = client.createSSLEngine();
    c.setUseClientMode(true);
    SSLEngine s = server.createSSLEngine();
    s.setUseClientMode(false);
    s.setNeedClientAuth(true);
    int size = Math.max(c.getSession().getPacketBufferSize(), s.getSession().getPacketBufferSize());
    ByteBuffer toServer = ByteBuffer.allocate(4 * size);
    ByteBuffer toClient = ByteBuffer.allocate(4 * size);
    ByteBuffer app = ByteBuffer.allocate(4 * size);
    c.beginHandshake();
    s.beginHandshake();
    for (int round = 0; round < 200; round++) {
      boolean moved = step(c, toClient, toServer, app);
      moved |= step(s, toServer, toClient, app);
      if (idle(c) && idle(s) && toServer.position() == 0 && toClient.position() == 0) {
        return new SSLEngine[] {c, s};
      }
      if (!moved) {
        throw new SSLException("handshake stalled: client " + c.getHandshakeStatus() + ", server "
            + s.getHandshakeStatus());
      }
    }
    throw new SSLException("handshake did not finish in 200 rounds");
  }

  private static boolean idle(SSLEngine e) {
    SSLEngineResult.HandshakeStatus h = e.getHandshakeStatus();
    return h == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        || h == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  /** Advances one engine by one action; true if anything was produced, consumed or run. */
  private static boolean step(SSLEngine e, ByteBuffer in, ByteBuffer out, ByteBuffer app)
      throws SSLException {
    switch (e.getHandshakeStatus()) {
      case NEED_TASK -> {
        Runnable r;
        while ((r = e.getDelegatedTask()) != null) {
          r.run();
        }
        return true;
      }
      case NEED_WRAP -> {
        SSLEngineResult r = e.wrap(ByteBuffer.allocate(0), out);
        return r.bytesProduced() > 0 || r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP;
      }
      default -> {
        // NEED_UNWRAP, NEED_UNWRAP_AGAIN, or post-handshake records (TLS 1.3 session tickets)
        if (in.position() == 0) {
          return false;
        }
        in.flip();
        app.clear();
        SSLEngineResult r = e.unwrap(in, app);
        in.compact();
        return r.bytesConsumed() > 0;
      }
    }
  }
}
