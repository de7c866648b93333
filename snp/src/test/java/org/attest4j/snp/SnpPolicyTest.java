package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;

class SnpPolicyTest {
  static Map<String, VerifiedSnpReport> verifiedVectors() throws Exception {
    Map<String, VerifiedSnpReport> out = new HashMap<>();
    for (SnpVectorsTest.Vector v : SnpVectorsTest.vectors()) {
      if (v.valid()) {
        out.put(v.name(), VcekChain.verify(v.report(), v.vek(), v.chain(), SnpVectorsTest.clockFor(v)));
      }
    }
    return out;
  }

  static Set<String> rules(PolicyViolationException e) {
    return e.violations().stream().map(PolicyViolationException.Violation::rule).collect(Collectors.toSet());
  }

  @Test
  void strictPolicyOnRealVectors() throws Exception {
    Map<String, VerifiedSnpReport> all = verifiedVectors();
    Map<String, Set<String>> expectedFailures = Map.of(
        "milan-v2-gsg", Set.of("guest_policy.debug"),
        "milan-v3-vlek-aws", Set.of("signing_key", "vmpl", "provisional_firmware"));
    for (Map.Entry<String, VerifiedSnpReport> e : all.entrySet()) {
      Set<String> want = expectedFailures.get(e.getKey());
      List<PolicyViolationException.Violation> got = SnpPolicy.strict().check(e.getValue());
      if (want == null) {
        assertTrue(got.isEmpty(), e.getKey() + ": " + got);
        SnpPolicy.strict().validate(e.getValue());
      } else {
        PolicyViolationException ex = assertThrows(PolicyViolationException.class, () -> SnpPolicy.strict().validate(e.getValue()));
        assertEquals(want, rules(ex), e.getKey());
      }
    }
    // the debug vector is reported with its reason code
    PolicyViolationException ex = assertThrows(PolicyViolationException.class,
        () -> SnpPolicy.strict().validate(all.get("milan-v2-gsg")));
    assertEquals(SnpReason.DEBUG_ALLOWED, ex.reason());
    // relaxing makes the AWS VLEK report acceptable
    SnpPolicy.builder().allowVlek(true).vmpl(1).permitProvisionalFirmware(true).build().validate(all.get("milan-v3-vlek-aws"));
  }

  @Test
  void exactValuesAndMinimumsOnRealTurin() throws Exception {
    VerifiedSnpReport t = verifiedVectors().get("turin-v5-oak");
    SnpReport r = t.report();
    SnpPolicy ok = SnpPolicy.builder()
        .expectedMeasurement(r.measurement().toByteArray())
        .expectedReportData(r.reportData().toByteArray())
        .expectedHostData(r.hostData().toByteArray())
        .expectedFamilyId(r.familyId().toByteArray())
        .expectedImageId(r.imageId().toByteArray())
        .allowedChipId(java.util.Arrays.copyOf(r.chipId().toByteArray(), 8))
        .minimumTcb(TcbVersion.builder(Product.TURIN).fmc(0).bootloader(1).tee(0).snp(2).microcode(71).build())
        .minimumFirmware(FirmwareVersion.parse("1.55.61"))
        .build();
    ok.validate(t);
    // bit 6 of PLATFORM_INFO is unknown but only refused on request
    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> SnpPolicy.builder().rejectUnknownPlatformInfoBits(true).build().validate(t));
    assertEquals(Set.of("platform_info.unknown_bits"), rules(e));
    e = assertThrows(PolicyViolationException.class, () -> SnpPolicy.builder()
        .minimumTcb(TcbVersion.builder(Product.TURIN).fmc(1).bootloader(1).tee(0).snp(3).microcode(71).build())
        .minimumFirmware(FirmwareVersion.parse("1.56"))
        .build().validate(t));
    assertEquals(Set.of("minimum_tcb", "minimum_firmware"), rules(e));
    assertTrue(e.getMessage().contains("fmc=0 < 1") && e.getMessage().contains("snp=2 < 3"), e.getMessage());
  }

  @Test
  void everyFailedRuleIsListed() throws Exception {
    SimulatedSnpPlatform p = SimulatedPlatformTest.platform(Product.GENOA);
    byte[] other48 = new byte[48];
    other48[0] = 9;
    TcbVersion low = TcbVersion.builder(Product.GENOA).bootloader(1).tee(0).snp(1).microcode(1).build();
    byte[] report = p.reportBuilder()
        .debug(true).migrateMa(true).vmpl(2).guestSvn(1)
        .policy(GuestPolicy.defaults().with(GuestPolicy.DEBUG | GuestPolicy.MIGRATE_MA | GuestPolicy.CXL_ALLOW, true))
        .committedTcb(low)
        .platformInfo(new PlatformInfo(PlatformInfo.SMT_EN | PlatformInfo.TSME_EN))
        .mitigationVectors(0, 1)
        .sign();
    VerifiedSnpReport v = p.verifier(p.clockInsideValidity()).verify(report, p.vekDer(), p.certChainPem());
    SnpPolicy policy = SnpPolicy.builder()
        .allowSmt(false)
        .requireGuestPolicyBits(GuestPolicy.SINGLE_SOCKET)
        .minimumAbi(1, 51)
        .minimumTcb(TcbVersion.builder(Product.GENOA).bootloader(10).tee(0).snp(26).microcode(84).build())
        .minimumLaunchTcb(TcbVersion.builder(Product.GENOA).bootloader(11).build())
        .minimumFirmware(FirmwareVersion.parse("1.57.1"))
        .minimumGuestSvn(2)
        .requirePlatformInfoBits(PlatformInfo.ECC_EN)
        .forbidPlatformInfoBits(PlatformInfo.TSME_EN)
        .minimumLaunchMitigations(1)
        .minimumCurrentMitigations(3)
        .expectedMeasurement(other48)
        .expectedReportData(new byte[64])
        .expectedHostData(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
        .expectedFamilyId(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
        .expectedImageId(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
        .allowedChipId(new byte[64])
        .trustedIdKeyDigest(other48)
        .requireAuthorKey(true)
        .trustedAuthorKeyDigest(other48)
        .build();
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> policy.validate(v));
    assertEquals(Set.of("guest_policy.debug", "guest_policy.migrate_ma", "guest_policy.smt", "guest_policy.cxl_allow",
        "guest_policy.required_bits", "guest_policy.abi", "vmpl", "minimum_tcb", "minimum_launch_tcb",
        "provisional_firmware", "minimum_firmware", "minimum_guest_svn", "platform_info.required_bits",
        "platform_info.forbidden_bits", "minimum_launch_mitigations", "minimum_current_mitigations", "measurement",
        "host_data", "family_id", "image_id", "chip_id", "author_key", "id_key"), rules(e));
    // report_data matched (zeros), so it is not listed
    assertTrue(e.violations().size() >= 23);
  }
}
