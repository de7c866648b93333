package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsKeyManager;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.guest.SnpGuestReport;
import org.junit.jupiter.api.Test;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RA-TLS server's per-client limits (issue 13 applied to issue 14's RPCs): every RPC that runs
 * a full attestation verification (and may fetch endorsements) takes a token from the caller's
 * bucket before its body is even read.
 */
class RatlsServerLimitsTest {
  static KmsTestbed bed;

  @BeforeAll
  static void up() throws Exception {
    bed = new KmsTestbed();
  }

  @AfterAll
  static void down() {
    bed.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"SignCert", "GetKmsKey", "GetAppKey"})
  void attestationVerifyingRpcsAreRateLimitedPerClient(String method) throws Exception {
    try (KmsServer s = KmsServer.builder(bed.service).limits(HttpLimits.DEFAULTS.withRate(0.001, 2))
        .ratls(KmsCertificateAuthority.of(bed.roots, bed.clock)).start()) {
      HttpClient http = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
      HttpRequest req = HttpRequest.newBuilder(URI.create(s.baseUri() + "/prpc/" + method))
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x0a, 0x01, 0x00})).build();
      int limited = 0;
      String last = "";
      for (int i = 0; i < 4; i++) {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 429) {
          limited++;
          last = r.body();
        }
      }
      assertEquals(2, limited, method + " was not rate limited: " + last);
      assertTrue(last.contains("RATE_LIMITED"), last);
    }
  }

  /**
   * One client's TLS handshakes with a client certificate: each makes the server verify the RA-TLS
   * certificate (chain signature, attestation decoding, binding, evidence); beyond the client's
   * budget the handshake fails before that check, while GetMeta needs no token.
   */
  @Test
  void certificateHandshakesArePerClientRateLimited() throws Exception {
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(bed.roots, Clock.systemUTC());
    try (KmsServer s = KmsServer.builder(bed.service).limits(HttpLimits.DEFAULTS.withRate(0.001, 3))
        .ratls(ca).start()) {
      KeyPair key = org.attest4j.examples.agent.RatlsGuest.newKey();
      byte[] cert = RatlsCertificateBuilder.forKey(key)
          .issuer(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII),
              pkcs8(ca.tempCaKeyPem()))
          .attestation(attestation(key)).buildDer();
      int ok = 0;
      for (int i = 0; i < 6; i++) {
        // a new context each time: no session to resume, so every handshake presents the certificate
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        // the server certificate is not what this test is about
        tls.init(new KeyManager[] {RatlsKeyManager.of(key.getPrivate(), cert)},
            new TrustManager[] {new TrustAllTls.Manager()}, new SecureRandom());
        if (getMeta(tls, s.baseUri().getPort()).startsWith("HTTP/1.1 200")) {
          ok++;
        }
      }
      assertEquals(3, ok, "handshakes with a verified client certificate from one address");
    }
  }

  private static java.security.PrivateKey pkcs8(String pem) throws Exception {
    String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
    return java.security.KeyFactory.getInstance("EC")
        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(b64)));
  }

  /** A fresh TLS connection, GET GetMeta; the answer, or "" when the handshake was refused. */
  private static String getMeta(SSLContext tls, int port) {
    try (SSLSocket sock = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      sock.setSoTimeout(30_000);
      sock.getOutputStream().write("GET /prpc/GetMeta HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      sock.getOutputStream().flush();
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      sock.getInputStream().transferTo(b);
      return b.toString(StandardCharsets.ISO_8859_1);
    } catch (IOException refused) {
      return "";
    }
  }

  /** A simulated SEV-SNP guest's attestation bound to {@code key} (it passes the offline checks). */
  private static VersionedAttestation attestation(KeyPair key) throws Exception {
    Bytes rd = RatlsReportData.forCertificateKey(key.getPublic().getEncoded());
    MrConfigV3 mr = ExampleLaunch.mrConfig(bed.roots.rootCaPublicKeySpki().toByteArray(), new byte[20]);
    SnpGuestReport r = ExampleLaunch.guest(mr.hostData()).getReport(rd.toByteArray());
    List<Bytes> chain = r.parseCertificateTable().flatMap(SnpCertTable::vcek).map(List::of).orElse(List.of());
    return VersionedAttestation.of(WireFormat.V0_SCALE, new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(r.report()), chain,
            new String(mr.documentBytes(), StandardCharsets.UTF_8)),
        new StackEvidence.Dstack(rd, List.of(), "{}")));
  }
}
