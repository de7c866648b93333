package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.examples.agent.GuestAgent;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.testsupport.LoopbackServer;
import org.attest4j.testsupport.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's replica check: three {@code KmsServer} processes on one config and key directory, one
 * Redis, a loopback KDS. A nonce from one replica is accepted once at another; 16 concurrent copies
 * of one request spread over the replicas succeed exactly once; the VCEK is fetched from the KDS
 * once for all three; Redis stopped mid-run gives a retryable 503, and no replay succeeds after it is
 * back.
 */
class ReplicatedKmsTest {
  @TempDir Path dir;

  @Test
  void threeReplicasServeOneGuestTogether() throws Exception {
    try (RedisServer redis = RedisServer.startFresh();
        LoopbackServer kds = new LoopbackServer("loopback-kds") {}) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
      Path cfg = NewcomerPathTest.exampleConfig(dir,
          "\"port\": 0,", "\"port\": 0, \"redis_url\": \"" + redis.url() + "\", \"http\": {\"rate_per_second\": 0},",
          "\"endorsements\": {\"cert_chain\": \"TEST-ONLY-simulated-cert-chain-genoa.pem\"}",
          "\"endorsements\": {\"cert_chain\": \"TEST-ONLY-simulated-cert-chain-genoa.pem\", \"kds\": {\"base_url\": \""
              + kds.baseUri() + "\"}}");
      List<JavaProcess> procs = new ArrayList<>();
      try {
        List<URI> replicas = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          // one after the other: the first creates the root keys, the others load them
          JavaProcess p = JavaProcess.start(dir, KmsServer.class, "--config", cfg.toString());
          procs.add(p);
          replicas.add(URI.create(NewcomerPathTest.awaitListening(p)));
        }
        GuestAgent a = GuestAgent.create(replicas.get(0), placeholder(), http);
        byte[] instanceId = new byte[20];
        new SecureRandom().nextBytes(instanceId);
        MrConfigV3 mr = ExampleLaunch.mrConfig(a.meta().getEnvelopeSigningKey().toByteArray(), instanceId);
        SimulatedGuest guest = ExampleLaunch.guest(mr.hostData());
        byte[] doc = mr.documentBytes();
        List<GuestAgent> agents = new ArrayList<>();
        for (URI u : replicas) {
          agents.add(GuestAgent.create(u, guest, http));
        }
        // the KDS serves this chip's VCEK (the guest sends none, so the KMS must fetch it)
        org.attest4j.snp.SnpCertTable table = guest.getReport(new byte[64]).parseCertificateTable().orElseThrow();
        byte[] vcek = table.vcek().orElseThrow().toByteArray();
        kds.fallback(LoopbackServer.Answer.body(pemToDer(vcek)));
        kds.serve(CHAIN, (pem(table.ask().orElseThrow().toByteArray()) + pem(table.ark().orElseThrow().toByteArray()))
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        // a nonce issued by replica 0 is accepted once at replica 1, then refused at replica 2
        GetAppKeyAmdRequest r1 = withoutVcek(agents.get(0).prepare(doc, ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE).request());
        agents.get(1).send(r1);
        AgentException replay = assertThrows(AgentException.class, () -> agents.get(2).send(r1));
        assertEquals(403, replay.status());
        assertTrue(replay.reason().endsWith("REPLAYED"), replay.reason());

        // every replica releases, and the VCEK came from the KDS once for all three
        for (int i = 0; i < 3; i++) {
          agents.get(i).send(withoutVcek(agents.get((i + 2) % 3).prepare(doc, ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE).request()));
        }
        assertEquals(1, kds.totalHits() - kds.hits(CHAIN), "VCEK fetches from the KDS");

        // 16 concurrent copies of one request spread over the replicas: exactly one succeeds
        GetAppKeyAmdRequest once = withoutVcek(agents.get(0).prepare(doc, ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE).request());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        int ok = 0;
        int replayed = 0;
        List<String> others = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
          List<Callable<Integer>> copies = new ArrayList<>();
          for (int i = 0; i < 16; i++) {
            GuestAgent target = agents.get(i % 3);
            copies.add(() -> {
              for (int attempt = 0; ; attempt++) {
                try {
                  target.send(once);
                  return 200;
                } catch (AgentException e) {
                  if (e.status() == 503 && attempt < 100) {
                    // retryable (for example every endorsement slot busy): retry as a client would
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                    continue;
                  }
                  if (!e.reason().endsWith("REPLAYED")) {
                    others.add(e.status() + " " + e.reason() + " " + e.getMessage());
                  }
                  return e.reason().endsWith("REPLAYED") ? 409 : e.status();
                }
              }
            });
          }
          for (Future<Integer> f : pool.invokeAll(copies)) {
            int s = f.get();
            ok += s == 200 ? 1 : 0;
            replayed += s == 409 ? 1 : 0;
          }
        } finally {
          pool.shutdownNow();
        }
        assertEquals(1, ok);
        assertEquals(15, replayed, others.toString());

        // a request used before the outage, and one prepared during it
        GetAppKeyAmdRequest usedBefore = withoutVcek(agents.get(1).prepare(doc, ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE).request());
        agents.get(2).send(usedBefore);
        redis.stop();
        GetAppKeyAmdRequest during = withoutVcek(agents.get(0).prepare(doc, ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE).request());
        HttpResponse<String> down = post(http, replicas.get(1), during);
        assertEquals(503, down.statusCode(), down.body());
        assertTrue(down.body().contains("\"retryable\":true") && down.body().contains("FRESHNESS_STORE_UNAVAILABLE"), down.body());
        assertTrue(down.headers().firstValue("Retry-After").isPresent());
        redis.start();
        // back (empty: no persistence): fresh requests work again once the replicas reconnect...
        awaitRelease(agents.get(2), agents.get(0), doc);
        // ...and no earlier request is accepted anywhere
        for (URI u : replicas) {
          for (GetAppKeyAmdRequest old : List.of(usedBefore, r1, once, during)) {
            HttpResponse<String> r = post(http, u, old);
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains("REPLAYED"), r.body());
          }
        }
        // the restarted Redis (no persistence) had forgotten the VCEK: fetched once more, for all three
        assertEquals(2, kds.totalHits() - kds.hits(CHAIN), "VCEK fetches from the KDS");
      } finally {
        procs.forEach(JavaProcess::close);
      }
    }
  }

  private static org.attest4j.snp.guest.SnpReportProvider placeholder() {
    return new org.attest4j.snp.guest.SnpReportProvider() {
      @Override
      public String name() {
        return "none";
      }

      @Override
      public org.attest4j.snp.guest.SnpGuestReport getReport(byte[] reportData)
          throws org.attest4j.core.EvidenceUnavailableException {
        return getReport(reportData, 0);
      }

      @Override
      public org.attest4j.snp.guest.SnpGuestReport getReport(byte[] reportData, int vmpl)
          throws org.attest4j.core.EvidenceUnavailableException {
        throw new org.attest4j.core.EvidenceUnavailableException(org.attest4j.core.CoreReason.MISSING_INPUT, "no reports here");
      }
    };
  }

  private static GetAppKeyAmdRequest withoutVcek(GetAppKeyAmdRequest r) {
    return r.toBuilder().clearVcekPem().build();
  }

  private static HttpResponse<String> post(HttpClient http, URI kms, GetAppKeyAmdRequest r) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(kms + "/prpc/GetAppKeyAmd")).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(r.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The replicas reconnect on their next command; fresh requests succeed again within 30 s. */
  private static void awaitRelease(GuestAgent nonceFrom, GuestAgent releaseAt, byte[] doc) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        releaseAt.send(withoutVcek(nonceFrom.prepare(doc, ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE).request()));
        return;
      } catch (AgentException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      }
    }
  }

  private static final String CHAIN = "/vcek/v1/Genoa/cert_chain";

  private static String pem(byte[] pemOrDer) {
    byte[] der = pemToDer(pemOrDer);
    return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END CERTIFICATE-----\n";
  }

  private static byte[] pemToDer(byte[] pemOrDer) {
    String s = new String(pemOrDer, java.nio.charset.StandardCharsets.US_ASCII);
    if (!s.contains("-----BEGIN")) {
      return pemOrDer;
    }
    String b64 = s.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return java.util.Base64.getDecoder().decode(b64);
  }
}
