package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.attest4j.core.VerificationException;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.junit.jupiter.api.Test;

/** The fixed test-only root: one ARK key for every platform built with it, fresh VCEK and CHIP_ID each time. */
class TestOnlyRootTest {
  @Test
  void platformsShareTheRootButNotTheVcek() throws Exception {
    SimulatedSnpPlatform a = SimulatedSnpPlatform.builder(Product.GENOA).testOnlyRoot().build();
    SimulatedSnpPlatform b = SimulatedSnpPlatform.builder(Product.GENOA).testOnlyRoot().build();
    assertEquals(a.trustAnchor().spkiSha384(), b.trustAnchor().spkiSha384());
    assertNotEquals(a.chipId(), b.chipId());
    assertFalse(java.util.Arrays.equals(a.vekDer(), b.vekDer()));
    // a report of b verifies under a's anchor (same root), with b's own VCEK and chain
    byte[] report = b.reportBuilder().reportData(new byte[] {9}).sign();
    VerifiedSnpReport v = a.verifier(b.clockInsideValidity()).verify(report, b.vekDer(), b.certChainPem());
    assertEquals(Product.GENOA, v.product());
    assertFalse(v.trustAnchor().isAmdRoot());
  }

  @Test
  void testOnlyRootIsNotAGeneratedRoot() throws Exception {
    SimulatedSnpPlatform fixed = SimulatedSnpPlatform.builder(Product.MILAN).testOnlyRoot().build();
    SimulatedSnpPlatform own = SimulatedPlatformTest.platform(Product.MILAN);
    byte[] report = fixed.reportBuilder().sign();
    assertThrows(VerificationException.class,
        () -> own.verifier(fixed.clockInsideValidity()).verify(report, fixed.vekDer(), fixed.certChainPem()));
  }
}
