package org.attest4j.tdx;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * Intel DCAP collateral for verifying TDX quotes: the root CA CRL, the PCK CRL and its issuer chain,
 * the TDX TCB info with its signature and issuer chain, and the TD_QE identity with its signature and
 * issuer chain. TCB info and QE identity are kept as the <em>exact signed bytes</em>, never
 * re-serialized.
 *
 * <p>Sources: {@link #fromQuoteCollateralJson(byte[])} (the {@code QuoteCollateralV3} JSON written by
 * dcap-qvl and PCCS tooling), {@link #fromDirectory(Path)} (one file per item, as in the attest4j
 * test vectors), or {@link #builder()} (for example from Intel PCS responses, see {@link
 * Builder#tcbInfoResponse(byte[])}).
 *
 * <p>Building checks structure only (JSON, CRL and PEM syntax); signatures, chains and currency are
 * checked by {@link TdxVerifier}, which caches the verified result by {@link #fingerprint()}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxCollateral {
  private final Bytes rootCaCrl;
  private final Bytes pckCrl;
  private final String pckCrlIssuerChain;
  private final Bytes tcbInfo;
  private final Bytes tcbInfoSignature;
  private final String tcbInfoIssuerChain;
  private final Bytes qeIdentity;
  private final Bytes qeIdentitySignature;
  private final String qeIdentityIssuerChain;
  private final Bytes fingerprint;
  private final TcbInfo parsedTcbInfo;
  private final QeIdentity parsedQeIdentity;
  private final Pki.Crl parsedRootCaCrl;
  private final Pki.Crl parsedPckCrl;

  private TdxCollateral(Builder b) throws MalformedEvidenceException {
    this.rootCaCrl = require(b.rootCaCrl, "root_ca_crl");
    this.pckCrl = require(b.pckCrl, "pck_crl");
    this.pckCrlIssuerChain = require(b.pckCrlIssuerChain, "pck_crl_issuer_chain");
    this.tcbInfo = require(b.tcbInfo, "tcb_info");
    this.tcbInfoSignature = require(b.tcbInfoSignature, "tcb_info_signature");
    this.tcbInfoIssuerChain = require(b.tcbInfoIssuerChain, "tcb_info_issuer_chain");
    this.qeIdentity = require(b.qeIdentity, "qe_identity");
    this.qeIdentitySignature = require(b.qeIdentitySignature, "qe_identity_signature");
    this.qeIdentityIssuerChain = require(b.qeIdentityIssuerChain, "qe_identity_issuer_chain");
    if (tcbInfoSignature.length() != 64 || qeIdentitySignature.length() != 64) {
      throw malformed("TCB info and QE identity signatures must be 64 bytes (r||s)");
    }
    this.parsedTcbInfo = TcbInfo.parse(tcbInfo.toByteArray());
    this.parsedQeIdentity = QeIdentity.parse(qeIdentity.toByteArray());
    try {
      this.parsedRootCaCrl = new Pki.Crl(rootCaCrl, "root CA CRL");
      this.parsedPckCrl = new Pki.Crl(pckCrl, "PCK CRL");
      Pki.pemCertificates(pckCrlIssuerChain, "PCK CRL issuer");
      Pki.pemCertificates(tcbInfoIssuerChain, "TCB info issuer");
      Pki.pemCertificates(qeIdentityIssuerChain, "QE identity issuer");
    } catch (VerificationException e) {
      throw new MalformedEvidenceException(TdxReason.COLLATERAL_MALFORMED, e.getMessage(), e);
    }
    this.fingerprint = computeFingerprint();
  }

  private static <T> T require(T v, String name) throws MalformedEvidenceException {
    if (v == null) {
      throw malformed("collateral item " + name + " is missing");
    }
    return v;
  }

  private static MalformedEvidenceException malformed(String msg) {
    return new MalformedEvidenceException(TdxReason.COLLATERAL_MALFORMED, msg);
  }

  private Bytes computeFingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] part :
          new byte[][] {
            rootCaCrl.toByteArray(), pckCrl.toByteArray(), utf8(pckCrlIssuerChain),
            tcbInfo.toByteArray(), tcbInfoSignature.toByteArray(), utf8(tcbInfoIssuerChain),
            qeIdentity.toByteArray(), qeIdentitySignature.toByteArray(), utf8(qeIdentityIssuerChain)
          }) {
        long n = part.length;
        for (int i = 0; i < 8; i++) {
          md.update((byte) (n >>> (8 * i)));
        }
        md.update(part);
      }
      return Bytes.of(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A builder; every item is required.
   *
   * @return this builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the {@code QuoteCollateralV3} JSON object written by dcap-qvl and PCCS tooling: {@code
   * pck_crl_issuer_chain}, {@code root_ca_crl}, {@code pck_crl}, {@code tcb_info_issuer_chain},
   * {@code tcb_info}, {@code tcb_info_signature}, {@code qe_identity_issuer_chain}, {@code
   * qe_identity}, {@code qe_identity_signature}. Binary items may be hex strings, arrays of byte
   * values or (CRLs) PEM/base64; camelCase key spellings are accepted too. {@code tcb_info} and
   * {@code qe_identity} are the exact signed JSON text (or a full PCS response, from which the value
   * and signature are taken verbatim).
   *
   * @param json the JSON bytes
   * @return what was read
   * @throws MalformedEvidenceException with {@link TdxReason#COLLATERAL_MALFORMED}
   */
  public static TdxCollateral fromQuoteCollateralJson(byte[] json) throws MalformedEvidenceException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(json, "json");
    Json j = new Json(TdxReason.COLLATERAL_MALFORMED, "QuoteCollateralV3 JSON");
    JsonObject o = j.object(j.parse(new String(json, StandardCharsets.UTF_8)), "collateral");
    Builder b = builder();
    b.pckCrlIssuerChain(text(j, o, "pck_crl_issuer_chain", "pckCrlIssuerChain"));
    b.rootCaCrl(binary(j, o, "root_ca_crl", "rootCaCrl"));
    b.pckCrl(binary(j, o, "pck_crl", "pckCrl"));
    b.tcbInfoIssuerChain(text(j, o, "tcb_info_issuer_chain", "tcbInfoIssuerChain"));
    b.qeIdentityIssuerChain(text(j, o, "qe_identity_issuer_chain", "qeIdentityIssuerChain"));
    String tcb = text(j, o, "tcb_info", "tcbInfo");
    String qe = text(j, o, "qe_identity", "qeIdentity");
    byte[] tcbSig = optBinary(j, o, "tcb_info_signature", "tcbInfoSignature");
    byte[] qeSig = optBinary(j, o, "qe_identity_signature", "qeIdentitySignature");
    b.signedItem(utf8(tcb), tcbSig, "tcbInfo", true);
    b.signedItem(utf8(qe), qeSig, "enclaveIdentity", false);
    return b.build();
  }

  /**
   * Reads a collateral directory laid out like the attest4j TDX vectors: {@code root_ca_crl.der},
   * {@code pck_crl.der}, {@code pck_crl_issuer_chain.pem}, {@code tcb_info.json} (exact signed
   * bytes), {@code tcb_info.sig.hex}, {@code tcb_info_issuer_chain.pem}, {@code qe_identity.json},
   * {@code qe_identity.sig.hex}, {@code qe_identity_issuer_chain.pem}. When those files are absent
   * but {@code collateral.dcap-qvl.json} (or {@code collateral.json}) exists, that file is read
   * instead.
   *
   * @param dir the directory
   * @return what was read
   * @throws MalformedEvidenceException with {@link TdxReason#COLLATERAL_MALFORMED} for missing or
   *     malformed items, {@link CoreReason#IO_ERROR} for read failures
   */
  public static TdxCollateral fromDirectory(Path dir) throws MalformedEvidenceException {
    Objects.requireNonNull(dir, "dir");
    if (!Files.isDirectory(dir)) {
      throw malformed("collateral directory " + dir + " does not exist");
    }
    if (!Files.exists(dir.resolve("tcb_info.json"))) {
      for (String name : new String[] {"collateral.dcap-qvl.json", "collateral.json"}) {
        if (Files.isRegularFile(dir.resolve(name))) {
          return fromQuoteCollateralJson(read(dir.resolve(name)));
        }
      }
    }
    Builder b = builder();
    b.rootCaCrl(read(need(dir, "root_ca_crl.der")));
    b.pckCrl(read(need(dir, "pck_crl.der")));
    b.pckCrlIssuerChain(new String(read(need(dir, "pck_crl_issuer_chain.pem")), StandardCharsets.UTF_8));
    b.tcbInfoIssuerChain(new String(read(need(dir, "tcb_info_issuer_chain.pem")), StandardCharsets.UTF_8));
    b.qeIdentityIssuerChain(
        new String(read(need(dir, "qe_identity_issuer_chain.pem")), StandardCharsets.UTF_8));
    byte[] tcbSig = Files.exists(dir.resolve("tcb_info.sig.hex"))
        ? hexText(read(dir.resolve("tcb_info.sig.hex")), "tcb_info.sig.hex") : null;
    byte[] qeSig = Files.exists(dir.resolve("qe_identity.sig.hex"))
        ? hexText(read(dir.resolve("qe_identity.sig.hex")), "qe_identity.sig.hex") : null;
    b.signedItem(read(need(dir, "tcb_info.json")), tcbSig, "tcbInfo", true);
    b.signedItem(read(need(dir, "qe_identity.json")), qeSig, "enclaveIdentity", false);
    return b.build();
  }

  private static Path need(Path dir, String name) throws MalformedEvidenceException {
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw malformed("collateral directory " + dir + " lacks " + name);
    }
    return p;
  }

  private static byte[] read(Path p) throws MalformedEvidenceException {
    try {
      if (Files.size(p) > 16 * 1024 * 1024) {
        throw malformed(p + " is larger than 16 MiB");
      }
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new MalformedEvidenceException(CoreReason.IO_ERROR, "cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  private static byte[] hexText(byte[] b, String what) throws MalformedEvidenceException {
    String s = new String(b, StandardCharsets.US_ASCII).strip();
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw malformed(what + " is not hex");
    }
  }

  private static String text(Json j, JsonObject o, String snake, String camel)
      throws MalformedEvidenceException {
    String k = o.has(snake) ? snake : camel;
    JsonElement e = o.get(k);
    if (e == null || e.isJsonNull()) {
      throw malformed("collateral item " + snake + " is missing");
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      return e.getAsString();
    }
    if (e.isJsonArray()) {
      return new String(bytesFromArray(e.getAsJsonArray(), snake), StandardCharsets.UTF_8);
    }
    throw malformed("collateral item " + snake + " is not a string");
  }

  private static byte[] optBinary(Json j, JsonObject o, String snake, String camel)
      throws MalformedEvidenceException {
    if (!o.has(snake) && !o.has(camel)) {
      return null;
    }
    return binary(j, o, snake, camel);
  }

  private static byte[] binary(Json j, JsonObject o, String snake, String camel)
      throws MalformedEvidenceException {
    String k = o.has(snake) ? snake : camel;
    JsonElement e = o.get(k);
    if (e == null || e.isJsonNull()) {
      throw malformed("collateral item " + snake + " is missing");
    }
    if (e.isJsonArray()) {
      return bytesFromArray(e.getAsJsonArray(), snake);
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      String s = e.getAsString().strip();
      if (s.startsWith("0x") || s.startsWith("0X")) {
        s = s.substring(2);
      }
      if (s.startsWith("-----BEGIN")) {
        return s.getBytes(StandardCharsets.US_ASCII); // PEM CRL, decoded later
      }
      if (s.length() % 2 == 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        return HexFormat.of().parseHex(s);
      }
      try {
        return Base64.getDecoder().decode(s);
      } catch (IllegalArgumentException ex) {
        throw malformed("collateral item " + snake + " is neither hex, base64 nor PEM");
      }
    }
    throw malformed("collateral item " + snake + " is not a string or byte array");
  }

  private static byte[] bytesFromArray(JsonArray a, String what) throws MalformedEvidenceException {
    byte[] out = new byte[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        throw malformed("collateral item " + what + " holds a non-number");
      }
      int v;
      try {
        v = x.getAsInt();
      } catch (NumberFormatException ex) {
        throw malformed("collateral item " + what + " holds a non-integer");
      }
      if (v < 0 || v > 255 || !x.getAsString().equals(Integer.toString(v))) {
        throw malformed("collateral item " + what + " holds a non-byte value");
      }
      out[i] = (byte) v;
    }
    return out;
  }

  /** DER from DER, PEM ({@code -----BEGIN X509 CRL-----}) or hex text. */
  static byte[] crlDer(byte[] in, String what) throws MalformedEvidenceException {
    if (in.length > 0 && (in[0] & 0xff) == 0x30) {
      return in;
    }
    String s = new String(in, StandardCharsets.US_ASCII).strip();
    if (s.startsWith("-----BEGIN")) {
      int a = s.indexOf('\n');
      int z = s.indexOf("-----END");
      if (a < 0 || z < a) {
        throw malformed(what + " is not valid PEM");
      }
      try {
        return Base64.getMimeDecoder().decode(s.substring(a, z));
      } catch (IllegalArgumentException e) {
        throw malformed(what + " is not valid PEM");
      }
    }
    try {
      return HexFormat.of().parseHex(s);
    } catch (IllegalArgumentException e) {
      throw malformed(what + " is neither DER, PEM nor hex");
    }
  }

  /**
   * The root CA CRL (DER).
   *
   * @return the root CA CRL (DER)
   */
  public Bytes rootCaCrlDer() {
    return rootCaCrl;
  }

  /**
   * The PCK CRL (DER).
   *
   * @return the PCK CRL (DER)
   */
  public Bytes pckCrlDer() {
    return pckCrl;
  }

  /**
   * PEM chain of the PCK CRL issuer (PCK Platform/Processor CA, root).
   *
   * @return PEM chain of the PCK CRL issuer (PCK Platform/Processor CA, root)
   */
  public String pckCrlIssuerChainPem() {
    return pckCrlIssuerChain;
  }

  /**
   * The exact signed TCB info JSON bytes (the {@code tcbInfo} value).
   *
   * @return the exact signed TCB info JSON bytes (the {@code tcbInfo} value)
   */
  public Bytes tcbInfoJson() {
    return tcbInfo;
  }

  /**
   * TCB info signature r||s (64 bytes).
   *
   * @return TCB info signature r||s (64 bytes)
   */
  public Bytes tcbInfoSignature() {
    return tcbInfoSignature;
  }

  /**
   * PEM chain of the TCB signing certificate.
   *
   * @return PEM chain of the TCB signing certificate
   */
  public String tcbInfoIssuerChainPem() {
    return tcbInfoIssuerChain;
  }

  /**
   * The exact signed QE identity JSON bytes (the {@code enclaveIdentity} value).
   *
   * @return the exact signed QE identity JSON bytes (the {@code enclaveIdentity} value)
   */
  public Bytes qeIdentityJson() {
    return qeIdentity;
  }

  /**
   * QE identity signature r||s (64 bytes).
   *
   * @return QE identity signature r||s (64 bytes)
   */
  public Bytes qeIdentitySignature() {
    return qeIdentitySignature;
  }

  /**
   * PEM chain of the QE identity signing certificate.
   *
   * @return PEM chain of the QE identity signing certificate
   */
  public String qeIdentityIssuerChainPem() {
    return qeIdentityIssuerChain;
  }

  /**
   * The FMSPC the TCB info is for (6 bytes), unverified.
   *
   * @return the FMSPC the TCB info is for (6 bytes), unverified
   */
  public Bytes fmspc() {
    return parsedTcbInfo.fmspc;
  }

  /**
   * The earliest time every item is current (max of issueDate/thisUpdate), unverified: for cache
   * management.
   *
   * @return the earliest time every item is current (max of issueDate/thisUpdate), unverified: for
   *     cache management
   */
  public Instant notBefore() {
    Instant t = parsedTcbInfo.issueDate;
    for (Instant x :
        new Instant[] {parsedQeIdentity.issueDate, parsedRootCaCrl.thisUpdate, parsedPckCrl.thisUpdate}) {
      t = x.isAfter(t) ? x : t;
    }
    return t;
  }

  /**
   * The latest time every item is current (min of nextUpdate), unverified: refresh the collateral
   * before then.
   *
   * @return the latest time every item is current (min of nextUpdate), unverified: refresh the
   *     collateral before then
   */
  public Instant notAfter() {
    Instant t = parsedTcbInfo.nextUpdate;
    for (Instant x :
        new Instant[] {parsedQeIdentity.nextUpdate, parsedRootCaCrl.nextUpdate, parsedPckCrl.nextUpdate}) {
      t = x.isBefore(t) ? x : t;
    }
    return t;
  }

  /**
   * SHA-256 over every item (length-prefixed); the key under which verified collateral is cached.
   *
   * @return SHA-256 over every item (length-prefixed); the key under which verified collateral is
   *     cached
   */
  public Bytes fingerprint() {
    return fingerprint;
  }

  /**
   * This collateral as {@code QuoteCollateralV3} JSON (hex for binary items, exact text for TCB
   * info and QE identity).
   *
   * @return the {@code QuoteCollateralV3} JSON text
   */
  public String toQuoteCollateralJson() {
    JsonObject o = new JsonObject();
    o.addProperty("pck_crl_issuer_chain", pckCrlIssuerChain);
    o.addProperty("root_ca_crl", rootCaCrl.toHex());
    o.addProperty("pck_crl", pckCrl.toHex());
    o.addProperty("tcb_info_issuer_chain", tcbInfoIssuerChain);
    o.addProperty("tcb_info", new String(tcbInfo.toByteArray(), StandardCharsets.UTF_8));
    o.addProperty("tcb_info_signature", tcbInfoSignature.toHex());
    o.addProperty("qe_identity_issuer_chain", qeIdentityIssuerChain);
    o.addProperty("qe_identity", new String(qeIdentity.toByteArray(), StandardCharsets.UTF_8));
    o.addProperty("qe_identity_signature", qeIdentitySignature.toHex());
    return new com.google.gson.GsonBuilder().disableHtmlEscaping().create().toJson(o);
  }

  TcbInfo tcbInfo() {
    return parsedTcbInfo;
  }

  QeIdentity qeIdentity() {
    return parsedQeIdentity;
  }

  Pki.Crl rootCrl() {
    return parsedRootCaCrl;
  }

  Pki.Crl pckCrlParsed() {
    return parsedPckCrl;
  }

  @Override
  public String toString() {
    return "TdxCollateral[fmspc=" + parsedTcbInfo.fmspc + ", fingerprint=" + fingerprint + "]";
  }

  /** Builder for {@link TdxCollateral}. Not thread-safe. */
  public static final class Builder {
    private Bytes rootCaCrl;
    private Bytes pckCrl;
    private String pckCrlIssuerChain;
    private Bytes tcbInfo;
    private Bytes tcbInfoSignature;
    private String tcbInfoIssuerChain;
    private Bytes qeIdentity;
    private Bytes qeIdentitySignature;
    private String qeIdentityIssuerChain;
    private MalformedEvidenceException deferred;

    private Builder() {}

    /**
     * The root CA CRL: DER, PEM or hex text.
     *
     * @param crl the DER CRL
     * @return this builder
     */
    public Builder rootCaCrl(byte[] crl) {
      try {
        this.rootCaCrl = Bytes.of(crlDer(Objects.requireNonNull(crl, "crl"), "root CA CRL"));
      } catch (MalformedEvidenceException e) {
        deferred = e;
      }
      return this;
    }

    /**
     * The PCK CRL: DER, PEM or hex text.
     *
     * @param crl the DER CRL
     * @return this builder
     */
    public Builder pckCrl(byte[] crl) {
      try {
        this.pckCrl = Bytes.of(crlDer(Objects.requireNonNull(crl, "crl"), "PCK CRL"));
      } catch (MalformedEvidenceException e) {
        deferred = e;
      }
      return this;
    }

    /**
     * PEM chain of the PCK CRL issuer (PCS header {@code SGX-PCK-CRL-Issuer-Chain}, URL-decoded).
     *
     * @param pem PEM text
     * @return this builder
     */
    public Builder pckCrlIssuerChain(String pem) {
      this.pckCrlIssuerChain = Objects.requireNonNull(pem, "pem");
      return this;
    }

    /**
     * The exact signed TCB info bytes (the {@code tcbInfo} value) and its 64-byte r||s signature.
     *
     * @param exactJson the exact signed JSON bytes
     * @param signature the 64-byte r||s signature
     * @return this builder
     */
    public Builder tcbInfo(byte[] exactJson, byte[] signature) {
      this.tcbInfo = Bytes.of(Objects.requireNonNull(exactJson, "exactJson"));
      this.tcbInfoSignature = Bytes.of(Objects.requireNonNull(signature, "signature"));
      return this;
    }

    /**
     * A PCS TCB info response body {@code {"tcbInfo":{...},"signature":"<hex>"}}: the value of
     * {@code tcbInfo} is taken verbatim as the signed bytes.
     *
     * @param body the body bytes
     * @return this builder
     */
    public Builder tcbInfoResponse(byte[] body) {
      signedItem(Objects.requireNonNull(body, "body"), null, "tcbInfo", true);
      return this;
    }

    /**
     * PEM chain of the TCB signing certificate (PCS header {@code TCB-Info-Issuer-Chain}, URL-decoded).
     *
     * @param pem PEM text
     * @return this builder
     */
    public Builder tcbInfoIssuerChain(String pem) {
      this.tcbInfoIssuerChain = Objects.requireNonNull(pem, "pem");
      return this;
    }

    /**
     * The exact signed QE identity bytes (the {@code enclaveIdentity} value) and its signature.
     *
     * @param exactJson the exact signed JSON bytes
     * @param signature the 64-byte r||s signature
     * @return this builder
     */
    public Builder qeIdentity(byte[] exactJson, byte[] signature) {
      this.qeIdentity = Bytes.of(Objects.requireNonNull(exactJson, "exactJson"));
      this.qeIdentitySignature = Bytes.of(Objects.requireNonNull(signature, "signature"));
      return this;
    }

    /**
     * A PCS QE identity response body {@code {"enclaveIdentity":{...},"signature":"<hex>"}}; the
     * value of {@code enclaveIdentity} is taken verbatim.
     *
     * @param body the body bytes
     * @return this builder
     */
    public Builder qeIdentityResponse(byte[] body) {
      signedItem(Objects.requireNonNull(body, "body"), null, "enclaveIdentity", false);
      return this;
    }

    /**
     * PEM chain of the QE identity signing certificate (PCS header {@code SGX-Enclave-Identity-Issuer-Chain}).
     *
     * @param pem PEM text
     * @return this builder
     */
    public Builder qeIdentityIssuerChain(String pem) {
      this.qeIdentityIssuerChain = Objects.requireNonNull(pem, "pem");
      return this;
    }

    /** Either the bare signed value plus a signature, or a full response wrapping both. */
    void signedItem(byte[] text, byte[] signature, String wrapperKey, boolean tcb) {
      byte[] value = text;
      byte[] sig = signature;
      try {
        byte[] inner = RawJson.member(text, wrapperKey);
        if (inner != null) {
          value = inner;
          if (sig == null) {
            byte[] s = RawJson.member(text, "signature");
            if (s == null || s.length < 2 || s[0] != '"' || s[s.length - 1] != '"') {
              throw malformed(wrapperKey + " response has no signature string");
            }
            sig = HexFormat.of().parseHex(new String(s, 1, s.length - 2, StandardCharsets.US_ASCII));
          }
        }
        if (sig == null) {
          throw malformed((tcb ? "tcb_info" : "qe_identity") + " signature is missing");
        }
      } catch (MalformedEvidenceException e) {
        deferred = e;
        return;
      } catch (IllegalArgumentException e) {
        deferred = malformed(wrapperKey + " is not well-formed JSON or its signature is not hex: " + e.getMessage());
        return;
      }
      if (tcb) {
        tcbInfo(value, sig);
      } else {
        qeIdentity(value, sig);
      }
    }

    /**
     * Builds the collateral.
     *
     * @return the built object
     * @throws MalformedEvidenceException with {@link TdxReason#COLLATERAL_MALFORMED} if an item is
     *     missing or malformed
     */
    public TdxCollateral build() throws MalformedEvidenceException {
      if (deferred != null) {
        throw deferred;
      }
      try {
        return new TdxCollateral(this);
      } catch (MalformedEvidenceException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new MalformedEvidenceException(
            TdxReason.COLLATERAL_MALFORMED, "malformed collateral: " + e, e);
      }
    }
  }
}
