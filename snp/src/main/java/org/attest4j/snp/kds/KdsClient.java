package org.attest4j.snp.kds;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRLException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.internal.DiskCache;
import org.attest4j.core.internal.EndorsementHttp;
import org.attest4j.core.internal.ExpiringCache;
import org.attest4j.core.internal.ExpiringCache.Cached;
import org.attest4j.core.internal.RetryPolicy;
import org.attest4j.core.internal.Sleeper;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.TcbVersion;

/**
 * A client for the AMD Key Distribution Service (KDS) with caching, built for the KDS's real
 * behaviour (about one request per 10 s per client, HTTP 429 beyond that):
 *
 * <ul>
 *   <li>VCEKs by product, hwID and TCB ({@code /vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..
 *       &ucodeSPL=..}; Turin: an 8-byte hwID and {@code fmcSPL} first); the ASK/ARK and ASVK/ARK
 *       chains ({@code /vcek/v1/{product}/cert_chain}, {@code /vlek/v1/{product}/cert_chain}); the
 *       ARK-signed CRLs ({@code /vcek/v1/{product}/crl}, {@code /vlek/v1/{product}/crl}). Siena and
 *       Bergamo parts use Genoa's endpoints.
 *   <li>A configurable base URI (mirrors, proxies, tests) and an optional caller-supplied {@link
 *       HttpClient}.
 *   <li>A bounded deadline per attempt; bounded retries with exponential backoff that honour {@code
 *       Retry-After} on 429 and 503, up to a configurable maximum.
 *   <li>Concurrent requests for the same certificate coalesced into one fetch.
 *   <li>A bounded in-memory cache and an optional on-disk cache. Files are written atomically, only
 *       after the certificate verified, and every file read back is verified again (pinned ARK,
 *       signatures, and the requested hwID and TCB) before use; a file that fails is discarded.
 *       CRLs are kept only until their nextUpdate.
 *   <li>An offline mode that never touches the network.
 * </ul>
 *
 * <p>Nothing is returned unverified: bodies that do not parse, or do not verify against the pinned
 * AMD roots (through the {@link EndorsementVerifier}), are refused with {@link
 * EndorsementUnavailableException} ({@link KdsReason#BAD_RESPONSE} or {@link
 * KdsReason#UNTRUSTED_RESPONSE}) and never cached.
 *
 * <p>Thread-safe; one instance should be shared by the whole application.
 */
public final class KdsClient implements EndorsementSource {
  private static final System.Logger LOG = System.getLogger(KdsClient.class.getName());

  /** AMD's KDS. */
  public static final URI DEFAULT_BASE_URI = URI.create("https://kdsintf.amd.com");

  /** Suffix of the cache file recording the URL a cached endorsement was fetched from. */
  private static final String SOURCE_SUFFIX = ".source";

  private static final int MEMORY_ENTRIES = 512;

  private static final EndorsementHttp.Service KDS =
      new EndorsementHttp.Service(
          "AMD KDS",
          "KDS",
          "AMD limits clients to about one request per 10 s: use a cache directory",
          "check the product, hwID and TCB",
          new EndorsementHttp.Reasons(
              KdsReason.TIMEOUT,
              KdsReason.BAD_RESPONSE,
              KdsReason.NETWORK_ERROR,
              KdsReason.THROTTLED,
              KdsReason.SERVER_UNAVAILABLE,
              KdsReason.NOT_FOUND,
              KdsReason.HTTP_ERROR,
              KdsReason.INTERRUPTED),
          // the retry log keeps the logger name of the former KdsHttp class
          System.getLogger(KdsClient.class.getPackageName() + ".KdsHttp"));

  private final String base;
  private final EndorsementHttp http;
  private final DiskCache disk;
  private final boolean offline;
  private final boolean fetchVlek;
  private final boolean checkValidity;
  private final Clock clock;
  private final EndorsementVerifier verifier;
  private final ExpiringCache memory;

  private KdsClient(Builder b) {
    this.base = EndorsementHttp.withoutTrailingSlashes(b.baseUri);
    HttpClient client =
        b.httpClient != null ? b.httpClient : EndorsementHttp.defaultClient(b.connectTimeout);
    this.clock = b.clock;
    this.memory = new ExpiringCache(MEMORY_ENTRIES, b.clock, KdsReason.INTERRUPTED);
    this.http =
        new EndorsementHttp(
            KDS,
            client,
            b.requestTimeout,
            RetryPolicy.of(b.maxAttempts, b.initialBackoff, b.maxBackoff, b.maxRetryAfter),
            b.clock,
            b.sleeper,
            b.maxBodyBytes,
            b.breakerWindow);
    this.disk = b.cacheDirectory == null ? null : DiskCache.at(b.cacheDirectory);
    this.offline = b.offline;
    this.fetchVlek = b.fetchVlek;
    this.checkValidity = b.checkValidity;
    this.verifier = b.verifier;
  }

