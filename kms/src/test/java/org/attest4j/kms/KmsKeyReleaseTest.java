package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.kms.proto.GetKmsKeyRequest;
import org.attest4j.kms.proto.KmsKeyResponse;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.junit.jupiter.api.Test;

/**
 * GetKmsKey for a simulated SEV-SNP KMS replica: opt-in, the caller's attestation runs the SNP
 * steps with the replica hook, and the released root keys are this KMS's.
 */
class KmsKeyReleaseTest {
  private static final GetKmsKeyRequest REQUEST = GetKmsKeyRequest.newBuilder()
      .setVmConfig("{\"sev_snp_measurement\":\"{\\\"vcpus\\\":2,\\\"vcpu_type\\\":\\\"EPYC-v4\\\"}\"}")
      .build();

  private final Fixture f = new Fixture();

  private byte[] replicaCertificate(Bytes appId) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = g.generateKeyPair();
    Fixture.Guest guest = f.new Guest(f.fixedCmdline);
    guest.launchedConfig = f.mrConfig(appId, f.composeHash, f.instanceId, f.roots.rootCaPublicKeySpki());
    Bytes rd = RatlsReportData.forCertificateKey(key.getPublic().getEncoded());
    String mr = new String(guest.launchedConfig.documentBytes(), StandardCharsets.UTF_8);
    Attestation a = new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(guest.report(rd.toByteArray())),
            List.of(Bytes.of(Fixture.PLATFORM.vekPem())), mr),
        new StackEvidence.Dstack(rd, List.of(RuntimeEvent.of("system-ready", Bytes.empty())), ""));
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(f.roots, f.clock);
    return RatlsCertificateBuilder.forKey(key)
        .issuer(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII),
            ca.tempCaKeyPair().getPrivate())
        .attestation(VersionedAttestation.of(WireFormat.V0_SCALE, a))
        .buildDer();
  }

  private KeyReleaseService.Builder replicaAllowed() throws Exception {
    return f.serviceBuilder(IdentityBinding.HOST_DATA).replicaAuthorization(AllowListAuthorizer.builder()
        .allowOsImage(f.pinned(f.fixedCmdline).osImageHash())
        .allowApp(f.appId, f.composeHash)
        .build());
  }

  @Test
  void anAuthorizedReplicaGetsTheRootKeys() throws Exception {
    KeyReleaseService kms = replicaAllowed().build();
    KmsKeyResponse r = kms.releaseKmsKeys(RatlsRequest.decode(replicaCertificate(f.appId), REQUEST));
    assertEquals(1, r.getKeysCount());
    KmsRootKeys copy = KmsRootKeys.fromEncoded(r.getKeys(0).getCaKey(), r.getKeys(0).getK256Key().toByteArray());
    assertEquals(f.roots, copy);
    assertEquals(KmsCertificateAuthority.of(f.roots, f.clock).tempCaKeyPem(), r.getTempCaKey());
    assertArrayEquals(f.roots.rootK256Key(), r.getKeys(0).getK256Key().toByteArray());
  }

  @Test
  void onboardingIsOptInAndAuthorizedAsAKms() throws Exception {
    RatlsRequest req = RatlsRequest.decode(replicaCertificate(f.appId), REQUEST);
    KeyReleaseException off = assertThrows(KeyReleaseException.class,
        () -> f.serviceBuilder(IdentityBinding.HOST_DATA).build().releaseKmsKeys(req));
    assertEquals(KmsReason.NOT_AUTHORIZED, off.refusal().reason());

    // an app allowed to get app keys is not thereby a KMS replica
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA)
        .replicaAuthorization(info -> AuthorizationDecision.deny("not a KMS")).build();
    KeyReleaseException denied = assertThrows(KeyReleaseException.class, () -> kms.releaseKmsKeys(req));
    assertEquals(KeyReleaseStep.AUTHORIZE, denied.step());

    KeyReleaseException other = assertThrows(KeyReleaseException.class, () -> replicaAllowed().build()
        .releaseKmsKeys(RatlsRequest.decode(replicaCertificate(Fixture.rep(0x99, 20)), REQUEST)));
    assertEquals(KeyReleaseStep.AUTHORIZE, other.step());
  }

  @Test
  void aPeerIsJudgedByTheReplicaRuleWithoutAnyRelease() throws Exception {
    RatlsRequest req = RatlsRequest.decode(replicaCertificate(f.appId), REQUEST);
    BootInfo info = replicaAllowed().build().checkKmsPeer(req);
    assertEquals(f.appId, info.appId());
    assertEquals(f.instanceId, info.instanceId());

    KeyReleaseException noHook = assertThrows(KeyReleaseException.class,
        () -> f.serviceBuilder(IdentityBinding.HOST_DATA).build().checkKmsPeer(req));
    assertEquals(KmsReason.NOT_AUTHORIZED, noHook.refusal().reason());
    KeyReleaseException stranger = assertThrows(KeyReleaseException.class, () -> replicaAllowed().build()
        .checkKmsPeer(RatlsRequest.decode(replicaCertificate(Fixture.rep(0x99, 20)), REQUEST)));
    assertEquals(KeyReleaseStep.AUTHORIZE, stranger.step());
  }
}
