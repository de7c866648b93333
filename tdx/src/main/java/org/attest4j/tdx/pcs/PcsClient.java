package org.attest4j.tdx.pcs;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.DiskCache;
import org.attest4j.core.internal.EndorsementHttp;
import org.attest4j.core.internal.ExpiringCache;
import org.attest4j.core.internal.ExpiringCache.Cached;
import org.attest4j.core.internal.ExpiringCache.Loader;
import org.attest4j.core.internal.RetryPolicy;
import org.attest4j.core.internal.Sleeper;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;

/**
 * A client for Intel's Provisioning Certification Service (PCS, {@code
 * https://api.trustedservices.intel.com}) or a PCCS with the same v4 API, fetching the collateral a
 * TDX verifier needs:
 *
 * <ul>
 *   <li>the PCK CRL: {@code /sgx/certification/v4/pckcrl?ca=platform|processor&encoding=der}, issuer
 *       chain in {@code SGX-PCK-CRL-Issuer-Chain};
 *   <li>TCB info: {@code /tdx/certification/v4/tcb?fmspc=..&update=standard|early} or {@code
 *       &tcbEvaluationDataNumber=N}, issuer chain in {@code TCB-Info-Issuer-Chain};
 *   <li>QE identity: {@code /tdx/certification/v4/qe/identity?update=..} (or {@code
 *       tcbEvaluationDataNumber}), issuer chain in {@code SGX-Enclave-Identity-Issuer-Chain};
 *   <li>the root CA CRL: Intel's {@code https://certificates.trustedservices.intel.com/IntelSGXRootCA.der}
 *       for the PCS, {@code /sgx/certification/v4/rootcacrl} (DER or hex) for a PCCS.
 * </ul>
 *
 * <p>Like {@code KdsClient}: bounded timeouts and body size; bounded retries with backoff honouring
 * {@code Retry-After} on 429 and 503; concurrent requests coalesced; a memory cache and an optional
 * disk cache written atomically and trusted only after verification (issuer chain to the pinned
 * Intel SGX Root CA, the signature over the exact JSON bytes or the CRL); an offline mode. Every
 * item is kept only until its {@code nextUpdate}: stale collateral is never served.
 *
 * <p>Thread-safe; share one instance.
 */
public final class PcsClient {
  private static final System.Logger LOG = System.getLogger(PcsClient.class.getName());

  /** Intel's PCS. */
  public static final URI DEFAULT_BASE_URI = URI.create("https://api.trustedservices.intel.com");

  /** Where Intel publishes the root CA CRL. */
  public static final URI INTEL_ROOT_CA_CRL_URI =
      URI.create("https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");

  /** Which TCB data to ask for: the standard or the early TCB recovery schedule. */
  public enum UpdateType {
    /** The standard TCB recovery schedule ({@code update=standard}). */
    STANDARD,
    /** Early access to a TCB recovery ({@code update=early}). */
    EARLY;

    String param() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which PCK CA issued the PCK certificate (from its issuer CN). */
  public enum PckCa {
    /** Intel SGX PCK Platform CA ({@code ca=platform}). */
    PLATFORM,
    /** Intel SGX PCK Processor CA ({@code ca=processor}). */
    PROCESSOR;

    String param() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final int MEMORY_ENTRIES = 256;

  private static final EndorsementHttp.Service PCS =
      new EndorsementHttp.Service(
          "the PCS",
          "PCS",
          "use a cache directory or a local PCCS",
          "check the FMSPC, CA and TCB evaluation data number",
          new EndorsementHttp.Reasons(
              PcsReason.TIMEOUT,
              PcsReason.BAD_RESPONSE,
              PcsReason.NETWORK_ERROR,
              PcsReason.THROTTLED,
              PcsReason.SERVER_UNAVAILABLE,
              PcsReason.NOT_FOUND,
              PcsReason.HTTP_ERROR,
              PcsReason.INTERRUPTED),
          // the retry log keeps the logger name of the former PcsHttp class
          System.getLogger(PcsClient.class.getPackageName() + ".PcsHttp"));

