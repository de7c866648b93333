package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.junit.jupiter.api.Test;

class KeyReleaseServiceTest {
  final Fixture fx = new Fixture();

  @Test
  void releasesKeysBoundByHostData() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    KeyReleaseRequest req = g.request(kms).build();
    KeyRelease rel = kms.release(req);

    assertEquals(fx.appId, rel.bootInfo().appId());
    assertEquals("UpToDate", rel.bootInfo().tcbStatus());
    AppKeyAmdResponse resp = rel.response();
    assertEquals(org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_HPKE_V1, resp.getEnvelope());
    assertTrue(resp.getDiskCryptKey().isEmpty(), "no plaintext key outside the envelope");
    byte[] plain =
        SealedResponse.open(
            resp.getSealedKeys().toByteArray(),
            g.key,
            SealBinding.forEvidence(g.key.publicKey(), req.report().toByteArray()),
            KmsPublicKey.fromSpki(fx.roots.rootCaPublicKeySpki().toByteArray()));
    AppKeyResponse keys = AppKeyResponse.parseFrom(plain);
    AppKeys expected = AppKeyDeriver.of(fx.roots).derive(fx.appId, fx.instanceId);
    assertArrayEquals(expected.diskCryptKey(), keys.getDiskCryptKey().toByteArray());
    assertArrayEquals(expected.envCryptKey(), keys.getEnvCryptKey().toByteArray());
    assertArrayEquals(expected.k256Key(), keys.getK256Key().toByteArray());
    assertEquals("gateway", keys.getGatewayAppId());
    for (KeyReleaseStep s : KeyReleaseStep.values()) {
      if (s != KeyReleaseStep.DECODE_REQUEST) {
        assertTrue(rel.timings().nanos(s) > 0, s + " timed");
      }
    }
  }

  @Test
  void caCertIsTheRootKeysCertificateUnlessOverridden() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    assertEquals(fx.roots.rootCaCertificatePem(), kms.meta().getCaCert());
    KeyReleaseService other = fx.serviceBuilder(IdentityBinding.HOST_DATA).caCertPem("PEM").build();
    assertEquals("PEM", other.meta().getCaCert());
  }

  @Test
  void releasesKeysBoundByCommandLine() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.COMMAND_LINE).build();
    String cmdline =
        "console=ttyS0 dstack.app_id=" + fx.appId + " dstack.compose_hash=" + fx.composeHash
            + " dstack.instance_id=" + fx.instanceId;
    Fixture.Guest g = fx.new Guest(cmdline);
    KeyRelease rel =
        kms.release(
            g.request(kms).appId(fx.appId).composeHash(fx.composeHash).instanceId(fx.instanceId).build());
    assertEquals(fx.instanceId, rel.bootInfo().instanceId());
  }

  @Test
  void debugPolicyIsRefusedAtStep3() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    g.debug = true;
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e.step());
    assertTrue(e.getMessage().contains("debug"), e.getMessage());
  }

  @Test
  void tamperedCmdlineIsRefusedAtStep4() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline + " init=/bin/sh");
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step());
    assertEquals(KmsReason.MEASUREMENT_MISMATCH, e.reason());
  }

  @Test
  void replayedNonceIsRefusedAtStep6() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    KeyReleaseRequest req = g.request(kms).build();
    kms.release(req);
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(req));
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step());
    assertEquals(KmsReason.REPLAYED, e.reason());
  }

  @Test
  void anotherAppsIdIsRefusedAtStep5() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    Bytes other = Fixture.rep(0x99, 20);
    KeyReleaseException e =
        assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).appId(other).build()));
    assertEquals(KeyReleaseStep.BIND_IDENTITY, e.step());
    assertEquals(KmsReason.IDENTITY_MISMATCH, e.reason());
    // a forged document naming the other app does not match HOST_DATA
    var forged = fx.mrConfig(other, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    KeyReleaseException f =
        assertThrows(
            KeyReleaseException.class,
            () -> kms.release(g.request(kms).mrConfig(Bytes.of(forged.documentBytes())).build()));
    assertEquals(KmsReason.HOST_DATA_MISMATCH, f.reason());
  }

  @Test
  void requestDigestFreshnessIsSingleUseAndTimeBound() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).freshness(FreshnessMode.REQUEST_DIGEST).build();
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    long now = fx.clock.instant().getEpochSecond();
    KeyReleaseRequest.Builder rb =
        KeyReleaseRequest.builder()
            .vcekCert(Bytes.of(Fixture.PLATFORM.vekPem()))
            .mrConfig(Bytes.of(g.launchedConfig.documentBytes()))
            .vcpus(2)
            .vcpuType("EPYC-v4")
            .requestTime(now);
    Bytes digest = rb.build().requestDigest();
    byte[] rd = org.attest4j.crypto.ReportData.withRequestDigest(g.key.publicKey(), digest).toBytes();
    KeyReleaseRequest req = rb.report(g.report(rd)).build();
    assertEquals(fx.appId, kms.release(req).bootInfo().appId());
    KeyReleaseException replay = assertThrows(KeyReleaseException.class, () -> kms.release(req));
    assertEquals(KmsReason.REPLAYED, replay.reason());
    // another request time changes the digest: report_data no longer matches
    KeyReleaseRequest other = rb.requestTime(now - 1).build();
    KeyReleaseException mismatch = assertThrows(KeyReleaseException.class, () -> kms.release(other));
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, mismatch.step());
    // a stale request time is refused even with a matching digest
    KeyReleaseRequest.Builder stale = rb.requestTime(now - 3600);
    byte[] rd2 = org.attest4j.crypto.ReportData.withRequestDigest(
        g.key.publicKey(), stale.build().requestDigest()).toBytes();
    KeyReleaseException old = assertThrows(KeyReleaseException.class, () -> kms.release(stale.report(g.report(rd2)).build()));
    assertEquals(KmsReason.EXPIRED, old.reason());
  }

  /**
   * Through the whole flow (release, HPKE, open), the keys a guest receives are dstack's, byte for
   * byte: every shared app-keys vector (with and without instance id).
   */
  @Test
  void releasedKeysMatchTheSharedDstackVectors() throws Exception {
    java.util.HexFormat h = java.util.HexFormat.of();
    int checked = 0;
    for (com.google.gson.JsonObject v : org.attest4j.testsupport.SharedData.jsonLines("vectors/dstack/app-keys.jsonl")) {
      byte[] instance = h.parseHex(v.get("instance_id").getAsString());
      org.attest4j.crypto.KmsRootKeys roots = org.attest4j.crypto.KmsRootKeys.of(
          h.parseHex(v.get("root_ca_key").getAsString()), h.parseHex(v.get("root_k256_key").getAsString()));
      Bytes app = Bytes.of(h.parseHex(v.get("app_id").getAsString()));
      KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).rootKeys(roots)
          .authorization(info -> AuthorizationDecision.allow("")).build();
      Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
      g.launchedConfig = fx.mrConfig(app, fx.composeHash, Bytes.of(instance), roots.rootCaPublicKeySpki());
      KeyReleaseRequest req = g.request(kms).build();
      KeyRelease rel = kms.release(req);
      AppKeyResponse keys = AppKeyResponse.parseFrom(SealedResponse.open(
          rel.response().getSealedKeys().toByteArray(), g.key,
          SealBinding.forEvidence(g.key.publicKey(), req.report().toByteArray()),
          KmsPublicKey.fromSpki(roots.rootCaPublicKeySpki().toByteArray())));
      assertEquals(v.get("disk_crypt_key").getAsString(), h.formatHex(keys.getDiskCryptKey().toByteArray()), v.get("id").getAsString());
      assertEquals(v.get("env_crypt_key").getAsString(), h.formatHex(keys.getEnvCryptKey().toByteArray()));
      assertEquals(v.get("k256_key").getAsString(), h.formatHex(keys.getK256Key().toByteArray()));
      assertEquals(v.get("k256_signature").getAsString(), h.formatHex(keys.getK256Signature().toByteArray()));
      checked++;
    }
    assertTrue(checked > 0, "no vector went through the flow");
  }
}
