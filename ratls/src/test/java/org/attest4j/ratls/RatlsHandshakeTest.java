package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.testsupport.SharedData;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JDK TLS 1.3 handshakes on loopback with the RA-TLS trust and key managers: a simulated SEV-SNP
 * guest presents a client certificate issued by the vectors' temp CA whose attestation binds its key;
 * the server (KMS role, certificate from the vectors' KMS root CA with special usage kms:rpc) accepts
 * it only when binding, evidence and the vendor signature hold, and hands the verdict to the
 * application through the SSL session.
 */
class RatlsHandshakeTest {
  private static final String PKI = "vectors/dstack-ratls/pki/";
  private static final String MR_CONFIG = "{\"app_id\":\"00\",\"version\":3}";

  private static SimulatedSnpPlatform platform;
  private static Clock clock;
  private static ExecutorService pool;

  @BeforeAll
  static void setUp() {
    platform = SimulatedSnpPlatform.create(Product.GENOA);
    clock = platform.clockInsideValidity();
    pool = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void tearDown() {
    pool.shutdownNow();
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static PrivateKey pkcs8(String file) throws Exception {
    try (PemReader r = new PemReader(new StringReader(SharedData.text(PKI + file)))) {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(r.readPemObject().getContent()));
    }
  }

  /** A guest certificate whose attestation binds {@code boundKey}; signed by the temp CA. */
  private static byte[] guestCertificate(KeyPair key, byte[] boundSpki, boolean tamperReport) throws Exception {
    Bytes rd = RatlsReportData.forCertificateKey(boundSpki);
    byte[] report = platform.reportBuilder()
        .reportData(rd.toByteArray())
        .hostData(MrConfigV3.hostDataOf(MR_CONFIG.getBytes(StandardCharsets.UTF_8)).toByteArray())
        .sign();
    if (tamperReport) {
      report[0x90] ^= 1; // MEASUREMENT: signed, not part of the offline checks
    }
    Attestation a = new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(report), List.of(), MR_CONFIG),
        new StackEvidence.Dstack(rd, List.of(RuntimeEvent.of("app-id", Bytes.of(new byte[20]))), "{}"));
    return RatlsCertificateBuilder.forKey(key)
        .issuer(SharedData.bytes(PKI + "tmp-ca.pem"), pkcs8("tmp-ca.key.pem"))
        .attestation(VersionedAttestation.of(WireFormat.V0_SCALE, a))
        .buildDer();
  }

  private static SSLContext context(KeyManager km, TrustManager tm) throws Exception {
    SSLContext c = SSLContext.getInstance("TLSv1.3");
    c.init(new KeyManager[] {km}, new TrustManager[] {tm}, null);
    return c;
  }

  /** Runs one handshake; returns the server's view of the client verdict, or throws the client's failure. */
  private static RatlsVerdict handshake(KeyPair guestKey, byte[] guestCert) throws Exception {
    KeyPair serverKey = p256();
    byte[] serverCert = RatlsCertificateBuilder.forKey(serverKey)
        .subject(null, "localhost").subjectAltNames("localhost", "127.0.0.1")
        .specialUsage("kms:rpc")
        .issuer(SharedData.bytes(PKI + "kms-root-ca.pem"), pkcs8("kms-root-ca.key.pem"))
        .buildDer();
    RatlsVerifier clientCheck = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
        .trustedCa(SharedData.bytes(PKI + "tmp-ca.pem")).clock(clock)
        .platformVerifier(a -> platform.verifier(clock).verify(
            SnpReport.parse(((PlatformEvidence.SevSnp) a.platform()).report().toByteArray()), platform.chain()))
        .build();
    RatlsVerifier serverCheck = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
        .trustedCa(SharedData.bytes(PKI + "kms-root-ca.pem")).clock(clock).build();
    SSLContext server = context(RatlsKeyManager.of(serverKey.getPrivate(), serverCert),
        RatlsTrustManager.of(clientCheck));
    SSLContext client = context(RatlsKeyManager.of(guestKey.getPrivate(), guestCert),
        RatlsTrustManager.of(serverCheck));
    try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      ss.setSoTimeout(20_000);
      CompletableFuture<RatlsVerdict> seen = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket s = (SSLSocket) ss.accept()) {
          s.setSoTimeout(20_000);
          s.startHandshake();
          RatlsVerdict v = RatlsTrustManager.verdictOf(s.getSession()).orElseThrow();
          try (OutputStream out = s.getOutputStream()) {
            out.write('k');
            out.flush();
          }
          return v;
        } catch (IOException e) {
          return null;
        }
      }, pool);
      try (SSLSocket c = (SSLSocket) client.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
        c.setSoTimeout(20_000);
        c.startHandshake();
        assertTrue(RatlsTrustManager.verdictOf(c.getSession()).orElseThrow().accepted());
        try (InputStream in = c.getInputStream()) {
          int b = in.read(); // TLS 1.3: the server's verdict on the client arrives after the handshake
          if (b != 'k') {
            throw new IOException("server closed the connection: client certificate refused");
          }
        }
      } finally {
        RatlsVerdict v = seen.get(30, TimeUnit.SECONDS);
        lastServerVerdict = v;
      }
      return lastServerVerdict;
    }
  }

  private static RatlsVerdict lastServerVerdict;

  @Test
  void boundGuestCertificateIsAcceptedAndItsAttestationReachesTheServer() throws Exception {
    KeyPair key = p256();
    RatlsVerdict v = handshake(key, guestCertificate(key, key.getPublic().getEncoded(), false));
    assertTrue(v.accepted());
    assertTrue(v.vendorChecked());
    assertEquals("sev-snp", v.attestation().orElseThrow().attestation().platform().kind());
    assertEquals(List.of("report_data", "host_data"), v.checks());
  }

  @Test
  void certificateBoundToAnotherKeyFailsTheHandshake() throws Exception {
    KeyPair key = p256();
    byte[] cert = guestCertificate(key, p256().getPublic().getEncoded(), false);
    assertThrows(IOException.class, () -> handshake(key, cert));
    assertEquals(null, lastServerVerdict);
    RatlsVerdict offline = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
        .trustedCa(SharedData.bytes(PKI + "tmp-ca.pem")).clock(clock).build().verify(cert);
    assertEquals(RatlsVerifier.Stage.BINDING, offline.rejectStage().orElseThrow());
  }

  @Test
  void tamperedReportFailsAtTheVendorSignature() throws Exception {
    KeyPair key = p256();
    byte[] cert = guestCertificate(key, key.getPublic().getEncoded(), true);
    assertThrows(IOException.class, () -> handshake(key, cert));
    RatlsVerdict offline = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
        .trustedCa(SharedData.bytes(PKI + "tmp-ca.pem")).clock(clock).build().verify(cert);
    assertTrue(offline.accepted(), "only the vendor signature notices");
    assertFalse(offline.vendorChecked());
  }

  @Test
  void builtCertificateFollowsTheRcgenLayout() throws Exception {
    KeyPair key = p256();
    RatlsCertificate c = RatlsCertificate.parse(guestCertificate(key, key.getPublic().getEncoded(), false));
    assertEquals("CN=RA-TLS TEMP Cert", c.subject());
    assertEquals("O=Dstack,CN=Dstack Client Temp CA", c.issuer());
    assertEquals(java.time.Instant.parse("1975-01-01T00:00:00Z"), c.notBefore());
    assertEquals(List.of("2.5.29.15", RatlsCertificate.OID_ATTESTATION), List.copyOf(c.extensions().keySet()));
    assertTrue(c.extensions().get("2.5.29.15").critical());
  }
}
