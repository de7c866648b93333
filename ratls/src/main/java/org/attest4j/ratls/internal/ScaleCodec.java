package org.attest4j.ratls.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsReason;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.TdxEvent;
import org.attest4j.ratls.TpmQuote;

/**
 * V0: {@code LegacyVersionedAttestation::V0 { Attestation }} in SCALE (spec dstack-ratls §3.3),
 * decoded into and encoded from the V1 model. Stateless; internal to attest4j.
 */
public final class ScaleCodec {
  private static final int REPORT_DATA_SIZE = 64;
  private static final TpmQuote.Platform[] TPM_PLATFORMS = {
    TpmQuote.Platform.DSTACK,
    TpmQuote.Platform.GCP,
    TpmQuote.Platform.NITRO_ENCLAVE,
    TpmQuote.Platform.AWS_EC2
  };

  private ScaleCodec() {}

  /**
   * Decodes a whole V0 attestation (first byte 0x00); trailing bytes are refused.
   *
   * @param data the attestation bytes
   * @return the attestation in the V1 model
   * @throws MalformedEvidenceException when the bytes are not a canonical V0 attestation
   */
  public static Attestation decode(byte[] data) throws MalformedEvidenceException {
    Scale.Reader r = new Scale.Reader(data);
    int version = r.u8("version index");
    if (version != 0) {
      throw new MalformedEvidenceException(
          RatlsReason.UNKNOWN_WIRE_FORMAT, "V0 attestation must start with 0x00, not " + version);
    }
    int variant = r.u8("quote variant");
    PlatformEvidence platform;
    switch (variant) {
      case 0:
        platform = new PlatformEvidence.Tdx(Bytes.of(r.vec("tdx quote")), tdxEvents(r));
        break;
      case 1: {
        Bytes quote = Bytes.of(r.vec("gcp-tdx quote"));
        List<TdxEvent> log = tdxEvents(r);
        platform = new PlatformEvidence.GcpTdx(quote, log, tpmQuote(r));
        break;
      }
      case 2:
        platform = new PlatformEvidence.NitroEnclave(Bytes.of(r.vec("nsm_quote")));
        break;
      case 3: {
        Bytes report = Bytes.of(r.vec("sev-snp report"));
        int n = r.count("cert_chain count", 1);
        List<Bytes> chain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          chain.add(Bytes.of(r.vec("cert_chain[" + i + "]")));
        }
        platform = new PlatformEvidence.SevSnp(report, chain, r.string("mr_config"));
        break;
      }
      case 4:
        platform = new PlatformEvidence.AwsNitroTpm(Bytes.of(r.vec("attestation_doc")));
        break;
      default:
        throw new MalformedEvidenceException(
            CoreReason.BAD_FIELD,
            "V0 attestation: unknown quote variant " + variant
                + " (0 tdx, 1 gcp-tdx, 2 nitro-enclave, 3 sev-snp, 4 aws-nitro-tpm)");
    }
    int n = r.count("runtime_events count", 2);
    List<RuntimeEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = r.string("runtime_events[" + i + "].event");
      events.add(RuntimeEvent.of(name, Bytes.of(r.vec("runtime_events[" + i + "].payload"))));
    }
    Bytes reportData = Bytes.of(r.raw(REPORT_DATA_SIZE, "report_data"));
    String config = r.string("config");
    r.end();
    return new Attestation(platform, new StackEvidence.Dstack(reportData, events, config));
  }

  private static List<TdxEvent> tdxEvents(Scale.Reader r) throws MalformedEvidenceException {
    int n = r.count("event_log count", 11);
    List<TdxEvent> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String f = "event_log[" + i + "]";
      long imr = r.u32(f + ".imr");
      long type = r.u32(f + ".event_type");
      Bytes digest = Bytes.of(r.vec(f + ".digest"));
      String event = r.string(f + ".event");
      Bytes payload = Bytes.of(r.vec(f + ".event_payload"));
      out.add(new TdxEvent(imr, type, digest, event, payload, 1, Optional.empty()));
    }
    return out;
  }

  private static TpmQuote tpmQuote(Scale.Reader r) throws MalformedEvidenceException {
    Bytes message = Bytes.of(r.vec("tpm_quote.message"));
    Bytes signature = Bytes.of(r.vec("tpm_quote.signature"));
    int n = r.count("tpm_quote.pcr_values count", 6);
    List<TpmQuote.PcrValue> pcrs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long index = r.u32("pcr_values[" + i + "].index");
      String alg = r.string("pcr_values[" + i + "].algorithm");
      pcrs.add(new TpmQuote.PcrValue(index, alg, Bytes.of(r.vec("pcr_values[" + i + "].value"))));
    }
    Bytes akCert = Bytes.of(r.vec("tpm_quote.ak_cert"));
    int p = r.u8("tpm_quote.platform");
    if (p >= TPM_PLATFORMS.length) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_FIELD,
          "V0 attestation: unknown TPM platform " + p + " (0 dstack, 1 gcp, 2 nitroenclave, 3 aws-ec2)");
    }
    int m = r.count("tpm_quote.event_log count", 5);
    List<TpmQuote.PcrEvent> log = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      long pcr = r.u32("tpm event_log[" + i + "].pcr_index");
      log.add(new TpmQuote.PcrEvent(pcr, Bytes.of(r.vec("tpm event_log[" + i + "].digest"))));
    }
    return new TpmQuote(message, signature, pcrs, akCert, TPM_PLATFORMS[p], log);
  }

  /**
   * Encodes an attestation as V0 ({@code try_into_legacy}): event-log versions and preimages are
   * dropped, as dstack does.
   *
   * @param a the attestation
   * @return the V0 bytes
   * @throws MalformedEvidenceException with {@link RatlsReason#NOT_REPRESENTABLE} when the stack is
   *     not {@code dstack}, report_data is not 64 bytes, or a runtime event has version 2
   */
  public static byte[] encode(Attestation a) throws MalformedEvidenceException {
    if (!a.representableAsV0()) {
      throw new MalformedEvidenceException(
          RatlsReason.NOT_REPRESENTABLE,
          "V0 (SCALE) carries only a dstack stack with a 64-byte report_data and version-1 runtime"
              + " events; encode this attestation as V1");
    }
    Scale.Writer w = new Scale.Writer().u8(0);
    PlatformEvidence p = a.platform();
    if (p instanceof PlatformEvidence.Tdx) {
      PlatformEvidence.Tdx t = (PlatformEvidence.Tdx) p;
      w.u8(0).vec(t.quote().toByteArray());
      tdxEvents(w, t.eventLog());
    } else if (p instanceof PlatformEvidence.GcpTdx) {
      PlatformEvidence.GcpTdx g = (PlatformEvidence.GcpTdx) p;
      w.u8(1).vec(g.quote().toByteArray());
      tdxEvents(w, g.eventLog());
      tpmQuote(w, g.tpmQuote());
    } else if (p instanceof PlatformEvidence.NitroEnclave) {
      w.u8(2).vec(((PlatformEvidence.NitroEnclave) p).nsmQuote().toByteArray());
    } else if (p instanceof PlatformEvidence.SevSnp) {
      PlatformEvidence.SevSnp s = (PlatformEvidence.SevSnp) p;
      w.u8(3).vec(s.report().toByteArray()).compact(s.certChain().size());
      for (Bytes c : s.certChain()) {
        w.vec(c.toByteArray());
      }
      w.string(s.mrConfig());
    } else {
      w.u8(4).vec(((PlatformEvidence.AwsNitroTpm) p).attestationDoc().toByteArray());
    }
    StackEvidence st = a.stack();
    w.compact(st.runtimeEvents().size());
    for (RuntimeEvent e : st.runtimeEvents()) {
      w.string(e.event()).vec(e.payload().toByteArray());
    }
    return w.raw(st.reportData().toByteArray()).string(st.config()).toByteArray();
  }

  private static void tdxEvents(Scale.Writer w, List<TdxEvent> events) {
    w.compact(events.size());
    for (TdxEvent e : events) {
      w.u32(e.imr()).u32(e.eventType()).vec(e.digest().toByteArray()).string(e.event());
      w.vec(e.eventPayload().toByteArray());
    }
  }

  private static void tpmQuote(Scale.Writer w, TpmQuote q) {
    w.vec(q.message().toByteArray()).vec(q.signature().toByteArray()).compact(q.pcrValues().size());
    for (TpmQuote.PcrValue v : q.pcrValues()) {
      w.u32(v.index()).string(v.algorithm()).vec(v.value().toByteArray());
    }
    w.vec(q.akCert().toByteArray()).u8(q.platform().ordinal()).compact(q.eventLog().size());
    for (TpmQuote.PcrEvent e : q.eventLog()) {
      w.u32(e.pcrIndex()).vec(e.digest().toByteArray());
    }
  }
}
