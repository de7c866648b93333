package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.VerificationException;
import org.junit.jupiter.api.Test;

/** Failure paths that real vectors cannot show, on a synthetic Intel-shaped PKI. */
class SyntheticVerificationTest {
  private static TdxVerdict verify(SyntheticTdx s) throws Exception {
    return s.verifier().verify(TdxQuote.parse(s.quote()), s.collateral(), s.now);
  }

  private static TdxReason refused(SyntheticTdx s) throws Exception {
    byte[] quote = s.quote();
    TdxCollateral c = s.collateral();
    AttestationException e = assertThrows(AttestationException.class,
        () -> s.verifier().verify(TdxQuote.parse(quote), c, s.now));
    assertFalse(e.getMessage().isBlank());
    return (TdxReason) e.reason();
  }

  @Test
  void upToDate() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    TdxVerdict v = verify(s);
    assertEquals(TcbStatus.UP_TO_DATE, v.tcbStatus().orElseThrow());
    assertEquals(TcbStatus.UP_TO_DATE, v.tdxModuleStatus().orElseThrow());
    assertEquals("TDX_01", v.tdxModuleIdentityId().orElseThrow());
    assertEquals(List.of(), v.advisoryIds());
    assertEquals(Instant.parse("2024-11-13T00:00:00Z"), v.tcbDate().orElseThrow());
    assertTrue(TdxPolicy.strict().evaluate(v).isEmpty());
    TdxQuote q = TdxQuote.parse(s.quote());
    assertEquals(q.bytesUsed() + 17, q.inputLength());
  }

  @Test
  void realIntelPinRefusesSyntheticRoot() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    VerificationException e = assertThrows(VerificationException.class,
        () -> TdxVerifier.create().verify(TdxQuote.parse(s.quote()), s.collateral(), s.now));
    assertEquals(TdxReason.UNTRUSTED_ROOT, e.reason());
  }

  @Test
  void outOfDatePlatformIsAuthenticButRefusedByStrictPolicy() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    s.pckCpuSvn = new int[] {2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
    TdxVerdict v = verify(s);
    assertEquals(TcbStatus.OUT_OF_DATE, v.tcbStatus().orElseThrow());
    assertEquals(TcbStatus.OUT_OF_DATE, v.platformTcbStatus().orElseThrow());
    assertEquals(List.of("INTEL-SA-01036", "INTEL-SA-01079"), v.advisoryIds());
    assertEquals(Instant.parse("2024-03-13T00:00:00Z"), v.tcbDate().orElseThrow());
    PolicyViolationException p = assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(v));
    assertEquals(TdxReason.TCB_OUT_OF_DATE, p.reason());
    TdxPolicy.builder().allowOutOfDate(true).build().enforce(v);
    PolicyViolationException adv = assertThrows(PolicyViolationException.class, () ->
        TdxPolicy.builder().allowOutOfDate(true).forbidAdvisories(java.util.Set.of("INTEL-SA-01079")).build().enforce(v));
    assertEquals(TdxReason.ADVISORY_NOT_ALLOWED, adv.reason());
  }

  @Test
  void revokedTcbLevelNeverVerifies() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    s.pckCpuSvn = new int[] {1, 1, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
    s.pckPceSvn = 5;
    assertEquals(TdxReason.TCB_REVOKED, refused(s));
  }

  @Test
  void belowEveryLevelIsNotSupported() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    s.pckPceSvn = 4;
    assertEquals(TdxReason.TCB_LEVEL_NOT_SUPPORTED, refused(s));
  }

  @Test
  void mergedStatusTakesTheMostSevere() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    s.platformUpToDateStatus = "SWHardeningNeeded";
    TdxVerdict v = verify(s);
    assertEquals(TcbStatus.SW_HARDENING_NEEDED, v.tcbStatus().orElseThrow());
    assertEquals(List.of("INTEL-SA-00001"), v.advisoryIds());
    assertTrue(TdxPolicy.strict().evaluate(v).isEmpty());
    assertEquals(TdxReason.TCB_STATUS_NOT_ALLOWED, TdxPolicy.builder().requireUpToDate().build().evaluate(v).get(0).reason());

    SyntheticTdx m = new SyntheticTdx();
    m.teeTcbSvn[0] = 5; // module SVN 5: meets the platform level (5) but only the OutOfDate module level (isvsvn 2)
    TdxVerdict mv = verify(m);
    assertEquals(TcbStatus.UP_TO_DATE, mv.platformTcbStatus().orElseThrow());
    assertEquals(TcbStatus.OUT_OF_DATE, mv.tdxModuleStatus().orElseThrow());
    assertEquals(TcbStatus.OUT_OF_DATE, mv.tcbStatus().orElseThrow());
    assertEquals(List.of("INTEL-SA-MOD"), mv.advisoryIds());

    SyntheticTdx q = new SyntheticTdx();
    q.qeIsvSvn = 5; // QE level OutOfDate
    TdxVerdict qv = verify(q);
    assertEquals(TcbStatus.OUT_OF_DATE, qv.qeTcbStatus().orElseThrow());
    assertEquals(TcbStatus.OUT_OF_DATE, qv.tcbStatus().orElseThrow());
    assertEquals(List.of("INTEL-SA-QE"), qv.advisoryIds());
  }

  @Test
  void revokedCertificates() throws Exception {
    SyntheticTdx a = new SyntheticTdx();
    a.revokedByPckCa.add(a.pckSerial);
    assertEquals(TdxReason.CERT_REVOKED, refused(a));
    SyntheticTdx b = new SyntheticTdx();
    b.revokedByRoot.add(b.pckCaSerial);
    assertEquals(TdxReason.CERT_REVOKED, refused(b));
    SyntheticTdx c = new SyntheticTdx();
    c.revokedByRoot.add(c.tcbSerial);
    assertEquals(TdxReason.CERT_REVOKED, refused(c));
  }

  @Test
  void tdAndModulePolicy() throws Exception {
    SyntheticTdx d = new SyntheticTdx();
    d.tdAttributes = (1L << 28) | 1L;
    TdxVerdict v = verify(d);
    PolicyViolationException p = assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(v));
    assertEquals(TdxReason.DEBUG_TD, p.reason());
    TdxPolicy.builder().allowDebug(true).build().enforce(v);

    SyntheticTdx r = new SyntheticTdx();
    r.tdAttributes = 0; // no SEPT_VE_DISABLE
    assertEquals(TdxReason.TD_ATTRIBUTES_NOT_ALLOWED, TdxPolicy.strict().evaluate(verify(r)).get(0).reason());

    SyntheticTdx seam = new SyntheticTdx();
    seam.mrSignerSeam = SyntheticTdx.filled(48, 0xAB);
    assertEquals(TdxReason.TDX_MODULE_MISMATCH, refused(seam)); // TCB info expects a zero signer

    SyntheticTdx own = new SyntheticTdx();
    own.mrSignerSeam = SyntheticTdx.filled(48, 0xAB);
    own.moduleMrSigner = "ab".repeat(48);
    TdxVerdict ov = verify(own);
    PolicyViolationException op = assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(ov));
    assertEquals(TdxReason.MR_SIGNER_SEAM_NONZERO, op.reason());
    TdxPolicy.builder().allowMrSignerSeam(true).build().enforce(ov);

    SyntheticTdx major = new SyntheticTdx();
    major.teeTcbSvn[1] = 2; // no TDX_02 identity
    assertEquals(TdxReason.TDX_MODULE_MISMATCH, refused(major));
  }

  @Test
  void enforceUnverifiedRefusesTheReportRulesWithTheVerdictsReasons() throws Exception {
    SyntheticTdx debug = new SyntheticTdx();
    debug.tdAttributes = (1L << 28) | 1L | (1L << 29); // debug and migratable
    TdxQuote dq = TdxQuote.parse(debug.quote());
    PolicyViolationException pre =
        assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforceUnverified(dq.body()));
    // the same rules, in the same order, as on the verified quote
    assertEquals(TdxPolicy.strict().evaluate(verify(debug)), pre.violations());
    assertEquals(TdxReason.DEBUG_TD, pre.reason());
    assertEquals(2, pre.violations().size());
    TdxPolicy.builder().allowDebug(true).allowMigratable(true).build().enforceUnverified(dq.body());

    TdReport plain = TdxQuote.parse(new SyntheticTdx().quote()).body();
    TdxPolicy.strict().enforceUnverified(plain);
    TdxPolicy.builder().expectedMrTd(plain.mrTd()).build().enforceUnverified(plain);
    byte[] other = SyntheticTdx.filled(48, 0x01);
    assertEquals(TdxReason.MEASUREMENT_MISMATCH,
        assertThrows(PolicyViolationException.class,
            () -> TdxPolicy.builder().expectedMrTd(org.attest4j.core.Bytes.of(other)).build().enforceUnverified(plain))
            .reason());

    // the rules that need the collateral are not this method's: a non-zero mr_signer_seam is
    // refused at verification (TDX_MODULE_MISMATCH), an OutOfDate TCB by the policy on the verdict
    SyntheticTdx seam = new SyntheticTdx();
    seam.mrSignerSeam = SyntheticTdx.filled(48, 0xAB);
    TdxPolicy.strict().enforceUnverified(TdxQuote.parse(seam.quote()).body());
    assertEquals(TdxReason.TDX_MODULE_MISMATCH, refused(seam));
    SyntheticTdx old = new SyntheticTdx();
    old.pckCpuSvn = new int[] {2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
    TdxPolicy.strict().enforceUnverified(TdxQuote.parse(old.quote()).body());
    assertThrows(PolicyViolationException.class, () -> TdxPolicy.strict().enforce(verify(old)));
  }

  @Test
  void qeAndBindingChecks() throws Exception {
    SyntheticTdx a = new SyntheticTdx();
    a.qeMrSigner = SyntheticTdx.filled(32, 1);
    assertEquals(TdxReason.QE_IDENTITY_MISMATCH, refused(a));
    SyntheticTdx b = new SyntheticTdx();
    b.qeIsvSvn = 3;
    assertEquals(TdxReason.QE_TCB_LEVEL_NOT_SUPPORTED, refused(b));
    SyntheticTdx c = new SyntheticTdx();
    c.qeReportDataOverride = new byte[64];
    assertEquals(TdxReason.ATTESTATION_KEY_BINDING_MISMATCH, refused(c));
    SyntheticTdx d = new SyntheticTdx();
    d.pckFmspc = "00606a000000";
    assertEquals(TdxReason.FMSPC_MISMATCH, refused(d));
  }

  @Test
  void collateralSignerAndBytes() throws Exception {
    SyntheticTdx a = new SyntheticTdx();
    a.tcbInfoSignedByPck = true; // a PCK key (chains to the root!) must not sign TCB info
    assertEquals(TdxReason.CERT_CHAIN_INVALID, refused(a));
    SyntheticTdx b = new SyntheticTdx();
    b.prettyTcbInfo = true; // signature over other bytes than those given (re-serialized)
    assertEquals(TdxReason.TCB_INFO_SIGNATURE_INVALID, refused(b));
  }

  @Test
  void timeWindowIsCheckedEvenWhenCached() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    TdxVerifier v = s.verifier();
    TdxQuote q = TdxQuote.parse(s.quote());
    TdxCollateral c = s.collateral();
    v.verify(q, c, s.now);
    VerificationException late = assertThrows(VerificationException.class,
        () -> v.verify(q, c, s.now.plus(25, ChronoUnit.DAYS)));
    assertEquals(TdxReason.COLLATERAL_EXPIRED, late.reason());
    VerificationException crl = assertThrows(VerificationException.class,
        () -> v.verify(q, c, s.now.plus(40, ChronoUnit.DAYS)));
    assertEquals(TdxReason.COLLATERAL_EXPIRED, crl.reason());
    assertTrue(crl.getMessage().contains("CRL"), crl.getMessage());
    VerificationException crlEarly = assertThrows(VerificationException.class,
        () -> v.verify(q, c, s.now.minus(5, ChronoUnit.DAYS)));
    assertEquals(TdxReason.COLLATERAL_NOT_YET_VALID, crlEarly.reason());
    assertTrue(crlEarly.getMessage().contains("CRL is not yet valid"), crlEarly.getMessage());
    VerificationException early = assertThrows(VerificationException.class,
        () -> v.verify(q, c, s.now.minus(400, ChronoUnit.DAYS)));
    assertEquals(TdxReason.CERT_NOT_YET_VALID, early.reason());
    VerificationException pckLate = assertThrows(VerificationException.class,
        () -> v.verifySignaturesOnly(q, s.now.plus(400, ChronoUnit.DAYS)));
    assertEquals(TdxReason.CERT_EXPIRED, pckLate.reason());
    assertEquals(TcbStatus.UP_TO_DATE, v.verify(q, c, s.now).tcbStatus().orElseThrow());
  }

  @Test
  void signaturesOnlyVerdictIsRefusedByDefaultPolicy() throws Exception {
    SyntheticTdx s = new SyntheticTdx();
    TdxVerdict v = s.verifier().verifySignaturesOnly(TdxQuote.parse(s.quote()), s.now);
    assertFalse(v.collateralVerified());
    assertTrue(v.tcbStatus().isEmpty());
    assertEquals(TdxReason.COLLATERAL_MISSING, TdxPolicy.strict().evaluate(v).get(0).reason());
    assertTrue(TdxPolicy.builder().allowMissingCollateral(true).build().evaluate(v).isEmpty());
  }
}
