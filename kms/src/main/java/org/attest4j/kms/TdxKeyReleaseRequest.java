package org.attest4j.kms;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import static org.attest4j.kms.RequestFields.capped;
import static org.attest4j.kms.RequestFields.hex;
import static org.attest4j.kms.RequestFields.tooLarge;

import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;

/**
 * One Intel TDX guest's key request: the quote, dstack's JSON event log, the {@code vm_config}
 * (for {@code os_image_hash}), optionally the CCEL log, the app the guest asks keys for, and its
 * freshness proof. Nothing in here is trusted: {@link KeyReleaseService#releaseTdx} verifies the
 * quote, replays the logs against it, derives the identity from the replayed events and checks every
 * claim against that.
 *
 * <p>Byte-string fields are empty when absent. {@link #fromProto(GetAppKeyTdxRequest)} decodes the
 * wire message and refuses malformed or oversized fields.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxKeyReleaseRequest {
  /** Upper bound on the quote (a v4 quote with its PCK chain is about 5 KB). */
  public static final int MAX_QUOTE = 16 * 1024;
  /** Upper bound on the JSON event log. */
  public static final int MAX_EVENT_LOG = 512 * 1024;
  /** Upper bound on the vm_config JSON. */
  public static final int MAX_VM_CONFIG = 16 * 1024;
  /** Upper bound on the CCEL log area. */
  public static final int MAX_CCEL = 1024 * 1024;

  private static final byte[] DIGEST_LABEL = "attest4j-kms-tdx-request-v1".getBytes(StandardCharsets.US_ASCII);

  private final Bytes quote;
  private final Bytes eventLog;
  private final String vmConfig;
  private final Bytes ccel;
  private final Bytes appId;
  private final Bytes composeHash;
  private final Bytes instanceId;
  private final Bytes nonce;
  private final long requestTime;
  private final EnvelopeMode envelope;

  private TdxKeyReleaseRequest(Builder b) {
    this.quote = b.quote;
    this.eventLog = b.eventLog;
    this.vmConfig = b.vmConfig;
    this.ccel = b.ccel;
    this.appId = b.appId;
    this.composeHash = b.composeHash;
    this.instanceId = b.instanceId;
    this.nonce = b.nonce;
    this.requestTime = b.requestTime;
    this.envelope = b.envelope;
  }

  /**
   * A builder with every field empty.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Decodes the {@code GetAppKeyTdxRequest} wire message.
   *
   * @param p the decoded protobuf message
   * @return the request
   * @throws MalformedEvidenceException ({@link KmsReason#BAD_REQUEST} or {@link
   *     KmsReason#REQUEST_TOO_LARGE}) naming the first bad field
   */
  public static TdxKeyReleaseRequest fromProto(GetAppKeyTdxRequest p) throws MalformedEvidenceException {
    Objects.requireNonNull(p, "request");
    Builder b = builder();
    b.quote(Bytes.of(capped(p.getQuote(), MAX_QUOTE, "quote")));
    byte[] log = p.getEventLog().getBytes(StandardCharsets.UTF_8);
    if (log.length > MAX_EVENT_LOG) {
      throw tooLarge("event_log", log.length, MAX_EVENT_LOG);
    }
    b.eventLog(Bytes.of(log));
    if (p.getVmConfig().length() > MAX_VM_CONFIG) {
      throw tooLarge("vm_config", p.getVmConfig().length(), MAX_VM_CONFIG);
    }
    b.vmConfig(p.getVmConfig());
    b.ccel(Bytes.of(capped(p.getCcel(), MAX_CCEL, "ccel")));
    b.appId(hex(p.getAppId(), "app_id", 20));
    b.composeHash(hex(p.getComposeHash(), "compose_hash", 32));
    b.instanceId(hex(p.getInstanceId(), "instance_id", 20));
    RequestFields.Freshness f =
        RequestFields.freshness(p.getNonce(), p.getRequestTime(), p.getEnvelope(), p.getEnvelopeValue());
    b.nonce(f.nonce());
    b.requestTime(f.requestTime());
    b.envelope = f.envelope();
    return b.build();
  }





  /**
   * The digest a guest puts in report_data[32..64] under {@link FreshnessMode#REQUEST_DIGEST}:
   * SHA-256 of {@code "attest4j-kms-tdx-request-v1" || 0x00} followed by, each as a 4-byte
   * big-endian length then the bytes: app_id, compose_hash, instance_id, vm_config (UTF-8),
   * u64be(request_time), u32be(envelope: 0 unspecified, 1 HPKE, 2 AES-SIV). The event log needs no
   * coverage: the quote's RTMR3 binds it.
   *
   * @return the digest a guest puts in report_data[32..64] under {@link FreshnessMode#REQUEST_DIGEST}
   */
  public Bytes requestDigest() {
    return RequestFields.digest(DIGEST_LABEL, List.of(appId.toByteArray(), composeHash.toByteArray(),
        instanceId.toByteArray(), vmConfig.getBytes(StandardCharsets.UTF_8)), requestTime, envelope);
  }


  /**
   * The raw quote.
   *
   * @return the raw quote
   */
  public Bytes quote() {
    return quote;
  }

  /**
   * dstack's JSON event log (UTF-8).
   *
   * @return the event log bytes
   */
  public Bytes eventLog() {
    return eventLog;
  }

  /**
   * dstack's vm_config JSON (empty when absent).
   *
   * @return the vm_config JSON, or an empty string
   */
  public String vmConfig() {
    return vmConfig;
  }

  /**
   * The CCEL log area (empty when absent).
   *
   * @return the CCEL log area (empty when absent)
   */
  public Bytes ccel() {
    return ccel;
  }

  /**
   * The app the guest asks keys for (20 bytes; required).
   *
   * @return the app the guest asks keys for (20 bytes
   */
  public Bytes appId() {
    return appId;
  }

  /**
   * The compose hash the guest claims (32 bytes, or empty).
   *
   * @return the compose hash the guest claims (32 bytes, or empty)
   */
  public Bytes composeHash() {
    return composeHash;
  }

  /**
   * The instance id the guest claims (20 bytes, or empty).
   *
   * @return the instance id the guest claims (20 bytes, or empty)
   */
  public Bytes instanceId() {
    return instanceId;
  }

  /**
   * The KMS nonce (empty when absent).
   *
   * @return the KMS nonce (empty when absent)
   */
  public Bytes nonce() {
    return nonce;
  }

  /**
   * The request time in Unix seconds (0 when absent).
   *
   * @return the request time in Unix seconds (0 when absent)
   */
  public long requestTime() {
    return requestTime;
  }

  /**
   * The envelope asked for, if any.
   *
   * @return the envelope asked for, if any
   */
  public Optional<EnvelopeMode> envelope() {
    return Optional.ofNullable(envelope);
  }

  @Override
  public String toString() {
    return "TdxKeyReleaseRequest[appId=" + appId + ", composeHash=" + composeHash + ", instanceId=" + instanceId
        + ", quote=" + quote.length() + " bytes, eventLog=" + eventLog.length() + " bytes, ccel=" + ccel.length()
        + " bytes, nonce=" + nonce + ", envelope=" + envelope + "]";
  }

  /** Builds a {@link TdxKeyReleaseRequest}. Not thread-safe. */
  public static final class Builder {
    private Bytes quote = Bytes.empty();
    private Bytes eventLog = Bytes.empty();
    private String vmConfig = "";
    private Bytes ccel = Bytes.empty();
    private Bytes appId = Bytes.empty();
    private Bytes composeHash = Bytes.empty();
    private Bytes instanceId = Bytes.empty();
    private Bytes nonce = Bytes.empty();
    private long requestTime;
    private EnvelopeMode envelope;

    private Builder() {}

    /**
     * The raw quote.
     *
     * @param v the raw quote
     * @return this builder
     */
    public Builder quote(Bytes v) {
      this.quote = Objects.requireNonNull(v);
      return this;
    }

    /**
     * dstack's JSON event log.
     *
     * @param v dstack's JSON event log
     * @return this builder
     */
    public Builder eventLog(Bytes v) {
      this.eventLog = Objects.requireNonNull(v);
      return this;
    }

    /**
     * dstack's vm_config JSON.
     *
     * @param v dstack's vm_config JSON
     * @return this builder
     */
    public Builder vmConfig(String v) {
      this.vmConfig = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The CCEL log area (optional).
     *
     * @param v the CCEL log area (optional)
     * @return this builder
     */
    public Builder ccel(Bytes v) {
      this.ccel = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The app id (20 bytes).
     *
     * @param v the app id (20 bytes)
     * @return this builder
     */
    public Builder appId(Bytes v) {
      this.appId = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The compose hash (32 bytes; optional).
     *
     * @param v the compose hash (32 bytes
     * @return this builder
     */
    public Builder composeHash(Bytes v) {
      this.composeHash = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The instance id (20 bytes; optional).
     *
     * @param v the instance id (20 bytes
     * @return this builder
     */
    public Builder instanceId(Bytes v) {
      this.instanceId = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The KMS nonce.
     *
     * @param v the KMS nonce
     * @return this builder
     */
    public Builder nonce(Bytes v) {
      this.nonce = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The request time (Unix seconds).
     *
     * @param v the request time (Unix seconds)
     * @return this builder
     */
    public Builder requestTime(long v) {
      this.requestTime = v;
      return this;
    }

    /**
     * The envelope asked for.
     *
     * @param v the envelope asked for
     * @return this builder
     */
    public Builder envelope(EnvelopeMode v) {
      this.envelope = Objects.requireNonNull(v);
      return this;
    }

    /**
     * The request.
     *
     * @return the new {@code TdxKeyReleaseRequest}
     */
    public TdxKeyReleaseRequest build() {
      return new TdxKeyReleaseRequest(this);
    }
  }
}
