package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
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
}
