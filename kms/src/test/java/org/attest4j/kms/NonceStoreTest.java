package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.VerificationException;
import org.junit.jupiter.api.Test;

class NonceStoreTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }
  }

  @Test
  void nonceIsUsableExactlyOnce() throws Exception {
    NonceStore s = NonceStore.builder().build();
    NonceStore.IssuedNonce n = s.issue();
    assertEquals(32, n.nonce().length());
    s.consume(n.nonce());
    VerificationException e = assertThrows(VerificationException.class, () -> s.consume(n.nonce()));
    assertEquals(KmsReason.REPLAYED, e.reason());
  }

  @Test
  void unknownNonceIsRefused() {
    NonceStore s = NonceStore.builder().build();
    VerificationException e =
        assertThrows(VerificationException.class, () -> s.consume(Bytes.of(new byte[32])));
    assertEquals(KmsReason.NONCE_UNKNOWN, e.reason());
  }

  @Test
  void expiredNonceIsRefused() throws Exception {
    ManualClock clock = new ManualClock();
    NonceStore s = NonceStore.builder().clock(clock).lifetime(Duration.ofSeconds(30)).build();
    NonceStore.IssuedNonce n = s.issue();
    assertEquals(clock.instant().plusSeconds(30), n.expiresAt());
    clock.advance(Duration.ofSeconds(31));
    VerificationException e = assertThrows(VerificationException.class, () -> s.consume(n.nonce()));
    assertEquals(KmsReason.EXPIRED, e.reason());
  }

  @Test
  void issuingStoresNothingSoAFloodCannotFillTheStore() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryUsedValueStore used = InMemoryUsedValueStore.builder().clock(clock).nonceCapacity(3).build();
    NonceStore s = NonceStore.builder().clock(clock).usedValues(used).lifetime(Duration.ofSeconds(10)).build();
    for (int i = 0; i < 10_000; i++) {
      s.issue();
    }
    assertEquals(0, used.size(UsedValueStore.Kind.NONCE));
    for (int i = 0; i < 3; i++) {
      s.consume(s.issue().nonce());
    }
    // only used nonces take room: when those fill the capacity, the next use is refused (retryable)
    NonceStore.IssuedNonce n = s.issue();
    EndorsementUnavailableException e = assertThrows(EndorsementUnavailableException.class, () -> s.consume(n.nonce()));
    assertEquals(KmsReason.NONCE_STORE_FULL, e.reason());
    assertTrue(e.isRetryable());
    clock.advance(Duration.ofSeconds(11));
    s.consume(s.issue().nonce());
    assertEquals(1, used.size(UsedValueStore.Kind.NONCE));
  }

  @Test
  void noncesAndDigestsHaveSeparateCapacities() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryUsedValueStore used =
        InMemoryUsedValueStore.builder().clock(clock).nonceCapacity(1).requestDigestCapacity(2).build();
    NonceStore s = NonceStore.builder().clock(clock).usedValues(used).build();
    s.useOnce(Bytes.of(new byte[] {1}), clock.instant().plusSeconds(60));
    s.useOnce(Bytes.of(new byte[] {2}), clock.instant().plusSeconds(60));
    assertEquals(KmsReason.NONCE_STORE_FULL, assertThrows(EndorsementUnavailableException.class,
        () -> s.useOnce(Bytes.of(new byte[] {3}), clock.instant().plusSeconds(60))).reason());
    s.consume(s.issue().nonce()); // the digests' fill does not touch the nonces' room
  }

  @Test
  void replicasSharingTheSecretAndTheUsedStoreAcceptANonceOnce() throws Exception {
    ManualClock clock = new ManualClock();
    InMemoryUsedValueStore shared = InMemoryUsedValueStore.builder().clock(clock).build();
    byte[] secret = new byte[32];
    secret[0] = 7;
    NonceStore a = NonceStore.builder().clock(clock).secret(secret).usedValues(shared).build();
    NonceStore b = NonceStore.builder().clock(clock).secret(secret).usedValues(shared).build();
    NonceStore other = NonceStore.builder().clock(clock).usedValues(shared).build();
    NonceStore.IssuedNonce n = a.issue();
    assertEquals(KmsReason.NONCE_UNKNOWN, assertThrows(VerificationException.class, () -> other.consume(n.nonce())).reason());
    b.consume(n.nonce());
    assertEquals(KmsReason.REPLAYED, assertThrows(VerificationException.class, () -> a.consume(n.nonce())).reason());
  }

  @Test
  void aNonceIsBoundToItsEnvelope() throws Exception {
    NonceStore s = NonceStore.builder().build();
    NonceStore.IssuedNonce hpke = s.issue(java.util.Optional.of(org.attest4j.crypto.EnvelopeMode.HPKE_V1));
    VerificationException e =
        assertThrows(VerificationException.class, () -> s.consume(hpke.nonce(), org.attest4j.crypto.EnvelopeMode.AES_SIV_PR630));
    assertEquals(KmsReason.ENVELOPE_MODE_NOT_ALLOWED, e.reason());
    s.consume(hpke.nonce(), org.attest4j.crypto.EnvelopeMode.HPKE_V1); // the refused downgrade did not burn it
    NonceStore.IssuedNonce siv = s.issue(java.util.Optional.of(org.attest4j.crypto.EnvelopeMode.AES_SIV_PR630));
    s.consume(siv.nonce(), org.attest4j.crypto.EnvelopeMode.AES_SIV_PR630);
  }

  @Test
  void tamperedNonceIsUnknown() throws Exception {
    NonceStore s = NonceStore.builder().build();
    for (int i = 0; i < 32; i++) {
      byte[] n = s.issue().nonce().toByteArray();
      n[i] ^= 1;
      assertEquals(KmsReason.NONCE_UNKNOWN,
          assertThrows(VerificationException.class, () -> s.consume(Bytes.of(n))).reason(), "byte " + i);
    }
  }

  @Test
  void usedNoncesStayRememberedSoReplayIsReportedAsReplay() throws Exception {
    ManualClock clock = new ManualClock();
    NonceStore s = NonceStore.builder().clock(clock).build();
    NonceStore.IssuedNonce n = s.issue();
    s.consume(n.nonce());
    clock.advance(Duration.ofSeconds(59));
    assertEquals(KmsReason.REPLAYED, assertThrows(VerificationException.class, () -> s.consume(n.nonce())).reason());
  }

  @Test
  void requestDigestUsableOnceWithinLifetime() throws Exception {
    ManualClock clock = new ManualClock();
    NonceStore s = NonceStore.builder().clock(clock).build();
    Bytes d = Bytes.of(new byte[] {1, 2, 3});
    Instant exp = clock.instant().plusSeconds(60);
    s.useOnce(d, exp);
    AttestationException e = assertThrows(AttestationException.class, () -> s.useOnce(d, exp));
    assertEquals(KmsReason.REPLAYED, e.reason());
    AttestationException old =
        assertThrows(AttestationException.class, () -> s.useOnce(Bytes.of(new byte[] {9}), clock.instant().minusSeconds(1)));
    assertEquals(KmsReason.EXPIRED, old.reason());
  }

  @Test
  void concurrentConsumersWinExactlyOnce() throws Exception {
    NonceStore s = NonceStore.builder().build();
    List<NonceStore.IssuedNonce> nonces = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      nonces.add(s.issue());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(
            () -> {
              int won = 0;
              for (NonceStore.IssuedNonce n : nonces) {
                try {
                  s.consume(n.nonce());
                  won++;
                } catch (VerificationException e) {
                  assertEquals(KmsReason.REPLAYED, e.reason());
                }
              }
              return won;
            });
      }
      int total = 0;
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        total += f.get();
      }
      assertEquals(200, total);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noncesDiffer() throws Exception {
    NonceStore s = NonceStore.builder().build();
    assertNotEquals(s.issue().nonce(), s.issue().nonce());
  }
}
