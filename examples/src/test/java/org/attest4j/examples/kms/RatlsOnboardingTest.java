package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.examples.agent.KmsOnboarding;
import org.attest4j.examples.agent.RatlsGuest;
import org.attest4j.examples.agent.ReleasedKeys;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.PlatformVerifier;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.guest.SnpGuestReport;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GetKmsKey with both sides attested: replica B (a simulated SEV-SNP guest) onboards from KMS A
 * (whose server certificate carries a simulated SEV-SNP attestation) and then releases the same
 * app keys as A; a source without an attestation and a source without {@code
 * "allow_replica_onboarding"} are refused and nothing is written.
 */
class RatlsOnboardingTest {
  private static final String VM_CONFIG = "{\"sev_snp_measurement\":\"{\\\"vcpus\\\":"
      + ExampleLaunch.VCPUS + ",\\\"vcpu_type\\\":\\\"" + ExampleLaunch.VCPU_TYPE + "\\\"}\"}";

  private static final String OS_IMAGE =
      "fcd28c45cb7101e8805075124c73aef5ad4e6011e38cb5e4d21805e870c1b74c";

  @TempDir Path dir;

  private final Clock clock = Clock.systemUTC();

  /** The vendor check of a simulated SEV-SNP attestation (the test-only root the example trusts). */
  private final PlatformVerifier simulatedSnp = a -> {
    if (!(a.platform() instanceof PlatformEvidence.SevSnp snp) || snp.certChain().isEmpty()) {
      throw new org.attest4j.core.VerificationException(
          org.attest4j.core.CoreReason.BAD_ENCODING, "not a SEV-SNP attestation with its VCEK");
    }
    SimulatedSnpPlatform p = SimulatedSnpPlatform.builder(Product.GENOA).testOnlyRoot().build();
    p.verifier(clock).verify(snp.report().toByteArray(), snp.certChain().get(0).toByteArray(),
        p.certChainPem());
  };

  /** A simulated SEV-SNP KMS instance's attestation, its MrConfigV3 naming {@code kmsSpki}. */
  private static Function<Bytes, VersionedAttestation> attester(byte[] kmsSpki, int instance) {
    return rd -> {
      try {
        byte[] instanceId = new byte[20];
        instanceId[0] = (byte) instance;
        MrConfigV3 mr = ExampleLaunch.mrConfig(kmsSpki, instanceId);
        SnpGuestReport r = ExampleLaunch.guest(mr.hostData()).getReport(rd.toByteArray());
        List<Bytes> chain = r.parseCertificateTable().flatMap(SnpCertTable::vcek)
            .map(List::of).orElse(List.of());
        return VersionedAttestation.of(WireFormat.V0_SCALE, new Attestation(
            new PlatformEvidence.SevSnp(Bytes.of(r.report()), chain,
                new String(mr.documentBytes(), StandardCharsets.UTF_8)),
            new StackEvidence.Dstack(rd, List.of(), VM_CONFIG)));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private KmsConfig config(String name, boolean onboarding) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    String ratls = "\"port\": 0,\n  \"ratls\": true,";
    if (!onboarding) {
      return KmsConfig.load(NewcomerPathTest.exampleConfig(d, "\"port\": 0,", ratls));
    }
    // the KMS app (here the example app id) in its own allow-list, not the apps' one
    String kmsAllow = "\"kms_allow\": {\"osImages\": [\"" + OS_IMAGE + "\"], \"apps\": {\""
        + Bytes.of(ExampleLaunch.appId()).toHex() + "\": {\"composeHashes\": [\""
        + Bytes.of(ExampleLaunch.composeHash()).toHex() + "\"]}}},\n    \"allow\": {";
    return KmsConfig.load(NewcomerPathTest.exampleConfig(d, "\"port\": 0,",
        ratls + "\n  \"allow_replica_onboarding\": true,", "\"allow\": {", kmsAllow));
  }

  private KmsServer attested(KmsConfig cfg, KmsRootKeys roots) throws Exception {
    return KmsServer.builder(cfg.buildService(clock, KmsConfig.IN_MEMORY)).port(0)
        .ratls(KmsCertificateAuthority.of(roots, clock), attester(roots.rootCaPublicKeySpki().toByteArray(), 1))
        .start();
  }

  @Test
  void replicaOnboardsFromAnAttestedSourceAndReleasesTheSameKeys() throws Exception {
    KmsConfig a = config("a", true);
    KmsRootKeys rootsA = a.rootKeys(clock);
    KmsConfig b = config("b", false);
    Path keyDirB = dir.resolve("b").resolve("kms-example-keys");
    try (KmsServer source = attested(a, rootsA)) {
      KmsRootKeys got = KmsOnboarding.create(source.baseUri(), simulatedSnp,
          attester(rootsA.rootCaPublicKeySpki().toByteArray(), 2), VM_CONFIG).onboard(keyDirB);
      assertEquals(rootsA, got);
      // the key directory keeps its no-replace rule: a second onboarding does not overwrite it
      AgentException again = assertThrows(AgentException.class, () -> KmsOnboarding.create(
          source.baseUri(), simulatedSnp, attester(rootsA.rootCaPublicKeySpki().toByteArray(), 2), VM_CONFIG)
          .onboard(keyDirB));
      assertEquals("KEY_DIR", again.reason());
    }
    assertEquals(rootsA, b.rootKeys(clock));
    try (KmsServer replica = KmsServer.start(b, clock)) {
      byte[] instanceId = new byte[20];
      instanceId[0] = 7;
      MrConfigV3 mr = ExampleLaunch.mrConfig(rootsA.rootCaPublicKeySpki().toByteArray(), instanceId);
      ReleasedKeys keys = RatlsGuest.create(replica.baseUri(), ExampleLaunch.guest(mr.hostData()))
          .requestKeys(mr.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
      AppKeys expected = AppKeyDeriver.of(rootsA).derive(Bytes.of(ExampleLaunch.appId()), Bytes.of(instanceId));
      assertArrayEquals(expected.diskCryptKey(), keys.diskCryptKey());
      assertArrayEquals(expected.k256Key(), keys.k256Key());
    }
  }

  @Test
  void anUnattestedSourceIsRefused() throws Exception {
    KmsConfig a = config("a", true);
    KmsRootKeys rootsA = a.rootKeys(clock);
    Path keyDir = dir.resolve("replica-keys");
    try (KmsServer source = KmsServer.start(a, clock)) {
      AgentException e = assertThrows(AgentException.class, () -> KmsOnboarding.create(
          source.baseUri(), simulatedSnp, attester(rootsA.rootCaPublicKeySpki().toByteArray(), 2), VM_CONFIG)
          .onboard(keyDir));
      assertEquals(KmsOnboarding.SOURCE_REFUSED, e.reason());
      assertTrue(e.getMessage().contains("attestation"), e.getMessage());
    }
    assertFalse(Files.exists(keyDir));
  }

  @Test
  void onboardingDisabledIsRefused() throws Exception {
    KmsConfig a = config("a", false);
    KmsRootKeys rootsA = a.rootKeys(clock);
    Path keyDir = dir.resolve("replica-keys");
    try (KmsServer source = attested(a, rootsA)) {
      AgentException e = assertThrows(AgentException.class, () -> KmsOnboarding.create(
          source.baseUri(), simulatedSnp, attester(rootsA.rootCaPublicKeySpki().toByteArray(), 2), VM_CONFIG)
          .onboard(keyDir));
      assertEquals("KmsReason.NOT_AUTHORIZED", e.reason());
    }
    assertFalse(Files.exists(keyDir));
  }
}