  /**
   * A builder with the defaults: AMD's KDS, 10 s per attempt, 4 attempts, no disk cache.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A client with every default (AMD's KDS, memory cache only).
   *
   * @return a client with every default (AMD's KDS, memory cache only)
   */
  public static KdsClient create() {
    return builder().build();
  }

  /**
   * Whether this client never uses the network.
   *
   * @return whether this client never uses the network
   */
  public boolean isOffline() {
    return offline;
  }

  /**
   * The cache directory, if any.
   *
   * @return the cache directory, if any
   */
  public Optional<Path> cacheDirectory() {
    return disk == null ? Optional.empty() : Optional.of(disk.directory());
  }

  // ------------------------------------------------------------------ URLs

  /**
   * The VCEK URL: {@code {base}/vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..},
   * for Turin {@code ?fmcSPL=..&blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..} with the 8-byte hwID. SPLs
   * are decimal, zero-padded to two digits as AMD documents them.
   *
   * @param hwId the 64-byte CHIP_ID, or for Turin its first 8 bytes (a 64-byte CHIP_ID is accepted)
   * @param product the product
   * @param tcb the TCB
   * @return the VCEK URL: {@code {base}/vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..},
   *     for Turin {@code ?fmcSPL=..&blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..} with the 8-byte hwID
   */
  public URI vcekUri(Product product, byte[] hwId, TcbVersion tcb) {
    byte[] id = hwIdFor(product, hwId);
    return URI.create(
        base + "/vcek/v1/" + product.kdsName() + "/" + HexFormat.of().formatHex(id) + splQuery(product, tcb));
  }

  /**
   * Where the VCEK for this chip and TCB came from: the URL recorded with the copy in the cache
   * directory when it holds one (so an offline client names the KDS or mirror that filled the cache),
   * else {@link #vcekUri}. A label for reports and logs only: it is never trusted for verification.
   *
   * @param product the product
   * @param hwId the 64-byte CHIP_ID (for Turin the first 8 bytes, or the 64-byte CHIP_ID)
   * @param tcb the report's REPORTED_TCB
   * @return the source URL
   */
  public URI vcekSource(Product product, byte[] hwId, TcbVersion tcb) {
    byte[] id = hwIdFor(product, hwId);
    TcbVersion t = tcb.product() == product ? tcb : tcb.decodedAs(product);
    return recordedSource(vcekCacheKey(product, id, t)).orElseGet(() -> vcekUri(product, id, t));
  }

  /**
   * Where the VLEK for this TCB came from: as {@link #vcekSource}, else {@link #vlekUri}.
   *
   * @param product the product
   * @param tcb the report's REPORTED_TCB
   * @return the source URL
   */
  public URI vlekSource(Product product, TcbVersion tcb) {
    TcbVersion t = tcb.product() == product ? tcb : tcb.decodedAs(product);
    return recordedSource(vlekCacheKey(product, t)).orElseGet(() -> vlekUri(product, t));
  }

