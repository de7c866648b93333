package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyRequest;
import org.attest4j.kms.proto.GetKmsKeyRequest;
import org.attest4j.kms.proto.KmsKeyResponse;
import org.attest4j.kms.proto.SignCertRequest;
import org.attest4j.kms.proto.SignCertResponse;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.CertConfig;
import org.attest4j.ratls.CertSigningRequest;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TdxReason;
import org.junit.jupiter.api.Test;

/**
 * GetAppKey, SignCert and GetKmsKey over RA-TLS for a simulated Intel TDX guest (spec dstack-ratls
 * §5.3): the quote in the client certificate runs the TDX steps (collateral, policy, RTMR3 replay
 * of the attestation's runtime events, pinned image, identity from the events, this KMS as key
 * provider) with the report_data bound to the certificate key; the keys equal {@link
 * AppKeyDeriver}'s. Refusals: a quote bound to another key, an unpinned image, another app, another
 * KMS as key provider, a tampered quote, and a KMS without TDX configuration.
 */
class RatlsTdxKeyReleaseTest {
  private static final Bytes OS_IMAGE = Fixture.rep(0x0a, 32);
  private static final String VM_CONFIG =
      "{\"spec_version\":1,\"os_image_hash\":\"" + OS_IMAGE.toHex() + "\",\"cpu_count\":2}";
  private static final GetAppKeyRequest REQUEST =
      GetAppKeyRequest.newBuilder().setApiVersion(1).setVmConfig(VM_CONFIG).build();
  /** Offset of MRTD in a v4 quote: header (48) + TEE_TCB_SVN, MRSEAM, MRSIGNERSEAM, attributes. */
  private static final int MR_TD_OFFSET = 48 + 16 + 48 + 48 + 8 + 8 + 8;

  private final Fixture f = new Fixture();
  private final SyntheticTdxGuest tdx = new SyntheticTdxGuest();
  private final Clock clock = tdx.clock();
  private final KmsCertificateAuthority ca = KmsCertificateAuthority.of(f.roots, clock);

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private String provider(KmsRootKeys kms) {
    return "{\"name\":\"kms\",\"id\":\"" + kms.rootCaPublicKeySpki().toHex() + "\"}";
  }

  private SyntheticTdxGuest.Events events(Bytes appId, String keyProvider) {
    return SyntheticTdxGuest.dstackEvents(appId, f.composeHash, f.instanceId, keyProvider);
  }

  private SyntheticTdxGuest.Events goodEvents() {
    return events(f.appId, provider(f.roots));
  }

  private KeyReleaseService.Builder builder() throws Exception {
    return f.serviceBuilder(IdentityBinding.HOST_DATA)
        .clock(clock)
        .nonceStore(NonceStore.builder().clock(clock).build())
        .tdx(tdx.verifier(), tdx.collateral(), null)
        .tdxImage(tdx.pinnedImage(OS_IMAGE))
        .authorization(AllowListAuthorizer.builder()
            .allowOsImage(OS_IMAGE)
            .allowApp(f.appId, f.composeHash)
            .gatewayAppId("gateway")
            .build());
  }

  /** The attestation a dstack TDX guest embeds: the quote binds {@code quotedSpki}. */
  private Attestation attestation(SyntheticTdxGuest.Events ev, byte[] quotedSpki, byte[] stackSpki,
      String config) {
    byte[] quote = tdx.quote(ev.rtmr3(), RatlsReportData.forCertificateKey(quotedSpki).toByteArray());
    return attestation(quote, ev, stackSpki, config);
  }

  private static Attestation attestation(byte[] quote, SyntheticTdxGuest.Events ev, byte[] stackSpki,
      String config) {
    List<RuntimeEvent> runtime = new ArrayList<>();
    for (DstackRuntimeEvent e : ev.events) {
      runtime.add(RuntimeEvent.of(e.name(), e.payload()));
    }
    return new Attestation(new PlatformEvidence.Tdx(Bytes.of(quote), List.of()),
        new StackEvidence.Dstack(RatlsReportData.forCertificateKey(stackSpki), runtime, config));
  }

