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
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.kms.proto.SignCertRequest;
import org.attest4j.kms.proto.SignCertResponse;
import org.attest4j.ratls.AppInfo;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.CertConfig;
import org.attest4j.ratls.CertSigningRequest;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsReason;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.junit.jupiter.api.Test;

/**
 * SignCert for a simulated SEV-SNP guest: the chain verifies as an app leaf under the app CA and
 * carries the authorized app_id; bad signatures, confirm words, bindings and versions are refused
 * at decode.
 */
class SignCertTest {
  private static final String VM_CONFIG =
      "{\"sev_snp_measurement\":\"{\\\"vcpus\\\":2,\\\"vcpu_type\\\":\\\"EPYC-v4\\\"}\"}";
  private static final CertConfig CONFIG = new CertConfig(Optional.of("Example"), "app.example",
      List.of("app.example"), true, false, true, true, OptionalLong.empty(), OptionalLong.empty());

  private final Fixture f = new Fixture();

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private VersionedAttestation attestation(byte[] boundSpki, Bytes appId) throws Exception {
    Fixture.Guest g = f.new Guest(f.fixedCmdline);
    g.launchedConfig = f.mrConfig(appId, f.composeHash, f.instanceId, f.roots.rootCaPublicKeySpki());
    Bytes rd = RatlsReportData.forCertificateKey(boundSpki);
    byte[] report = g.report(rd.toByteArray());
    String mr = new String(g.launchedConfig.documentBytes(), StandardCharsets.UTF_8);
    return VersionedAttestation.of(WireFormat.V0_SCALE, new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(report), List.of(Bytes.of(Fixture.PLATFORM.vekPem())), mr),
        new StackEvidence.Dstack(rd, List.of(RuntimeEvent.of("system-ready", Bytes.empty())), "")));
  }

  private static byte[] sign(KeyPair key, byte[] data) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key.getPrivate());
    s.update(data);
    return s.sign();
  }

  private static SignCertRequest request(int version, byte[] csr, byte[] signature) {
    return SignCertRequest.newBuilder().setApiVersion(version).setCsr(ByteString.copyFrom(csr))
        .setSignature(ByteString.copyFrom(signature)).setVmConfig(VM_CONFIG).build();
  }

  private static AttestationException refusalAtDecode(KeyReleaseService kms, SignCertRequest r) {
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.signCert(r));
    assertEquals(KeyReleaseStep.DECODE_REQUEST, e.step());
    return e.refusal();
  }

  @Test
  void simulatedSnpGuestGetsAnAppLeafForItsApp() throws Exception {
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    byte[] csr = CertSigningRequest.encodeV2(spki, CONFIG, attestation(spki, f.appId));

    SignCertResponse resp = kms.signCert(request(2, csr, sign(key, csr)));
    List<String> chain = resp.getCertificateChainList();
    assertEquals(3, chain.size());
    assertEquals(f.roots.rootCaCertificatePem(), chain.get(2));

    RatlsVerdict v = RatlsVerifier.builder(RatlsVerifier.Mode.APP_LEAF)
        .trustedCa(chain.get(1).getBytes(StandardCharsets.US_ASCII))
        .clock(f.clock).build()
        .verify(chain.get(0).getBytes(StandardCharsets.US_ASCII));
    assertTrue(v.accepted(), () -> v.rejectStage() + " " + v.message());
    RatlsCertificate leaf = RatlsCertificate.parse(chain.get(0).getBytes(StandardCharsets.US_ASCII));
    assertEquals(Optional.of(f.appId), leaf.appId());
    assertEquals(Optional.of("app:custom"), leaf.specialUsage());
    assertEquals(Bytes.of(spki), leaf.subjectPublicKeyInfo());
    AppInfo info = AppInfo.parse(leaf.customExtension("1.3.6.1.4.1.62397.1.9").orElseThrow().toByteArray());
    assertEquals(f.appId, info.appId());
    assertEquals(f.composeHash, info.composeHash());
    // the app CA's key is the one AppKeyDeriver derives for the app
    AppKeys expected = AppKeyDeriver.of(f.roots).derive(f.appId, f.instanceId);
    RatlsCertificate appCa = RatlsCertificate.parse(chain.get(1).getBytes(StandardCharsets.US_ASCII));
    assertEquals(expected.appCaPublicKeySpki(), appCa.subjectPublicKeyInfo());
  }

  @Test
  void badRequestsAreRefusedAtDecode() throws Exception {
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    VersionedAttestation a = attestation(spki, f.appId);
    byte[] csr = CertSigningRequest.encodeV2(spki, CONFIG, a);

    // a signature by another key
    assertEquals(RatlsReason.BAD_CSR,
        refusalAtDecode(kms, request(2, csr, sign(p256(), csr))).reason());
    // the wrong confirm word (signed correctly)
    byte[] unconfirmed = csr.clone();
    unconfirmed[1] = 'P';
    assertEquals(RatlsReason.BAD_CSR,
        refusalAtDecode(kms, request(2, unconfirmed, sign(key, unconfirmed))).reason());
    // an attestation bound to another key
    KeyPair other = p256();
    byte[] foreign = CertSigningRequest.encodeV2(spki, CONFIG,
        attestation(other.getPublic().getEncoded(), f.appId));
    assertEquals(RatlsReason.REPORT_DATA_MISMATCH,
        refusalAtDecode(kms, request(2, foreign, sign(key, foreign))).reason());
    // a validity that ends before it starts, or that X.509 cannot state
    for (long[] v : new long[][] {{2_000_000_000L, 1_000_000_000L}, {0, -1L}}) {
      byte[] inverted = CertSigningRequest.encodeV2(spki, new CertConfig(Optional.empty(), "x",
          List.of(), true, false, false, false, OptionalLong.of(v[0]), OptionalLong.of(v[1])), a);
      assertEquals(RatlsReason.BAD_CSR,
          refusalAtDecode(kms, request(2, inverted, sign(key, inverted))).reason());
    }
    // api_version 3
    assertEquals(RatlsReason.BAD_CSR, refusalAtDecode(kms, request(3, csr, sign(key, csr))).reason());
  }

  @Test
  void anotherAppIsRefusedAtAuthorization() throws Exception {
    KeyReleaseService kms = f.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyPair key = p256();
    byte[] spki = key.getPublic().getEncoded();
    byte[] csr = CertSigningRequest.encodeV2(spki, CONFIG, attestation(spki, Fixture.rep(0x99, 20)));
    KeyReleaseException e = assertThrows(KeyReleaseException.class,
        () -> kms.signCert(request(2, csr, sign(key, csr))));
    assertEquals(KeyReleaseStep.AUTHORIZE, e.step());
  }
}
