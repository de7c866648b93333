package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;

/**
 * The KMS-side certificates: the temp CA is the same for every replica on one root key and signs
 * client certificates the KMS accepts; the RPC certificate passes a guest's kms:rpc check; a SignCert
 * leaf chains through the app CA to the root with the claims dstack puts in it.
 */
class KmsCertificateAuthorityTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-03T00:00:00Z"), ZoneOffset.UTC);
  private static final KmsRootKeys ROOTS = KmsRootKeys.generate(new SecureRandom(), CLOCK);

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static final String MR_CONFIG = "{\"app_id\":\"00\",\"version\":3}";
  private static final SimulatedSnpPlatform PLATFORM = SimulatedSnpPlatform.create(Product.GENOA);

  /** A simulated SEV-SNP attestation bound to a key (offline checks only in these tests). */
  private static VersionedAttestation bound(byte[] spki) {
    Bytes rd = RatlsReportData.forCertificateKey(spki);
    byte[] report = PLATFORM.reportBuilder()
        .reportData(rd.toByteArray())
        .hostData(MrConfigV3.hostDataOf(MR_CONFIG.getBytes(StandardCharsets.UTF_8)).toByteArray())
        .sign();
    return VersionedAttestation.of(WireFormat.V0_SCALE, new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(report), List.of(), MR_CONFIG),
        new StackEvidence.Dstack(rd, List.of(RuntimeEvent.of("app-id", Bytes.of(new byte[20]))),
            "{}")));
  }

  @Test
  void tempCaIsDerivedFromTheRootAndSignsAcceptedClientCertificates() throws Exception {
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(ROOTS, CLOCK);
    KmsCertificateAuthority replica = KmsCertificateAuthority.of(ROOTS, CLOCK);
    assertArrayEquals(ca.tempCaKeyPair().getPublic().getEncoded(),
        replica.tempCaKeyPair().getPublic().getEncoded(), "replicas share the temp CA key");
    assertFalse(java.util.Arrays.equals(ca.tempCaKeyPair().getPublic().getEncoded(),
        ROOTS.rootCaPublicKeySpki().toByteArray()), "the temp CA key is not the root key");
    RatlsCertificate temp = RatlsCertificate.parse(
        ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII));
    assertTrue(ca.tempCaKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));

    KeyPair guest = p256();
    byte[] clientCert = RatlsCertificateBuilder.forKey(guest)
        .issuer(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII),
            replica.tempCaKeyPair().getPrivate())
        .attestation(bound(guest.getPublic().getEncoded()))
        .buildDer();
    RatlsVerdict v = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
        .trustedCa(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII)).clock(CLOCK)
        .build().verify(clientCert);
    assertTrue(v.accepted(), v.toString());
    assertTrue(temp.subjectDer().length() > 0);
  }

  @Test
  void rpcCertificateCarriesKmsRpcAndChainsToTheRoot() throws Exception {
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(ROOTS, CLOCK);
    KeyPair rpc = p256();
    List<byte[]> chain = ca.rpcCertificateChain(rpc, "kms.example.test", Optional.empty());
    assertArrayEquals(ROOTS.rootCaCertificateDer(), chain.get(1));
    RatlsVerifier guestCheck = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
        .trustedCa(ROOTS.rootCaCertificateDer()).clock(CLOCK).build();
    RatlsVerdict v = guestCheck.verify(chain.get(0));
    assertTrue(v.accepted(), v.toString());
    assertEquals(Optional.of("kms:rpc"), RatlsCertificate.parse(chain.get(0)).specialUsage());

    List<byte[]> attested = ca.rpcCertificateChain(rpc, "127.0.0.1",
        Optional.of(bound(rpc.getPublic().getEncoded())));
    assertTrue(guestCheck.verify(attested.get(0)).accepted());
    List<byte[]> wrongKey = ca.rpcCertificateChain(rpc, "127.0.0.1",
        Optional.of(bound(p256().getPublic().getEncoded())));
    RatlsVerdict refused = guestCheck.verify(wrongKey.get(0));
    assertFalse(refused.accepted());
    assertEquals(Optional.of(RatlsVerifier.Stage.BINDING), refused.rejectStage());
  }

  @Test
  void signCertIssuesALeafUnderTheAppCa() throws Exception {
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(ROOTS, CLOCK);
    byte[] appId = new byte[20];
    appId[0] = 7;
    AppKeys keys = AppKeyDeriver.of(ROOTS).derive(Bytes.of(appId), Bytes.empty());
    KeyPair leafKey = p256();
    byte[] spki = leafKey.getPublic().getEncoded();
    CertConfig cfg = new CertConfig(Optional.of("Example Org"), "app.example.test",
        List.of("app.example.test", "10.0.0.1"), true, true, true, true,
        OptionalLong.of(1786147200L), OptionalLong.of(1817683200L));
    byte[] csrBytes = CertSigningRequest.encodeV2(spki, cfg, bound(spki));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(leafKey.getPrivate());
    s.update(csrBytes);
    CertSigningRequest csr = CertSigningRequest.parse(2, csrBytes);
    csr.verify(s.sign());
    AppInfo info = new AppInfo(Bytes.of(appId), Bytes.of(new byte[32]), Bytes.empty(),
        Bytes.of(new byte[32]), Bytes.of(new byte[32]), Bytes.of(new byte[32]), Bytes.empty(),
        Bytes.of("{}".getBytes(StandardCharsets.UTF_8)), Optional.empty(),
        AppInfo.Encoding.POSITIONAL_9);

    List<String> chain = ca.signCert(csr, keys, Optional.of(info));
    assertEquals(3, chain.size());
    assertEquals(ROOTS.rootCaCertificatePem(), chain.get(2));
    RatlsCertificate leaf = RatlsCertificate.parse(chain.get(0).getBytes(StandardCharsets.US_ASCII));
    RatlsCertificate appCa = RatlsCertificate.parse(chain.get(1).getBytes(StandardCharsets.US_ASCII));
    assertEquals(Optional.of("app:custom"), leaf.specialUsage());
    assertEquals(Optional.of("app:ca"), appCa.specialUsage());
    assertEquals(Optional.of(Bytes.of(appId)), leaf.customExtension(RatlsCertificate.OID_APP_ID));
    assertEquals(info, AppInfo.parse(
        leaf.customExtension(RatlsCertificate.OID_APP_INFO).orElseThrow().toByteArray()));
    assertEquals(keys.appCaPublicKeySpki(), appCa.subjectPublicKeyInfo());

    RatlsVerdict v = RatlsVerifier.builder(RatlsVerifier.Mode.APP_LEAF)
        .trustedCa(chain.get(1).getBytes(StandardCharsets.US_ASCII))
        .clock(Clock.fixed(Instant.ofEpochSecond(1790000000L), ZoneOffset.UTC))
        .build().verify(chain.get(0).getBytes(StandardCharsets.US_ASCII));
    assertTrue(v.accepted(), v.toString());
    RatlsVerdict appCaCheck = RatlsVerifier.builder(RatlsVerifier.Mode.RATLS_ONLY).build()
        .verify(chain.get(1).getBytes(StandardCharsets.US_ASCII));
    assertFalse(appCaCheck.accepted(), "the app CA carries no attestation");
  }
}
