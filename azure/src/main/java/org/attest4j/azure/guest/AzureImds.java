package org.attest4j.azure.guest;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.attest4j.azure.AzureEvidence;
import org.attest4j.azure.AzureReason;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * The two Azure Instance Metadata Service endpoints a guest uses (spec section 1, source only): the
 * VCEK from THIM ({@code GET /metadata/THIM/amd/certification}, header {@code Metadata: true}) and a TD
 * quote for a TD report ({@code POST /acc/tdquote}). Immutable and thread-safe.
 */
public final class AzureImds {
  /** The link-local IMDS address. */
  public static final URI DEFAULT_BASE = URI.create("http://169.254.169.254");

  private final URI base;
  private final HttpClient http;

  private AzureImds(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /**
   * A client of the IMDS at {@code base}.
   *
   * @param base normally {@link #DEFAULT_BASE}
   * @return the client
   */
  public static AzureImds of(URI base) {
    return new AzureImds(base);
  }

  private JsonObject call(HttpRequest req, String what) throws AttestationException {
    try {
      HttpResponse<byte[]> rsp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (rsp.statusCode() != 200) {
        throw new EvidenceUnavailableException(AzureReason.TPM_ERROR,
            what + ": IMDS answered HTTP " + rsp.statusCode(), rsp.statusCode() >= 500, null);
      }
      JsonElement e = JsonParser.parseString(new String(rsp.body(), StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, what + ": IMDS answer is not a JSON object");
      }
      return e.getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, what + ": IMDS request failed: " + e, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, what + ": interrupted", true, e);
    }
  }

  /**
   * The VCEK (first) and its chain from THIM.
   *
   * @return DER certificates
   * @throws AttestationException if IMDS does not answer with certificates
   */
  public List<Bytes> vcek() throws AttestationException {
    JsonObject o = call(HttpRequest.newBuilder(base.resolve("/metadata/THIM/amd/certification"))
        .header("Metadata", "true").timeout(Duration.ofSeconds(10)).GET().build(), "THIM VCEK");
    JsonElement pem = o.get("vcekCert");
    if (pem == null || !pem.isJsonPrimitive()) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, "THIM VCEK: no vcekCert in the answer");
    }
    return AzureEvidence.pemCertificates(pem.getAsString());
  }

  /**
   * Turns a TD report into a TD quote.
   *
   * @param tdReport the 1024-byte TD report from the HCL report
   * @return the TD quote
   * @throws AttestationException if IMDS does not answer with a quote
   */
  public byte[] tdQuote(byte[] tdReport) throws AttestationException {
    JsonObject req = new JsonObject();
    req.addProperty("report", Base64.getUrlEncoder().withoutPadding().encodeToString(tdReport));
    JsonObject o = call(HttpRequest.newBuilder(base.resolve("/acc/tdquote"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(), "TD quote");
    JsonElement q = o.get("quote");
    try {
      return Base64.getUrlDecoder().decode(q.getAsString());
    } catch (RuntimeException e) {
      throw new EvidenceUnavailableException(AzureReason.TPM_ERROR, "TD quote: no base64url quote in the answer");
    }
  }
}
