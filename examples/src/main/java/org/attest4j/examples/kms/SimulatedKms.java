package org.attest4j.examples.kms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.examples.agent.RatlsGuest;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.guest.SnpGuestReport;

/**
 * A KMS instance on the <strong>simulated</strong> SEV-SNP platform ({@code KmsServer --simulate}),
 * for demos and tests: launched like {@link ExampleLaunch} (the firmware, kernel, initrd, command
 * line and vCPUs that {@code examples/kms.example.json} pins, the test-only root) but as the KMS
 * app ({@link #appId()}, {@link #composeHash()}), with an MrConfigV3 that names the root CA key of
 * the cluster it serves as its {@code key_provider_id} and a random instance id. Its attestation
 * goes into the KMS's {@code kms:rpc} server certificate and, on a replica, into its onboarding
 * client certificate; {@code auth.kms_allow} must name this app for replicas to be released keys.
 * Nothing real is attested.
 *
 * <p>Stateless; the methods are thread-safe.
 */
public final class SimulatedKms {
  private SimulatedKms() {}

  /**
   * The KMS app id (20 bytes): the first 20 bytes of SHA-256("attest4j example KMS").
   *
   * @return a fresh copy
   */
  public static byte[] appId() {
    return Arrays.copyOf(sha256("attest4j example KMS"), 20);
  }

  /**
   * The KMS app's compose hash: SHA-256("attest4j example KMS app-compose.json").
   *
   * @return a fresh copy
   */
  public static byte[] composeHash() {
    return sha256("attest4j example KMS app-compose.json");
  }

  /**
   * The simulated KMS's {@code vm_config}: the example launch's shape.
   *
   * @return the JSON text
   */
  public static String vmConfig() {
    return RatlsGuest.vmConfig(ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
  }

  /**
   * An instance of the KMS app serving the cluster whose root CA key is {@code rootSpki}: makes
   * its attestation (V0 SCALE) for a report_data.
   *
   * @param rootSpki the cluster's root CA key, DER SubjectPublicKeyInfo
   * @return the attester (it throws {@link IllegalStateException} if the simulated launch fails)
   */
  public static Function<Bytes, VersionedAttestation> attester(Bytes rootSpki) {
    return attester(rootSpki, appId(), composeHash());
  }

  /**
   * As {@link #attester(Bytes)} for another app identity (tests: a KMS that is not allowed).
   *
   * @param rootSpki the cluster's root CA key, DER SubjectPublicKeyInfo
   * @param appId the app id (20 bytes)
   * @param composeHash the compose hash (32 bytes)
   * @return the attester
   */
  public static Function<Bytes, VersionedAttestation> attester(Bytes rootSpki, byte[] appId,
      byte[] composeHash) {
    byte[] instanceId = new byte[20];
    new SecureRandom().nextBytes(instanceId);
    Bytes spki = rootSpki;
    byte[] app = appId.clone();
    byte[] compose = composeHash.clone();
    return rd -> {
      try {
        MrConfigV3 mr = MrConfigV3.builder().appId(Bytes.of(app)).composeHash(Bytes.of(compose)).instanceId(Bytes.of(instanceId))
            .keyProvider(KeyProviderKind.KMS).keyProviderId(spki).build();
        SnpGuestReport r = ExampleLaunch.guest(mr.hostData()).getReport(rd.toByteArray());
        List<Bytes> chain = r.parseCertificateTable().flatMap(SnpCertTable::vcek)
            .map(List::of).orElse(List.of());
        return VersionedAttestation.of(WireFormat.V0_SCALE, new Attestation(
            new PlatformEvidence.SevSnp(Bytes.of(r.report()), chain,
                new String(mr.documentBytes(), StandardCharsets.UTF_8)),
            new StackEvidence.Dstack(rd, List.of(), vmConfig())));
      } catch (AttestationException e) {
        throw new IllegalStateException("the simulated KMS launch failed: " + e.getMessage(), e);
      }
    };
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
