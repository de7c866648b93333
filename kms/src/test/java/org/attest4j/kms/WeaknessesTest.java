package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.CryptoReason;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.snp.Product;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One test per weakness a reviewer found in PR #630's {@code GetAppKeyAmd}
 * (shared/spec/dstack-kms.md §3A.7), each showing that the composed flow refuses it.
 */
class WeaknessesTest {
  final Fixture fx = new Fixture();

  private Fixture.Guest guest() throws Exception {
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    return g;
  }

  private KeyReleaseService kms() throws Exception {
    return fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
  }

  private static KeyReleaseException refused(KeyReleaseService kms, KeyReleaseRequest r) {
    return assertThrows(KeyReleaseException.class, () -> kms.release(r));
  }

  @Test
  @DisplayName("1: the measurement check cannot be skipped (vcpus=0, no kernel hash, no launch config)")
  void measurementCheckCannotBeSkipped() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    KeyReleaseException e = refused(kms, g.request(kms).vcpus(0).build());
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step());
    assertEquals(KmsReason.LAUNCH_SHAPE_NOT_ALLOWED, e.reason());
    KeyReleaseException t = refused(kms, g.request(kms).vcpuType("").build());
    assertEquals(KmsReason.LAUNCH_SHAPE_NOT_ALLOWED, t.reason());
    // an empty kernel_hash is simply not a claim: the pinned kernel is still measured
    assertEquals(fx.appId, kms.release(g.request(kms).claimedKernelHash(Bytes.empty()).build()).bootInfo().appId());
    // and no service exists without pinned launch artifacts
    assertThrows(
        IllegalStateException.class,
        () -> KeyReleaseService.builder()
            .snp(Fixture.PLATFORM.verifier(fx.clock), KmsEndorsements.certChain(Fixture.PLATFORM.certChainPem()))
            .minimumTcb(Fixture.PLATFORM.tcb())
            .rootKeys(fx.roots)
            .authorization(info -> AuthorizationDecision.allow(""))
            .build());
  }

  @Test
  @DisplayName("2: kernel, initrd and firmware are pinned by the KMS, never taken from the client")
  void artifactsArePinned() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest honest = guest();
    KeyReleaseException claim = refused(kms, honest.request(kms).claimedKernelHash(Fixture.rep(0xee, 32)).build());
    assertEquals(KmsReason.CLAIMED_ARTIFACT_MISMATCH, claim.reason());
    KeyReleaseException ovmf = refused(kms, honest.request(kms).claimedOvmfHash(Fixture.rep(0xee, 48)).build());
    assertEquals(KmsReason.CLAIMED_ARTIFACT_MISMATCH, ovmf.reason());

    // a malicious kernel booted with the legitimate command line and config: its measurement differs
    Fixture.Guest evil = guest();
    byte[] original = fx.kernel.clone();
    fx.kernel[0] ^= 1;
    try {
      KeyReleaseException e = refused(kms, evil.request(kms).build());
      assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step());
      assertEquals(KmsReason.MEASUREMENT_MISMATCH, e.reason());
    } finally {
      System.arraycopy(original, 0, fx.kernel, 0, original.length);
    }
  }

  @Test
  @DisplayName("3: app_id is bound to measured data, not a free request field")
  void appIdIsBound() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    KeyReleaseException e = refused(kms, g.request(kms).appId(Fixture.rep(0x99, 20)).build());
    assertEquals(KeyReleaseStep.BIND_IDENTITY, e.step());
    assertEquals(KmsReason.IDENTITY_MISMATCH, e.reason());

    // in command-line mode the claimed app_id is rendered into the measured command line
    KeyReleaseService cl = fx.serviceBuilder(IdentityBinding.COMMAND_LINE).build();
    Fixture.Guest a =
        fx.new Guest(
            "console=ttyS0 dstack.app_id=" + fx.appId + " dstack.compose_hash=" + fx.composeHash + " dstack.instance_id=");
    KeyReleaseException m = refused(cl, a.request(cl).appId(Fixture.rep(0x99, 20)).composeHash(fx.composeHash).build());
    assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, m.step());
    assertEquals(KmsReason.MEASUREMENT_MISMATCH, m.reason());
  }

  @Test
  @DisplayName("4: debug, migration agent and VMPL are refused; tcbStatus is real")
  void policyAndTcb() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    g.debug = true;
    assertEquals(KeyReleaseStep.APPLY_POLICY, refused(kms, g.request(kms).build()).step());

    Fixture.Guest ok = guest();
    for (var tweak : java.util.List.<java.util.function.Consumer<org.attest4j.snp.testing.SimulatedSnpPlatform.ReportBuilder>>of(
        b -> b.migrateMa(true), b -> b.vmpl(1))) {
      Bytes nonce = kms.issueNonce().nonce();
      byte[] rd = ReportData.withNonce(ok.key.publicKey(), nonce).toBytes();
      var b = Fixture.PLATFORM.reportBuilder().measurement(ok.measurement().toByteArray()).reportData(rd)
          .hostData(ok.launchedConfig.hostData().toByteArray());
      tweak.accept(b);
      KeyReleaseRequest r = KeyReleaseRequest.builder().report(b.sign()).vcekCert(Bytes.of(Fixture.PLATFORM.vekPem()))
          .vcpus(2).vcpuType("EPYC-v4").nonce(nonce).mrConfig(Bytes.of(ok.launchedConfig.documentBytes())).build();
      assertEquals(KeyReleaseStep.APPLY_POLICY, refused(kms, r).step());
    }

    // firmware updated (current = committed) while the guest still reports the older TCB of its VCEK:
    // OutOfDate reaches the hook, which (like auth-simple by default) allows only UpToDate
    TcbVersion cur = TcbVersion.of(Product.GENOA, Fixture.PLATFORM.tcb().raw() + 1);
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(ok.key.publicKey(), nonce).toBytes();
    byte[] report = Fixture.PLATFORM.reportBuilder().measurement(ok.measurement().toByteArray()).reportData(rd)
        .hostData(ok.launchedConfig.hostData().toByteArray()).currentTcb(cur).committedTcb(cur).sign();
    KeyReleaseRequest r = KeyReleaseRequest.builder().report(report).vcekCert(Bytes.of(Fixture.PLATFORM.vekPem()))
        .vcpus(2).vcpuType("EPYC-v4").nonce(nonce).mrConfig(Bytes.of(ok.launchedConfig.documentBytes())).build();
    KeyReleaseException e = refused(kms, r);
    assertEquals(KeyReleaseStep.AUTHORIZE, e.step());
    assertEquals(KmsReason.NOT_AUTHORIZED, e.reason());
    assertTrue(e.getMessage().contains("OutOfDate"), e.getMessage());
  }

  @Test
  @DisplayName("5: the VCEK must belong to the report's chip and TCB")
  void vcekBoundToReport() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    TcbVersion older = TcbVersion.of(Product.GENOA, Fixture.PLATFORM.tcb().raw() - 1);
    SimulatedSnpPlatform oldFirmware = Fixture.PLATFORM.withTcb(older);
    // the report is signed by the current VCEK but the request sends the VCEK of another TCB
    KeyReleaseException e = refused(kms, g.request(kms).vcekCert(Bytes.of(oldFirmware.vekPem())).build());
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, e.step());
    // signed by the old VCEK but claiming the current TCB: the VCEK's SPLs do not match REPORTED_TCB
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(g.key.publicKey(), nonce).toBytes();
    byte[] report = oldFirmware.reportBuilder().measurement(g.measurement().toByteArray()).reportData(rd)
        .hostData(g.launchedConfig.hostData().toByteArray()).reportedTcb(Fixture.PLATFORM.tcb()).currentTcb(Fixture.PLATFORM.tcb())
        .committedTcb(Fixture.PLATFORM.tcb()).launchTcb(Fixture.PLATFORM.tcb()).sign(); // only the signer is old
    KeyReleaseRequest r = KeyReleaseRequest.builder().report(report).vcekCert(Bytes.of(oldFirmware.vekPem()))
        .vcpus(2).vcpuType("EPYC-v4").nonce(nonce).mrConfig(Bytes.of(g.launchedConfig.documentBytes())).build();
    assertEquals(KeyReleaseStep.VERIFY_SIGNATURE, refused(kms, r).step());
  }

  @Test
  @DisplayName("6: fresh and single use; the response is authenticated to the KMS")
  void freshnessAndAuthenticatedResponse() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    KeyReleaseRequest req = g.request(kms).build();
    KeyRelease rel = kms.release(req);
    assertEquals(KmsReason.REPLAYED, refused(kms, req).reason());
    // report_data without a KMS nonce
    byte[] report = g.report(ReportData.withNonce(g.key.publicKey(), Bytes.of(new byte[32])).toBytes());
    KeyReleaseRequest noNonce = KeyReleaseRequest.builder().report(report).vcekCert(Bytes.of(Fixture.PLATFORM.vekPem()))
        .vcpus(2).vcpuType("EPYC-v4").mrConfig(Bytes.of(g.launchedConfig.documentBytes())).build();
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, refused(kms, noNonce).step());
    // an unknown nonce (the guest made it up)
    KeyReleaseRequest madeUp = KeyReleaseRequest.builder().report(report).vcekCert(Bytes.of(Fixture.PLATFORM.vekPem()))
        .vcpus(2).vcpuType("EPYC-v4").nonce(Bytes.of(new byte[32])).mrConfig(Bytes.of(g.launchedConfig.documentBytes()))
        .build();
    assertEquals(KmsReason.NONCE_UNKNOWN, refused(kms, madeUp).reason());

    // the guest can tell who sealed the response and for which request
    byte[] env = rel.response().getSealedKeys().toByteArray();
    SealBinding binding = SealBinding.forEvidence(g.key.publicKey(), req.report().toByteArray());
    KmsPublicKey trusted = KmsPublicKey.fromSpki(fx.roots.rootCaPublicKeySpki().toByteArray());
    byte[] tampered = env.clone();
    tampered[tampered.length / 2] ^= 1;
    assertThrows(AttestationException.class, () -> SealedResponse.open(tampered, g.key, binding, trusted));
    KmsPublicKey impostor = KmsPublicKey.fromSpki(KmsRootKeys.generate(Fixture.RNG).rootCaPublicKeySpki().toByteArray());
    assertThrows(AttestationException.class, () -> SealedResponse.open(env, g.key, binding, impostor));
    SealBinding otherRequest = SealBinding.forEvidence(g.key.publicKey(), new byte[] {1});
    assertThrows(AttestationException.class, () -> SealedResponse.open(env, g.key, otherRequest, trusted));
  }

  @Test
  @DisplayName("7: HPKE with a KDF by default; low-order keys refused; raw AES-SIV only when opted in")
  void envelope() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    KeyReleaseException siv = refused(kms, g.request(kms).envelope(EnvelopeMode.AES_SIV_PR630).build());
    assertEquals(KeyReleaseStep.SEAL_RESPONSE, siv.step());
    assertEquals(KmsReason.ENVELOPE_MODE_NOT_ALLOWED, siv.reason());

    // a low-order X25519 point (u = 1) in report_data[0..32]
    byte[] lowOrder = new byte[64];
    lowOrder[0] = 1;
    Bytes nonce = kms.issueNonce().nonce();
    System.arraycopy(ReportData.tagged(ReportData.NONCE_TAG, nonce.toByteArray()).toByteArray(), 0, lowOrder, 32, 32);
    KeyReleaseRequest r = KeyReleaseRequest.builder().report(g.report(lowOrder)).vcekCert(Bytes.of(Fixture.PLATFORM.vekPem()))
        .vcpus(2).vcpuType("EPYC-v4").nonce(nonce).mrConfig(Bytes.of(g.launchedConfig.documentBytes())).build();
    KeyReleaseException e = refused(kms, r);
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, e.step());
    assertEquals(CryptoReason.BAD_REPORT_DATA, e.reason());

    // opted in, PR #630 clients still work
    KeyReleaseService compat = fx.serviceBuilder(IdentityBinding.HOST_DATA)
        .envelopes(EnvelopeMode.HPKE_V1, EnvelopeMode.AES_SIV_PR630).build();
    KeyRelease rel = compat.release(
        g.request(compat, compat.issueNonce(EnvelopeMode.AES_SIV_PR630).nonce()).envelope(EnvelopeMode.AES_SIV_PR630).build());
    assertEquals(48, rel.response().getDiskCryptKey().size());
    assertEquals(32, rel.response().getKeyProviderPubkey().size());

    // issue 13 item 6: a man in the middle cannot flip an HPKE request (nonce issued for HPKE) to AES-SIV
    KeyReleaseException flipped = refused(compat, g.request(compat).envelope(EnvelopeMode.AES_SIV_PR630).build());
    assertEquals(KeyReleaseStep.CHECK_FRESHNESS, flipped.step());
    assertEquals(KmsReason.ENVELOPE_MODE_NOT_ALLOWED, flipped.reason());
  }

  @Test
  @DisplayName("8: instance_id comes from measured data, not from the transport key")
  void instanceIdIsNotTheTransportKey() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest a = guest();
    Fixture.Guest b = guest();
    KeyReleaseRequest ra = a.request(kms).build();
    KeyReleaseRequest rb = b.request(kms).build();
    KeyRelease relA = kms.release(ra);
    KeyRelease relB = kms.release(rb);
    assertEquals(fx.instanceId, relA.bootInfo().instanceId());
    assertEquals(relA.bootInfo().instanceId(), relB.bootInfo().instanceId());
    byte[] diskA = open(relA, a, ra).getDiskCryptKey().toByteArray();
    byte[] diskB = open(relB, b, rb).getDiskCryptKey().toByteArray();
    assertArrayEquals(diskA, diskB, "the disk key does not change with the VM transport key");
    assertTrue(!relA.bootInfo().mrSystem().isZero(), "mr_system is SHA-256(MEASUREMENT), not zero");
  }

  private AppKeyResponse open(KeyRelease rel, Fixture.Guest g, KeyReleaseRequest r) throws Exception {
    return AppKeyResponse.parseFrom(SealedResponse.open(
        rel.response().getSealedKeys().toByteArray(), g.key,
        SealBinding.forEvidence(g.key.publicKey(), r.report().toByteArray()),
        KmsPublicKey.fromSpki(fx.roots.rootCaPublicKeySpki().toByteArray())));
  }

  @Test
  @DisplayName("9: app_id must be 20 bytes; the guest must name this KMS as key provider")
  void appIdLengthAndKeyProvider() throws Exception {
    KeyReleaseService kms = kms();
    KeyReleaseException e = assertThrows(KeyReleaseException.class,
        () -> kms.release(GetAppKeyAmdRequest.newBuilder().setSnpReport(ByteString.copyFrom(new byte[1184]))
            .setAppId("11".repeat(19)).build()));
    assertEquals(KeyReleaseStep.DECODE_REQUEST, e.step());
    assertEquals(KmsReason.BAD_REQUEST, e.reason());

    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    Bytes otherKms = KmsRootKeys.generate(Fixture.RNG).rootCaPublicKeySpki();
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, otherKms);
    KeyReleaseException k = refused(kms, g.request(kms).build());
    assertEquals(KeyReleaseStep.BIND_IDENTITY, k.step());
    assertEquals(KmsReason.KEY_PROVIDER_MISMATCH, k.reason());
  }

  @Test
  @DisplayName("10: compose_hash is the measured MrConfigV3 value, as on TDX")
  void composeHashFromMeasuredConfig() throws Exception {
    KeyReleaseService kms = kms();
    Fixture.Guest g = guest();
    KeyReleaseException e = refused(kms, g.request(kms).composeHash(Fixture.rep(0x77, 32)).build());
    assertEquals(KmsReason.IDENTITY_MISMATCH, e.reason());
    KeyRelease rel = kms.release(g.request(kms).build());
    MrConfigV3 doc = g.launchedConfig;
    assertEquals(doc.composeHash(), rel.bootInfo().composeHash());
  }
}
