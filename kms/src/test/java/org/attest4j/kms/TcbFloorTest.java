package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.crypto.ReportData;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpReason;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;

/** The KMS's TCB floor: required at build time, enforced at step 3, and the basis of tcbStatus. */
class TcbFloorTest {
  final Fixture fx = new Fixture();
  /** The fixture platform: Genoa, bootloader 10, tee 0, snp 25, microcode 84. */
  static final TcbVersion PLATFORM_TCB = Fixture.PLATFORM.tcb();
  /** The same chip before a firmware update: SNP firmware SVN 24 (below a floor of 25). */
  static final SimulatedSnpPlatform OLD_FIRMWARE =
      Fixture.PLATFORM.withTcb(tcb(PLATFORM_TCB.bootloader(), PLATFORM_TCB.tee(), PLATFORM_TCB.snp() - 1, PLATFORM_TCB.microcode()));

  static TcbVersion tcb(int bl, int tee, int snp, int ucode) {
    return TcbVersion.builder(Product.GENOA).bootloader(bl).tee(tee).snp(snp).microcode(ucode).build();
  }

  private Fixture.Guest guest() throws Exception {
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    return g;
  }

  /** A complete request whose report comes from {@code platform} (signed by its VCEK, sent along). */
  private KeyReleaseRequest request(
      KeyReleaseService kms, SimulatedSnpPlatform platform, Consumer<SimulatedSnpPlatform.ReportBuilder> tweak)
      throws Exception {
    Fixture.Guest g = guest();
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(g.key.publicKey(), nonce).toBytes();
    SimulatedSnpPlatform.ReportBuilder b = platform.reportBuilder().measurement(g.measurement().toByteArray())
        .reportData(rd).hostData(g.launchedConfig.hostData().toByteArray());
    tweak.accept(b);
    return KeyReleaseRequest.builder().report(b.sign()).vcekCert(Bytes.of(platform.vekPem())).vcpus(g.vcpus)
        .vcpuType(g.vcpuType).nonce(nonce).mrConfig(Bytes.of(g.launchedConfig.documentBytes())).build();
  }

  private static KeyReleaseException refused(KeyReleaseService kms, KeyReleaseRequest r) {
    return assertThrows(KeyReleaseException.class, () -> kms.release(r));
  }

  private static boolean hasViolation(KeyReleaseException e, Object reason, String text) {
    return ((PolicyViolationException) e.refusal()).violations().stream()
        .anyMatch(v -> v.reason() == reason && v.message().contains(text));
  }

