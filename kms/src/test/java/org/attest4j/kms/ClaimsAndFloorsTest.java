package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attest4j.core.Bytes;
import org.attest4j.crypto.ReportData;
import org.attest4j.ovmf.MetadataSection;
import org.attest4j.snp.Product;
import org.attest4j.snp.TcbVersion;
import org.junit.jupiter.api.Test;

/** Issue 13 items 7 and 9: masked CHIP_ID, client layout claims, a zero TCB floor, v2 reports. */
class ClaimsAndFloorsTest {
  final Fixture fx = new Fixture();

  Fixture.Guest guest() throws Exception {
    Fixture.Guest g = fx.new Guest(fx.fixedCmdline);
    g.launchedConfig = fx.mrConfig(fx.appId, fx.composeHash, fx.instanceId, fx.roots.rootCaPublicKeySpki());
    return g;
  }

  @Test
  void aMaskedChipIdIsRefusedByDefault() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = guest();
    g.chipId = new byte[64];
    KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(g.request(kms).build()));
    assertEquals(KmsReason.MASKED_CHIP_ID, e.refusal().reason());
    assertTrue(e.getMessage().contains("allowMaskedChipId"), e.getMessage());
  }

  @Test
  void anAllowedMaskedChipIdGetsTheDeviceIdOfItsVcekHwId() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).allowMaskedChipId().build();
    Fixture.Guest unmasked = guest();
    Bytes deviceId = kms.release(unmasked.request(kms).build()).bootInfo().deviceId();
    Fixture.Guest masked = guest();
    masked.chipId = new byte[64];
    Bytes maskedDeviceId = kms.release(masked.request(kms).build()).bootInfo().deviceId();
    assertEquals(deviceId, maskedDeviceId, "device_id comes from the verified VCEK's hwID, as when unmasked");
    assertEquals(Fixture.sha256(Fixture.PLATFORM.chipId().toByteArray()), maskedDeviceId);
    assertTrue(!maskedDeviceId.equals(Fixture.sha256(new byte[64])), "not SHA-256 of 64 zero bytes");
  }

  @Test
  void layoutClaimsThatDifferFromThePinnedFirmwareAreRefused() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    long gpa = fx.firmware.hashTableGpa().orElseThrow();
    long eip = fx.firmware.apResetEip().orElseThrow();
    // the pinned values (or none) are accepted
    KeyReleaseRequest.Builder ok = guest().request(kms).claimedHashesTableGpa(gpa).claimedResetEip(eip);
    for (MetadataSection m : fx.firmware.sections()) {
      ok.addClaimedSection(new KeyReleaseRequest.ClaimedSection(m.gpa(), m.size(), m.type().code()));
    }
    assertEquals(fx.appId, kms.release(ok.build()).bootInfo().appId());

    KeyReleaseRequest[] bogus = {
      guest().request(kms).claimedHashesTableGpa(gpa + 0x1000).build(),
      guest().request(kms).claimedResetEip(eip ^ 0x10).build(),
      guest().request(kms).addClaimedSection(new KeyReleaseRequest.ClaimedSection(0x100000, 0x1000, 1)).build(),
    };
    for (KeyReleaseRequest r : bogus) {
      KeyReleaseException e = assertThrows(KeyReleaseException.class, () -> kms.release(r));
      assertEquals(KeyReleaseStep.VERIFY_MEASUREMENT, e.step());
      assertEquals(KmsReason.CLAIMED_ARTIFACT_MISMATCH, e.refusal().reason(), e.getMessage());
    }
  }

  @Test
  void aZeroTcbFloorIsRefusedWhenBuilding() throws Exception {
    KeyReleaseService.Builder b = fx.serviceBuilderWithoutFloor(IdentityBinding.HOST_DATA);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.minimumTcb(TcbVersion.of(Product.GENOA, 0)));
    assertTrue(e.getMessage().contains("no floor") && e.getMessage().contains("allowAnyTcb"), e.getMessage());
  }

  @Test
  void aVersion2ReportTakesItsProductFromTheVcekChain() throws Exception {
    KeyReleaseService kms = fx.serviceBuilder(IdentityBinding.HOST_DATA).build();
    Fixture.Guest g = guest();
    Bytes nonce = kms.issueNonce().nonce();
    byte[] rd = ReportData.withNonce(g.key.publicKey(), nonce).toBytes();
    byte[] v2 =
        Fixture.PLATFORM.reportBuilder().version(2).measurement(g.measurement().toByteArray()).reportData(rd)
            .hostData(g.launchedConfig.hostData().toByteArray()).sign();
    assertTrue(org.attest4j.snp.SnpReport.parse(v2).product().isEmpty(), "a v2 report names no product");
    KeyReleaseRequest r =
        KeyReleaseRequest.builder().report(Bytes.of(v2)).vcekCert(Bytes.of(Fixture.PLATFORM.vekPem())).vcpus(g.vcpus)
            .vcpuType(g.vcpuType).nonce(nonce).mrConfig(Bytes.of(g.launchedConfig.documentBytes())).build();
    KeyRelease rel = kms.release(r);
    assertEquals(fx.appId, rel.bootInfo().appId());
    assertEquals("UpToDate", rel.bootInfo().tcbStatus());
  }
}
