package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyRequest;
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
 * GetAppKey over RA-TLS for a simulated SEV-SNP guest: the evidence comes from the client
 * certificate, the keys equal {@link AppKeyDeriver}'s, and a certificate whose report was made for
 * another key, a launch shape the KMS does not pin, another app, or an api_version it does not
 * speak are refused at the step that checks them.
 */
class RatlsKeyReleaseTest {
  private final Fixture f = new Fixture();

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String vmConfig(int vcpus, String type) {
    String m = "{\"vcpus\":" + vcpus + ",\"vcpu_type\":\"" + type + "\"}";
    return "{\"sev_snp_measurement\":" + com.google.gson.JsonParser.parseString("\"x\"").toString()
        .replace("x", m.replace("\"", "\\\"")) + "}";
  }

  /** A guest certificate signed by the KMS temp CA whose report binds {@code boundSpki}. */
  private byte[] certificate(KmsCertificateAuthority ca, KeyPair key, byte[] boundSpki,
      Fixture.Guest g) throws Exception {
    Bytes rd = RatlsReportData.forCertificateKey(boundSpki);
    byte[] report = g.report(rd.toByteArray());
    String mr = new String(g.launchedConfig.documentBytes(), StandardCharsets.UTF_8);
    Attestation a = new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(report), List.of(Bytes.of(Fixture.PLATFORM.vekPem())), mr),
        new StackEvidence.Dstack(rd, List.of(RuntimeEvent.of("system-ready", Bytes.empty())), ""));
    return RatlsCertificateBuilder.forKey(key)
        .issuer(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII),
            ca.tempCaKeyPair().getPrivate())
        .attestation(VersionedAttestation.of(WireFormat.V0_SCALE, a))
        .buildDer();
  }

  private Fixture.Guest guest(Bytes appId) throws Exception {
    Fixture.Guest g = f.new Guest(f.fixedCmdline);
    g.launchedConfig = f.mrConfig(appId, f.composeHash, f.instanceId, f.roots.rootCaPublicKeySpki());
    return g;
  }

  @Test
  void simulatedSnpGuestGetsTheDerivedKeys() throws Exception {
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(f.roots, f.clock);
    KeyPair key = p256();
    byte[] cert = certificate(ca, key, key.getPublic().getEncoded(), guest(f.appId));
    GetAppKeyRequest req = GetAppKeyRequest.newBuilder().setApiVersion(1)
        .setVmConfig(vmConfig(2, "EPYC-v4")).build();

    RatlsKeyRelease r = kms.releaseRatls(RatlsRequest.decode(cert, req));
    AppKeyResponse resp = r.response();
    AppKeys expected = AppKeyDeriver.of(f.roots).derive(f.appId, f.instanceId);
    assertArrayEquals(expected.diskCryptKey(), resp.getDiskCryptKey().toByteArray());
    assertArrayEquals(expected.envCryptKey(), resp.getEnvCryptKey().toByteArray());
    assertArrayEquals(expected.k256Key(), resp.getK256Key().toByteArray());
    assertEquals(expected.k256Signature(), Bytes.of(resp.getK256Signature().toByteArray()));
    assertEquals("gateway", resp.getGatewayAppId());
    assertEquals(f.appId, r.bootInfo().appId());
    assertFalse(r.toString().contains(Bytes.of(expected.diskCryptKey()).toHex()));
  }

  @Test
  void refusalsNameTheirStep() throws Exception {
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(f.roots, f.clock);
    KeyPair key = p256();
    GetAppKeyRequest ok = GetAppKeyRequest.newBuilder().setApiVersion(1)
        .setVmConfig(vmConfig(2, "EPYC-v4")).build();

    // report made for another key: the certificate layer refuses the binding
    byte[] otherKey = certificate(ca, key, p256().getPublic().getEncoded(), guest(f.appId));
    assertThrows(org.attest4j.core.VerificationException.class,
        () -> RatlsRequest.decode(otherKey, ok));

    byte[] cert = certificate(ca, key, key.getPublic().getEncoded(), guest(f.appId));
    // a launch shape that is not pinned
    KeyReleaseException shape = assertThrows(KeyReleaseException.class, () -> kms.releaseRatls(
        RatlsRequest.decode(cert, ok.toBuilder().setVmConfig(vmConfig(3, "EPYC-v4")).build())));
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, shape.step());

    // another app, not on the allow-list
    byte[] other = certificate(ca, key, key.getPublic().getEncoded(), guest(Fixture.rep(0x99, 20)));
    KeyReleaseException app = assertThrows(KeyReleaseException.class,
        () -> kms.releaseRatls(RatlsRequest.decode(other, ok)));
    assertEquals(KeyReleaseStep.AUTHORIZE, app.step());

    // api_version 2 and a vm_config without the launch shape
    assertThrows(org.attest4j.core.MalformedEvidenceException.class,
        () -> RatlsRequest.decode(cert, ok.toBuilder().setApiVersion(2).build()));
    assertThrows(org.attest4j.core.MalformedEvidenceException.class,
        () -> RatlsRequest.decode(cert, ok.toBuilder().setVmConfig("{\"os_image_hash\":\"00\"}").build()));
    assertThrows(org.attest4j.core.MalformedEvidenceException.class,
        () -> RatlsRequest.decode(cert, ok.toBuilder()
            .setVmConfig("{\"sev_snp_measurement\":\"{}\",\"sev_snp_measurement\":\"{}\"}").build()));
    assertTrue(kms.releaseRatls(RatlsRequest.decode(cert, ok)).bootInfo().appId().equals(f.appId));
  }

  @Test
  void aTdxOnlyKmsRefusesSnpGuests() throws Exception {
    SyntheticTdxGuest tdx = new SyntheticTdxGuest();
    KeyReleaseService tdxOnly = KeyReleaseService.builder()
        .rootKeys(f.roots)
        .clock(f.clock)
        .tdx(tdx.verifier(), tdx.collateral(), null)
        .tdxImage(tdx.pinnedImage(Fixture.rep(0x0a, 32)))
        .authorization(info -> AuthorizationDecision.allow(""))
        .build();
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(f.roots, f.clock);
    KeyPair key = p256();
    byte[] cert = certificate(ca, key, key.getPublic().getEncoded(), guest(f.appId));
    GetAppKeyRequest req = GetAppKeyRequest.newBuilder().setApiVersion(1)
        .setVmConfig(vmConfig(2, "EPYC-v4")).build();
    KeyReleaseException e = assertThrows(KeyReleaseException.class,
        () -> tdxOnly.releaseRatls(RatlsRequest.decode(cert, req)));
    assertEquals(KmsReason.SNP_NOT_CONFIGURED, e.reason());
  }
}