  private final String base;
  private final URI rootCaCrlUri;
  private final EndorsementHttp http;
  private final DiskCache disk;
  private final boolean offline;
  private final Clock clock;
  private final CollateralVerifier verifier;
  private final ExpiringCache memory;

  private PcsClient(Builder b) {
    String s = EndorsementHttp.withoutTrailingSlashes(b.baseUri);
    for (String suffix : new String[] {"/sgx/certification/v4", "/tdx/certification/v4"}) {
      if (s.endsWith(suffix)) {
        s = s.substring(0, s.length() - suffix.length());
      }
    }
    this.base = s;
    this.rootCaCrlUri =
        b.rootCaCrlUri != null
            ? b.rootCaCrlUri
            : DEFAULT_BASE_URI.getHost().equalsIgnoreCase(b.baseUri.getHost())
                ? INTEL_ROOT_CA_CRL_URI
                : URI.create(base + "/sgx/certification/v4/rootcacrl");
    HttpClient client =
        b.httpClient != null ? b.httpClient : EndorsementHttp.defaultClient(b.connectTimeout);
    this.clock = b.clock;
    this.memory = new ExpiringCache(MEMORY_ENTRIES, b.clock, PcsReason.INTERRUPTED);
    this.http =
        new EndorsementHttp(
            PCS,
            client,
            b.requestTimeout,
            RetryPolicy.of(b.maxAttempts, b.initialBackoff, b.maxBackoff, b.maxRetryAfter),
            b.clock,
            b.sleeper,
            b.maxBodyBytes,
            b.breakerWindow);
    this.disk = b.cacheDirectory == null ? null : DiskCache.at(b.cacheDirectory);
    this.offline = b.offline;
    this.verifier = b.verifier;
  }

  /**
   * A builder: Intel's PCS, 10 s per attempt, 4 attempts, memory cache only.
   *
   * @return this builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ URLs

  /**
   * The TCB info URL for an FMSPC (12 hex digits) and update type.
   *
   * @param fmspc the FMSPC (6 bytes as 12 hex digits)
   * @param update early or standard TCB update
   * @return the TCB info URL for an FMSPC (12 hex digits) and update type
   */
  public URI tcbInfoUri(String fmspc, UpdateType update) {
    return URI.create(base + "/tdx/certification/v4/tcb?fmspc=" + fmspc(fmspc) + "&update=" + update.param());
  }

  /**
   * The TCB info URL for an FMSPC at a chosen TCB evaluation data number.
   *
   * @param fmspc the FMSPC (6 bytes as 12 hex digits)
   * @param tcbEvaluationDataNumber the TCB evaluation data number
   * @return the TCB info URL for an FMSPC at a chosen TCB evaluation data number
   */
  public URI tcbInfoUri(String fmspc, int tcbEvaluationDataNumber) {
    return URI.create(base + "/tdx/certification/v4/tcb?fmspc=" + fmspc(fmspc)
        + "&tcbEvaluationDataNumber=" + evaluationNumber(tcbEvaluationDataNumber));
  }

  /**
   * The TD QE identity URL.
   *
   * @param update early or standard TCB update
   * @return the TD QE identity URL
   */
  public URI qeIdentityUri(UpdateType update) {
    return URI.create(base + "/tdx/certification/v4/qe/identity?update=" + update.param());
  }

  /**
   * The TD QE identity URL at a chosen TCB evaluation data number.
   *
   * @param tcbEvaluationDataNumber the TCB evaluation data number
   * @return the TD QE identity URL at a chosen TCB evaluation data number
   */
  public URI qeIdentityUri(int tcbEvaluationDataNumber) {
    return URI.create(base + "/tdx/certification/v4/qe/identity?tcbEvaluationDataNumber="
        + evaluationNumber(tcbEvaluationDataNumber));
  }

