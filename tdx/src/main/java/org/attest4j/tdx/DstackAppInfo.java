package org.attest4j.tdx;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * A dstack application's identity derived from TDX measurements and its runtime events, exactly as
 * dstack's KMS derives it ({@code decode_app_info}):
 *
 * <ul>
 *   <li>{@code app_id}, {@code compose_hash}, {@code instance_id}, {@code key_provider_info}: the
 *       payloads of the first {@code app-id}, {@code compose-hash}, {@code instance-id} and {@code
 *       key-provider} events <em>before</em> {@code system-ready} (later events never count);
 *   <li>{@code mr_key_provider = SHA-256(key-provider payload)}, or 32 zero bytes when absent or in
 *       boot-time mode;
 *   <li>{@code mr_system = SHA-256(MRTD || RTMR0 || RTMR1 || RTMR2 || mr_key_provider)};
 *   <li>{@code mr_aggregated = SHA-256(MRTD || RTMR0 || RTMR1 || RTMR2 || RTMR3 [|| MRCONFIGID ||
 *       MROWNER || MROWNERCONFIG if any is non-zero])}, RTMR3 being the replayed value (the boot-time
 *       value, up to {@code boot-mr-done}, in boot-time mode);
 *   <li>{@code device_id = SHA-256("")} for TDX;
 *   <li>{@code os_image_hash} from the dstack {@code vm_config} JSON, when given.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class DstackAppInfo {
  private static final Bytes ZERO32 = Bytes.of(new byte[32]);

  private final Bytes appId;
  private final Bytes composeHash;
  private final Bytes instanceId;
  private final Bytes keyProviderInfo;
  private final Bytes mrKeyProvider;
  private final Bytes mrSystem;
  private final Bytes mrAggregated;
  private final Bytes deviceId;
  private final Bytes osImageHash;
  private final Bytes rtmr3;
  private final boolean bootTime;

  private DstackAppInfo(Builder b, Bytes rtmr3) throws AttestationInputException {
    this.bootTime = b.bootTime;
    this.rtmr3 = rtmr3;
    List<DstackRuntimeEvent> identity = new ArrayList<>();
    for (DstackRuntimeEvent e : b.events) {
      if (e.name().equals(DstackRuntimeEvent.SYSTEM_READY)) {
        break;
      }
      identity.add(e);
    }
    Bytes app = find(identity, "app-id");
    Bytes compose = find(identity, "compose-hash");
    if (app == null || compose == null) {
      throw new AttestationInputException(
          "runtime events before system-ready lack " + (app == null ? "app-id" : "compose-hash"));
    }
    this.appId = app;
    this.composeHash = compose;
    Bytes inst = find(identity, "instance-id");
    this.instanceId = inst == null ? Bytes.empty() : inst;
    this.keyProviderInfo = find(identity, "key-provider");
    this.mrKeyProvider = b.bootTime || keyProviderInfo == null
        ? ZERO32 : Bytes.of(sha256(keyProviderInfo.toByteArray()));
    MessageDigest sys = sha256();
    sys.update(b.mrTd.toByteArray());
    for (int i = 0; i < 3; i++) {
      sys.update(b.rtmr[i].toByteArray());
    }
    sys.update(mrKeyProvider.toByteArray());
    this.mrSystem = Bytes.of(sys.digest());
    MessageDigest agg = sha256();
    agg.update(b.mrTd.toByteArray());
    for (int i = 0; i < 3; i++) {
      agg.update(b.rtmr[i].toByteArray());
    }
    agg.update(rtmr3.toByteArray());
    if (!b.mrConfigId.isZero() || !b.mrOwner.isZero() || !b.mrOwnerConfig.isZero()) {
      agg.update(b.mrConfigId.toByteArray());
      agg.update(b.mrOwner.toByteArray());
      agg.update(b.mrOwnerConfig.toByteArray());
    }
    this.mrAggregated = Bytes.of(agg.digest());
    this.deviceId = Bytes.of(sha256(new byte[0]));
    this.osImageHash = b.osImageHash;
  }

  /** Internal carrier for input problems, turned into the public exception types by the builder. */
  private static final class AttestationInputException extends Exception {
    private static final long serialVersionUID = 1L;

    AttestationInputException(String msg) {
      super(msg);
    }
  }

  private static Bytes find(List<DstackRuntimeEvent> events, String name) {
    for (DstackRuntimeEvent e : events) {
      if (e.name().equals(name)) {
        return e.payload();
      }
    }
    return null;
  }

  /**
   * A builder.
   *
   * @return this builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The app identity of a verified quote's TD report and its runtime events (full RTMR3 mode, as for
   * GetAppKey): the replayed RTMR3 must equal the report's RTMR3.
   *
   * @param vmConfigJson dstack vm_config JSON (for os_image_hash), or null
   * @param report the TD report
   * @param events the events, in order
   * @return the app identity of a verified quote's TD report and its runtime events (full RTMR3
   *     mode, as for GetAppKey): the replayed RTMR3 must equal the report's RTMR3
   * @throws VerificationException with {@link TdxReason#RTMR_MISMATCH} if the replay differs, or
   *     {@link TdxReason#APP_INFO_INVALID} if app-id or compose-hash is missing
   * @throws MalformedEvidenceException with {@link TdxReason#VM_CONFIG_MALFORMED}
   */
  public static DstackAppInfo of(TdReport report, List<DstackRuntimeEvent> events, String vmConfigJson)
      throws VerificationException, MalformedEvidenceException {
    Builder b = builder().report(report).events(events);
    if (vmConfigJson != null) {
      b.vmConfig(vmConfigJson);
    }
    return b.build();
  }

  /** Builder for {@link DstackAppInfo}. Not thread-safe. */
  public static final class Builder {
    private Bytes mrTd;
    private final Bytes[] rtmr = new Bytes[4];
    private Bytes mrConfigId = Bytes.of(new byte[48]);
    private Bytes mrOwner = Bytes.of(new byte[48]);
    private Bytes mrOwnerConfig = Bytes.of(new byte[48]);
    private List<DstackRuntimeEvent> events = List.of();
    private boolean bootTime;
    private Bytes osImageHash;
    private MalformedEvidenceException vmConfigError;

    private Builder() {}

    /**
     * MRTD, RTMR0-3, MRCONFIGID, MROWNER and MROWNERCONFIG from a (verified) TD report.
     *
     * @param r the RTMR values
     * @return this builder
     */
    public Builder report(TdReport r) {
      this.mrTd = r.mrTd();
      for (int i = 0; i < 4; i++) {
        rtmr[i] = r.rtmr(i);
      }
      this.mrConfigId = r.mrConfigId();
      this.mrOwner = r.mrOwner();
      this.mrOwnerConfig = r.mrOwnerConfig();
      return this;
    }

    /**
     * MRTD (48 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder mrTd(Bytes v) {
      this.mrTd = check(v, 48, "mr_td");
      return this;
    }

    /**
     * RTMR {@code index} (48 bytes). RTMR3 is optional: without it the replayed value is used;
     * with it (and not in boot-time mode) the replay must match.
     *
     * @param index the register index (0..3)
     * @param v the value
     * @return this builder
     */
    public Builder rtmr(int index, Bytes v) {
      rtmr[index] = check(v, 48, "rtmr" + index);
      return this;
    }

    /**
     * MRCONFIGID (48 bytes; default zero).
     *
     * @param v the value
     * @return this builder
     */
    public Builder mrConfigId(Bytes v) {
      this.mrConfigId = check(v, 48, "mr_config_id");
      return this;
    }

    /**
     * MROWNER (48 bytes; default zero).
     *
     * @param v the value
     * @return this builder
     */
    public Builder mrOwner(Bytes v) {
      this.mrOwner = check(v, 48, "mr_owner");
      return this;
    }

    /**
     * MROWNERCONFIG (48 bytes; default zero).
     *
     * @param v the value
     * @return this builder
     */
    public Builder mrOwnerConfig(Bytes v) {
      this.mrOwnerConfig = check(v, 48, "mr_owner_config");
      return this;
    }

    /**
     * The runtime events in log order.
     *
     * @param events the events, in order
     * @return this builder
     */
    public Builder events(List<DstackRuntimeEvent> events) {
      this.events = List.copyOf(events);
      return this;
    }

    /**
     * Boot-time mode (dstack's {@code boottime_mr}, used for KMS self-checks): RTMR3 is the replay up
     * to {@code boot-mr-done} and mr_key_provider is zero.
     *
     * @param bootTime true for the boot-time variant
     * @return this builder
     */
    public Builder bootTime(boolean bootTime) {
      this.bootTime = bootTime;
      return this;
    }

    /**
     * The dstack vm_config JSON (an object, or a JSON string holding one) with {@code os_image_hash}.
     *
     * @param json the JSON bytes
     * @return this builder
     */
    public Builder vmConfig(String json) {
      try {
        this.osImageHash = osImageHashOf(json);
      } catch (MalformedEvidenceException e) {
        this.vmConfigError = e;
      }
      return this;
    }

    /**
     * The OS image hash directly (32 bytes).
     *
     * @param hash the hash
     * @return this builder
     */
    public Builder osImageHash(Bytes hash) {
      this.osImageHash = hash;
      return this;
    }

    /**
     * Computes the identity.
     *
     * @return the computed value
     * @throws VerificationException {@link TdxReason#RTMR_MISMATCH} or {@link
     *     TdxReason#APP_INFO_INVALID}
     * @throws MalformedEvidenceException {@link TdxReason#VM_CONFIG_MALFORMED}
     */
    public DstackAppInfo build() throws VerificationException, MalformedEvidenceException {
      if (vmConfigError != null) {
        throw vmConfigError;
      }
      Objects.requireNonNull(mrTd, "mr_td");
      for (int i = 0; i < 3; i++) {
        Objects.requireNonNull(rtmr[i], "rtmr" + i);
      }
      Bytes replayed = bootTime ? DstackRuntimeEvent.replayBootTime(events) : DstackRuntimeEvent.replay(events);
      if (!bootTime && rtmr[3] != null && !rtmr[3].equals(replayed)) {
        throw new VerificationException(
            TdxReason.RTMR_MISMATCH,
            "runtime events replay to RTMR3 " + replayed + " but the quote has " + rtmr[3]);
      }
      try {
        return new DstackAppInfo(this, replayed);
      } catch (AttestationInputException e) {
        throw new VerificationException(TdxReason.APP_INFO_INVALID, e.getMessage());
      }
    }

    private static Bytes check(Bytes v, int len, String what) {
      Objects.requireNonNull(v, what);
      if (v.length() != len) {
        throw new IllegalArgumentException(what + " must be " + len + " bytes, got " + v.length());
      }
      return v;
    }
  }

  /**
   * {@code os_image_hash} of a dstack vm_config JSON.
   *
   * @param vmConfigJson the dstack vm_config JSON
   * @return the os_image_hash (32 bytes)
   * @throws MalformedEvidenceException with {@link TdxReason#VM_CONFIG_MALFORMED}
   */
  public static Bytes osImageHashOf(String vmConfigJson) throws MalformedEvidenceException {
    Json j = new Json(TdxReason.VM_CONFIG_MALFORMED, "vm_config");
    JsonElement e = j.parse(vmConfigJson);
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      e = j.parse(e.getAsString());
    }
    JsonObject o = j.object(e, "vm_config");
    if (o.has("vm_config") && !o.has("os_image_hash")) {
      JsonElement inner = o.get("vm_config");
      o = j.object(inner.isJsonPrimitive() ? j.parse(inner.getAsString()) : inner, "vm_config");
    }
    return Bytes.of(j.hex(o, "os_image_hash", 32));
  }

  /**
   * app_id (20 bytes in practice).
   *
   * @return app_id (20 bytes in practice)
   */
  public Bytes appId() {
    return appId;
  }

  /**
   * compose_hash (SHA-256 of app-compose.json).
   *
   * @return compose_hash (SHA-256 of app-compose.json)
   */
  public Bytes composeHash() {
    return composeHash;
  }

  /**
   * instance_id (20 bytes, or empty).
   *
   * @return instance_id (20 bytes, or empty)
   */
  public Bytes instanceId() {
    return instanceId;
  }

  /**
   * The key-provider event payload (JSON bytes {@code {"name":..,"id":..}}), if present.
   *
   * @return the key-provider event payload (JSON bytes {@code {"name":..,"id":..}}), if present
   */
  public Optional<Bytes> keyProviderInfo() {
    return Optional.ofNullable(keyProviderInfo);
  }

  /**
   * The key-provider payload as UTF-8 text, if present.
   *
   * @return the key-provider payload as UTF-8 text, if present
   */
  public Optional<String> keyProviderInfoUtf8() {
    return keyProviderInfo().map(b -> new String(b.toByteArray(), StandardCharsets.UTF_8));
  }

  /**
   * SHA-256 of the key-provider payload, or 32 zero bytes.
   *
   * @return SHA-256 of the key-provider payload, or 32 zero bytes
   */
  public Bytes mrKeyProvider() {
    return mrKeyProvider;
  }

  /**
   * mr_system.
   *
   * @return mr_system
   */
  public Bytes mrSystem() {
    return mrSystem;
  }

  /**
   * mr_aggregated.
   *
   * @return mr_aggregated
   */
  public Bytes mrAggregated() {
    return mrAggregated;
  }

  /**
   * device_id = SHA-256("") for TDX, as dstack's unverified decoding gives it (a KMS that verified
   * the quote authorizes SHA-256 of the PCK certificate's PPID instead).
   *
   * @return device_id = SHA-256("") for TDX
   */
  public Bytes deviceId() {
    return deviceId;
  }

  /**
   * os_image_hash from vm_config, if one was given.
   *
   * @return os_image_hash from vm_config, if one was given
   */
  public Optional<Bytes> osImageHash() {
    return Optional.ofNullable(osImageHash);
  }

  /**
   * The RTMR3 value used (replayed; boot-time value in boot-time mode).
   *
   * @return the RTMR3 value used (replayed; boot-time value in boot-time mode)
   */
  public Bytes rtmr3() {
    return rtmr3;
  }

  /**
   * Whether this was computed in boot-time mode.
   *
   * @return whether this was computed in boot-time mode
   */
  public boolean bootTime() {
    return bootTime;
  }

  private static byte[] sha256(byte[] b) {
    return sha256().digest(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "DstackAppInfo[app_id=" + appId + ", compose_hash=" + composeHash + ", instance_id="
        + instanceId + ", mr_aggregated=" + mrAggregated + "]";
  }
}
