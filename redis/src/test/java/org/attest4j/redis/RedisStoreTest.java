package org.attest4j.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.kms.KmsReason;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.UsedValueStore;
import org.attest4j.snp.Product;
import org.attest4j.snp.kds.EndorsementQuery;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.EndorsementVerifier;
import org.attest4j.snp.kds.Endorsements;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis stores against a real redis-server on a loopback port. */
class RedisStoreTest {
  static RedisServer server;

  @BeforeAll
  static void up() throws Exception {
    server = RedisServer.startFresh();
  }

  @AfterAll
  static void down() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static Bytes random() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Bytes.of(b);
  }

  @Test
  void exactlyOneOfManyConcurrentUsesAcrossConnectionsWins() throws Exception {
    List<RedisStore> replicas = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      for (int i = 0; i < 3; i++) {
        replicas.add(RedisStore.connect(server.url(), Duration.ofSeconds(5)));
      }
      for (int round = 0; round < 20; round++) {
        Bytes v = random();
        Instant exp = Instant.now().plusSeconds(60);
        AtomicInteger won = new AtomicInteger();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          UsedValueStore s = replicas.get(t % 3).usedValues(Clock.systemUTC(), Duration.ofSeconds(60));
          tasks.add(() -> {
            if (s.markUsed(UsedValueStore.Kind.NONCE, v, exp)) {
              won.incrementAndGet();
            }
            return null;
          });
        }
        for (Future<Void> f : pool.invokeAll(tasks)) {
          f.get();
        }
        assertEquals(1, won.get(), "round " + round);
      }
      // the kinds are separate key spaces
      Bytes v = random();
      UsedValueStore s = replicas.get(0).usedValues(Clock.systemUTC(), Duration.ofSeconds(60));
      assertTrue(s.markUsed(UsedValueStore.Kind.NONCE, v, Instant.now().plusSeconds(60)));
      assertTrue(s.markUsed(UsedValueStore.Kind.REQUEST_DIGEST, v, Instant.now().plusSeconds(60)));
      assertFalse(s.markUsed(UsedValueStore.Kind.REQUEST_DIGEST, v, Instant.now().plusSeconds(60)));
    } finally {
      pool.shutdownNow();
      replicas.forEach(RedisStore::close);
    }
  }

  @Test
  void replicasShareNoncesThroughRedisAndFailClosedWhileItIsDown() throws Exception {
    byte[] secret = new byte[32];
    secret[3] = 9;
    try (RedisStore a = RedisStore.connect(server.url(), Duration.ofSeconds(2));
        RedisStore b = RedisStore.connect(server.url(), Duration.ofSeconds(2))) {
      NonceStore na = NonceStore.builder().secret(secret).usedValues(a.usedValues(Clock.systemUTC(), Duration.ofSeconds(60))).build();
      NonceStore nb = NonceStore.builder().secret(secret).usedValues(b.usedValues(Clock.systemUTC(), Duration.ofSeconds(60))).build();
      NonceStore.IssuedNonce n = na.issue();
      nb.consume(n.nonce());
      assertEquals(KmsReason.REPLAYED,
          assertThrows(org.attest4j.core.VerificationException.class, () -> na.consume(n.nonce())).reason());
      NonceStore.IssuedNonce pending = na.issue();
      server.stop();
      try {
        EndorsementUnavailableException e =
            assertThrows(EndorsementUnavailableException.class, () -> nb.consume(pending.nonce()));
        assertEquals(KmsReason.FRESHNESS_STORE_UNAVAILABLE, e.reason());
        assertTrue(e.isRetryable());
      } finally {
        server.start();
      }
      // back, with an empty memory: nothing whose lifetime began before the restart is accepted
      // (it may have been used), fresh nonces are usable once
      NonceStore.IssuedNonce fresh = awaitFreshUse(nb);
      awaitFreshUse(na); // each client reconnects on its own; until then it fails closed (503)
      assertEquals(KmsReason.REPLAYED,
          assertThrows(org.attest4j.core.VerificationException.class, () -> na.consume(n.nonce())).reason());
      assertEquals(KmsReason.REPLAYED,
          assertThrows(org.attest4j.core.VerificationException.class, () -> na.consume(pending.nonce())).reason());
      assertEquals(KmsReason.REPLAYED,
          assertThrows(org.attest4j.core.VerificationException.class, () -> na.consume(fresh.nonce())).reason());
    }
  }

  /** Until Redis listens again uses fail closed (503): issue and use fresh nonces until one is accepted (at most 30 s). */
  static NonceStore.IssuedNonce awaitFreshUse(NonceStore s) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      NonceStore.IssuedNonce n = s.issue();
      try {
        s.consume(n.nonce());
        return n;
      } catch (EndorsementUnavailableException | org.attest4j.core.VerificationException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
  }

  @Test
  void honoursTheDatabaseNumberAndRefusesWhatIsNotARedisUrl() throws Exception {
    java.net.URI base = server.url();
    java.net.URI db3 = java.net.URI.create("redis://" + base.getHost() + ":" + base.getPort() + "/3");
    Bytes v = random();
    try (RedisStore s = RedisStore.connect(db3, Duration.ofSeconds(2))) {
      assertTrue(s.usedValues(Clock.systemUTC(), Duration.ofSeconds(60))
          .markUsed(UsedValueStore.Kind.NONCE, v, Instant.now().plusSeconds(60)));
    }
    String key = "attest4j:used:nonce:" + v.toHex();
    try (redis.clients.jedis.Jedis raw = new redis.clients.jedis.Jedis(base.getHost(), base.getPort())) {
      assertFalse(raw.exists(key), "not in database 0");
      raw.select(3);
      assertTrue(raw.exists(key), "in database 3");
    }
    for (String bad : List.of("http://127.0.0.1:6379", "redis:///0", "redis://127.0.0.1:6379/x")) {
      assertThrows(IllegalArgumentException.class, () -> RedisStore.connect(java.net.URI.create(bad), Duration.ofSeconds(1)), bad);
    }
  }

  @Test
  void endorsementsAreCachedOnlyVerifiedAndSharedAcrossReplicas() throws Exception {
    SimulatedSnpPlatform p = SimulatedSnpPlatform.builder(Product.GENOA).testOnlyRoot().build();
    SimulatedSnpPlatform rogue = SimulatedSnpPlatform.builder(Product.GENOA).build();
    byte[] report = p.reportBuilder().sign();
    EndorsementQuery q = EndorsementQuery.forReport(org.attest4j.snp.SnpReport.parse(report));
    AtomicInteger upstreamCalls = new AtomicInteger();
    Endorsements real = Endorsements.of(org.attest4j.snp.kds.EndorsementOrigin.REQUEST,
        cert(p.vekDer()), List.of(cert(p.askDer()), cert(p.arkDer())), null);
    EndorsementSource kds = (query, already) -> {
      upstreamCalls.incrementAndGet();
      return already.fillFrom(real);
    };
    EndorsementVerifier trustSimulated = EndorsementVerifier.withAnchors(List.of(p.trustAnchor()));
    Clock clock = p.clockInsideValidity();
    try (RedisStore a = RedisStore.connect(server.url(), Duration.ofSeconds(2));
        RedisStore b = RedisStore.connect(server.url(), Duration.ofSeconds(2))) {
      Endorsements first = a.endorsementCache(kds, trustSimulated, clock, Duration.ofMinutes(5)).find(q);
      assertTrue(first.satisfies(q));
      Endorsements second = b.endorsementCache(kds, trustSimulated, clock, Duration.ofMinutes(5)).find(q);
      assertTrue(second.satisfies(q));
      assertEquals(1, upstreamCalls.get(), "the second replica read the verified entries from Redis");
      assertEquals(java.util.Optional.of(org.attest4j.snp.kds.EndorsementOrigin.CACHE), second.vekOrigin());

      // a source whose chain does not verify under the anchors is never cached
      SimulatedSnpPlatform other = SimulatedSnpPlatform.builder(Product.MILAN).testOnlyRoot().build();
      EndorsementQuery q2 = EndorsementQuery.forReport(org.attest4j.snp.SnpReport.parse(other.reportBuilder().sign()));
      Endorsements forged = Endorsements.of(org.attest4j.snp.kds.EndorsementOrigin.REQUEST,
          cert(other.vekDer()), List.of(cert(rogue.askDer()), cert(rogue.arkDer())), null);
      AtomicInteger forgedCalls = new AtomicInteger();
      EndorsementSource bad = (query, already) -> {
        forgedCalls.incrementAndGet();
        return already.fillFrom(forged);
      };
      EndorsementVerifier trustOther = EndorsementVerifier.withAnchors(List.of(other.trustAnchor()));
      a.endorsementCache(bad, trustOther, clock, Duration.ofMinutes(5)).find(q2);
      b.endorsementCache(bad, trustOther, clock, Duration.ofMinutes(5)).find(q2);
      assertEquals(2, forgedCalls.get(), "nothing unverified was cached");
    }
  }

  static java.security.cert.X509Certificate cert(byte[] der) throws Exception {
    return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(new java.io.ByteArrayInputStream(der));
  }
}