  /**
   * The PCK CRL URL (DER encoding).
   *
   * @param ca the PCK CA (platform or processor)
   * @return the PCK CRL URL (DER encoding)
   */
  public URI pckCrlUri(PckCa ca) {
    return URI.create(base + "/sgx/certification/v4/pckcrl?ca=" + ca.param() + "&encoding=der");
  }

  /**
   * The root CA CRL URL.
   *
   * @return the root CA CRL URL
   */
  public URI rootCaCrlUri() {
    return rootCaCrlUri;
  }

  private static String fmspc(String fmspc) {
    Objects.requireNonNull(fmspc, "fmspc");
    if (!fmspc.matches("[0-9A-Fa-f]{12}")) {
      throw new IllegalArgumentException("FMSPC must be 12 hex digits, got '" + fmspc + "'");
    }
    return fmspc.toUpperCase(Locale.ROOT);
  }

  private static int evaluationNumber(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("TCB evaluation data number must be positive, got " + n);
    }
    return n;
  }

  // ------------------------------------------------------------------ fetching

  /**
   * TCB info for an FMSPC, verified and fresh (issueDate &le; now &lt; nextUpdate).
   *
   * @param fmspc the FMSPC (6 bytes as 12 hex digits)
   * @param update early or standard TCB update
   * @return TCB info for an FMSPC, verified and fresh (issueDate &le; now &lt; nextUpdate)
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public SignedCollateral tcbInfo(String fmspc, UpdateType update) throws AttestationException {
    return signed(SignedCollateral.Kind.TCB_INFO, tcbInfoUri(fmspc, update),
        "pcs-tdx-tcb-" + fmspc(fmspc) + "-" + update.param() + ".json", "TDX TCB info for FMSPC " + fmspc(fmspc));
  }

  /**
   * TCB info for an FMSPC at a chosen TCB evaluation data number, verified and fresh.
   *
   * @param fmspc the FMSPC (6 bytes as 12 hex digits)
   * @param tcbEvaluationDataNumber the TCB evaluation data number
   * @return TCB info for an FMSPC at a chosen TCB evaluation data number, verified and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public SignedCollateral tcbInfo(String fmspc, int tcbEvaluationDataNumber) throws AttestationException {
    return signed(SignedCollateral.Kind.TCB_INFO, tcbInfoUri(fmspc, tcbEvaluationDataNumber),
        "pcs-tdx-tcb-" + fmspc(fmspc) + "-eval" + tcbEvaluationDataNumber + ".json",
        "TDX TCB info for FMSPC " + fmspc(fmspc) + " at evaluation data number " + tcbEvaluationDataNumber);
  }

  /**
   * The TD QE identity, verified and fresh.
   *
   * @param update early or standard TCB update
   * @return the TD QE identity, verified and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public SignedCollateral qeIdentity(UpdateType update) throws AttestationException {
    return signed(SignedCollateral.Kind.QE_IDENTITY, qeIdentityUri(update),
        "pcs-tdx-qe-identity-" + update.param() + ".json", "TD QE identity");
  }

  /**
   * The TD QE identity at a chosen TCB evaluation data number, verified and fresh.
   *
   * @param tcbEvaluationDataNumber the TCB evaluation data number
   * @return the TD QE identity at a chosen TCB evaluation data number, verified and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public SignedCollateral qeIdentity(int tcbEvaluationDataNumber) throws AttestationException {
    return signed(SignedCollateral.Kind.QE_IDENTITY, qeIdentityUri(tcbEvaluationDataNumber),
        "pcs-tdx-qe-identity-eval" + tcbEvaluationDataNumber + ".json",
        "TD QE identity at evaluation data number " + tcbEvaluationDataNumber);
  }

  /**
   * The PCK CRL of a PCK CA, verified (issuer chain to the pinned root, signature) and fresh.
   *
   * @param ca the PCK CA (platform or processor)
   * @return the PCK CRL of a PCK CA, verified (issuer chain to the pinned root, signature) and
   *     fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public PcsCrl pckCrl(PckCa ca) throws AttestationException {
    String what = "PCK CRL (" + ca.param() + " CA)";
    String key = "pcs-pckcrl-" + ca.param() + ".json";
    return (PcsCrl) cached(key, what, () -> {
      Instant now = clock.instant();
      PcsCrl fromDisk = readDisk(key, what, bytes -> {
        Envelope e = Envelope.parse(bytes, what);
        return checkPckCrl(e.body, e.chain, now, what);
      });
      if (fromDisk != null) {
        return new Cached(fromDisk, fromDisk.nextUpdate());
      }
      HttpResponse<byte[]> resp = fetch(pckCrlUri(ca), what);
      String chain = header(resp, "SGX-PCK-CRL-Issuer-Chain", what);
      byte[] der = crlBytes(resp.body(), what);
      PcsCrl crl = untrustedIfFails(what, () -> checkPckCrl(der, chain, now, what));
      writeDisk(key, new Envelope(der, chain).toBytes());
      return new Cached(crl, crl.nextUpdate());
    });
  }

  /**
   * The Intel SGX Root CA CRL, verified with the root certificate from the (verified) platform PCK
   * CRL issuer chain, and fresh.
   *
   * @return the Intel SGX Root CA CRL, verified with the root certificate from the (verified)
   *     platform PCK CRL issuer chain, and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public PcsCrl rootCaCrl() throws AttestationException {
    String what = "root CA CRL";
    String key = "pcs-rootcacrl.der";
    return (PcsCrl) cached(key, what, () -> {
      Instant now = clock.instant();
      List<X509Certificate> chain = verifier.verifyChain(
          pckCrl(PckCa.PLATFORM).issuerChainPem().orElseThrow(), "PCK CRL issuer", null);
      X509Certificate root = chain.get(chain.size() - 1);
      PcsCrl fromDisk = readDisk(key, what, bytes -> checkCrl(bytes, null, root, now, what));
      if (fromDisk != null) {
        return new Cached(fromDisk, fromDisk.nextUpdate());
      }
      byte[] der = crlBytes(fetch(rootCaCrlUri, what).body(), what);
      PcsCrl crl = untrustedIfFails(what, () -> checkCrl(der, null, root, now, what));
      writeDisk(key, der);
      return new Cached(crl, crl.nextUpdate());
    });
  }

  /**
   * Everything {@link org.attest4j.tdx.TdxVerifier} needs for a platform: root CA CRL, PCK CRL of the
   * given CA, TCB info for the FMSPC and QE identity, all verified and fresh.
   *
   * @param fmspc the FMSPC (6 bytes as 12 hex digits)
   * @param ca the PCK CA (platform or processor)
   * @param update early or standard TCB update
   * @return the collateral, verified and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxCollateral collateral(String fmspc, PckCa ca, UpdateType update) throws AttestationException {
    return assemble(pckCrl(ca), rootCaCrl(), tcbInfo(fmspc, update), qeIdentity(update));
  }

  /**
   * {@link #collateral(String, PckCa, UpdateType)} for the platform that produced {@code quote}: the
   * FMSPC and the PCK CA ({@code platform} or {@code processor}) are read from the PCK leaf
   * certificate the quote carries, so callers need not pass them. The certificate only selects the
   * collateral here; {@link org.attest4j.tdx.TdxVerifier} verifies it and refuses TCB info for
   * another FMSPC.
   *
   * @param quote the quote
   * @param update early or standard TCB update
   * @return the collateral, verified and fresh
   * @throws VerificationException if the quote's PCK certificate chain cannot be parsed, or its
   *     leaf lacks the SGX extension's FMSPC or is issued by neither PCK CA
   * @throws EndorsementUnavailableException if the collateral cannot be fetched or does not verify
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxCollateral collateral(TdxQuote quote, UpdateType update) throws AttestationException {
    PckLeaf leaf = PckLeaf.of(Objects.requireNonNull(quote, "quote"));
    return collateral(leaf.fmspc(), leaf.ca(), Objects.requireNonNull(update, "update"));
  }

  /**
   * {@link #collateral(TdxQuote, UpdateType)} at a chosen TCB evaluation data number.
   *
   * @param quote the quote
   * @param tcbEvaluationDataNumber the TCB evaluation data number
   * @return the collateral, verified and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxCollateral collateral(TdxQuote quote, int tcbEvaluationDataNumber) throws AttestationException {
    PckLeaf leaf = PckLeaf.of(Objects.requireNonNull(quote, "quote"));
    return collateral(leaf.fmspc(), leaf.ca(), tcbEvaluationDataNumber);
  }

  /**
   * {@link #collateral(String, PckCa, UpdateType)} at a chosen TCB evaluation data number.
   *
   * @param fmspc the FMSPC (6 bytes as 12 hex digits)
   * @param ca the PCK CA (platform or processor)
   * @param tcbEvaluationDataNumber the TCB evaluation data number
   * @return the collateral, verified and fresh
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxCollateral collateral(String fmspc, PckCa ca, int tcbEvaluationDataNumber) throws AttestationException {
    return assemble(pckCrl(ca), rootCaCrl(), tcbInfo(fmspc, tcbEvaluationDataNumber),
        qeIdentity(tcbEvaluationDataNumber));
  }

  private static TdxCollateral assemble(PcsCrl pck, PcsCrl root, SignedCollateral tcb, SignedCollateral qe)
      throws EndorsementUnavailableException {
    try {
      return TdxCollateral.builder()
          .rootCaCrl(root.der())
          .pckCrl(pck.der())
          .pckCrlIssuerChain(pck.issuerChainPem().orElseThrow())
          .tcbInfo(tcb.json(), tcb.signature())
          .tcbInfoIssuerChain(tcb.issuerChainPem())
          .qeIdentity(qe.json(), qe.signature())
          .qeIdentityIssuerChain(qe.issuerChainPem())
          .build();
    } catch (MalformedEvidenceException e) {
      throw new EndorsementUnavailableException(
          PcsReason.BAD_RESPONSE, "the fetched collateral does not assemble: " + e.getMessage(), null, e);
    }
  }

  private SignedCollateral signed(SignedCollateral.Kind kind, URI uri, String key, String what)
      throws AttestationException {
    return (SignedCollateral) cached(key, what, () -> {
      Instant now = clock.instant();
      SignedCollateral fromDisk = readDisk(key, what, bytes -> {
        Envelope e = Envelope.parse(bytes, what);
        return checkSigned(kind, e.body, e.chain, now, what);
      });
      if (fromDisk != null) {
        return new Cached(fromDisk, fromDisk.nextUpdate());
      }
      HttpResponse<byte[]> resp = fetch(uri, what);
      String chain = header(resp, kind.issuerChainHeader(), what);
      SignedCollateral c = untrustedIfFails(what, () -> checkSigned(kind, resp.body(), chain, now, what));
      writeDisk(key, new Envelope(resp.body(), chain).toBytes());
      return new Cached(c, c.nextUpdate());
    });
  }

  // ------------------------------------------------------------------ verification

  SignedCollateral checkSigned(
      SignedCollateral.Kind kind, byte[] body, String chainPem, Instant now, String what)
      throws AttestationException {
    byte[] json = RawJson.valueOf(body, kind.field());
    if (json == null) {
      throw bad(what, "no '" + kind.field() + "' object in the response");
    }
    JsonObject inner;
    String sigHex;
    Instant issue;
    Instant next;
    int eval;
    try {
      JsonObject outer = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
      sigHex = outer.get("signature").getAsString();
      inner = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
      issue = Instant.parse(inner.get("issueDate").getAsString());
      next = Instant.parse(inner.get("nextUpdate").getAsString());
      JsonElement e = inner.get("tcbEvaluationDataNumber");
      eval = e == null ? -1 : e.getAsInt();
    } catch (RuntimeException e) {
      throw bad(what, "malformed JSON (" + e.getMessage() + ")", e);
    }
    byte[] sig;
    try {
      sig = HexFormat.of().parseHex(sigHex);
    } catch (IllegalArgumentException e) {
      throw bad(what, "the signature is not hex", e);
    }
    if (sig.length != 64) {
      throw bad(what, "the signature is " + sig.length + " bytes, not 64");
    }
    List<X509Certificate> chain = verifier.verifyChain(chainPem, what + " issuer", now);
    if (!ecdsaP256(chain.get(0), json, sig)) {
      throw new EndorsementUnavailableException(
          PcsReason.UNTRUSTED_RESPONSE,
          "the " + what + " signature does not verify under '" + chain.get(0).getSubjectX500Principal().getName() + "'");
    }
    fresh(issue, next, now, what);
    return new SignedCollateral(kind, body, json, sig, chainPem, issue, next, eval);
  }

  private PcsCrl checkPckCrl(byte[] der, String chainPem, Instant now, String what) throws AttestationException {
    List<X509Certificate> chain = verifier.verifyChain(chainPem, what + " issuer", now);
    return checkCrl(der, chainPem, chain.get(0), now, what);
  }

  private static PcsCrl checkCrl(byte[] der, String chainPem, X509Certificate issuer, Instant now, String what)
      throws EndorsementUnavailableException {
    X509CRL crl;
    try {
      crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
      if (!Arrays.equals(crl.getEncoded(), der)) {
        throw bad(what, "trailing or missing bytes");
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw bad(what, "not a DER CRL (" + e.getMessage() + ")", e);
    }
    if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw new EndorsementUnavailableException(
          PcsReason.UNTRUSTED_RESPONSE, "the " + what + " is issued by '" + crl.getIssuerX500Principal().getName()
              + "', not '" + issuer.getSubjectX500Principal().getName() + "'");
    }
    try {
      crl.verify(issuer.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new EndorsementUnavailableException(
          PcsReason.UNTRUSTED_RESPONSE, "the " + what + " signature does not verify", null, e);
    }
    if (crl.getNextUpdate() == null) {
      throw bad(what, "no nextUpdate");
    }
    fresh(crl.getThisUpdate().toInstant(), crl.getNextUpdate().toInstant(), now, what);
    return new PcsCrl(der, chainPem, crl);
  }

  private static void fresh(Instant issue, Instant next, Instant now, String what) throws EndorsementUnavailableException {
    if (now.isBefore(issue)) {
      throw new EndorsementUnavailableException(
          PcsReason.UNTRUSTED_RESPONSE, "the " + what + " is issued in the future (" + issue + ", now " + now + ")");
    }
    if (!now.isBefore(next)) {
      throw new EndorsementUnavailableException(
          PcsReason.STALE, "the " + what + " is stale: its nextUpdate " + next + " has passed (now " + now + ")");
    }
  }

  static boolean ecdsaP256(X509Certificate signer, byte[] data, byte[] rs) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(signer.getPublicKey());
      s.update(data);
      return s.verify(derSignature(rs));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** r||s (32 bytes each, big-endian) as a DER SEQUENCE of two INTEGERs. */
  static byte[] derSignature(byte[] rs) {
    byte[] r = derInteger(Arrays.copyOfRange(rs, 0, 32));
    byte[] s = derInteger(Arrays.copyOfRange(rs, 32, 64));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    out.write(r.length + s.length);
    out.writeBytes(r);
    out.writeBytes(s);
    return out.toByteArray();
  }

