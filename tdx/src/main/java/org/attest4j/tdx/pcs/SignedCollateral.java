package org.attest4j.tdx.pcs;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed PCS collateral item, TCB info or QE identity: the exact signed JSON bytes (never
 * re-serialized), the 64-byte ECDSA P-256 signature (r||s), the issuer chain (TCB Signing
 * certificate then Intel SGX Root CA, PEM) and the dates read from the JSON. Immutable and
 * thread-safe.
 */
public final class SignedCollateral {
  /** Which item this is. */
  public enum Kind {
    /** {@code /tdx/certification/v4/tcb}: {@code {"tcbInfo":{...},"signature":"..."}}. */
    TCB_INFO("tcbInfo", "TCB-Info-Issuer-Chain"),
    /** {@code /tdx/certification/v4/qe/identity}: {@code {"enclaveIdentity":{...},"signature":"..."}}. */
    QE_IDENTITY("enclaveIdentity", "SGX-Enclave-Identity-Issuer-Chain");

    private final String field;
    private final String header;

    Kind(String field, String header) {
      this.field = field;
      this.header = header;
    }

    /**
     * The JSON field holding the signed object.
     *
     * @return the JSON field holding the signed object
     */
    public String field() {
      return field;
    }

    /**
     * The response header carrying the URL-encoded issuer chain.
     *
     * @return the response header carrying the URL-encoded issuer chain
     */
    public String issuerChainHeader() {
      return header;
    }
  }

  private final Kind kind;
  private final byte[] body;
  private final byte[] json;
  private final byte[] signature;
  private final String issuerChainPem;
  private final Instant issueDate;
  private final Instant nextUpdate;
  private final int tcbEvaluationDataNumber;

  SignedCollateral(
      Kind kind,
      byte[] body,
      byte[] json,
      byte[] signature,
      String issuerChainPem,
      Instant issueDate,
      Instant nextUpdate,
      int tcbEvaluationDataNumber) {
    this.kind = Objects.requireNonNull(kind);
    this.body = body.clone();
    this.json = json.clone();
    this.signature = signature.clone();
    this.issuerChainPem = Objects.requireNonNull(issuerChainPem);
    this.issueDate = issueDate;
    this.nextUpdate = nextUpdate;
    this.tcbEvaluationDataNumber = tcbEvaluationDataNumber;
  }

  /**
   * TCB info or QE identity.
   *
   * @return TCB info or QE identity
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The whole response body as served.
   *
   * @return the whole response body as served
   */
  public byte[] body() {
    return body.clone();
  }

  /**
   * The exact bytes of the signed JSON object (the value of {@code tcbInfo} / {@code enclaveIdentity}).
   *
   * @return the exact bytes of the signed JSON object (the value of {@code tcbInfo} / {@code
   *     enclaveIdentity})
   */
  public byte[] json() {
    return json.clone();
  }

  /**
   * The signed JSON as text.
   *
   * @return the signed JSON as text
   */
  public String jsonText() {
    return new String(json, StandardCharsets.UTF_8);
  }

  /**
   * The ECDSA P-256 signature, r||s, 64 bytes.
   *
   * @return the ECDSA P-256 signature, r||s, 64 bytes
   */
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * The issuer chain, PEM (signing certificate, then root).
   *
   * @return the issuer chain, PEM (signing certificate, then root)
   */
  public String issuerChainPem() {
    return issuerChainPem;
  }

  /**
   * When Intel issued it.
   *
   * @return when Intel issued it
   */
  public Instant issueDate() {
    return issueDate;
  }

  /**
   * When Intel will publish the next version; the item is stale afterwards.
   *
   * @return when Intel will publish the next version; the item is stale afterwards
   */
  public Instant nextUpdate() {
    return nextUpdate;
  }

  /**
   * The TCB evaluation data number, or -1 when absent.
   *
   * @return the TCB evaluation data number, or -1 when absent
   */
  public int tcbEvaluationDataNumber() {
    return tcbEvaluationDataNumber;
  }

  @Override
  public String toString() {
    return kind + "[tcbEvaluationDataNumber=" + tcbEvaluationDataNumber + ", issued " + issueDate
        + ", next update " + nextUpdate + "]";
  }
}
