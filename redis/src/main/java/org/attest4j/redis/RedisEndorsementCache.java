package org.attest4j.redis;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.kds.EndorsementOrigin;
import org.attest4j.snp.kds.EndorsementQuery;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.EndorsementVerifier;
import org.attest4j.snp.kds.Endorsements;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A Redis cache of SEV-SNP endorsements in front of another source (usually the AMD KDS): the
 * chain per product and key kind ({@code attest4j:endorsement:chain:<product>:<key>}) and the VCEK
 * per product, chip and TCB ({@code attest4j:endorsement:vek:<product>:<hwID>:<tcb>}), as DER.
 * Nothing unverified is written: a part is cached only after the {@link EndorsementVerifier}
 * accepted it (chain against the trust anchors, VCEK against the chain). Every read is verified
 * again; an entry that no longer verifies (expired, or written by something else) is deleted and
 * treated as missing. A Redis failure only costs the sharing: the upstream source is asked.
 *
 * <p>Thread-safe.
 */
final class RedisEndorsementCache implements EndorsementSource {
  private static final System.Logger LOG = System.getLogger(RedisEndorsementCache.class.getName());

  private final RedisStore redis;
  private final EndorsementSource upstream;
  private final EndorsementVerifier verifier;
  private final Clock clock;
  private final Duration ttl;

  RedisEndorsementCache(RedisStore redis, EndorsementSource upstream, EndorsementVerifier verifier, Clock clock, Duration ttl) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.upstream = Objects.requireNonNull(upstream, "upstream");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  @Override
  public Endorsements find(EndorsementQuery q, Endorsements already) throws AttestationException {
    Endorsements have = already;
    String chainKey = "endorsement:chain:" + q.product().kdsName() + ":" + q.signingKey();
    String vekKey = "endorsement:vek:" + q.product().kdsName() + ":" + HexFormat.of().formatHex(q.hwId()) + ":"
        + Long.toHexString(q.reportedTcb().raw());
    boolean wantVek = q.signingKey() == SigningKey.VCEK;
    if (have.chain().isEmpty()) {
      List<X509Certificate> chain = readChain(chainKey);
      if (!chain.isEmpty() && verifies(q, chain, null)) {
        have = have.fillFrom(Endorsements.of(EndorsementOrigin.CACHE, null, chain, null));
      } else if (!chain.isEmpty()) {
        forget(chainKey);
      }
    }
    if (wantVek && have.vek().isEmpty() && !have.chain().isEmpty()) {
      X509Certificate vek = readOne(vekKey);
      if (vek != null && verifies(q, have.chain(), vek)) {
        have = have.fillFrom(Endorsements.of(EndorsementOrigin.CACHE, vek, List.of(), null));
      } else if (vek != null) {
        forget(vekKey);
      }
    }
    if (have.satisfies(q)) {
      return have;
    }
    Endorsements before = have;
    Endorsements got = upstream.find(q, have);
    // cache only what the upstream added, and only once it verifies
    if (before.chain().isEmpty() && !got.chain().isEmpty() && verifies(q, got.chain(), null)) {
      write(chainKey, encode(got.chain()));
    }
    if (wantVek && before.vek().isEmpty() && got.vek().isPresent() && !got.chain().isEmpty()
        && verifies(q, got.chain(), got.vek().get())) {
      write(vekKey, encode(List.of(got.vek().get())));
    }
    return got;
  }

  private boolean verifies(EndorsementQuery q, List<X509Certificate> chain, X509Certificate vek) {
    try {
      verifier.verify(q.product(), q.signingKey(), chain, vek, clock.instant());
      return true;
    } catch (AttestationException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "not caching / dropping an endorsement that does not verify: " + e.getMessage());
      return false;
    }
  }

  private List<X509Certificate> readChain(String key) {
    byte[] b = read(key);
    return b == null ? List.of() : decode(b);
  }

  private X509Certificate readOne(String key) {
    byte[] b = read(key);
    List<X509Certificate> l = b == null ? List.of() : decode(b);
    return l.size() == 1 ? l.get(0) : null;
  }

  private byte[] read(String key) {
    try {
      return redis.get(key);
    } catch (JedisException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "endorsement cache unavailable (" + e.getClass().getSimpleName() + "); asking upstream");
      return null;
    }
  }

  private void write(String key, byte[] value) {
    if (value == null) {
      return;
    }
    try {
      redis.set(key, value, ttl.toMillis());
    } catch (JedisException e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "endorsement cache unavailable (" + e.getClass().getSimpleName() + "); not cached");
    }
  }

  private void forget(String key) {
    try {
      redis.delete(key);
    } catch (JedisException e) {
      // the entry is not used anyway
    }
  }

  /** u32 length || DER, for each certificate. */
  static byte[] encode(List<X509Certificate> certs) {
    try {
      List<byte[]> ders = new ArrayList<>();
      int n = 0;
      for (X509Certificate c : certs) {
        byte[] d = c.getEncoded();
        ders.add(d);
        n += 4 + d.length;
      }
      ByteBuffer b = ByteBuffer.allocate(n);
      for (byte[] d : ders) {
        b.putInt(d.length).put(d);
      }
      return b.array();
    } catch (CertificateEncodingException e) {
      return null;
    }
  }

  /** The certificates of {@link #encode}; empty for anything malformed. */
  static List<X509Certificate> decode(byte[] value) {
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      ByteBuffer b = ByteBuffer.wrap(value);
      List<X509Certificate> out = new ArrayList<>();
      while (b.hasRemaining()) {
        if (b.remaining() < 4 || out.size() >= 4) {
          return List.of();
        }
        int len = b.getInt();
        if (len <= 0 || len > b.remaining()) {
          return List.of();
        }
        byte[] d = new byte[len];
        b.get(d);
        out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(d)));
      }
      return out;
    } catch (CertificateException | RuntimeException e) {
      return List.of();
    }
  }

  @Override
  public String toString() {
    return "RedisEndorsementCache[" + redis + " in front of " + upstream + ", ttl " + ttl + "]";
  }
}
