package org.attest4j.kms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.VerificationException;

/**
 * The default {@link NonceStore}. A nonce is 32 bytes: {@code 0x01} (version), the envelope it is
 * bound to ({@code 0} any, {@code 1} HPKE, {@code 2} AES-SIV PR #630), the issue time in epoch
 * milliseconds (u48 big-endian), 8 random bytes, and the first 16 bytes of HMAC-SHA256(secret,
 * {@code "attest4j-kms-nonce-v1" || bytes 0..16}). Thread-safe (each thread computes the MAC with
 * its own {@link Mac}, keyed once per thread and store); holds no per-nonce state.
 */
final class StatelessNonceStore implements NonceStore {
  private static final byte VERSION = 1;
  private static final byte[] LABEL = "attest4j-kms-nonce-v1".getBytes(StandardCharsets.US_ASCII);
  /** A nonce issued by a replica whose clock is this far ahead is still accepted. */
  private static final long SKEW_MILLIS = 5_000;

  private final Clock clock;
  private final Duration lifetime;
  private final UsedValueStore used;
  private final SecretKeySpec key;
  private final SecureRandom random;
  /** A {@code Mac} is not thread-safe; making and keying one per nonce cost more than the MAC. */
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  StatelessNonceStore(Clock clock, Duration lifetime, UsedValueStore used, byte[] secret, SecureRandom random) {
    this.clock = clock;
    this.lifetime = lifetime;
    this.used = used;
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.random = random;
  }

  @Override
  public Duration lifetime() {
    return lifetime;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public IssuedNonce issue(Optional<EnvelopeMode> envelope) {
    long now = clock.millis();
    byte[] n = new byte[NONCE_LENGTH];
    n[0] = VERSION;
    n[1] = (byte) envelope.map(m -> m.ordinal() + 1).orElse(0).intValue();
    for (int i = 0; i < 6; i++) {
      n[2 + i] = (byte) (now >>> (8 * (5 - i)));
    }
    byte[] r = new byte[8];
    random.nextBytes(r);
    System.arraycopy(r, 0, n, 8, 8);
    System.arraycopy(tag(n), 0, n, 16, 16);
    return new IssuedNonce(Bytes.of(n), Instant.ofEpochMilli(now + lifetime.toMillis()));
  }

  @Override
  public void consume(Bytes nonce, EnvelopeMode envelope) throws AttestationException {
    byte[] n = nonce.toByteArray();
    if (n.length != NONCE_LENGTH || n[0] != VERSION
        || !ConstantTime.equals(Arrays.copyOfRange(n, 16, 32), tag(n))) {
      throw new VerificationException(
          KmsReason.NONCE_UNKNOWN,
          "nonce " + abbreviate(nonce) + " was not issued by this KMS (nor by a replica sharing its key directory)");
    }
    long issued = 0;
    for (int i = 0; i < 6; i++) {
      issued = (issued << 8) | (n[2 + i] & 0xFF);
    }
    long now = clock.millis();
    long exp = issued + lifetime.toMillis();
    if (issued > now + SKEW_MILLIS) {
      throw new VerificationException(
          KmsReason.NONCE_UNKNOWN, "nonce " + abbreviate(nonce) + " was issued in the future (" + Instant.ofEpochMilli(issued)
              + ", now " + Instant.ofEpochMilli(now) + "): the replicas' clocks disagree");
    }
    if (now > exp) {
      throw new VerificationException(
          KmsReason.EXPIRED,
          "nonce " + abbreviate(nonce) + " expired at " + Instant.ofEpochMilli(exp) + ", now " + Instant.ofEpochMilli(now));
    }
    int mode = n[1];
    if (envelope != null && mode != 0 && mode != envelope.ordinal() + 1) {
      String issuedFor = mode - 1 < EnvelopeMode.values().length && mode > 0 ? EnvelopeMode.values()[mode - 1].name() : "code " + mode;
      throw new VerificationException(
          KmsReason.ENVELOPE_MODE_NOT_ALLOWED,
          "nonce " + abbreviate(nonce) + " was issued for envelope " + issuedFor + ", the request asks for " + envelope
              + " (ask GetNonce for a nonce for that envelope)");
    }
    if (!used.markUsed(UsedValueStore.Kind.NONCE, nonce, Instant.ofEpochMilli(exp))) {
      throw new VerificationException(KmsReason.REPLAYED, "nonce " + abbreviate(nonce) + " has already been used");
    }
  }

  @Override
  public void useOnce(Bytes value, Instant expiresAt) throws AttestationException {
    long now = clock.millis();
    if (now > expiresAt.toEpochMilli()) {
      throw new VerificationException(
          KmsReason.EXPIRED, "request expired at " + expiresAt + ", now " + Instant.ofEpochMilli(now));
    }
    if (!used.markUsed(UsedValueStore.Kind.REQUEST_DIGEST, value, expiresAt)) {
      throw new VerificationException(
          KmsReason.REPLAYED, "request digest " + abbreviate(value) + " has already been used");
    }
  }

  private byte[] tag(byte[] n) {
    Mac mac = macs.get();
    mac.reset();
    mac.update(LABEL);
    mac.update(n, 0, 16);
    return Arrays.copyOf(mac.doFinal(), 16);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  static byte[] hmac(byte[] key, byte[] msg) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(msg);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static String abbreviate(Bytes b) {
    String h = b.toHex();
    return h.length() <= 16 ? h : h.substring(0, 16) + "...";
  }

  @Override
  public String toString() {
    return "NonceStore[stateless MAC nonces, lifetime=" + lifetime + ", used values in " + used + "]";
  }
}
