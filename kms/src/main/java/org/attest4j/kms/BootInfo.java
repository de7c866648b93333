package org.attest4j.kms;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * What the KMS tells the authorization hook about a verified boot: dstack's {@code BootInfo}, sent
 * to the auth webhook as JSON with camelCase keys and byte strings as lowercase hex without
 * {@code 0x} ({@link #toJson(Dialect)}).
 *
 * <p>For SEV-SNP (dstack's merged design): {@code mrSystem = SHA-256(MEASUREMENT)}, {@code
 * mrAggregated = SHA-256(MEASUREMENT || HOST_DATA)}, {@code deviceId = SHA-256(CHIP_ID)}, {@code
 * keyProviderInfo} = the JSON bytes {@code {"name":"kms","id":"<hex root CA SPKI>"}}, {@code
 * tcbStatus} = {@link #TCB_STATUS_UP_TO_DATE} only when the reported, current, committed and launch
 * TCB agree and the reported TCB is at or above the KMS's configured minimum for the product in
 * every component; {@link #TCB_STATUS_OUT_OF_DATE} otherwise; {@link #TCB_STATUS_NOT_EVALUATED}
 * (the empty string, as dstack sends when it does no TCB evaluation) when the KMS was built with
 * {@code allowAnyTcb()} and the TCBs agree, so no floor backs an {@code "UpToDate"} claim.
 *
 * @param teeVariant for example {@code "dstack-amd-sev-snp"}
 * @param mrAggregated 32 bytes
 * @param osImageHash 32 bytes, the pinned OS image
 * @param mrSystem 32 bytes
 * @param appId 20 bytes
 * @param composeHash 32 bytes
 * @param instanceId 20 bytes or empty
 * @param deviceId 32 bytes
 * @param keyProviderInfo the key-provider JSON bytes
 * @param tcbStatus {@link #TCB_STATUS_UP_TO_DATE}, {@link #TCB_STATUS_OUT_OF_DATE} or {@link
 *     #TCB_STATUS_NOT_EVALUATED}
 * @param advisoryIds advisory ids (empty for SEV-SNP)
 */
public record BootInfo(
    String teeVariant,
    Bytes mrAggregated,
    Bytes osImageHash,
    Bytes mrSystem,
    Bytes appId,
    Bytes composeHash,
    Bytes instanceId,
    Bytes deviceId,
    Bytes keyProviderInfo,
    String tcbStatus,
    List<String> advisoryIds) {

  /** dstack's TEE variant name for SEV-SNP on the next branch. */
  public static final String TEE_VARIANT_SEV_SNP = "dstack-amd-sev-snp";

  /** dstack's TEE variant name for Intel TDX (also PR #630's {@code attestationMode}). */
  public static final String TEE_VARIANT_TDX = "dstack-tdx";

  /** The TCB is consistent and at or above the configured minimum in every component. */
  public static final String TCB_STATUS_UP_TO_DATE = "UpToDate";

  /** The TCB is below the configured minimum, or the platform runs newer firmware than the guest reports or launched with. */
  public static final String TCB_STATUS_OUT_OF_DATE = "OutOfDate";

  /**
   * No TCB evaluation was done (the KMS has no minimum TCB: {@code allowAnyTcb()}): the empty string,
   * dstack's value in that case, which auth-eth's {@code requireTcbUpToDate} and auth-simple's
   * default {@code allowedTcbStatuses=["UpToDate"]} both refuse.
   */
  public static final String TCB_STATUS_NOT_EVALUATED = "";

  /** The attestation-mode name PR #630 used for SEV-SNP. */
  public static final String ATTESTATION_MODE_PR630 = "dstack-sev-snp";

  /** Which webhook JSON shape to produce. */
  public enum Dialect {
    /** dstack next: first key {@code "teeVariant"}. */
    NEXT,
    /** dstack up to PR #630: first key {@code "attestationMode"} with PR #630's SEV-SNP name. */
    PR630
  }

  /**
   * Checks that no component is null and copies the advisory list.
   *
   * @param teeVariant for example {@code "dstack-amd-sev-snp"}
   * @param mrAggregated 32 bytes
   * @param osImageHash 32 bytes, the pinned OS image
   * @param mrSystem 32 bytes
   * @param appId 20 bytes
   * @param composeHash 32 bytes
   * @param instanceId 20 bytes or empty
   * @param deviceId 32 bytes
   * @param keyProviderInfo the key-provider JSON bytes
   * @param tcbStatus {@link #TCB_STATUS_UP_TO_DATE}, {@link #TCB_STATUS_OUT_OF_DATE} or {@link #TCB_STATUS_NOT_EVALUATED}
   * @param advisoryIds advisory ids (empty for SEV-SNP)
   */
  public BootInfo {
    Objects.requireNonNull(teeVariant, "teeVariant");
    Objects.requireNonNull(mrAggregated, "mrAggregated");
    Objects.requireNonNull(osImageHash, "osImageHash");
    Objects.requireNonNull(mrSystem, "mrSystem");
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(composeHash, "composeHash");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(keyProviderInfo, "keyProviderInfo");
    Objects.requireNonNull(tcbStatus, "tcbStatus");
    advisoryIds = List.copyOf(advisoryIds);
  }

  /** The webhook body in dstack's next-branch dialect (package-private: gson stays out of the API). */
  JsonObject toJson() {
    return toJson(Dialect.NEXT);
  }

  /** The webhook body: camelCase keys, hex without {@code 0x}. */
  JsonObject toJson(Dialect dialect) {
    JsonObject o = new JsonObject();
    if (dialect == Dialect.PR630) {
      o.addProperty(
          "attestationMode", TEE_VARIANT_SEV_SNP.equals(teeVariant) ? ATTESTATION_MODE_PR630 : teeVariant);
    } else {
      o.addProperty("teeVariant", teeVariant);
    }
    o.addProperty("mrAggregated", mrAggregated.toHex());
    o.addProperty("osImageHash", osImageHash.toHex());
    o.addProperty("mrSystem", mrSystem.toHex());
    o.addProperty("appId", appId.toHex());
    o.addProperty("composeHash", composeHash.toHex());
    o.addProperty("instanceId", instanceId.toHex());
    o.addProperty("deviceId", deviceId.toHex());
    o.addProperty("keyProviderInfo", keyProviderInfo.toHex());
    o.addProperty("tcbStatus", tcbStatus);
    JsonArray adv = new JsonArray();
    advisoryIds.forEach(adv::add);
    o.add("advisoryIds", adv);
    return o;
  }
}