  private static byte[] derInteger(byte[] v) {
    int i = 0;
    while (i < v.length - 1 && v[i] == 0) {
      i++;
    }
    boolean pad = (v[i] & 0x80) != 0;
    int len = v.length - i + (pad ? 1 : 0);
    byte[] out = new byte[2 + len];
    out[0] = 0x02;
    out[1] = (byte) len;
    System.arraycopy(v, i, out, 2 + (pad ? 1 : 0), v.length - i);
    return out;
  }

  private interface Check<T> {
    T run() throws AttestationException;
  }

  private static <T> T untrustedIfFails(String what, Check<T> check) throws EndorsementUnavailableException {
    try {
      return check.run();
    } catch (EndorsementUnavailableException e) {
      throw e;
    } catch (AttestationException e) {
      throw new EndorsementUnavailableException(
          PcsReason.UNTRUSTED_RESPONSE, "the " + what + " served does not verify: " + e.getMessage(), null, e);
    }
  }

  // ------------------------------------------------------------------ plumbing

  private interface Parser<T> {
    T parse(byte[] bytes) throws AttestationException;
  }

  private Object cached(String key, String what, Loader loader) throws AttestationException {
    return memory.get(key, what, loader);
  }

  private <T> T readDisk(String key, String what, Parser<T> parser) {
    if (disk == null) {
      return null;
    }
    Optional<byte[]> bytes;
    try {
      bytes = disk.read(key);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot read cached " + what + ": " + e);
      return null;
    }
    if (bytes.isEmpty()) {
      return null;
    }
    try {
      return parser.parse(bytes.get());
    } catch (AttestationException | RuntimeException e) {
      LOG.log(Level.INFO, "discarding cached " + what + " (" + key + "): " + e.getMessage());
      try {
        disk.delete(key);
      } catch (IOException io) {
        LOG.log(Level.WARNING, "cannot delete " + key + ": " + io);
      }
      return null;
    }
  }

