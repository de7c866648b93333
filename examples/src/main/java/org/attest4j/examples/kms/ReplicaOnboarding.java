package org.attest4j.examples.kms;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BiFunction;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.KmsOnboarding;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.RatlsRequest;
import org.attest4j.kms.proto.GetKmsKeyRequest;
import org.attest4j.ratls.VersionedAttestation;

/**
 * {@code KmsServer --onboard-from URL}: a new replica takes its root keys from a running KMS with
 * {@link KmsOnboarding} (both sides attested, the source's key pinned across both connections) and
 * decides about the source with <strong>its own</strong> configuration, as dstack's {@code
 * ensure_kms_allowed} intends: the vendor signatures under this configuration's {@code trust}, and
 * the source's attestation (from its {@code kms:rpc} certificate) through the same steps this KMS
 * runs before it would release its root keys to a replica: chain and signature, policy and TCB
 * floor, the measurement from the pinned launch, the identity from its MrConfigV3 (whose {@code
 * key_provider_id} must be the root just received) and the replica authorization ({@code
 * auth.kms_allow}, or the webhook's {@code bootAuth/kms}). Replicas of one cluster thus trust each
 * other by the same rule in both directions. The keys are stored only when all of that passes.
 *
 * <p>Stateless; thread-safe.
 */
public final class ReplicaOnboarding {
  private ReplicaOnboarding() {}

  /**
   * Onboards the replica that {@code config} describes from {@code source}.
   *
   * @param config this replica's configuration: {@code "ratls": true}, {@code
   *     "allow_replica_onboarding": true} (its replica policy judges the source) and a key
   *     directory without root keys
   * @param source the source KMS's base URL ({@code https://...})
   * @param clock the clock
   * @param ownAttestation this replica's attestation for (report_data, the source's root CA key)
   * @param vmConfig this replica's dstack {@code vm_config}
   * @return the stored root keys (secret)
   * @throws MalformedEvidenceException when the configuration does not allow onboarding (see
   *     {@code config}) or the key directory already holds root keys
   * @throws IOException if a file the configuration names cannot be read
   * @throws AgentException when the source or its answer is refused ({@link
   *     KmsOnboarding#SOURCE_REFUSED}, {@link KmsOnboarding#SOURCE_NOT_ALLOWED}, ...)
   */
  public static KmsRootKeys onboard(KmsConfig config, URI source, Clock clock,
      BiFunction<Bytes, Bytes, VersionedAttestation> ownAttestation, String vmConfig)
      throws MalformedEvidenceException, IOException, AgentException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    if (!config.ratls() || !config.allowReplicaOnboarding()) {
      throw new MalformedEvidenceException(CoreReason.BAD_FIELD, "--onboard-from needs \"ratls\": true"
          + " and \"allow_replica_onboarding\": true in this replica's configuration: its replica"
          + " policy (auth.kms_allow or the webhook's bootAuth/kms) decides whether the source KMS"
          + " may give it keys");
    }
    Path dir = config.keyDirectory();
    for (String f : new String[] {KmsRootKeys.ROOT_CA_KEY_FILE, KmsRootKeys.ROOT_K256_KEY_FILE,
        KmsRootKeys.ROOT_CA_CERT_FILE}) {
      if (Files.exists(dir.resolve(f))) {
        throw new MalformedEvidenceException(CoreReason.BAD_FIELD, "the key directory " + dir
            + " already holds " + f + "; onboarding needs an empty one (without --onboard-from the"
            + " server serves the keys it holds)");
      }
    }
    KmsOnboarding.SourcePolicy sameAsOurs = (certificate, keys) -> {
      KeyReleaseService own;
      try {
        own = config.buildService(clock, KmsConfig.IN_MEMORY, keys);
      } catch (IOException e) {
        throw new MalformedEvidenceException(CoreReason.BAD_FIELD,
            "cannot build this replica's policy: " + e.getMessage(), e);
      }
      own.checkKmsPeer(RatlsRequest.decode(certificate, GetKmsKeyRequest.getDefaultInstance()));
    };
    return KmsOnboarding.forCluster(source, config.platformVerifier(clock), ownAttestation, vmConfig)
        .withSourcePolicy(sameAsOurs)
        .onboard(dir);
  }

  /**
   * Checks the arguments a replica is started with; the source must be an {@code https://} URL.
   *
   * @param url the {@code --onboard-from} value
   * @return the base URI (no trailing slash)
   * @throws IllegalArgumentException if it is not an https:// URL with a host
   */
  public static URI sourceUri(String url) {
    URI u = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    if (!"https".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("--onboard-from needs the source KMS's https:// URL, not " + url);
    }
    return u;
  }
}
