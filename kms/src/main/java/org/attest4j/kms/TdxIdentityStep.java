package org.attest4j.kms;

import com.google.gson.JsonObject;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.DstackAppInfo;

/**
 * Step 5 for TDX: app_id, compose_hash and instance_id come from the replayed event log, agree with
 * the request, and the measured key provider is this KMS. Immutable and thread-safe.
 */
final class TdxIdentityStep {
  private final Bytes rootCaSpki;
  private final boolean requireKeyProvider;

  /**
   * @param rootCaSpki this KMS's root CA key, the id its key-provider event must carry
   * @param requireKeyProvider whether the measured key-provider event must name this KMS
   */
  TdxIdentityStep(Bytes rootCaSpki, boolean requireKeyProvider) {
    this.rootCaSpki = rootCaSpki;
    this.requireKeyProvider = requireKeyProvider;
  }

  /**
   * The measured identity, refused when malformed ({@link KmsReason#IDENTITY_NOT_BOUND}), unlike the
   * claimed one (fields left empty are not claimed; {@link KmsReason#IDENTITY_MISMATCH}) or, when required, not naming this KMS as key
   * provider ({@link KmsReason#KEY_PROVIDER_MISMATCH}).
   */
  AppIdentity bind(AppIdentity claimed, DstackAppInfo app) throws AttestationException {
    Bytes appId = app.appId();
    Bytes compose = app.composeHash();
    Bytes instance = app.instanceId();
    if (appId.length() != 20) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "the measured app-id event has " + appId.length() + " bytes, not 20");
    }
    if (compose.length() != 32) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "the measured compose-hash event has " + compose.length() + " bytes, not 32");
    }
    if (instance.length() != 0 && instance.length() != 20) {
      throw new VerificationException(
          KmsReason.IDENTITY_NOT_BOUND, "the measured instance-id event has " + instance.length() + " bytes, not 20 or 0");
    }
    if (claimed.appId().length() != 0 && !claimed.appId().equals(appId)) {
      throw new VerificationException(
          KmsReason.IDENTITY_MISMATCH,
          "the request asks for app_id " + claimed.appId() + " but the replayed event log measures app_id " + appId);
    }
    AppIdentity.requireSame("compose_hash", claimed.composeHash(), compose, "the replayed event log");
    AppIdentity.requireSame("instance_id", claimed.instanceId(), instance, "the replayed event log");
    if (requireKeyProvider) {
      requireThisKms(app);
    }
    return new AppIdentity(appId, compose, instance);
  }

  private void requireThisKms(DstackAppInfo app) throws VerificationException {
    String json =
        app.keyProviderInfoUtf8()
            .orElseThrow(
                () ->
                    new VerificationException(
                        KmsReason.KEY_PROVIDER_MISMATCH,
                        "the event log has no key-provider event before system-ready; this KMS requires one naming it"));
    String name;
    String id;
    try {
      JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
      name = o.has("name") ? o.get("name").getAsString() : "";
      id = o.has("id") ? o.get("id").getAsString() : "";
    } catch (RuntimeException e) {
      throw new VerificationException(
          KmsReason.KEY_PROVIDER_MISMATCH, "the key-provider event payload is not a JSON object with name and id");
    }
    if (!"kms".equals(name)) {
      throw new VerificationException(
          KmsReason.KEY_PROVIDER_MISMATCH,
          "the measured key-provider event names key provider \"" + name + "\", not \"kms\"");
    }
    Bytes idBytes;
    try {
      idBytes = Bytes.of(java.util.HexFormat.of().parseHex(id.startsWith("0x") ? id.substring(2) : id));
    } catch (IllegalArgumentException e) {
      idBytes = Bytes.empty();
    }
    if (!idBytes.equals(rootCaSpki)) {
      throw new VerificationException(
          KmsReason.KEY_PROVIDER_MISMATCH,
          "the measured key-provider id (" + (idBytes.length() == 0 ? "none" : AppIdentity.abbreviate(idBytes))
              + ") is not this KMS's root CA key (" + AppIdentity.abbreviate(rootCaSpki) + ")");
    }
  }
}