  private void writeDisk(String key, byte[] bytes) {
    if (disk == null) {
      return;
    }
    try {
      disk.write(key, bytes);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot write the PCS cache " + disk.directory() + ": " + e);
    }
  }

  private HttpResponse<byte[]> fetch(URI uri, String what) throws EndorsementUnavailableException {
    if (offline) {
      throw new EndorsementUnavailableException(
          PcsReason.OFFLINE_CACHE_MISS,
          "offline mode and no fresh, verified " + what + " in "
              + (disk == null ? "memory (no cache directory configured)" : "the cache " + disk.directory()));
    }
    return http.get(uri, what);
  }

  /** How many HTTP requests were sent, retries included. */
  long httpRequestCount() {
    return http.requestCount();
  }

  /** How many calls joined a fetch already running. */
  long coalescedCount() {
    return memory.joinedCount();
  }

  private static String header(HttpResponse<byte[]> resp, String name, String what) throws EndorsementUnavailableException {
    String v = resp.headers().firstValue(name).orElse(null);
    if (v == null || v.isBlank()) {
      throw bad(what, "the response has no " + name + " header");
    }
    return percentDecode(v, what);
  }

  /** Percent-decoding only: '+' stays '+', as PEM base64 needs. */
  static String percentDecode(String s, String what) throws EndorsementUnavailableException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw bad(what, "bad percent-encoding in the issuer chain header");
        }
        try {
          out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        } catch (NumberFormatException e) {
          throw bad(what, "bad percent-encoding in the issuer chain header");
        }
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** DER, or (as a PCCS serves the root CA CRL) hex text of the DER. */
  static byte[] crlBytes(byte[] body, String what) throws EndorsementUnavailableException {
    if (body.length > 0 && body[0] == 0x30) {
      return body;
    }
    String text = new String(body, StandardCharsets.US_ASCII).trim();
    try {
      return HexFormat.of().parseHex(text);
    } catch (IllegalArgumentException e) {
      throw bad(what, "neither DER nor hex", e);
    }
  }