  private Optional<URI> recordedSource(String cacheKey) {
    if (disk == null) {
      return Optional.empty();
    }
    try {
      Optional<byte[]> b = disk.read(cacheKey + SOURCE_SUFFIX);
      if (b.isEmpty()) {
        return Optional.empty();
      }
      URI u = URI.create(new String(b.get(), StandardCharsets.UTF_8).strip());
      String scheme = u.getScheme();
      return "https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme) ? Optional.of(u) : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The VLEK URL, {@code {base}/vlek/v1/{product}/cert?..SPLs..}. AMD serves it only to cloud
   * providers with credentials; verifiers normally take the VLEK from the certificate table.
   *
   * @param product the product
   * @param tcb the TCB
   * @return the VLEK URL, {@code {base}/vlek/v1/{product}/cert?..SPLs..}
   */
  public URI vlekUri(Product product, TcbVersion tcb) {
    return URI.create(base + "/vlek/v1/" + product.kdsName() + "/cert" + splQuery(product, tcb));
  }

  /**
   * {@code {base}/vcek/v1/{product}/cert_chain} (ASK, ARK) or {@code /vlek/...} (ASVK, ARK).
   *
   * @param product the product
   * @param key the key
   * @return {@code {base}/vcek/v1/{product}/cert_chain} (ASK, ARK) or {@code /vlek/...} (ASVK, ARK)
   */
  public URI certChainUri(Product product, SigningKey key) {
    return URI.create(base + "/" + segment(key) + "/v1/" + product.kdsName() + "/cert_chain");
  }

  /**
   * {@code {base}/vcek/v1/{product}/crl} or {@code /vlek/...}: the ARK-signed CRL (DER).
   *
   * @param product the product
   * @param key the key
   * @return {@code {base}/vcek/v1/{product}/crl} or {@code /vlek/...}: the ARK-signed CRL (DER)
   */
  public URI crlUri(Product product, SigningKey key) {
    return URI.create(base + "/" + segment(key) + "/v1/" + product.kdsName() + "/crl");
  }

  private static String segment(SigningKey key) {
    switch (key) {
      case VCEK:
        return "vcek";
      case VLEK:
        return "vlek";
      default:
        throw new IllegalArgumentException("no KDS endpoints for signing key " + key);
    }
  }

  private static String splQuery(Product product, TcbVersion tcb) {
    TcbVersion t = tcb.product() == product ? tcb : tcb.decodedAs(product);
    StringBuilder q = new StringBuilder("?");
    if (product.hasFmc()) {
      q.append("fmcSPL=").append(spl(t.fmc().getAsInt())).append('&');
    }
    return q.append("blSPL=").append(spl(t.bootloader()))
        .append("&teeSPL=").append(spl(t.tee()))
        .append("&snpSPL=").append(spl(t.snp()))
        .append("&ucodeSPL=").append(spl(t.microcode()))
        .toString();
  }

  private static String spl(int v) {
    return String.format(Locale.ROOT, "%02d", v);
  }

  private static byte[] hwIdFor(Product product, byte[] hwId) {
    Objects.requireNonNull(hwId, "hwId");
    int n = product.hwIdLength();
    if (hwId.length != n && hwId.length != 64) {
      throw new IllegalArgumentException(
          product + " hwID must be " + n + " bytes (or the 64-byte CHIP_ID), got " + hwId.length);
    }
    return Arrays.copyOf(hwId, n);
  }

  // ------------------------------------------------------------------ fetching

  /** A verified chain with the exact bytes it came as. */
  private static final class ChainEntry {
    final List<X509Certificate> certs;
    final byte[] pem;

    ChainEntry(List<X509Certificate> certs, byte[] pem) {
      this.certs = List.copyOf(certs);
      this.pem = pem.clone();
    }
  }

  /**
   * The [ASK, ARK] (VCEK) or [ASVK, ARK] (VLEK) chain for a product, verified against the pinned ARK.
   *
   * @param product the product
   * @param key the key
   * @return the [ASK, ARK] (VCEK) or [ASVK, ARK] (VLEK) chain for a product, verified against the pinned ARK
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  public List<X509Certificate> certChain(Product product, SigningKey key) throws AttestationException {
    return chainEntry(product, key).certs;
  }

  /**
   * The same chain as {@link #certChain}, as the exact PEM bytes the KDS served (ASK or ASVK, then
   * ARK), e.g. to write a {@code cert_chain.pem} file.
   *
   * @param product the product
   * @param key the key
   * @return the same chain as {@link #certChain}, as the exact PEM bytes the KDS served (ASK or ASVK, then
   *     ARK), e.g
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  public byte[] certChainPem(Product product, SigningKey key) throws AttestationException {
    return chainEntry(product, key).pem.clone();
  }

  private ChainEntry chainEntry(Product product, SigningKey key) throws AttestationException {
    String what = segment(key).toUpperCase(Locale.ROOT) + " certificate chain for " + product;
    String cacheKey = "kds-" + segment(key) + "-" + product.kdsName() + "-cert_chain.pem";
    return (ChainEntry)
        cached(
            cacheKey,
            what,
            () -> {
              Instant at = validityInstant();
              ChainEntry fromDisk = readDisk(cacheKey, what, bytes -> {
                List<X509Certificate> chain = parseChain(bytes, what);
                verifier.verify(product, key, chain, null, at);
                return new ChainEntry(chain, bytes);
              });
              if (fromDisk != null) {
                return new Cached(fromDisk, expiry(notAfter(fromDisk.certs)));
              }
              byte[] body = fetch(certChainUri(product, key), what);
              List<X509Certificate> chain = parseChain(body, what);
              untrustedIfFails(what, () -> verifier.verify(product, key, chain, null, at));
              writeDisk(cacheKey, body);
              return new Cached(new ChainEntry(chain, body), expiry(notAfter(chain)));
            });
  }

  /** The instant certificates must be valid at, or null when validity periods are not checked. */
  private Instant validityInstant() {
    return checkValidity ? clock.instant() : null;
  }

  private Instant expiry(Instant notAfter) {
    return checkValidity ? notAfter : Instant.MAX;
  }

  /**
   * The VCEK for a chip at a TCB, verified: signed by the product's ASK (itself verified against the
   * pinned ARK), valid now, and carrying exactly the requested hwID and TCB SPLs.
   *
   * @param hwId the 64-byte CHIP_ID (for Turin the first 8 bytes, or the 64-byte CHIP_ID)
   * @param tcb the report's REPORTED_TCB
   * @param product the product
   * @return the VCEK for a chip at a TCB, verified: signed by the product's ASK (itself verified against the
   *     pinned ARK), valid now, and carrying exactly the requested hwID and TCB SPLs
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  public X509Certificate vcek(Product product, byte[] hwId, TcbVersion tcb) throws AttestationException {
    byte[] id = hwIdFor(product, hwId);
    if (allZero(id)) {
      throw new EndorsementUnavailableException(
          KdsReason.MASKED_CHIP_ID,
          "the report's CHIP_ID is all zero (MASK_CHIP_ID is set on the host), so no VCEK can be"
              + " fetched; supply the VCEK with the report or from the certificate table");
    }
    TcbVersion t = tcb.product() == product ? tcb : tcb.decodedAs(product);
    String what = "VCEK for " + product + " hwID " + HexFormat.of().formatHex(id, 0, 8) + ".. TCB " + t;
    String cacheKey = vcekCacheKey(product, id, t);
    return (X509Certificate) cached(cacheKey, what, () -> {
      List<X509Certificate> chain = certChain(product, SigningKey.VCEK);
      Instant now = validityInstant();
      X509Certificate fromDisk = readDisk(cacheKey, what, bytes -> {
        X509Certificate c = parseCert(bytes, what);
        checkVek(product, SigningKey.VCEK, chain, c, id, t, now, what);
        return c;
      });
      if (fromDisk != null) {
        return new Cached(fromDisk, expiry(fromDisk.getNotAfter().toInstant()));
      }
      URI uri = vcekUri(product, id, t);
      byte[] body = fetch(uri, what);
      X509Certificate c = parseCert(body, what);
      untrustedIfFails(what, () -> checkVek(product, SigningKey.VCEK, chain, c, id, t, now, what));
      writeDisk(cacheKey, c.getEncoded());
      writeDisk(cacheKey + SOURCE_SUFFIX, uri.toString().getBytes(StandardCharsets.UTF_8));
      return new Cached(c, expiry(c.getNotAfter().toInstant()));
    });
  }

  /**
   * The VLEK for a TCB from {@link #vlekUri}. AMD's public KDS does not serve VLEKs without cloud
   * provider credentials, so this normally fails with {@link KdsReason#VLEK_NOT_PUBLIC}; it is for
   * mirrors that do serve them.
   *
   * @param product the product
   * @param tcb the TCB
   * @return the VLEK for a TCB from {@link #vlekUri}
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  public X509Certificate vlek(Product product, TcbVersion tcb) throws AttestationException {
    TcbVersion t = tcb.product() == product ? tcb : tcb.decodedAs(product);
    String what = "VLEK for " + product + " TCB " + t;
    String cacheKey = vlekCacheKey(product, t);
    return (X509Certificate) cached(cacheKey, what, () -> {
      List<X509Certificate> chain = certChain(product, SigningKey.VLEK);
      Instant now = validityInstant();
      X509Certificate fromDisk = readDisk(cacheKey, what, bytes -> {
        X509Certificate c = parseCert(bytes, what);
        checkVek(product, SigningKey.VLEK, chain, c, null, t, now, what);
        return c;
      });
      if (fromDisk != null) {
        return new Cached(fromDisk, expiry(fromDisk.getNotAfter().toInstant()));
      }
      byte[] body;
      try {
        body = fetch(vlekUri(product, t), what);
      } catch (EndorsementUnavailableException e) {
        if (e.reason() == KdsReason.NOT_FOUND || e.reason() == KdsReason.HTTP_ERROR) {
          throw new EndorsementUnavailableException(
              KdsReason.VLEK_NOT_PUBLIC,
              "the KDS at " + vlekUri(product, t) + " does not serve the " + what + " (" + e.getMessage()
                  + "); AMD hands VLEKs only to cloud providers: take it from the host's certificate table",
              null,
              e);
        }
        throw e;
      }
      X509Certificate c = parseCert(body, what);
      untrustedIfFails(what, () -> checkVek(product, SigningKey.VLEK, chain, c, null, t, now, what));
      writeDisk(cacheKey, c.getEncoded());
      writeDisk(cacheKey + SOURCE_SUFFIX, vlekUri(product, t).toString().getBytes(StandardCharsets.UTF_8));
      return new Cached(c, expiry(c.getNotAfter().toInstant()));
    });
  }

  /**
   * The ARK-signed CRL for a product's VCEK or VLEK chain, verified (signature by the pinned ARK,
   * thisUpdate &le; now &lt; nextUpdate) and cached only until its nextUpdate.
   *
   * @param product the product
   * @param key the key
   * @return the ARK-signed CRL for a product's VCEK or VLEK chain, verified (signature by the pinned ARK,
   *     thisUpdate &le; now &lt; nextUpdate) and cached only until its nextUpdate
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  public X509CRL crl(Product product, SigningKey key) throws AttestationException {
    String what = segment(key).toUpperCase(Locale.ROOT) + " CRL for " + product;
    String cacheKey = "kds-" + segment(key) + "-" + product.kdsName() + "-crl.der";
    return (X509CRL) cached(cacheKey, what, () -> {
      List<X509Certificate> chain = certChain(product, key);
      X509Certificate ark = chain.get(1);
      Instant now = clock.instant();
      X509CRL fromDisk = readDisk(cacheKey, what, bytes -> {
        X509CRL c = parseCrl(bytes, what);
        checkCrl(c, ark, now, what);
        return c;
      });
      if (fromDisk != null) {
        return new Cached(fromDisk, fromDisk.getNextUpdate().toInstant());
      }
      byte[] body = fetch(crlUri(product, key), what);
      X509CRL c = parseCrl(body, what);
      checkCrl(c, ark, now, what);
      writeDisk(cacheKey, body);
      return new Cached(c, c.getNextUpdate().toInstant());
    });
  }

  /**
   * Supplies what {@code already} lacks: the chain, the VCEK (a VLEK only when the builder enabled
   * {@link Builder#fetchVlek(boolean)}, since the public KDS does not serve VLEKs), and the CRL when
   * asked. In offline mode, cache misses leave parts empty instead of failing.
   */
  @Override
  public Endorsements find(EndorsementQuery q, Endorsements already) throws AttestationException {
    Endorsements acc = already;
    Product p = q.product();
    if (acc.chain().isEmpty()) {
      List<X509Certificate> chain = orNullIfOfflineMiss(() -> certChain(p, q.signingKey()));
      if (chain != null) {
        acc = acc.fillFrom(Endorsements.of(origin(), null, chain, null));
      }
    }
    if (acc.vek().isEmpty()) {
      X509Certificate vek = null;
      if (q.signingKey() == SigningKey.VCEK) {
        vek = orNullIfOfflineMiss(() -> vcek(p, q.hwId(), q.reportedTcb()));
      } else if (fetchVlek) {
        try {
          vek = orNullIfOfflineMiss(() -> vlek(p, q.reportedTcb()));
        } catch (EndorsementUnavailableException e) {
          if (e.reason() != KdsReason.VLEK_NOT_PUBLIC) {
            throw e;
          }
        }
      }
      if (vek != null) {
        acc = acc.fillFrom(Endorsements.of(origin(), vek, List.of(), null));
      }
    }
    if (q.includeCrl() && acc.crl().isEmpty()) {
      X509CRL crl = orNullIfOfflineMiss(() -> crl(p, q.signingKey()));
      if (crl != null) {
        acc = acc.fillFrom(Endorsements.of(origin(), null, List.of(), crl));
      }
    }
    return acc;
  }

  private EndorsementOrigin origin() {
    return offline ? EndorsementOrigin.CACHE : EndorsementOrigin.KDS;
  }

  private interface Fetch<T> {
    T get() throws AttestationException;
  }

  private <T> T orNullIfOfflineMiss(Fetch<T> f) throws AttestationException {
    try {
      return f.get();
    } catch (EndorsementUnavailableException e) {
      if (offline && e.reason() == KdsReason.OFFLINE_CACHE_MISS) {
        return null;
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ cache plumbing

  private interface Loader {
    Cached load() throws AttestationException, CertificateException;
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws AttestationException;
  }

  private Object cached(String key, String what, Loader loader) throws AttestationException {
    return memory.get(
        key,
        what,
        () -> {
          try {
            return loader.load();
          } catch (CertificateException e) {
            throw new EndorsementUnavailableException(
                KdsReason.BAD_RESPONSE, "could not encode the " + what + ": " + e.getMessage(), null, e);
          }
        });
  }

  private <T> T readDisk(String key, String what, Parser<T> parser) throws EndorsementUnavailableException {
    if (disk == null) {
      return null;
    }
    Optional<byte[]> bytes;
    try {
      bytes = disk.read(key);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read cached " + what + " from " + disk.directory() + ": " + e);
      return null;
    }
    if (bytes.isEmpty()) {
      return null;
    }
    try {
      T t = parser.parse(bytes.get());
      LOG.log(Level.DEBUG, () -> "KDS cache hit: " + what);
      return t;
    } catch (AttestationException | RuntimeException e) {
      LOG.log(Level.WARNING, "discarding cached " + what + " (" + key + "): " + e.getMessage());
      try {
        disk.delete(key);
      } catch (IOException io) {
        LOG.log(Level.WARNING, "cannot delete " + key + ": " + io);
      }
      return null;
    }
  }

  private static String vcekCacheKey(Product product, byte[] id, TcbVersion t) {
    return "kds-vcek-" + product.kdsName() + "-" + HexFormat.of().formatHex(id) + "-"
        + String.format(Locale.ROOT, "%016x", t.raw()) + ".der";
  }

  private static String vlekCacheKey(Product product, TcbVersion t) {
    return "kds-vlek-" + product.kdsName() + "-" + String.format(Locale.ROOT, "%016x", t.raw()) + ".der";
  }

  private void writeDisk(String key, byte[] body) {
    if (disk == null) {
      return;
    }
    try {
      disk.write(key, body);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write the KDS cache " + disk.directory() + ": " + e);
    }
  }

  private byte[] fetch(URI uri, String what) throws EndorsementUnavailableException {
    if (offline) {
      throw new EndorsementUnavailableException(
          KdsReason.OFFLINE_CACHE_MISS,
          "offline mode and no verified " + what + " in "
              + (disk == null ? "memory (no cache directory configured)" : "the cache " + disk.directory()));
    }
    return http.get(uri, what).body();
  }

  /** How many HTTP requests this client sent, retries included (for tests and metrics). */
  long httpRequestCount() {
    return http.requestCount();
  }

  /** How many calls joined a fetch already running. */
  long coalescedCount() {
    return memory.joinedCount();
  }

  // ------------------------------------------------------------------ checks

  private interface Check {
    void run() throws AttestationException;
  }

  private static void untrustedIfFails(String what, Check check) throws EndorsementUnavailableException {
    try {
      check.run();
    } catch (EndorsementUnavailableException e) {
      throw e;
    } catch (AttestationException e) {
      throw new EndorsementUnavailableException(
          KdsReason.UNTRUSTED_RESPONSE,
          "the " + what + " served by the KDS does not verify: " + e.getMessage(),
          null,
          e);
    }
  }

  private void checkVek(
      Product product,
      SigningKey key,
      List<X509Certificate> chain,
      X509Certificate c,
      byte[] hwId,
      TcbVersion tcb,
      Instant now,
      String what)
      throws AttestationException {
    verifier.verify(product, key, chain, c, now);
    String mismatch = VekExtensions.mismatch(c, product, hwId, tcb);
    if (mismatch != null) {
      throw new EndorsementUnavailableException(
          KdsReason.UNTRUSTED_RESPONSE, "the " + what + " is for another chip or TCB: " + mismatch);
    }
  }

  private static void checkCrl(X509CRL crl, X509Certificate ark, Instant now, String what)
      throws EndorsementUnavailableException {
    if (!crl.getIssuerX500Principal().equals(ark.getSubjectX500Principal())) {
      throw new EndorsementUnavailableException(
          KdsReason.UNTRUSTED_RESPONSE,
          "the " + what + " is issued by '" + crl.getIssuerX500Principal().getName() + "', not the ARK");
    }
    try {
      crl.verify(ark.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new EndorsementUnavailableException(
          KdsReason.UNTRUSTED_RESPONSE,
          "the " + what + " signature does not verify under the ARK: " + e.getMessage(),
          null,
          e);
    }
    if (crl.getNextUpdate() == null) {
      throw new EndorsementUnavailableException(
          KdsReason.BAD_RESPONSE, "the " + what + " has no nextUpdate");
    }
    if (now.isBefore(crl.getThisUpdate().toInstant())) {
      throw new EndorsementUnavailableException(
          KdsReason.UNTRUSTED_RESPONSE,
          "the " + what + " is not yet valid (thisUpdate " + crl.getThisUpdate().toInstant() + ")");
    }
    if (!now.isBefore(crl.getNextUpdate().toInstant())) {
      throw new EndorsementUnavailableException(
          KdsReason.CRL_EXPIRED,
          "the " + what + " expired at its nextUpdate " + crl.getNextUpdate().toInstant());
    }
  }

  private static Instant notAfter(List<X509Certificate> chain) {
    Instant min = Instant.MAX;
    for (X509Certificate c : chain) {
      Instant i = c.getNotAfter().toInstant();
      if (i.isBefore(min)) {
        min = i;
      }
    }
    return min;
  }

  private static boolean allZero(byte[] b) {
    int acc = 0;
    for (byte x : b) {
      acc |= x;
    }
    return acc == 0;
  }

  // ------------------------------------------------------------------ parsing

  private static boolean isPem(byte[] b) {
    return new String(b, 0, Math.min(b.length, 64), StandardCharsets.US_ASCII).contains("-----BEGIN");
  }

  static X509Certificate parseCert(byte[] body, String what) throws EndorsementUnavailableException {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      if (isPem(body)) {
        List<X509Certificate> l = parseAll(cf, body);
        if (l.size() != 1) {
          throw bad(what, "expected one certificate, found " + l.size());
        }
        return l.get(0);
      }
      X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(body));
      if (!Arrays.equals(c.getEncoded(), body)) {
        throw bad(what, "the DER body has " + body.length + " bytes but the certificate "
            + c.getEncoded().length + " (truncated or trailing data)");
      }
      return c;
    } catch (CertificateException | RuntimeException e) {
      throw bad(what, e.getMessage(), e);
    }
  }

  static List<X509Certificate> parseChain(byte[] body, String what) throws EndorsementUnavailableException {
    if (!isPem(body)) {
      throw bad(what, "expected PEM (ASK or ASVK, then ARK)");
    }
    try {
      List<X509Certificate> l = parseAll(CertificateFactory.getInstance("X.509"), body);
      if (l.size() != 2) {
        throw bad(what, "expected 2 certificates (ASK or ASVK, then ARK), found " + l.size());
      }
      return l;
    } catch (CertificateException | RuntimeException e) {
      throw bad(what, e.getMessage(), e);
    }
  }

  private static List<X509Certificate> parseAll(CertificateFactory cf, byte[] body) throws CertificateException {
    String text = new String(body, StandardCharsets.US_ASCII);
    int begins = 0;
    for (int i = text.indexOf("-----BEGIN CERTIFICATE-----"); i >= 0;
        i = text.indexOf("-----BEGIN CERTIFICATE-----", i + 1)) {
      begins++;
    }
    int ends = 0;
    for (int i = text.indexOf("-----END CERTIFICATE-----"); i >= 0;
        i = text.indexOf("-----END CERTIFICATE-----", i + 1)) {
      ends++;
    }
    if (begins != ends) {
      throw new CertificateException("unbalanced PEM (" + begins + " BEGIN, " + ends + " END): truncated");
    }
    Collection<? extends Certificate> all = cf.generateCertificates(new ByteArrayInputStream(body));
    if (all.size() != begins) {
      throw new CertificateException("PEM has " + begins + " blocks but " + all.size() + " parsed");
    }
    List<X509Certificate> out = new ArrayList<>();
    for (Certificate c : all) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  static X509CRL parseCrl(byte[] body, String what) throws EndorsementUnavailableException {
    try {
      X509CRL c =
          (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(body));
      if (!isPem(body) && !Arrays.equals(c.getEncoded(), body)) {
        throw bad(what, "the DER body has trailing or missing bytes");
      }
      return c;
    } catch (CertificateException | CRLException | RuntimeException e) {
      throw bad(what, e.getMessage(), e);
    }
  }

  private static EndorsementUnavailableException bad(String what, String why) {
    return bad(what, why, null);
  }

  private static EndorsementUnavailableException bad(String what, String why, Throwable cause) {
    return new EndorsementUnavailableException(
        KdsReason.BAD_RESPONSE, "the " + what + " is malformed: " + why, null, cause);
  }

  // ------------------------------------------------------------------ builder

  /** Configures a {@link KdsClient}. Not thread-safe; build once and share the client. */
  public static final class Builder {
    private URI baseUri = DEFAULT_BASE_URI;
    private HttpClient httpClient;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofSeconds(2);
    private Duration maxBackoff = Duration.ofSeconds(20);
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private Duration breakerWindow;
    private int maxBodyBytes = 256 * 1024;
    private Path cacheDirectory;
    private boolean offline;
    private boolean fetchVlek;
    private boolean checkValidity = true;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private EndorsementVerifier verifier = EndorsementVerifier.amdRoots();

    private Builder() {}

    /**
     * The KDS (or mirror) base, e.g. {@code https://kdsintf.amd.com} or {@code http://127.0.0.1:8080}.
     *
     * @param uri the URI
     * @return this builder
     */
    public Builder baseUri(URI uri) {
      this.baseUri = EndorsementHttp.checkBaseUri(uri, "KDS");
      return this;
    }

    /**
     * {@link #baseUri(URI)} from a string.
     *
     * @param uri the URI
     * @return this builder
     */
    public Builder baseUri(String uri) {
      return baseUri(URI.create(uri));
    }

    /**
     * The HTTP client to use (its own connect timeout, proxy and TLS settings apply).
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * The connect timeout of the client built when none is supplied (default 5 s).
     *
     * @param d the duration
     * @return this builder
     */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = EndorsementHttp.positive(d, "connectTimeout");
      return this;
    }

    /**
     * The deadline for one attempt, headers and body (default 10 s).
     *
     * @param d the duration
     * @return this builder
     */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = EndorsementHttp.positive(d, "requestTimeout");
      return this;
    }

    /**
     * Attempts per request, the first included, 1..20 (default 4).
     *
     * @param n the number of attempts
     * @return this builder
     */
    public Builder maxAttempts(int n) {
      this.maxAttempts = EndorsementHttp.checkMaxAttempts(n);
      return this;
    }

    /**
     * The first backoff (default 2 s; doubles per failure) and its cap (default 20 s).
     *
     * @param initial the initial
     * @param max the max
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = nonNegative(initial, "initial");
      this.maxBackoff = nonNegative(max, "max");
      return this;
    }

    /**
     * The longest {@code Retry-After} honoured (default 30 s). A server asking for longer ends the
     * retries at once with an exception carrying its demand.
     *
     * @param d the duration
     * @return this builder
     */
    public Builder maxRetryAfter(Duration d) {
      this.maxRetryAfter = nonNegative(d, "maxRetryAfter");
      return this;
    }

    /**
     * Turns on the circuit breaker for a server that rate-limits (for a KMS's request path): a 429
     * or 503 answer is not retried but fails at once (no sleeping through {@code Retry-After}) and
     * opens the breaker for the longer of {@code window} and the server's {@code Retry-After};
     * while it is open (by this builder's clock) every fetch that would need the network fails at
     * once with the throttled reason and the time left as its retry-after. Cache hits are
     * unaffected. Off by default (tools and one-off verifications wait and retry instead).
     *
     * @param window the shortest time the breaker stays open (AMD's KDS allows about one request
     *     per 10 s per client)
     * @return this builder
     */
    public Builder circuitBreaker(Duration window) {
      this.breakerWindow = EndorsementHttp.positive(window, "window");
      return this;
    }

    /**
     * The largest body accepted (default 256 KiB).
     *
     * @param n the limit in bytes
     * @return this builder
     */
    public Builder maxBodyBytes(int n) {
      this.maxBodyBytes = EndorsementHttp.checkMaxBodyBytes(n);
      return this;
    }

    /**
     * A directory for the on-disk cache (created when first written).
     *
     * @param dir the dir
     * @return this builder
     */
    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Never use the network: serve only verified cache entries.
     *
     * @param offline true to enable, false to disable
     * @return this builder
     */
    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    /**
     * Let {@link #find} try {@link #vlekUri} for VLEK-signed reports (default false).
     *
     * @param fetch true to enable, false to disable
     * @return this builder
     */
    public Builder fetchVlek(boolean fetch) {
      this.fetchVlek = fetch;
      return this;
    }

    /**
     * Whether certificates must be inside their validity period at the clock's instant (default
     * true). Turning it off keeps every other check (pinned ARK, signatures, names, hwID and TCB);
     * it suits tools that fetch certificates for a later verification at another instant. CRL
     * freshness is always checked.
     *
     * @param check true to enable, false to disable
     * @return this builder
     */
    public Builder checkValidity(boolean check) {
      this.checkValidity = check;
      return this;
    }

    /**
     * The clock for certificate validity, CRL freshness and HTTP-date Retry-After values.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Decides whether chains and certificates may be trusted (default {@link EndorsementVerifier#amdRoots()}).
     *
     * @param verifier the verifier
     * @return this builder
     */
    public Builder verifier(EndorsementVerifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /** How retries wait (tests use a recorder that does not sleep). */
    Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * The client.
     *
     * @return the client
     */
    public KdsClient build() {
      return new KdsClient(this);
    }


    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative");
      }
      return d;
    }
  }
}