  @Test
  void buildingWithoutAFloorFails() throws Exception {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA).build());
    assertTrue(e.getMessage().contains("minimumTcb") && e.getMessage().contains("allowAnyTcb"), e.getMessage());
    // also with a caller's own policy: the service cannot see minimums inside it
    IllegalStateException own = assertThrows(IllegalStateException.class, () -> fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA)
        .snp(Fixture.PLATFORM.verifier(fx.clock), KmsEndorsements.certChain(Fixture.PLATFORM.certChainPem()), SnpPolicy.strict())
        .build());
    assertTrue(own.getMessage().contains("TCB floor"), own.getMessage());
    // a floor and the opt-out contradict each other
    assertThrows(IllegalStateException.class, () -> fx.serviceBuilder(IdentityBinding.HOST_DATA).allowAnyTcb().build());
  }

  @Test
  void atTheFloorIsUpToDate() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyRelease rel = kms.release(request(kms, Fixture.PLATFORM, b -> {}));
    assertEquals(BootInfo.TCB_STATUS_UP_TO_DATE, rel.bootInfo().tcbStatus());
  }

  @Test
  void oldFirmwareIsRefusedAtThePolicyStep() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    // consistent TCBs (current = reported = committed = launch), a valid VCEK for them, but below the floor
    KeyReleaseException e = refused(kms, request(kms, OLD_FIRMWARE, b -> {}));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e.step());
    assertEquals(SnpReason.TCB_TOO_LOW, e.reason());
    assertTrue(hasViolation(e, SnpReason.TCB_TOO_LOW, "REPORTED_TCB snp=24 < 25"), e.getMessage());
  }

  @Test
  void aFloorAboveThePlatformRefusesItsOwnReports() throws Exception {
    TcbVersion floor = tcb(PLATFORM_TCB.bootloader(), PLATFORM_TCB.tee(), PLATFORM_TCB.snp(), PLATFORM_TCB.microcode() + 1);
    KeyReleaseService kms = fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA).minimumTcb(floor).build();
    KeyReleaseException e = refused(kms, request(kms, Fixture.PLATFORM, b -> {}));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e.step());
    assertTrue(hasViolation(e, SnpReason.TCB_TOO_LOW, "microcode=" + PLATFORM_TCB.microcode()), e.getMessage());
  }

  @Test
  void theFloorAlsoAppliesWithACallersOwnPolicy() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA)
        .snp(Fixture.PLATFORM.verifier(fx.clock), KmsEndorsements.certChain(Fixture.PLATFORM.certChainPem()),
            SnpPolicy.builder().allowVlek(true).build())
        .build();
    KeyReleaseException e = refused(kms, request(kms, OLD_FIRMWARE, b -> {}));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e.step());
    assertTrue(hasViolation(e, SnpReason.TCB_TOO_LOW, "snp=24 < 25"), e.getMessage());
    assertEquals(BootInfo.TCB_STATUS_UP_TO_DATE, kms.release(request(kms, Fixture.PLATFORM, b -> {})).bootInfo().tcbStatus());
  }

  @Test
  void aGuestLaunchedOnOldFirmwareIsRefused() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    KeyReleaseException e = refused(kms, request(kms, Fixture.PLATFORM, b -> b.launchTcb(OLD_FIRMWARE.tcb())));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e.step());
    assertTrue(hasViolation(e, SnpReason.TCB_TOO_LOW, "LAUNCH_TCB snp=24 < 25"), e.getMessage());
  }

  @Test
  void aProductWithoutAFloorIsRefused() throws Exception {
    TcbVersion milanOnly = TcbVersion.builder(Product.MILAN).bootloader(3).tee(0).snp(8).microcode(115).build();
    KeyReleaseService kms = fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA).minimumTcb(milanOnly).build();
    KeyReleaseException e = refused(kms, request(kms, Fixture.PLATFORM, b -> {}));
    assertEquals(KeyReleaseStep.APPLY_POLICY, e.step());
    assertEquals(KmsReason.NO_TCB_FLOOR, e.reason());
    assertTrue(e.getMessage().contains("GENOA") || e.getMessage().contains("Genoa"), e.getMessage());
  }

  @Test
  void optingOutNeverClaimsUpToDate() throws Exception {
    // the default allow-list (like auth-simple) allows only UpToDate, so the opt-out alone releases nothing
    KeyReleaseService strictHook = fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA).allowAnyTcb().build();
    KeyReleaseException e = refused(strictHook, request(strictHook, OLD_FIRMWARE, b -> {}));
    assertEquals(KeyReleaseStep.AUTHORIZE, e.step());
    assertEquals(KmsReason.NOT_AUTHORIZED, e.reason());

    // a hook that accepts every status sees "" (not evaluated) for consistent TCBs, OutOfDate otherwise
    KeyReleaseService kms = fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA).allowAnyTcb()
        .authorization(info -> AuthorizationDecision.allow("")).build();
    assertEquals(BootInfo.TCB_STATUS_NOT_EVALUATED, kms.release(request(kms, OLD_FIRMWARE, b -> {})).bootInfo().tcbStatus());
    assertEquals(BootInfo.TCB_STATUS_NOT_EVALUATED, kms.release(request(kms, Fixture.PLATFORM, b -> {})).bootInfo().tcbStatus());
    TcbVersion newer = TcbVersion.of(Product.GENOA, PLATFORM_TCB.raw() + 1);
    assertEquals(BootInfo.TCB_STATUS_OUT_OF_DATE,
        kms.release(request(kms, Fixture.PLATFORM, b -> b.currentTcb(newer).committedTcb(newer))).bootInfo().tcbStatus());
  }
}
