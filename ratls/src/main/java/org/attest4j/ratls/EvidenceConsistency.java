package org.attest4j.ratls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.core.internal.LogSafe;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.snp.SnpReport;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TdReport;
import org.attest4j.tdx.TdxQuote;

/**
 * The checks of dstack's {@code AttestationV1::verify} that need no vendor collateral (spec
 * dstack-ratls §3.10): that the signed evidence supports the stack it comes with. TDX: TD attributes
 * (no DEBUG, MR_SIGNER_SEAM zero, TD 1.5 MR_SERVICETD zero), RTMR3 = the replay of {@code
 * stack.runtime_events}, the quote's REPORT_DATA = {@code stack.report_data}, and every version-2
 * runtime entry's preimage in the platform event log. SEV-SNP: REPORT_DATA = {@code
 * stack.report_data} and HOST_DATA = SHA-256("dstack-mr-config-v3:" ‖ 0x00 ‖ mr_config). The vendor
 * signatures (quote, report, certificate chains, collateral) are not checked here. Stateless and
 * thread-safe.
 */
public final class EvidenceConsistency {
  private EvidenceConsistency() {}

  /**
   * Runs every offline check.
   *
   * @param attestation the attestation
   * @return the names of the checks that ran (for example {@code rtmr3_replay}), all passed
   * @throws VerificationException with {@link RatlsReason#EVIDENCE_MISMATCH} naming the first
   *     failed check, or {@link RatlsReason#UNSUPPORTED_PLATFORM}
   * @throws MalformedEvidenceException when the quote or report does not parse
   */
  public static List<String> check(Attestation attestation)
      throws VerificationException, MalformedEvidenceException {
    StackEvidence stack = attestation.stack();
    if (stack.reportData().length() != 64) {
      throw mismatch("stack.report_data is " + stack.reportData().length() + " bytes, not 64");
    }
    if (stack instanceof StackEvidence.DstackPod) {
      Bytes expected = RatlsReportData.tagged("app-data",
          ((StackEvidence.DstackPod) stack).reportDataPayload().getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(stack.reportData())) {
        throw mismatch("dstack-pod report_data is not SHA-512(\"app-data:\" || payload)");
      }
    }
    PlatformEvidence p = attestation.platform();
    if (p instanceof PlatformEvidence.Tdx) {
      PlatformEvidence.Tdx t = (PlatformEvidence.Tdx) p;
      return tdx(t.quote(), t.eventLog(), stack);
    }
    if (p instanceof PlatformEvidence.SevSnp) {
      return snp((PlatformEvidence.SevSnp) p, stack);
    }
    throw new VerificationException(
        RatlsReason.UNSUPPORTED_PLATFORM,
        "platform " + p.kind() + " is decoded but not verified by attest4j (TDX and SEV-SNP are)");
  }

  private static List<String> tdx(Bytes quoteBytes, List<TdxEvent> log, StackEvidence stack)
      throws VerificationException, MalformedEvidenceException {
    List<String> ran = new ArrayList<>();
    TdReport td = TdxQuote.parse(quoteBytes.toByteArray()).body();
    if (td.isDebug()) {
      throw mismatch("the TD has the DEBUG attribute (td_attributes bit 0)");
    }
    if (!td.mrSignerSeam().isZero()) {
      throw mismatch("MR_SIGNER_SEAM is not zero (not Intel's TDX module)");
    }
    if (td.mrServiceTd().isPresent() && !td.mrServiceTd().get().isZero()) {
      throw mismatch("MR_SERVICETD is not zero");
    }
    ran.add("tcb_attributes");
    List<DstackRuntimeEvent> events = new ArrayList<>();
    for (RuntimeEvent e : stack.runtimeEvents()) {
      events.add(DstackRuntimeEvent.of(e.event(), e.payload(), e.version()));
    }
    Bytes replayed = DstackRuntimeEvent.replay(events);
    if (!replayed.equals(td.rtmr(3))) {
      throw mismatch("RTMR3 mismatch, quoted: " + td.rtmr(3).toHex() + ", replayed: " + replayed.toHex());
    }
    ran.add("rtmr3_replay");
    if (!td.reportData().equals(stack.reportData())) {
      throw mismatch("tdx report_data mismatch: the quote's REPORT_DATA is not stack.report_data");
    }
    ran.add("quote_report_data");
    for (TdxEvent e : log) {
      if (e.eventType() == TdxEvent.DSTACK_RUNTIME_EVENT_TYPE && e.version() == 2) {
        preimage(e);
      }
    }
    ran.add("v2_preimages");
    return ran;
  }

  /** Pitfall 7: the preimage is checked against the digest only where a digest survived stripping. */
  private static void preimage(TdxEvent e) throws VerificationException {
    if (e.preimage().isEmpty()) {
      throw mismatch("V2 event '" + LogSafe.of(e.event()) + "' has no preimage");
    }
    byte[] pre;
    try {
      pre = HexFormat.of().parseHex(e.preimage().get());
    } catch (IllegalArgumentException x) {
      throw mismatch("V2 event preimage is not hex");
    }
    byte[] canonical = DstackRuntimeEvent.canonicalV2(e.event(), e.eventPayload().toByteArray());
    if (!java.util.Arrays.equals(pre, canonical)) {
      throw mismatch("V2 event preimage is not the canonical JSON of the event");
    }
    if (e.digest().length() > 0 && !Bytes.of(sha384(pre)).equals(e.digest())) {
      throw mismatch("V2 event preimage does not hash to its digest");
    }
  }

  private static List<String> snp(PlatformEvidence.SevSnp s, StackEvidence stack)
      throws VerificationException, MalformedEvidenceException {
    List<String> ran = new ArrayList<>();
    SnpReport report = SnpReport.parse(s.report().toByteArray());
    if (!report.reportData().equals(stack.reportData())) {
      throw mismatch("sev-snp REPORT_DATA is not stack.report_data");
    }
    ran.add("report_data");
    Bytes hostData = MrConfigV3.hostDataOf(s.mrConfig().getBytes(StandardCharsets.UTF_8));
    if (!hostData.equals(report.hostData())) {
      throw mismatch("HOST_DATA is not SHA-256(\"dstack-mr-config-v3:\" || 0x00 || mr_config)");
    }
    ran.add("host_data");
    return ran;
  }

  private static byte[] sha384(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-384").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static VerificationException mismatch(String message) {
    return new VerificationException(RatlsReason.EVIDENCE_MISMATCH, message);
  }
}
