package org.attest4j.kms;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.kms.internal.StrictJson;

/**
 * A static allow-list authorization hook with the rules of dstack's {@code auth-simple} webhook:
 * the TCB status must be allowed (default only {@code "UpToDate"}), every advisory id must be
 * allowed, the OS image hash must be listed, the app must be registered, its compose hash listed,
 * and, unless the app allows any device, the device id listed when the app lists devices.
 * {@link #fromJson(String)} reads auth-simple's configuration file format.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AllowListAuthorizer implements AuthorizationHook {

  /**
   * One registered application.
   *
   * @param composeHashes allowed compose hashes
   * @param devices allowed device ids (empty: any device)
   * @param allowAnyDevice whether to skip the device check
   */
  public record AppRule(Set<Bytes> composeHashes, Set<Bytes> devices, boolean allowAnyDevice) {
    /**
     * Copies the sets.
     *
     * @param composeHashes allowed compose hashes
     * @param devices allowed device ids (empty: any device)
     * @param allowAnyDevice whether to skip the device check
     */
    public AppRule {
      composeHashes = Set.copyOf(composeHashes);
      devices = Set.copyOf(devices);
    }
  }

  private final Set<String> tcbStatuses;
  private final Set<String> advisoryIds;
  private final Set<Bytes> osImages;
  private final Map<Bytes, AppRule> apps;
  private final String gatewayAppId;

  private AllowListAuthorizer(Builder b) {
    this.tcbStatuses = Set.copyOf(b.tcbStatuses);
    this.advisoryIds = Set.copyOf(b.advisoryIds);
    this.osImages = Set.copyOf(b.osImages);
    this.apps = Map.copyOf(b.apps);
    this.gatewayAppId = b.gatewayAppId;
  }

  /**
   * A builder that allows nothing until told otherwise (TCB status {@code "UpToDate"} only).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads dstack auth-simple's configuration: {@code gatewayAppId}, {@code osImages}, {@code
   * allowedTcbStatuses}, {@code allowedAdvisoryIds} and {@code apps: {"<app id>": {composeHashes,
   * devices, allowAnyDevice}}}; hex with or without {@code 0x}. Unknown keys are refused.
   *
   * @param json the configuration document (strict JSON, one object)
   * @return the authorizer
   * @throws InvalidConfigurationException if the text is not a JSON object of that shape
   */
  public static AllowListAuthorizer fromJson(String json) {
    Objects.requireNonNull(json, "json");
    JsonElement root;
    try {
      root = StrictJson.parse(json, CoreReason.BAD_ENCODING, "the allow-list");
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
    if (!root.isJsonObject()) {
      throw new InvalidConfigurationException(CoreReason.BAD_ENCODING, "allow-list must be a JSON object");
    }
    try {
      return fromJsonObject(root.getAsJsonObject());
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
  }

  /**
   * As {@link #fromJson(String)} for a UTF-8 file.
   *
   * @param file the configuration file
   * @return the authorizer
   * @throws InvalidConfigurationException if the file cannot be read ({@link CoreReason#IO_ERROR})
   *     or is not a JSON object of that shape
   */
  public static AllowListAuthorizer fromJson(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InvalidConfigurationException(CoreReason.IO_ERROR, "cannot read allow-list " + file + ": " + e, e);
    }
    return fromJson(text);
  }

  private static AllowListAuthorizer fromJsonObject(JsonObject config) throws MalformedEvidenceException {
    Builder b = builder();
    try {
      for (Map.Entry<String, JsonElement> e : config.entrySet()) {
        switch (e.getKey()) {
          case "gatewayAppId" -> b.gatewayAppId(e.getValue().getAsString());
          case "osImages" -> {
            for (String h : strings(e.getValue(), "osImages")) {
              b.allowOsImage(Bytes.fromHex(h));
            }
          }
          case "allowedTcbStatuses" -> {
            b.tcbStatuses.clear();
            b.tcbStatuses.addAll(strings(e.getValue(), "allowedTcbStatuses"));
          }
          case "allowedAdvisoryIds" -> b.advisoryIds.addAll(strings(e.getValue(), "allowedAdvisoryIds"));
          case "apps" -> {
            for (Map.Entry<String, JsonElement> app : e.getValue().getAsJsonObject().entrySet()) {
              JsonObject rule = app.getValue().getAsJsonObject();
              Set<Bytes> compose = new LinkedHashSet<>();
              Set<Bytes> devices = new LinkedHashSet<>();
              boolean any = false;
              for (Map.Entry<String, JsonElement> f : rule.entrySet()) {
                switch (f.getKey()) {
                  case "composeHashes" -> {
                    for (String h : strings(f.getValue(), "composeHashes")) {
                      compose.add(Bytes.fromHex(h));
                    }
                  }
                  case "devices" -> {
                    for (String h : strings(f.getValue(), "devices")) {
                      devices.add(Bytes.fromHex(h));
                    }
                  }
                  case "allowAnyDevice" -> {
                    if (!f.getValue().isJsonPrimitive() || !f.getValue().getAsJsonPrimitive().isBoolean()) {
                      throw new MalformedEvidenceException(
                          CoreReason.BAD_ENCODING, "allowAnyDevice must be a boolean");
                    }
                    any = f.getValue().getAsBoolean();
                  }
                  default -> throw new MalformedEvidenceException(
                      CoreReason.BAD_FIELD, "unknown key in app rule: " + f.getKey());
                }
              }
              b.allowApp(Bytes.fromHex(app.getKey()), new AppRule(compose, devices, any));
            }
          }
          case "kms", "kmsContractAddr", "chainId", "appImplementation" -> {
            // auth-simple keys about KMS self-checks and chain info; not used for app boots
          }
          default -> throw new MalformedEvidenceException(
              CoreReason.BAD_FIELD, "unknown key in allow-list: " + e.getKey());
        }
      }
    } catch (IllegalStateException | UnsupportedOperationException | ClassCastException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "allow-list has a value of the wrong type: " + e.getMessage(), e);
    }
    return b.build();
  }

  private static List<String> strings(JsonElement el, String key) throws MalformedEvidenceException {
    if (!el.isJsonArray()) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, key + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonElement e : (JsonArray) el) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, key + " must be an array of strings");
      }
      out.add(e.getAsString());
    }
    return out;
  }

  @Override
  public AuthorizationDecision authorize(BootInfo info) {
    if (!tcbStatuses.contains(info.tcbStatus())) {
      return deny("TCB status " + info.tcbStatus() + " is not allowed (allowed: " + tcbStatuses + ")");
    }
    for (String adv : info.advisoryIds()) {
      if (!advisoryIds.contains(adv)) {
        return deny("advisory ID " + adv + " is not allowed");
      }
    }
    if (!osImages.contains(info.osImageHash())) {
      return deny("OS image " + info.osImageHash() + " is not allowed");
    }
    AppRule rule = apps.get(info.appId());
    if (rule == null) {
      return deny("app " + info.appId() + " is not registered");
    }
    if (!rule.composeHashes().contains(info.composeHash())) {
      return deny("compose hash " + info.composeHash() + " is not allowed for app " + info.appId());
    }
    if (!rule.allowAnyDevice() && !rule.devices().isEmpty() && !rule.devices().contains(info.deviceId())) {
      return deny("app " + info.appId() + " is not allowed to boot on device " + info.deviceId());
    }
    return AuthorizationDecision.allow(gatewayAppId);
  }

  private AuthorizationDecision deny(String reason) {
    return new AuthorizationDecision(false, gatewayAppId, reason);
  }

  @Override
  public String toString() {
    return "AllowListAuthorizer[apps=" + apps.size() + ", osImages=" + osImages.size()
        + ", tcbStatuses=" + tcbStatuses + "]";
  }

  /** Builds an {@link AllowListAuthorizer}. Not thread-safe. */
  public static final class Builder {
    private final Set<String> tcbStatuses = new LinkedHashSet<>(List.of("UpToDate"));
    private final Set<String> advisoryIds = new LinkedHashSet<>();
    private final Set<Bytes> osImages = new LinkedHashSet<>();
    private final Map<Bytes, AppRule> apps = new HashMap<>();
    private String gatewayAppId = "";

    private Builder() {}

    /**
     * Replaces the allowed TCB statuses (default {@code "UpToDate"} only).
     *
     * @param statuses the statuses
     * @return this builder
     */
    public Builder allowedTcbStatuses(String... statuses) {
      tcbStatuses.clear();
      tcbStatuses.addAll(List.of(statuses));
      return this;
    }

    /**
     * Allows an advisory id.
     *
     * @param advisoryId the advisory id
     * @return this builder
     */
    public Builder allowAdvisory(String advisoryId) {
      advisoryIds.add(Objects.requireNonNull(advisoryId, "advisoryId"));
      return this;
    }

    /**
     * Allows an OS image hash.
     *
     * @param osImageHash the OS image hash
     * @return this builder
     */
    public Builder allowOsImage(Bytes osImageHash) {
      osImages.add(Objects.requireNonNull(osImageHash, "osImageHash"));
      return this;
    }

    /**
     * Registers an app with its rule (replacing an earlier rule for the same id).
     *
     * @param appId the app id
     * @param rule the rule
     * @return this builder
     */
    public Builder allowApp(Bytes appId, AppRule rule) {
      apps.put(Objects.requireNonNull(appId, "appId"), Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Registers an app that may run the given compose hashes on any device.
     *
     * @param appId the app id
     * @param composeHashes the compose hashes
     * @return this builder
     */
    public Builder allowApp(Bytes appId, Bytes... composeHashes) {
      return allowApp(appId, new AppRule(Set.of(composeHashes), Set.of(), true));
    }

    /**
     * The gateway app id returned with every decision (default empty).
     *
     * @param gatewayAppId the gateway app id returned with every decision (default empty)
     * @return this builder
     */
    public Builder gatewayAppId(String gatewayAppId) {
      this.gatewayAppId = Objects.requireNonNull(gatewayAppId, "gatewayAppId");
      return this;
    }

    /**
     * The authorizer.
     *
     * @return the new {@code AllowListAuthorizer}
     */
    public AllowListAuthorizer build() {
      return new AllowListAuthorizer(this);
    }
  }
}
