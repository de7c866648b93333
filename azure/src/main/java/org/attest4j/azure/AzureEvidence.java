package org.attest4j.azure;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmQuote;
import org.attest4j.azure.tpm.TpmtSignature;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Azure confidential-VM evidence as trustee's {@code az-snp-vtpm} and {@code az-tdx-vtpm} attesters
 * write it (spec section 6): the HCL report, the vTPM quote (TPMS_ATTEST, bare RSASSA-SHA256 signature,
 * PCR 0..23), and the VCEK (SNP) or the TD quote (TDX). Versions 0 (byte arrays; SNP keys {@code
 * quote}/{@code report}, TDX keys {@code tpm_quote}/{@code hcl_report}), 1 and 2 (hex and base64url;
 * v2 means the nonce was also written to the user-data NV index). Decoding checks only the container
 * ({@code container.decode}); {@link AzureVerifier} checks the contents. Immutable and thread-safe.
 */
public final class AzureEvidence {
  private final int version;
  private final Bytes hclReport;
  private final TpmQuote quote;
  private final List<Bytes> vcek;
  private final Bytes tdQuote;

  private AzureEvidence(Builder b) {
    this.version = b.version;
    this.hclReport = b.hclReport;
    this.quote = b.quote;
    this.vcek = List.copyOf(b.vcek);
    this.tdQuote = b.tdQuote;
  }