  private static EndorsementUnavailableException bad(String what, String why) {
    return bad(what, why, null);
  }

  private static EndorsementUnavailableException bad(String what, String why, Throwable cause) {
    return new EndorsementUnavailableException(PcsReason.BAD_RESPONSE, "the " + what + " is malformed: " + why, null, cause);
  }

  /** A cache file: the body and the issuer chain header, as JSON. */
  static final class Envelope {
    final byte[] body;
    final String chain;

    Envelope(byte[] body, String chain) {
      this.body = body;
      this.chain = chain;
    }

    byte[] toBytes() {
      JsonObject o = new JsonObject();
      o.addProperty("issuer_chain", chain);
      o.addProperty("body", Base64.getEncoder().encodeToString(body));
      return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Envelope parse(byte[] bytes, String what) throws EndorsementUnavailableException {
      try {
        JsonObject o = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8)).getAsJsonObject();
        return new Envelope(Base64.getDecoder().decode(o.get("body").getAsString()), o.get("issuer_chain").getAsString());
      } catch (RuntimeException e) {
        throw bad(what, "unreadable cache file", e);
      }
    }
  }

  // ------------------------------------------------------------------ builder

  /** Configures a {@link PcsClient}. Not thread-safe; build once and share the client. */
  public static final class Builder {
    private URI baseUri = DEFAULT_BASE_URI;
    private URI rootCaCrlUri;
    private HttpClient httpClient;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofSeconds(2);
    private Duration maxBackoff = Duration.ofSeconds(20);
    private Duration maxRetryAfter = Duration.ofSeconds(30);
    private Duration breakerWindow;
    private int maxBodyBytes = 1024 * 1024;
    private Path cacheDirectory;
    private boolean offline;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.system();
    private CollateralVerifier verifier = CollateralVerifier.intelRoot();

    private Builder() {}

    /**
     * The PCS or PCCS base, e.g. {@code https://api.trustedservices.intel.com} or {@code
     * https://pccs.example:8081} (a trailing {@code /sgx/certification/v4} or {@code
     * /tdx/certification/v4} is accepted and removed).
     *
     * @param uri the URI
     * @return this builder
     */
    public Builder baseUri(URI uri) {
      this.baseUri = EndorsementHttp.checkBaseUri(uri, "PCS");
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
     * Where to get the root CA CRL (default: Intel's for the PCS, {@code {base}/sgx/certification/v4/rootcacrl} otherwise).
     *
     * @param uri the URI
     * @return this builder
     */
    public Builder rootCaCrlUri(URI uri) {
      this.rootCaCrlUri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * The HTTP client to use.
     *
     * @param client the HTTP client
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
     * @param n the number
     * @return this builder
     */
    public Builder maxAttempts(int n) {
      this.maxAttempts = EndorsementHttp.checkMaxAttempts(n);
      return this;
    }

    /**
     * The first backoff (default 2 s; doubles per failure) and its cap (default 20 s).
     *
     * @param initial the initial value
     * @param max the maximum
     * @return this builder
     */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = Objects.requireNonNull(initial, "initial");
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /**
     * The longest {@code Retry-After} honoured (default 30 s); longer demands end the retries.
     *
     * @param d the duration
     * @return this builder
     */
    public Builder maxRetryAfter(Duration d) {
      this.maxRetryAfter = Objects.requireNonNull(d, "maxRetryAfter");
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
     * The largest body accepted (default 1 MiB).
     *
     * @param n the number of bytes
     * @return this builder
     */
    public Builder maxBodyBytes(int n) {
      this.maxBodyBytes = EndorsementHttp.checkMaxBodyBytes(n);
      return this;
    }

    /**
     * A directory for the on-disk cache.
     *
     * @param dir the directory
     * @return this builder
     */
    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Never use the network.
     *
     * @param offline true to never use the network
     * @return this builder
     */
    public Builder offline(boolean offline) {
      this.offline = offline;
      return this;
    }

    /**
     * The clock for freshness (issueDate/nextUpdate) and certificate validity.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Decides whether issuer chains may be trusted (default {@link CollateralVerifier#intelRoot()}).
     *
     * @param verifier the verifier
     * @return this builder
     */
    public Builder verifier(CollateralVerifier verifier) {
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
    public PcsClient build() {
      return new PcsClient(this);
    }
  }
}