  private byte[] certificate(KeyPair key, Attestation a) throws Exception {
    return RatlsCertificateBuilder.forKey(key)
        .issuer(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII),
            ca.tempCaKeyPair().getPrivate())
        .attestation(VersionedAttestation.of(WireFormat.V0_SCALE, a.stripped()))
        .buildDer();
  }

  private byte[] certificate(KeyPair key, SyntheticTdxGuest.Events ev) throws Exception {
    byte[] spki = key.getPublic().getEncoded();
    return certificate(key, attestation(ev, spki, spki, ""));
  }

  private static KeyReleaseException refused(KeyReleaseService kms, RatlsRequest r) {
    return assertThrows(KeyReleaseException.class, () -> kms.releaseRatls(r));
  }

  @Test
  void simulatedTdxGuestGetsTheDerivedKeys() throws Exception {
    KeyReleaseService kms = builder().build();
    KeyPair key = p256();
    RatlsRequest req = RatlsRequest.decode(certificate(key, goodEvents()), REQUEST);
    assertEquals("tdx", req.platform());

    RatlsKeyRelease r = kms.releaseRatls(req);
    AppKeyResponse resp = r.response();
    AppKeys expected = AppKeyDeriver.of(f.roots).derive(f.appId, f.instanceId);
    assertArrayEquals(expected.diskCryptKey(), resp.getDiskCryptKey().toByteArray());
    assertArrayEquals(expected.envCryptKey(), resp.getEnvCryptKey().toByteArray());
    assertArrayEquals(expected.k256Key(), resp.getK256Key().toByteArray());
    assertEquals(expected.k256Signature(), Bytes.of(resp.getK256Signature().toByteArray()));
    assertEquals("gateway", resp.getGatewayAppId());
    assertEquals(OS_IMAGE, Bytes.of(resp.getOsImageHash().toByteArray()));
    assertEquals(f.roots.rootCaCertificatePem(), resp.getCaCert());
    BootInfo info = r.bootInfo();
    assertEquals(BootInfo.TEE_VARIANT_TDX, info.teeVariant());
    assertEquals(f.appId, info.appId());
    assertEquals(f.composeHash, info.composeHash());
    assertEquals(f.instanceId, info.instanceId());
    assertEquals(tdx.pinnedImage(OS_IMAGE).mrTd(), r.measurement());
  }

  @Test
  void theVmConfigMayComeFromTheAttestation() throws Exception {
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    byte[] cert = certificate(key, attestation(goodEvents(), spki, spki, VM_CONFIG));
    RatlsKeyRelease r = builder().build().releaseRatls(RatlsRequest.decode(cert,
        GetAppKeyRequest.newBuilder().setApiVersion(1).build()));
    assertEquals(OS_IMAGE, r.bootInfo().osImageHash());
    // and with neither, the request is refused before any check
    byte[] bare = certificate(key, goodEvents());
    assertThrows(org.attest4j.core.MalformedEvidenceException.class, () -> RatlsRequest.decode(bare,
        GetAppKeyRequest.newBuilder().setApiVersion(1).build()));
  }

  @Test
  void aQuoteBoundToAnotherKeyIsRefused() throws Exception {
    KeyReleaseService kms = builder().build();
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    byte[] otherSpki = p256().getPublic().getEncoded();
    // the certificate layer already refuses a stack or quote report_data for another key
    assertThrows(org.attest4j.core.VerificationException.class, () -> RatlsRequest.decode(
        certificate(key, attestation(goodEvents(), otherSpki, otherSpki, "")), REQUEST));
    assertThrows(org.attest4j.core.VerificationException.class, () -> RatlsRequest.decode(
        certificate(key, attestation(goodEvents(), otherSpki, spki, "")), REQUEST));
    // and the KMS's own step 6 refuses the verified quote's REPORT_DATA for another key
    RatlsRequest req = RatlsRequest.fromAttestation(attestation(goodEvents(), otherSpki, spki, ""),
        VM_CONFIG, RatlsReportData.forCertificateKey(spki));
    KeyReleaseException e = refused(kms, req);
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step());
    assertEquals(KmsReason.REPORT_DATA_MISMATCH, e.reason());
  }

  @Test
  void anUnpinnedImageIsRefusedAtMeasurement() throws Exception {
    KeyReleaseService kms = builder().build();
    RatlsRequest req = RatlsRequest.decode(certificate(p256(), goodEvents()),
        REQUEST.toBuilder().setVmConfig(VM_CONFIG.replace(OS_IMAGE.toHex(), Fixture.rep(0x0b, 32).toHex()))
            .build());
    KeyReleaseException e = refused(kms, req);
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step());
    assertEquals(KmsReason.OS_IMAGE_NOT_PINNED, e.reason());
  }

  @Test
  void anotherAppOrAnotherKmsIsRefused() throws Exception {
    KeyReleaseService kms = builder().build();
    KeyReleaseException app = refused(kms, RatlsRequest.decode(
        certificate(p256(), events(Fixture.rep(0x99, 20), provider(f.roots))), REQUEST));
    assertEquals(KeyReleaseStep.AUTHORIZE, app.step());
    assertEquals(KmsReason.NOT_AUTHORIZED, app.reason());

    KmsRootKeys otherKms = KmsRootKeys.generate(Fixture.RNG);
    KeyReleaseException provider = refused(kms, RatlsRequest.decode(
        certificate(p256(), events(f.appId, provider(otherKms))), REQUEST));
    assertEquals(KeyReleaseStep.BIND_IDENTITY, provider.step());
    assertEquals(KmsReason.KEY_PROVIDER_MISMATCH, provider.reason());
  }

  @Test
  void aTamperedQuoteIsRefusedAtTheSignature() throws Exception {
    KeyReleaseService kms = builder().build();
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    SyntheticTdxGuest.Events ev = goodEvents();
    byte[] quote = tdx.quote(ev.rtmr3(), RatlsReportData.forCertificateKey(spki).toByteArray());
    // a byte of MRCONFIGID (right after MRTD): no check before step 2 reads it, so the signature refuses it
    quote[MR_TD_OFFSET + 48 + 5] ^= 1;
    KeyReleaseException e = refused(kms,
        RatlsRequest.decode(certificate(key, attestation(quote, ev, spki, "")), REQUEST));
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, e.step());
    assertTrue(e.reason() instanceof TdxReason, e.reason().toString());
  }

  @Test
  void aKmsWithoutTdxConfigurationRefusesTdxGuests() throws Exception {
    KeyReleaseService snpOnly = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyReleaseException e = refused(snpOnly, RatlsRequest.decode(certificate(p256(), goodEvents()), REQUEST));
    assertEquals(KmsReason.TDX_NOT_CONFIGURED, e.reason());
  }

  @Test
  void signCertIssuesAnAppLeafForTheReplayedApp() throws Exception {
    KeyReleaseService kms = builder().build();
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    CertConfig config = new CertConfig(Optional.empty(), "app.example", List.of("app.example"),
        true, false, true, true, OptionalLong.empty(), OptionalLong.empty());
    byte[] csr = CertSigningRequest.encodeV2(spki, config,
        VersionedAttestation.of(WireFormat.V0_SCALE, attestation(goodEvents(), spki, spki, "")));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key.getPrivate());
    s.update(csr);
    SignCertResponse resp = kms.signCert(SignCertRequest.newBuilder().setApiVersion(2)
        .setCsr(ByteString.copyFrom(csr)).setSignature(ByteString.copyFrom(s.sign()))
        .setVmConfig(VM_CONFIG).build());
    assertEquals(3, resp.getCertificateChainCount());
    RatlsCertificate leaf = RatlsCertificate.parse(
        resp.getCertificateChain(0).getBytes(StandardCharsets.US_ASCII));
    assertEquals(Optional.of(f.appId), leaf.appId());
    AppKeys expected = AppKeyDeriver.of(f.roots).derive(f.appId, f.instanceId);
    RatlsCertificate appCa = RatlsCertificate.parse(
        resp.getCertificateChain(1).getBytes(StandardCharsets.US_ASCII));
    assertEquals(expected.appCaPublicKeySpki(), appCa.subjectPublicKeyInfo());
  }

  @Test
  void anAuthorizedTdxReplicaGetsTheRootKeys() throws Exception {
    GetKmsKeyRequest body = GetKmsKeyRequest.newBuilder().setVmConfig(VM_CONFIG).build();
    RatlsRequest req = RatlsRequest.decode(certificate(p256(), goodEvents()), body);
    KeyReleaseException off = assertThrows(KeyReleaseException.class,
        () -> builder().build().releaseKmsKeys(req));
    assertEquals(KmsReason.NOT_AUTHORIZED, off.reason());

    KeyReleaseService kms = builder().replicaAuthorization(AllowListAuthorizer.builder()
        .allowOsImage(OS_IMAGE).allowApp(f.appId, f.composeHash).build()).build();
    KmsKeyResponse r = kms.releaseKmsKeys(req);
    assertEquals(1, r.getKeysCount());
    assertArrayEquals(f.roots.rootK256Key(), r.getKeys(0).getK256Key().toByteArray());

    KeyReleaseException other = assertThrows(KeyReleaseException.class, () -> kms.releaseKmsKeys(
        RatlsRequest.decode(certificate(p256(), events(Fixture.rep(0x99, 20), provider(f.roots))), body)));
    assertEquals(KeyReleaseStep.AUTHORIZE, other.step());
  }
}
