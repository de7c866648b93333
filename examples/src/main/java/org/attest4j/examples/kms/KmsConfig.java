package org.attest4j.examples.kms;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.AuthorizationHook;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.FreshnessMode;
import org.attest4j.kms.IdentityBinding;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.InMemoryUsedValueStore;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.UsedValueStore;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.kms.TdxCollateralSource;
import org.attest4j.kms.TdxPinnedImage;
import org.attest4j.kms.WebhookAuthorizer;
import org.attest4j.kms.internal.StrictJson;
import org.attest4j.ovmf.MetadataSection;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.VmmType;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpTrustAnchor;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.EndorsementVerifier;
import org.attest4j.snp.kds.KdsClient;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxTrustAnchor;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.tdx.pcs.CollateralVerifier;
import org.attest4j.tdx.pcs.PcsClient;

/**
 * The example KMS server's configuration: a small JSON file (snake_case keys; paths relative to
 * the file) that pins the launch artifacts, names the policy and the authorization (a dstack auth
 * webhook, or an allow-list in dstack auth-simple's format). Unknown keys are refused.
 *
 * <pre>{@code
 * {
 *   "port": 8000,                                 // loopback only; 0 picks a free port
 *   "key_dir": "kms-keys",                        // root keys, created on first start
 *   "trust": {"amd_roots": true, "anchors": [{"product": "Genoa", "ark_pem": "ark.pem"}]},
 *   "endorsements": {"cert_chain": "cert_chain.pem", "kds": {"base_url": "https://kdsintf.amd.com", "cache_dir": "kds-cache",
 *                    "circuit_breaker_ms": 10000}}, // after a KDS 429/503, no KDS call for this long
 *   "endorsement_deadline_ms": 2000,              // the longest a request waits for an endorsement fetch
 *   "require_vek_in_request": false,              // true: a request without vcek_pem is refused, never looked up
 *   "launch": {
 *     "ovmf": "OVMF.fd",                          // or "firmware_digest" + "sections" + "reset_eip" + "hashes_table_gpa"
 *     "kernel_sha256": "<hex>", "initrd_sha256": "<hex>",
 *     "cmdline": "console=ttyS0 dstack.rootfs_hash=<hex>",
 *     "vcpus": [2, 4], "vcpu_types": ["EPYC-v4"], "vmm": "QEMU", "guest_features": 1,
 *     "os_image_hash": "<hex, optional>"
 *   },
 *   "policy": "strict",
 *   "min_tcb": {                                 // required: the TCB floor per product served
 *     "Genoa": {"bootloader": 10, "tee": 0, "snp": 25, "microcode": 84},
 *     "Turin": {"fmc": 1, "bootloader": 1, "tee": 1, "snp": 4, "microcode": 82},
 *     "Milan": "0xdb18000000000004"              // or the raw TCB_VERSION as snpguest prints it
 *   },                                           // or "allow_any_tcb" (no floor; tcbStatus is never UpToDate)
 *   "identity_binding": "host_data",             // or "command_line"
 *   "freshness": "kms_nonce",                    // or "request_digest"
 *   "nonce_lifetime_seconds": 60,
 *   "envelopes": ["hpke"],                       // add "aes_siv_pr630" for PR #630 clients
 *   "auth": {"webhook": "http://127.0.0.1:3000"}, // or {"allow": { auth-simple config }}
 *   "ratls": false,                              // dstack's RA-TLS RPCs on HTTPS
 *   "allow_replica_onboarding": false,           // GetKmsKey for attested replicas (needs ratls; with
 *                                                // "allow", the KMS app in auth.kms_allow)
 *   "tdx": {                                     // optional: also serve Intel TDX guests
 *     "trust_root_pem": "root.pem",              // default: Intel's SGX root CA
 *     "collateral": "collateral.json",           // QuoteCollateralV3 JSON (PCCS / dcap-qvl), or instead:
 *     // "pcs": {"base_url": "https://api.trustedservices.intel.com", "cache_dir": "pcs-cache",
 *     //         "circuit_breaker_ms": 10000},    // fetched per quote; after a PCS 429/503, no call for this long
 *     "images": [{"os_image_hash": "<hex>", "mr_td": "<hex>", "rtmr0": "<hex>", "rtmr1": "<hex>", "rtmr2": "<hex>"}],
 *     "require_key_provider": true                // the measured key-provider event must name this KMS
 *   }
 * }
 * }</pre>
 *
 * <p>{@code min_tcb} has no default: without it the server refuses to start. A report whose
 * REPORTED_TCB or LAUNCH_TCB is below its product's floor in any component, or whose product has
 * no floor, is refused at the policy step; the authorization hook sees {@code tcbStatus "UpToDate"}
 * only at or above the floor. Take the values from AMD's security bulletins. The explicit opt-out
 * {@code "allow_any_tcb"} accepts any firmware and sends the empty {@code tcbStatus} (dstack's "not
 * evaluated"), which the default allow-list refuses: add {@code ""} to its {@code
 * allowedTcbStatuses}, or let the webhook decide.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class KmsConfig {
  private static final System.Logger LOG = System.getLogger(KmsConfig.class.getName());
  private final JsonObject json;
  private final Path baseDir;

  private KmsConfig(JsonObject json, Path baseDir) {
    this.json = json;
    this.baseDir = baseDir;
  }

  /**
   * Reads a configuration file.
   *
   * @param file the JSON configuration file; relative paths in it resolve against its directory
   * @return the parsed configuration
   * @throws IOException if it cannot be read
   * @throws MalformedEvidenceException if it is not a JSON object
   */
  public static KmsConfig load(Path file) throws IOException, MalformedEvidenceException {
    return parse(Files.readString(file), file.toAbsolutePath().getParent());
  }

  /**
   * Parses a configuration whose relative paths resolve against {@code baseDir}.
   *
   * @param text the JSON configuration
   * @param baseDir the directory relative paths resolve against
   * @return the parsed configuration
   * @throws MalformedEvidenceException if it is not a JSON object with known keys
   */
  public static KmsConfig parse(String text, Path baseDir) throws MalformedEvidenceException {
    JsonElement e = StrictJson.parse(text, CoreReason.BAD_FIELD, "the KMS configuration");
    if (!e.isJsonObject()) {
      throw bad("the KMS configuration must be a JSON object");
    }
    JsonObject o = e.getAsJsonObject();
    only(o, "", "comment", "port", "key_dir", "trust", "endorsements", "launch", "policy", "min_tcb", "identity_binding",
        "freshness", "nonce_lifetime_seconds", "used_nonce_capacity", "used_digest_capacity", "envelopes", "auth",
        "redis_url", "http", "tls", "ratls", "allow_replica_onboarding", "tdx", "endorsement_deadline_ms",
        "require_vek_in_request");
    return new KmsConfig(o, baseDir);
  }

  /**
   * The loopback port (0: any free port).
   *
   * @return the loopback port, 0 for any free port
   * @throws MalformedEvidenceException if {@code port} is not an integer from 0 to 65535
   */
  public int port() throws MalformedEvidenceException {
    int p = json.has("port") ? integer(json.get("port"), "port") : 0;
    if (p > 65535) {
      throw bad("port must be 0 (any free port) to 65535, not " + p);
    }
    return p;
  }

  /**
   * The directory holding the root keys.
   *
   * @return the directory holding the root keys
   * @throws MalformedEvidenceException if {@code key_dir} is not a string
   */
  public Path keyDirectory() throws MalformedEvidenceException {
    return resolve(string(json, "key_dir", "kms-keys"));
  }

  /**
   * Loads the root keys from {@link #keyDirectory()}, creating them on first start; same as
   * {@link #rootKeys(Clock)} with the system clock.
   *
   * @return the root keys
   * @throws IOException if they cannot be read or written
   * @throws MalformedEvidenceException if existing key files are malformed
   */
  public KmsRootKeys rootKeys() throws IOException, MalformedEvidenceException {
    return rootKeys(Clock.systemUTC());
  }

  /**
   * Loads the root keys and the root CA certificate ({@code root-ca.crt}) from {@link
   * #keyDirectory()}, creating them on first start. A key directory without {@code root-ca.crt}
   * gets one (notBefore = {@code clock.instant()}); existing files are never overwritten.
   *
   * @param clock the clock
   * @return the root keys with their root CA certificate
   * @throws IOException if they cannot be read or written
   * @throws MalformedEvidenceException if existing key files are malformed, or root-ca.crt
   *     certifies another key
   */
  public KmsRootKeys rootKeys(Clock clock) throws IOException, MalformedEvidenceException {
    Objects.requireNonNull(clock, "clock");
    try {
      // no-replace creation under a lock: racing first starts (replicas) end with one key set
      return KmsRootKeys.loadOrCreate(keyDirectory(), new java.security.SecureRandom(), clock);
    } catch (InvalidConfigurationException e) {
      throw new MalformedEvidenceException(e.reason(), e.getMessage(), e);
    }
  }


  /**
   * Builds the key-release service this configuration describes.
   *
   * @param clock the clock
   * @return the configured service
   * @throws IOException if a referenced file cannot be read or the keys cannot be stored
   * @throws AttestationException if the configuration or a referenced file is malformed
   */
  public KeyReleaseService buildService(Clock clock) throws IOException, AttestationException {
    return buildService(clock, IN_MEMORY);
  }

  /**
   * Where a KMS keeps the state that replicas must share: the store of used nonces and request
   * digests, and optionally a cache in front of the endorsement source. {@link #IN_MEMORY} keeps
   * both in this JVM; the Redis one ({@code redis_url}) shares them.
   */
  @FunctionalInterface
  public interface SharedState {
    /**
     * The store of used nonces and request digests.
     *
     * @param config the configuration
     * @param clock the clock
     * @return the store
     * @throws AttestationException if the configuration is malformed or the store cannot be set up
     */
    UsedValueStore usedValues(KmsConfig config, Clock clock) throws AttestationException;

    /**
     * The endorsement source to use in front of {@code upstream} (default: {@code upstream}).
     *
     * @param upstream the configured source (request, cert_chain, KDS)
     * @param verifier accepts chains and VCEKs under the configured trust anchors
     * @param clock the clock
     * @return the source
     */
    default EndorsementSource endorsements(EndorsementSource upstream, EndorsementVerifier verifier, Clock clock) {
      return upstream;
    }
  }

  /** Everything in this JVM: the in-memory store with the configured capacities, no shared cache. */
  public static final SharedState IN_MEMORY = (c, clock) -> {
    try {
      return InMemoryUsedValueStore.builder().clock(clock).nonceCapacity(c.usedNonceCapacity())
          .requestDigestCapacity(c.usedDigestCapacity()).build();
    } catch (IllegalArgumentException ex) {
      throw bad(ex.getMessage());
    }
  };

  /**
   * How long a nonce or request digest stays usable ({@code nonce_lifetime_seconds}, default 60).
   *
   * @return the lifetime in seconds
   * @throws MalformedEvidenceException if malformed
   */
  public int nonceLifetimeSeconds() throws MalformedEvidenceException {
    return json.has("nonce_lifetime_seconds") ? integer(json.get("nonce_lifetime_seconds"), "nonce_lifetime_seconds") : 60;
  }

  /**
   * The most used nonces the in-memory store remembers ({@code used_nonce_capacity}, default 100,000).
   *
   * @return the capacity
   * @throws MalformedEvidenceException if malformed
   */
  public int usedNonceCapacity() throws MalformedEvidenceException {
    return json.has("used_nonce_capacity") ? integer(json.get("used_nonce_capacity"), "used_nonce_capacity") : 100_000;
  }

  /**
   * The most used request digests the in-memory store remembers ({@code used_digest_capacity},
   * default 100,000).
   *
   * @return the capacity
   * @throws MalformedEvidenceException if malformed
   */
  public int usedDigestCapacity() throws MalformedEvidenceException {
    return json.has("used_digest_capacity") ? integer(json.get("used_digest_capacity"), "used_digest_capacity") : 100_000;
  }

  /**
   * The Redis (or Valkey) URL that replicas share ({@code redis_url}), if set.
   *
   * @return the URL
   * @throws MalformedEvidenceException if it is not a redis:// or rediss:// URL
   */
  public java.util.Optional<URI> redisUrl() throws MalformedEvidenceException {
    if (!json.has("redis_url")) {
      return java.util.Optional.empty();
    }
    String u = string(json, "redis_url", null);
    try {
      URI uri = new URI(u);
      if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
        throw bad("redis_url must be redis://HOST:PORT or rediss://HOST:PORT, not " + u);
      }
      return java.util.Optional.of(uri);
    } catch (java.net.URISyntaxException ex) {
      throw bad("redis_url is not a URL: " + u);
    }
  }

  /** The largest {@code endorsement_deadline_ms} accepted: a request thread must not wait longer. */
  static final long MAX_ENDORSEMENT_DEADLINE_MS = 60_000;

  /** The largest {@code endorsements.kds.circuit_breaker_ms} accepted (one hour). */
  static final long MAX_CIRCUIT_BREAKER_MS = 3_600_000;

  /**
   * How long a request waits for an endorsement fetch it triggers ({@code endorsement_deadline_ms},
   * milliseconds, 1 to 60,000, default 2,000; see {@link KeyReleaseService.Builder#endorsementDeadline}).
   *
   * @return the deadline
   * @throws MalformedEvidenceException if it is not a whole number of milliseconds in range
   */
  public Duration endorsementDeadline() throws MalformedEvidenceException {
    if (!json.has("endorsement_deadline_ms")) {
      return Duration.ofSeconds(2);
    }
    return Duration.ofMillis(millis(json.get("endorsement_deadline_ms"), "endorsement_deadline_ms",
        MAX_ENDORSEMENT_DEADLINE_MS));
  }

  /**
   * Whether a request must bring its VCEK/VLEK ({@code require_vek_in_request}, default false; see
   * {@link KeyReleaseService.Builder#requireVekInRequest}): then no request makes the KMS look a
   * VEK up.
   *
   * @return true when set
   * @throws MalformedEvidenceException if the value is not a boolean
   */
  public boolean requireVekInRequest() throws MalformedEvidenceException {
    JsonElement e = json.get("require_vek_in_request");
    return e != null && !e.isJsonNull() && bool(e, "require_vek_in_request");
  }

  /**
   * How long the KDS client stops asking after a 429 or 503 ({@code endorsements.kds.circuit_breaker_ms},
   * milliseconds, 1 to 3,600,000, default 10,000: AMD's KDS allows about one VCEK per 10 s per
   * client; see {@link KdsClient.Builder#circuitBreaker}). The breaker cannot be turned off here.
   *
   * @return the window
   * @throws MalformedEvidenceException if it is not a whole number of milliseconds in range
   */
  public Duration kdsCircuitBreaker() throws MalformedEvidenceException {
    JsonObject e = object(json, "endorsements");
    JsonObject kds = e == null ? null : object(e, "kds");
    if (kds == null || !kds.has("circuit_breaker_ms")) {
      return KDS_BREAKER;
    }
    return Duration.ofMillis(millis(kds.get("circuit_breaker_ms"), "endorsements.kds.circuit_breaker_ms",
        MAX_CIRCUIT_BREAKER_MS));
  }

  /** A positive whole number of milliseconds up to {@code max}. */
  private static long millis(JsonElement e, String key, long max) throws MalformedEvidenceException {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw bad(key + " must be a number of milliseconds (1 to " + max + ")");
    }
    long v;
    try {
      v = e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
    } catch (ArithmeticException ex) {
      throw bad(key + " must be a whole number of milliseconds (1 to " + max + "), not " + e);
    }
    if (v < 1 || v > max) {
      throw bad(key + " must be 1 to " + max + " ms, not " + v);
    }
    return v;
  }

  /**
   * Builds the key-release service this configuration describes, with the used-value store that
   * {@code usedValues} makes.
   *
   * @param clock the clock
   * @param shared where used nonces / request digests and cached endorsements live
   * @return the service
   * @throws IOException if a referenced file cannot be read or the keys cannot be stored
   * @throws AttestationException if the configuration or a referenced file is malformed
   */
  public KeyReleaseService buildService(Clock clock, SharedState shared)
      throws IOException, AttestationException {
    Objects.requireNonNull(clock, "clock");
    return buildService(clock, shared, rootKeys(clock));
  }

  /**
   * Builds the key-release service this configuration describes for the given root keys instead
   * of those in {@link #keyDirectory()} (nothing is read from or written to it): a replica checks
   * its onboarding source with the keys it was sent before it stores them.
   *
   * @param clock the clock
   * @param shared where used nonces / request digests and cached endorsements live
   * @param roots the root keys
   * @return the service
   * @throws IOException if a referenced file cannot be read
   * @throws AttestationException if the configuration or a referenced file is malformed
   */
  public KeyReleaseService buildService(Clock clock, SharedState shared, KmsRootKeys roots)
      throws IOException, AttestationException {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(roots, "roots");
    KeyReleaseService.Builder b = KeyReleaseService.builder().clock(clock).rootKeys(roots)
        .caCertPem(roots.rootCaCertificatePem());
    b.snp(verifier(clock), shared.endorsements(endorsements(clock), endorsementVerifier(), clock));
    b.endorsementDeadline(endorsementDeadline());
    if (requireVekInRequest()) {
      b.requireVekInRequest();
    }
    PinnedLaunch pinned = launch();
    b.launch(pinned);
    String policy = string(json, "policy", "strict");
    if (!policy.equals("strict")) {
      throw bad("policy \"" + policy + "\" is unknown; the example server offers \"strict\"");
    }
    List<TcbVersion> floors = minimumTcbs();
    if (floors == null) {
      b.allowAnyTcb();
    } else {
      floors.forEach(b::minimumTcb);
    }
    b.identityBinding(
        switch (string(json, "identity_binding", "host_data")) {
          case "host_data" -> IdentityBinding.HOST_DATA;
          case "command_line" -> IdentityBinding.COMMAND_LINE;
          default -> throw bad("identity_binding must be host_data or command_line");
        });
    b.freshness(
        switch (string(json, "freshness", "kms_nonce")) {
          case "kms_nonce" -> FreshnessMode.KMS_NONCE;
          case "request_digest" -> FreshnessMode.REQUEST_DIGEST;
          default -> throw bad("freshness must be kms_nonce or request_digest");
        });
    int life = nonceLifetimeSeconds();
    try {
      b.nonceStore(NonceStore.builder().clock(clock).lifetime(Duration.ofSeconds(life)).secretFrom(roots)
          .usedValues(shared.usedValues(this, clock)).build());
    } catch (IllegalArgumentException ex) {
      throw bad(ex.getMessage());
    }
    List<EnvelopeMode> modes = new ArrayList<>();
    for (String m : strings(json, "envelopes", List.of("hpke"))) {
      modes.add(
          switch (m) {
            case "hpke" -> EnvelopeMode.HPKE_V1;
            case "aes_siv_pr630" -> EnvelopeMode.AES_SIV_PR630;
            default -> throw bad("envelope \"" + m + "\" is unknown (hpke, aes_siv_pr630)");
          });
    }
    if (modes.isEmpty()) {
      throw bad("envelopes must name at least one mode");
    }
    b.envelopes(modes.get(0), modes.subList(1, modes.size()).toArray(new EnvelopeMode[0]));
    b.authorization(authorization(pinned));
    tdx(b, clock);
    if (allowReplicaOnboarding()) {
      b.replicaAuthorization(replicaAuthorization(pinned));
    }
    try {
      return b.build();
    } catch (IllegalStateException | IllegalArgumentException ex) {
      throw bad(ex.getMessage());
    }
  }

  /**
   * The HTTP limits ({@code "http"}: {@code worker_threads}, {@code worker_queue}, {@code
   * read_deadline_ms}, {@code idle_timeout_ms}, {@code max_connections}, {@code max_connections_per_client}, {@code max_body_bytes},
   * {@code rate_per_second}, {@code rate_burst}; each defaults to {@link HttpLimits#DEFAULTS}).
   *
   * @return the limits
   * @throws MalformedEvidenceException if a value is malformed or out of range
   */
  public HttpLimits httpLimits() throws MalformedEvidenceException {
    JsonObject h = object(json, "http");
    HttpLimits d = HttpLimits.DEFAULTS;
    if (h == null) {
      return d;
    }
    only(h, "http.", "worker_threads", "worker_queue", "read_deadline_ms", "idle_timeout_ms", "max_connections",
        "max_connections_per_client", "max_body_bytes", "rate_per_second", "rate_burst");
    try {
      return new HttpLimits(
          h.has("worker_threads") ? integer(h.get("worker_threads"), "http.worker_threads") : d.workerThreads(),
          h.has("worker_queue") ? integer(h.get("worker_queue"), "http.worker_queue") : d.workerQueue(),
          h.has("read_deadline_ms") ? Duration.ofMillis(longValue(h.get("read_deadline_ms"), "http.read_deadline_ms")) : d.readDeadline(),
          h.has("idle_timeout_ms") ? Duration.ofMillis(longValue(h.get("idle_timeout_ms"), "http.idle_timeout_ms")) : d.idleTimeout(),
          h.has("max_connections") ? integer(h.get("max_connections"), "http.max_connections") : d.maxConnections(),
          h.has("max_connections_per_client")
              ? integer(h.get("max_connections_per_client"), "http.max_connections_per_client") : d.maxConnectionsPerClient(),
          h.has("max_body_bytes") ? integer(h.get("max_body_bytes"), "http.max_body_bytes") : d.maxBodyBytes(),
          h.has("rate_per_second") ? integer(h.get("rate_per_second"), "http.rate_per_second") : d.ratePerSecond(),
          h.has("rate_burst") ? integer(h.get("rate_burst"), "http.rate_burst") : d.rateBurst());
    } catch (IllegalArgumentException ex) {
      throw bad("http." + ex.getMessage());
    }
  }

  /**
   * TLS ({@code "tls": {"pkcs12": FILE, "password_env": VAR}}: the server key and certificate in a
   * PKCS#12 file whose password is in the environment variable VAR, never in the file), if set.
   *
   * @return the TLS options
   * @throws MalformedEvidenceException if malformed or the variable is unset
   */
  public java.util.Optional<TlsOptions> tls() throws MalformedEvidenceException {
    JsonObject t = object(json, "tls");
    if (t == null) {
      return java.util.Optional.empty();
    }
    only(t, "tls.", "pkcs12", "password_env");
    String var = string(t, "password_env", null);
    String pw = System.getenv(var);
    if (pw == null) {
      throw bad("tls.password_env names the variable " + var + ", which is not set");
    }
    return java.util.Optional.of(TlsOptions.pkcs12(resolve(string(t, "pkcs12", null)), pw.toCharArray()));
  }

  /**
   * Whether the server speaks dstack's RA-TLS RPCs ({@code "ratls": true}): HTTPS with a {@code
   * kms:rpc} certificate from the root CA, {@code GetTempCaCert} and {@code GetAppKey}. It cannot
   * be combined with {@code "tls"}.
   *
   * @return true when set
   * @throws MalformedEvidenceException if the value is not a boolean or {@code tls} is also set
   */
  public boolean ratls() throws MalformedEvidenceException {
    JsonElement e = json.get("ratls");
    if (e == null || e.isJsonNull()) {
      return false;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw bad("ratls must be true or false");
    }
    if (e.getAsBoolean() && json.has("tls")) {
      throw bad("ratls makes its own TLS identity; remove \"tls\" or \"ratls\"");
    }
    return e.getAsBoolean();
  }

  /**
   * Whether this KMS hands its root keys to attested replicas over RA-TLS ({@code
   * "allow_replica_onboarding": true}, default false: the whole root secret leaves). Replicas are
   * authorized like dstack's {@code bootAuth/kms}: the webhook's {@code bootAuth/kms} path, or with
   * an allow-list, a separate one in {@code auth.kms_allow} (auth-simple format, naming the KMS app),
   * never the apps' list: an app allowed to get its keys is not thereby allowed the root secret.
   *
   * @return true when set
   * @throws MalformedEvidenceException if the value is not a boolean, or set without {@code ratls}
   */
  public boolean allowReplicaOnboarding() throws MalformedEvidenceException {
    JsonElement e = json.get("allow_replica_onboarding");
    if (e == null || e.isJsonNull()) {
      return false;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw bad("allow_replica_onboarding must be true or false");
    }
    if (e.getAsBoolean() && !ratls()) {
      throw bad("allow_replica_onboarding needs \"ratls\": true (GetKmsKey is served over RA-TLS)");
    }
    return e.getAsBoolean();
  }

  private AuthorizationHook replicaAuthorization(PinnedLaunch pinned) throws AttestationException {
    JsonObject auth = object(json, "auth");
    if (auth != null && auth.has("webhook")) {
      try {
        return WebhookAuthorizer.builder(URI.create(string(auth, "webhook", null))).path("bootAuth/kms").build();
      } catch (IllegalArgumentException ex) {
        throw bad("auth.webhook: " + ex.getMessage());
      }
    }
    JsonObject allow = auth == null ? null : object(auth, "kms_allow");
    if (allow == null) {
      throw bad("allow_replica_onboarding with an allow-list needs auth.kms_allow (auth-simple format, naming"
          + " the KMS app that may receive the root keys); the apps' list is not used for KMS replicas");
    }
    AllowListAuthorizer list;
    try {
      list = AllowListAuthorizer.fromJson(allow.toString());
    } catch (InvalidConfigurationException e) {
      throw bad("auth.kms_allow: " + e.getMessage());
    }
    String nothing = allowsNothing(allow, pinned.osImageHash().toHex());
    if (nothing != null) {
      throw bad("auth.kms_allow allows nothing: " + nothing);
    }
    return list;
  }

  /**
   * The TDX part ({@code "tdx"}), if any: the root the quotes' PCK chains must end in (Intel's
   * unless {@code trust_root_pem} names another, such as the simulated platform's test-only root),
   * the collateral, the OS images guests may run and whether the key-provider event must name this
   * KMS. The collateral is either fixed ({@code collateral}: it must be current at the KMS clock,
   * Intel's expires after about 30 days) or fetched per quote from Intel's PCS ({@code pcs}), under
   * the service's endorsement deadline and with a circuit breaker.
   */
  private void tdx(KeyReleaseService.Builder b, Clock clock) throws IOException, MalformedEvidenceException {
    JsonObject t = object(json, "tdx");
    if (t == null) {
      return;
    }
    only(t, "tdx.", "trust_root_pem", "collateral", "pcs", "images", "require_key_provider");
    TdxVerifier.Builder v = TdxVerifier.builder();
    byte[] rootPem = null;
    TdxCollateralSource collateral;
    try {
      if (t.has("trust_root_pem")) {
        rootPem = Files.readAllBytes(resolve(string(t, "trust_root_pem", null)));
        v.trustAnchor(TdxTrustAnchor.ofCertificate(rootPem));
      }
      JsonObject pcs = object(t, "pcs");
      if (pcs != null && t.has("collateral")) {
        throw bad("tdx: give either collateral (a fixed file) or pcs (fetched per quote), not both");
      }
      collateral = pcs != null ? pcsSource(pcs, rootPem, clock)
          : TdxCollateralSource.fixed(
              TdxCollateral.fromQuoteCollateralJson(Files.readAllBytes(resolve(string(t, "collateral", null)))));
    } catch (MalformedEvidenceException ex) {
      throw ex.getMessage().startsWith("tdx") ? ex : bad("tdx: " + ex.getMessage());
    }
    b.tdx(v.build(), collateral, null);
    JsonArray images = array(t, "images");
    if (images.size() == 0) {
      throw bad("tdx.images must pin at least one OS image {os_image_hash, mr_td, rtmr0, rtmr1, rtmr2}");
    }
    for (JsonElement e : images) {
      if (!e.isJsonObject()) {
        throw bad("tdx.images entries are objects {os_image_hash, mr_td, rtmr0, rtmr1, rtmr2}");
      }
      JsonObject i = e.getAsJsonObject();
      only(i, "tdx.images[].", "os_image_hash", "mr_td", "rtmr0", "rtmr1", "rtmr2");
      b.tdxImage(new TdxPinnedImage(hex(i, "os_image_hash", 32), hex(i, "mr_td", 48), hex(i, "rtmr0", 48),
          hex(i, "rtmr1", 48), hex(i, "rtmr2", 48)));
    }
    if (t.has("require_key_provider")) {
      b.tdxRequireKeyProvider(bool(t.get("require_key_provider"), "tdx.require_key_provider"));
    }
  }

  /**
   * How long the PCS client stops asking after a 429 or 503 ({@code tdx.pcs.circuit_breaker_ms},
   * milliseconds, 1 to 3,600,000, default 10,000; see {@link PcsClient.Builder#circuitBreaker}).
   * The breaker cannot be turned off here.
   *
   * @return the window
   * @throws MalformedEvidenceException if it is not a whole number of milliseconds in range
   */
  public Duration pcsCircuitBreaker() throws MalformedEvidenceException {
    JsonObject t = object(json, "tdx");
    JsonObject pcs = t == null ? null : object(t, "pcs");
    if (pcs == null || !pcs.has("circuit_breaker_ms")) {
      return KDS_BREAKER;
    }
    return Duration.ofMillis(millis(pcs.get("circuit_breaker_ms"), "tdx.pcs.circuit_breaker_ms",
        MAX_CIRCUIT_BREAKER_MS));
  }

  /**
   * TDX collateral from Intel's PCS (or a PCCS at {@code base_url}) for each quote's FMSPC and PCK
   * CA, standard TCB updates; the issuer chains must end in {@code rootPem} when given (a test PKI),
   * else Intel's root. A 429 or 503 opens the circuit breaker: no PCS call, and a retryable 503
   * for the requests that need one, until it closes.
   */
  private TdxCollateralSource pcsSource(JsonObject pcs, byte[] rootPem, Clock clock)
      throws IOException, MalformedEvidenceException {
    only(pcs, "tdx.pcs.", "base_url", "cache_dir", "offline", "circuit_breaker_ms");
    PcsClient.Builder p = PcsClient.builder().clock(clock).circuitBreaker(pcsCircuitBreaker());
    if (rootPem != null) {
      try {
        p.verifier(CollateralVerifier.withRoot((java.security.cert.X509Certificate)
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(rootPem))));
      } catch (java.security.cert.CertificateException | RuntimeException ex) {
        throw bad("tdx.trust_root_pem is not a PEM certificate");
      }
    }
    if (pcs.has("base_url")) {
      p.baseUri(string(pcs, "base_url", null));
    }
    if (pcs.has("cache_dir")) {
      p.cacheDirectory(resolve(string(pcs, "cache_dir", null)));
    }
    if (pcs.has("offline")) {
      p.offline(bool(pcs.get("offline"), "tdx.pcs.offline"));
    }
    PcsClient client = p.build();
    return new TdxCollateralSource() {
      @Override
      public TdxCollateral collateralFor(TdxQuote quote) throws AttestationException {
        return client.collateral(quote, PcsClient.UpdateType.STANDARD);
      }

      @Override
      public String toString() {
        return "PCS " + client;
      }
    };
  }

  /** The value of the "allow_any_tcb" opt-out. */
  public static final String ALLOW_ANY_TCB = "allow_any_tcb";

  /**
   * The TCB floors of {@code min_tcb}, one per product; null when the operator opted out with
   * {@code "min_tcb": "allow_any_tcb"}.
   *
   * @return the TCB floors of {@code min_tcb}, one per product
   * @throws MalformedEvidenceException if {@code min_tcb} is missing or malformed
   */
  public List<TcbVersion> minimumTcbs() throws MalformedEvidenceException {
    String example = "\"min_tcb\": {\"Genoa\": {\"bootloader\": 10, \"tee\": 0, \"snp\": 25, \"microcode\": 84}}";
    JsonElement e = json.get("min_tcb");
    if (e == null || e.isJsonNull()) {
      throw bad("min_tcb is required: the minimum TCB per product this KMS serves, e.g. " + example
          + " (values from AMD's security bulletins), or \"min_tcb\": \"" + ALLOW_ANY_TCB
          + "\" to accept any firmware and leave TCB policy to the authorization hook");
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      if (e.getAsString().equals(ALLOW_ANY_TCB)) {
        return null;
      }
      throw bad("min_tcb must be an object {product: TCB} or \"" + ALLOW_ANY_TCB + "\", not \"" + e.getAsString() + "\"");
    }
    if (!e.isJsonObject() || e.getAsJsonObject().size() == 0) {
      throw bad("min_tcb must name at least one product, e.g. " + example);
    }
    List<TcbVersion> out = new ArrayList<>();
    for (Map.Entry<String, JsonElement> p : e.getAsJsonObject().entrySet()) {
      Product product = Product.fromName(p.getKey())
          .orElseThrow(() -> bad("min_tcb: unknown product \"" + p.getKey() + "\" (Milan, Genoa, Turin)"));
      if (out.stream().anyMatch(t -> t.product() == product)) {
        throw bad("min_tcb names " + product + " twice (\"" + p.getKey() + "\")");
      }
      String key = "min_tcb." + p.getKey();
      JsonElement v = p.getValue();
      if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()) {
        String h = v.getAsString();
        if (!h.startsWith("0x") || h.length() < 3 || h.length() > 18) {
          throw bad(key + " must be the raw TCB_VERSION as \"0x\" and up to 16 hex digits, or an object of components");
        }
        try {
          out.add(TcbVersion.of(product, Long.parseUnsignedLong(h.substring(2), 16)));
        } catch (NumberFormatException ex) {
          throw bad(key + " is not hex: " + h);
        }
        continue;
      }
      if (!v.isJsonObject()) {
        throw bad(key + " must be an object {\"bootloader\", \"tee\", \"snp\", \"microcode\"" + (product.hasFmc() ? ", \"fmc\"" : "")
            + "} or the raw TCB_VERSION \"0x...\"");
      }
      JsonObject c = v.getAsJsonObject();
      List<String> names = new ArrayList<>(List.of("bootloader", "tee", "snp", "microcode"));
      if (product.hasFmc()) {
        names.add(0, "fmc");
      }
      only(c, key + ".", names.toArray(new String[0]));
      for (String n : names) {
        if (!c.has(n)) {
          throw bad(key + "." + n + " is required (every component of the floor must be stated)");
        }
      }
      try {
        TcbVersion.Builder t = TcbVersion.builder(product)
            .bootloader(integer(c.get("bootloader"), key + ".bootloader"))
            .tee(integer(c.get("tee"), key + ".tee"))
            .snp(integer(c.get("snp"), key + ".snp"))
            .microcode(integer(c.get("microcode"), key + ".microcode"));
        if (product.hasFmc()) {
          t.fmc(integer(c.get("fmc"), key + ".fmc"));
        }
        out.add(t.build());
      } catch (IllegalArgumentException ex) {
        throw bad(key + ": " + ex.getMessage());
      }
    }
    return out;
  }

  private AuthorizationHook authorization(PinnedLaunch pinned) throws AttestationException {
    JsonObject auth = object(json, "auth");
    if (auth == null) {
      throw bad("auth is required: {\"webhook\": URL} or {\"allow\": {...}}");
    }
    only(auth, "auth.", "webhook", "allow", "kms_allow");
    if (auth.has("webhook") == auth.has("allow")) {
      throw bad("auth needs exactly one of webhook and allow");
    }
    if (auth.has("webhook")) {
      try {
        return WebhookAuthorizer.builder(URI.create(string(auth, "webhook", null))).build();
      } catch (IllegalArgumentException ex) {
        throw bad("auth.webhook: " + ex.getMessage());
      }
    }
    JsonObject allow = object(auth, "allow");
    if (allow == null) {
      throw bad("auth.allow must be an object");
    }
    AllowListAuthorizer list;
    try {
      list = AllowListAuthorizer.fromJson(allow.toString());
    } catch (InvalidConfigurationException e) {
      throw bad("auth.allow: " + e.getMessage());
    }
    String nothing = allowsNothing(allow, pinned.osImageHash().toHex());
    if (nothing != null) {
      throw bad("auth.allow allows nothing: " + nothing);
    }
    return list;
  }

  private SnpVerifier verifier(Clock clock) throws IOException, MalformedEvidenceException {
    JsonObject trust = object(json, "trust");
    SnpVerifier.Builder v = SnpVerifier.builder().clock(clock);
    if (trust == null) {
      return v.build();
    }
    only(trust, "trust.", "amd_roots", "anchors");
    if (trust.has("amd_roots")) {
      v.trustAmdRoots(bool(trust.get("amd_roots"), "trust.amd_roots"));
    }
    JsonElement anchors = trust.get("anchors");
    if (anchors != null) {
      if (!anchors.isJsonArray()) {
        throw bad("trust.anchors must be an array");
      }
      for (JsonElement a : anchors.getAsJsonArray()) {
        if (!a.isJsonObject()) {
          throw bad("trust.anchors entries are objects {product, ark_pem}");
        }
        JsonObject ao = a.getAsJsonObject();
        only(ao, "trust.anchors[].", "product", "ark_pem");
        String name = string(ao, "product", null);
        Product p = Product.fromName(name).orElseThrow(() -> bad("unknown product " + name));
        v.addTrustAnchor(SnpTrustAnchor.ofCertificate(p, Files.readAllBytes(resolve(string(ao, "ark_pem", null)))));
      }
    }
    try {
      return v.build();
    } catch (IllegalStateException | IllegalArgumentException ex) {
      throw bad("trust: " + ex.getMessage());
    }
  }

  /**
   * The vendor check of a dstack attestation under this configuration's trust: SEV-SNP reports
   * against the {@code trust} anchors, the VCEK from the attestation or the {@code endorsements};
   * TDX quotes by their signatures up to Intel's pinned root (no collateral).
   *
   * @param clock the clock
   * @return the platform verifier
   * @throws IOException if a referenced file cannot be read
   * @throws MalformedEvidenceException if the trust or endorsement settings are malformed
   */
  public org.attest4j.ratls.PlatformVerifier platformVerifier(Clock clock)
      throws IOException, MalformedEvidenceException {
    Objects.requireNonNull(clock, "clock");
    return org.attest4j.ratls.DstackPlatformVerifier.of(verifier(clock), endorsements(clock),
        org.attest4j.tdx.TdxVerifier.builder().clock(clock).build(), q -> java.util.Optional.empty());
  }

  /** The trust anchors of "trust" (AMD's unless amd_roots is false, plus the listed ones). */
  private List<SnpTrustAnchor> trustAnchors() throws IOException, MalformedEvidenceException {
    JsonObject trust = object(json, "trust");
    List<SnpTrustAnchor> out = new ArrayList<>();
    if (trust == null || !trust.has("amd_roots") || bool(trust.get("amd_roots"), "trust.amd_roots")) {
      out.addAll(SnpTrustAnchor.amdRoots());
    }
    JsonElement anchors = trust == null ? null : trust.get("anchors");
    if (anchors != null && anchors.isJsonArray()) {
      for (JsonElement a : anchors.getAsJsonArray()) {
        JsonObject ao = a.getAsJsonObject();
        String name = string(ao, "product", null);
        Product p = Product.fromName(name).orElseThrow(() -> bad("unknown product " + name));
        out.add(SnpTrustAnchor.ofCertificate(p, Files.readAllBytes(resolve(string(ao, "ark_pem", null)))));
      }
    }
    return out;
  }

  private EndorsementVerifier endorsementVerifier() throws IOException, MalformedEvidenceException {
    return EndorsementVerifier.withAnchors(trustAnchors());
  }

  /** How long the example server stops asking KDS after a 429 or 503. */
  private static final java.time.Duration KDS_BREAKER = java.time.Duration.ofSeconds(10);

  private EndorsementSource endorsements(Clock clock) throws IOException, MalformedEvidenceException {
    JsonObject e = object(json, "endorsements");
    List<EndorsementSource> sources = new ArrayList<>();
    if (e != null) {
      only(e, "endorsements.", "cert_chain", "kds");
      if (e.has("cert_chain")) {
        sources.add(KmsEndorsements.certChain(Files.readAllBytes(resolve(string(e, "cert_chain", null)))));
      }
      JsonObject kds = object(e, "kds");
      if (kds != null) {
        only(kds, "endorsements.kds.", "base_url", "cache_dir", "offline", "circuit_breaker_ms");
        // a KMS must not queue requests behind KDS's rate limit: 429/503 open a breaker (default
        // 10 s, AMD's pace of about one VCEK per 10 s per client) and the request path answers 503
        KdsClient.Builder k = KdsClient.builder().clock(clock).verifier(endorsementVerifier())
            .circuitBreaker(kdsCircuitBreaker());
        if (kds.has("base_url")) {
          k.baseUri(string(kds, "base_url", null));
        }
        if (kds.has("cache_dir")) {
          k.cacheDirectory(resolve(string(kds, "cache_dir", null)));
        }
        if (kds.has("offline")) {
          k.offline(bool(kds.get("offline"), "endorsements.kds.offline"));
        }
        sources.add(k.build());
      }
    }
    if (sources.isEmpty()) {
      sources.add(KdsClient.builder().clock(clock).circuitBreaker(KDS_BREAKER).build());
    }
    return sources.size() == 1 ? sources.get(0) : EndorsementSource.firstOf(sources.toArray(new EndorsementSource[0]));
  }

  private PinnedLaunch launch() throws IOException, AttestationException {
    JsonObject l = object(json, "launch");
    if (l == null) {
      throw bad("launch is required");
    }
    only(l, "launch.", "ovmf", "firmware_digest", "sections", "reset_eip", "hashes_table_gpa", "kernel_sha256",
        "initrd_sha256", "cmdline", "vcpus", "vcpu_types", "vmm", "guest_features", "os_image_hash");
    PreparedFirmware fw;
    if (l.has("ovmf")) {
      fw = OvmfImage.parse(resolve(string(l, "ovmf", null))).prepare();
    } else {
      JsonElement secs = l.get("sections");
      if (secs == null || !secs.isJsonArray()) {
        throw bad("launch needs \"ovmf\" or \"firmware_digest\" with \"sections\" [[gpa, size, type], ...]");
      }
      List<MetadataSection> list = new ArrayList<>();
      for (JsonElement s : secs.getAsJsonArray()) {
        if (!s.isJsonArray() || s.getAsJsonArray().size() != 3) {
          throw bad("launch.sections entries are [gpa, size, type]");
        }
        JsonArray a = s.getAsJsonArray();
        list.add(MetadataSection.of(longValue(a.get(0), "gpa"), longValue(a.get(1), "size"), longValue(a.get(2), "type")));
      }
      fw = PreparedFirmware.fromLayout(hex(l, "firmware_digest", 48), list, longValue(l.get("reset_eip"), "launch.reset_eip"),
          longValue(l.get("hashes_table_gpa"), "launch.hashes_table_gpa"));
    }
    PinnedLaunch.Builder p =
        PinnedLaunch.builder()
            .firmware(fw)
            .kernelDigest(hex(l, "kernel_sha256", 32))
            .initrdDigest(hex(l, "initrd_sha256", 32))
            .vmmType(VmmType.parse(string(l, "vmm", "QEMU")));
    try {
      p.cmdline(CmdlineTemplate.of(string(l, "cmdline", null)));
      for (JsonElement n : array(l, "vcpus")) {
        p.allowVcpuCounts(integer(n, "launch.vcpus"));
      }
      p.allowVcpuTypes(strings(l, "vcpu_types", List.of()).toArray(new String[0]));
      if (l.has("guest_features")) {
        p.guestFeatures(longValue(l.get("guest_features"), "launch.guest_features"));
      }
      if (l.has("os_image_hash")) {
        p.osImageHash(hex(l, "os_image_hash", 32));
      }
      return p.build();
    } catch (IllegalArgumentException | IllegalStateException ex) {
      throw bad("launch: " + ex.getMessage());
    }
  }

  /**
   * Why an allow-list (already parsed by {@link AllowListAuthorizer#fromJson}) can never allow a
   * boot of the pinned launch, or null if it can.
   */
  private static String allowsNothing(JsonObject allow, String pinnedOsImage) {
    JsonElement os = allow.get("osImages");
    boolean osListed = false;
    if (os == null || !os.isJsonArray() || os.getAsJsonArray().size() == 0) {
      return "osImages is empty; the OS image hash of the pinned launch is " + pinnedOsImage
          + " (add it to auth.allow.osImages)";
    }
    for (JsonElement h : os.getAsJsonArray()) {
      String v = h.getAsString().toLowerCase(java.util.Locale.ROOT);
      osListed |= (v.startsWith("0x") ? v.substring(2) : v).equals(pinnedOsImage);
    }
    if (!osListed) {
      LOG.log(System.Logger.Level.DEBUG, "auth.allow.osImages does not list the OS image hash of the pinned launch, "
          + pinnedOsImage + ": every boot of that launch will be refused");
    }
    JsonElement apps = allow.get("apps");
    boolean anyApp = false;
    if (apps != null && apps.isJsonObject()) {
      for (Map.Entry<String, JsonElement> a : apps.getAsJsonObject().entrySet()) {
        JsonElement ch = a.getValue().getAsJsonObject().get("composeHashes");
        anyApp |= ch != null && ch.isJsonArray() && ch.getAsJsonArray().size() > 0;
      }
    }
    if (!anyApp) {
      return "no app in auth.allow.apps has a compose hash (add {\"<app id>\": {\"composeHashes\": [\"<hex>\"]}})";
    }
    JsonElement tcb = allow.get("allowedTcbStatuses");
    if (tcb != null && tcb.isJsonArray() && tcb.getAsJsonArray().size() == 0) {
      return "allowedTcbStatuses is empty (leave it out for [\"UpToDate\"])";
    }
    return null;
  }

  // ---------------------------------------------------------------- small strict JSON helpers

  private Path resolve(String p) {
    Path path = Path.of(p);
    return path.isAbsolute() || baseDir == null ? path : baseDir.resolve(path);
  }

  private static void only(JsonObject o, String prefix, String... keys) throws MalformedEvidenceException {
    Set<String> known = Set.of(keys);
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (!known.contains(e.getKey())) {
        throw bad("unknown configuration key " + prefix + e.getKey() + " (known: " + String.join(", ", keys) + ")");
      }
    }
  }

  private static JsonObject object(JsonObject o, String key) throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonObject()) {
      throw bad(key + " must be an object");
    }
    return e.getAsJsonObject();
  }

  private static JsonArray array(JsonObject o, String key) throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null || !e.isJsonArray()) {
      throw bad(key + " must be an array");
    }
    return e.getAsJsonArray();
  }

  private static String string(JsonObject o, String key, String dflt) throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (dflt == null) {
        throw bad(key + " is required");
      }
      return dflt;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad(key + " must be a string");
    }
    return e.getAsString();
  }

  private static List<String> strings(JsonObject o, String key, List<String> dflt) throws MalformedEvidenceException {
    JsonElement e = o.get(key);
    if (e == null) {
      return dflt;
    }
    if (!e.isJsonArray()) {
      throw bad(key + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
        throw bad(key + " must be an array of strings");
      }
      out.add(x.getAsString());
    }
    return out;
  }

  private static Bytes hex(JsonObject o, String key, int len) throws MalformedEvidenceException {
    String s = string(o, key, null);
    byte[] v;
    try {
      v = HexFormat.of().parseHex(s.startsWith("0x") ? s.substring(2) : s);
    } catch (IllegalArgumentException ex) {
      throw bad(key + " is not hex");
    }
    if (v.length != len) {
      throw bad(key + " must be " + len + " bytes, got " + v.length);
    }
    return Bytes.of(v);
  }

  private static boolean bool(JsonElement e, String key) throws MalformedEvidenceException {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw bad(key + " must be true or false");
    }
    return e.getAsBoolean();
  }

  private static int integer(JsonElement e, String key) throws MalformedEvidenceException {
    long v = longValue(e, key);
    if (v > Integer.MAX_VALUE) {
      throw bad(key + " is too large");
    }
    return (int) v;
  }

  private static long longValue(JsonElement e, String key) throws MalformedEvidenceException {
    if (e == null || !e.isJsonPrimitive()) {
      throw bad(key + " must be a number");
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    try {
      if (p.isString() && p.getAsString().startsWith("0x")) {
        return Long.parseUnsignedLong(p.getAsString().substring(2), 16);
      }
      if (p.isNumber()) {
        long v = p.getAsBigDecimal().longValueExact();
        if (v < 0) {
          throw bad(key + " must not be negative");
        }
        return v;
      }
    } catch (ArithmeticException | NumberFormatException ex) {
      // fall through
    }
    throw bad(key + " must be a non-negative integer (or \"0x...\" hex)");
  }

  private static MalformedEvidenceException bad(String msg) {
    return new MalformedEvidenceException(CoreReason.BAD_FIELD, msg);
  }
}
