package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.kms.proto.SignCertRequest;
import org.attest4j.kms.proto.SignCertResponse;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.CertConfig;
import org.attest4j.ratls.CertSigningRequest;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.guest.SnpGuestReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /prpc/SignCert} on the example server in RA-TLS mode: a simulated SEV-SNP guest's CSR
 * gets a chain whose leaf passes {@code app-leaf} under the app CA with the guest's app_id; no
 * client certificate is needed (the CSR carries the evidence).
 */
class RatlsSignCertServerTest {
  private static final String VM_CONFIG = "{\"sev_snp_measurement\":\"{\\\"vcpus\\\":"
      + ExampleLaunch.VCPUS + ",\\\"vcpu_type\\\":\\\"" + ExampleLaunch.VCPU_TYPE + "\\\"}\"}";

  @TempDir Path dir;

  @Test
  void simulatedGuestGetsAnAppCertificate() throws Exception {
    KmsConfig cfg = KmsConfig.load(
        NewcomerPathTest.exampleConfig(dir, "\"port\": 0,", "\"port\": 0,\n  \"ratls\": true,"));
    try (KmsServer kms = KmsServer.start(cfg, Clock.systemUTC())) {
      KmsRootKeys roots = cfg.rootKeys();
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair key = g.generateKeyPair();
      byte[] spki = key.getPublic().getEncoded();
      Bytes rd = RatlsReportData.forCertificateKey(spki);
      byte[] instanceId = new byte[20];
      instanceId[0] = 3;
      MrConfigV3 mr = ExampleLaunch.mrConfig(roots.rootCaPublicKeySpki().toByteArray(), instanceId);
      SnpGuestReport r = ExampleLaunch.guest(mr.hostData()).getReport(rd.toByteArray());
      List<Bytes> chain = r.parseCertificateTable().flatMap(SnpCertTable::vcek)
          .map(List::of).orElse(List.of());
      VersionedAttestation a = VersionedAttestation.of(WireFormat.V0_SCALE, new Attestation(
          new PlatformEvidence.SevSnp(Bytes.of(r.report()), chain,
              new String(mr.documentBytes(), StandardCharsets.UTF_8)),
          new StackEvidence.Dstack(rd, List.of(), VM_CONFIG)));
      byte[] csr = CertSigningRequest.encodeV2(spki, new CertConfig(Optional.empty(), "app.local",
          List.of("app.local"), true, true, true, false, OptionalLong.empty(), OptionalLong.empty()), a);
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key.getPrivate());
      s.update(csr);
      SignCertRequest req = SignCertRequest.newBuilder().setApiVersion(2)
          .setCsr(ByteString.copyFrom(csr)).setSignature(ByteString.copyFrom(s.sign()))
          .setVmConfig(VM_CONFIG).build();

      HttpClient http = HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
      HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(kms.baseUri() + "/prpc/SignCert"))
              .POST(HttpRequest.BodyPublishers.ofByteArray(req.toByteArray())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, resp.statusCode(), new String(resp.body(), StandardCharsets.UTF_8));
      List<String> certs = SignCertResponse.parseFrom(resp.body()).getCertificateChainList();
      assertEquals(3, certs.size());
      RatlsVerdict v = RatlsVerifier.builder(RatlsVerifier.Mode.APP_LEAF)
          .trustedCa(certs.get(1).getBytes(StandardCharsets.US_ASCII)).build()
          .verify(certs.get(0).getBytes(StandardCharsets.US_ASCII));
      assertTrue(v.accepted(), () -> v.rejectStage() + " " + v.message());
      assertEquals(Optional.of(Bytes.of(ExampleLaunch.appId())),
          RatlsCertificate.parse(certs.get(0).getBytes(StandardCharsets.US_ASCII)).appId());

      // a CSR signed by another key
      SignCertRequest forged = req.toBuilder().setSignature(ByteString.copyFrom(new byte[] {0x30, 0})).build();
      HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(kms.baseUri() + "/prpc/SignCert"))
              .POST(HttpRequest.BodyPublishers.ofByteArray(forged.toByteArray())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(403, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("BAD_CSR"), refused.body());
    }
  }
}