  private static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(AzureReason.BAD_CONTAINER, "Azure evidence: " + message);
  }

  /**
   * A builder for evidence assembled from separate files or produced by a guest.
   *
   * @return a builder (version 1)
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decodes trustee's evidence JSON (v0, v1 or v2, SNP or TDX).
   *
   * @param json the UTF-8 JSON
   * @return the evidence
   * @throws MalformedEvidenceException with {@link AzureReason#BAD_CONTAINER} if it cannot be decoded
   */
  public static AzureEvidence parse(byte[] json) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(json, "Azure evidence");
    JsonElement root = StrictJson.parse(json, AzureReason.BAD_CONTAINER, "Azure evidence");
    if (!root.isJsonObject()) {
      throw bad("not a JSON object");
    }
    JsonObject o = root.getAsJsonObject();
    Builder b = builder();
    if (o.has("version")) {
      JsonElement v = o.get("version");
      if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()
          || !(v.getAsString().equals("1") || v.getAsString().equals("2"))) {
        throw bad("\"version\" is " + v + "; supported: 1, 2 (and 0, without the key)");
      }
      b.version(Integer.parseInt(v.getAsString()));
      b.tpmQuote(quoteFromHex(object(o, "tpm_quote")));
      b.hclReport(base64url(o, "hcl_report"));
      if (o.has("vcek")) {
        b.vcek(List.of(Bytes.of(base64url(o, "vcek"))));
      }
      if (o.has("td_quote")) {
        b.tdQuote(base64url(o, "td_quote"));
      }
    } else {
      b.version(0);
      if (o.has("report")) { // az-snp-vtpm v0
        b.tpmQuote(quoteFromArrays(object(o, "quote")));
        b.hclReport(byteArray(o.get("report"), "report"));
        b.vcek(pemCertificates(string(o, "vcek")));
      } else { // az-tdx-vtpm v0
        b.tpmQuote(quoteFromArrays(object(o, "tpm_quote")));
        b.hclReport(byteArray(o.get("hcl_report"), "hcl_report"));
        if (o.has("td_quote")) {
          b.tdQuote(byteArray(o.get("td_quote"), "td_quote"));
        }
      }
    }
    return b.build();
  }

  /**
   * Decodes trustee's {@code tpm_quote} object with hex members ({@code tpm-quote-v1.json}).
   *
   * @param json the UTF-8 JSON
   * @return the quote (bare RSASSA-SHA256 signature, SHA-256 PCR values)
   * @throws MalformedEvidenceException if it cannot be decoded
   */
  public static TpmQuote parseTpmQuoteJson(byte[] json) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(json, "TPM quote JSON");
    JsonElement root = StrictJson.parse(json, AzureReason.BAD_CONTAINER, "TPM quote JSON");
    if (!root.isJsonObject()) {
      throw bad("TPM quote JSON is not an object");
    }
    return quoteFromHex(root.getAsJsonObject());
  }

  /**
   * Splits PEM text into DER certificates (for a VCEK file that also holds the ASK and ARK).
   *
   * @param pem the PEM text
   * @return the DER certificates in order, at least one
   * @throws MalformedEvidenceException if there is no certificate
   */
  public static List<Bytes> pemCertificates(String pem) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(pem, "PEM");
    List<Bytes> out = new ArrayList<>();
    try (PemReader r = new PemReader(new StringReader(pem))) {
      PemObject p;
      while ((p = r.readPemObject()) != null) {
        if (p.getType().equals("CERTIFICATE")) {
          out.add(Bytes.of(p.getContent()));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw bad("PEM certificates do not decode (" + e.getClass().getSimpleName() + ")");
    }
    if (out.isEmpty()) {
      throw bad("no PEM CERTIFICATE block");
    }
    return out;
  }

  private static JsonObject object(JsonObject o, String name) throws MalformedEvidenceException {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonObject()) {
      throw bad("\"" + name + "\" is missing or not an object");
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonObject o, String name) throws MalformedEvidenceException {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad("\"" + name + "\" is missing or not a string");
    }
    return e.getAsString();
  }

  private static byte[] base64url(JsonObject o, String name) throws MalformedEvidenceException {
    try {
      return Base64.getUrlDecoder().decode(string(o, name)); // padded or not
    } catch (IllegalArgumentException e) {
      throw bad("\"" + name + "\" is not base64url");
    }
  }

  private static byte[] hex(JsonElement e, String name) throws MalformedEvidenceException {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad("\"" + name + "\" is missing or not a hex string");
    }
    try {
      return HexFormat.of().parseHex(e.getAsString());
    } catch (IllegalArgumentException ex) {
      throw bad("\"" + name + "\" is not hex");
    }
  }

  private static byte[] byteArray(JsonElement e, String name) throws MalformedEvidenceException {
    if (e == null || !e.isJsonArray()) {
      throw bad("\"" + name + "\" is missing or not a byte array");
    }
    JsonArray a = e.getAsJsonArray();
    byte[] out = new byte[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        throw bad("\"" + name + "\"[" + i + "] is not a number");
      }
      String s = x.getAsString();
      if (!s.matches("[0-9]{1,3}") || Integer.parseInt(s) > 255) {
        throw bad("\"" + name + "\"[" + i + "] is not a byte 0..255");
      }
      out[i] = (byte) Integer.parseInt(s);
    }
    return out;
  }

  private static TpmQuote quoteFromHex(JsonObject q) throws MalformedEvidenceException {
    JsonElement pe = q.get("pcrs");
    if (pe == null || !pe.isJsonArray()) {
      throw bad("tpm_quote.pcrs is missing or not an array");
    }
    List<Bytes> pcrs = new ArrayList<>();
    for (JsonElement p : pe.getAsJsonArray()) {
      pcrs.add(Bytes.of(hex(p, "tpm_quote.pcrs[]")));
    }
    return TpmQuote.of(hex(q.get("message"), "tpm_quote.message"),
        TpmtSignature.rawRsassa(TpmHash.SHA256, hex(q.get("signature"), "tpm_quote.signature")), pcrs);
  }

  private static TpmQuote quoteFromArrays(JsonObject q) throws MalformedEvidenceException {
    JsonElement pe = q.get("pcrs");
    if (pe == null || !pe.isJsonArray()) {
      throw bad("quote.pcrs is missing or not an array");
    }
    List<Bytes> pcrs = new ArrayList<>();
    for (JsonElement p : pe.getAsJsonArray()) {
      pcrs.add(Bytes.of(byteArray(p, "quote.pcrs[]")));
    }
    return TpmQuote.of(byteArray(q.get("message"), "quote.message"),
        TpmtSignature.rawRsassa(TpmHash.SHA256, byteArray(q.get("signature"), "quote.signature")), pcrs);
  }

  /**
   * Encodes trustee's v1/v2 evidence JSON (hex quote, padded base64url HCL report, VCEK DER or TD
   * quote). The quote's signature must be RSASSA (its bare bytes are written).
   *
   * @return the UTF-8 JSON
   * @throws IllegalStateException if this evidence is version 0 or has no quote
   */
  public byte[] toJson() {
    if (version == 0 || quote == null || quote.signature().rsaSignature() == null) {
      throw new IllegalStateException("only v1/v2 evidence with an RSASSA quote can be encoded");
    }
    JsonObject o = new JsonObject();
    o.addProperty("version", version);
    JsonObject q = new JsonObject();
    HexFormat hf = HexFormat.of();
    q.addProperty("signature", quote.signature().rsaSignature().toHex());
    q.addProperty("message", quote.message().toHex());
    JsonArray pcrs = new JsonArray();
    for (Bytes p : quote.pcrValues()) {
      pcrs.add(new JsonPrimitive(hf.formatHex(p.toByteArray())));
    }
    q.add("pcrs", pcrs);
    o.add("tpm_quote", q);
    Base64.Encoder enc = Base64.getUrlEncoder();
    o.addProperty("hcl_report", enc.encodeToString(hclReport.toByteArray()));
    if (!vcek.isEmpty()) {
      o.addProperty("vcek", enc.encodeToString(vcek.get(0).toByteArray()));
    }
    if (tdQuote != null) {
      o.addProperty("td_quote", enc.encodeToString(tdQuote.toByteArray()));
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The container version: 0, 1 or 2 (2: the nonce is also echoed in the claims' user-data).
   *
   * @return the version
   */
  public int version() {
    return version;
  }

  /**
   * The HCL report bytes.
   *
   * @return the bytes as carried
   */
  public Bytes hclReport() {
    return hclReport;
  }

  /**
   * The vTPM quote.
   *
   * @return the quote, empty for evidence without one
   */
  public Optional<TpmQuote> tpmQuote() {
    return Optional.ofNullable(quote);
  }

  /**
   * The VCEK (first) and any further certificates that came with it (ASK, ARK), DER.
   *
   * @return the certificates, empty for TDX
   */
  public List<Bytes> vcekCertificates() {
    return vcek;
  }

  /**
   * The TD quote (TDX).
   *
   * @return the quote bytes, empty for SNP
   */
  public Optional<Bytes> tdQuote() {
    return Optional.ofNullable(tdQuote);
  }

  @Override
  public String toString() {
    return "AzureEvidence[v" + version + ", HCL report " + hclReport.length() + " bytes"
        + (quote != null ? ", " + quote : "") + (vcek.isEmpty() ? "" : ", " + vcek.size() + " certificates")
        + (tdQuote != null ? ", TD quote " + tdQuote.length() + " bytes" : "") + "]";
  }

  /** Assembles evidence from parts; not thread-safe. */
  public static final class Builder {
    private int version = 1;
    private Bytes hclReport;
    private TpmQuote quote;
    private List<Bytes> vcek = List.of();
    private Bytes tdQuote;

    private Builder() {}

    /**
     * The container version.
     *
     * @param version 0, 1 or 2
     * @return this builder
     */
    public Builder version(int version) {
      if (version < 0 || version > 2) {
        throw new IllegalArgumentException("evidence version " + version + " is not 0, 1 or 2");
      }
      this.version = version;
      return this;
    }

    /**
     * The HCL report.
     *
     * @param report the bytes (required)
     * @return this builder
     */
    public Builder hclReport(byte[] report) {
      this.hclReport = Bytes.of(report);
      return this;
    }

    /**
     * The vTPM quote.
     *
     * @param quote the quote, or null for none
     * @return this builder
     */
    public Builder tpmQuote(TpmQuote quote) {
      this.quote = quote;
      return this;
    }

    /**
     * The VCEK, then optionally its ASK and ARK (DER).
     *
     * @param certificates the certificates
     * @return this builder
     */
    public Builder vcek(List<Bytes> certificates) {
      this.vcek = List.copyOf(certificates);
      return this;
    }

    /**
     * The TD quote.
     *
     * @param quote the bytes, or null
     * @return this builder
     */
    public Builder tdQuote(byte[] quote) {
      this.tdQuote = quote == null ? null : Bytes.of(quote);
      return this;
    }

    /**
     * The evidence.
     *
     * @return the evidence
     * @throws MalformedEvidenceException if the HCL report is missing
     */
    public AzureEvidence build() throws MalformedEvidenceException {
      MalformedEvidenceException.requirePresent(hclReport, "HCL report");
      return new AzureEvidence(this);
    }
  }
}
