package org.attest4j.ratls.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.LogSafe;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsReason;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.TdxEvent;
import org.attest4j.ratls.TpmQuote;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * V1: dstack's attestation as rmp-serde writes it ({@code to_vec_named}; spec dstack-ratls §3.4).
 * Structs are maps keyed by field name, enums {@code {"kind", "data"}}. Plain {@code Vec<u8>} fields
 * are arrays of integers (a bin there is refused, as serde does); fields with dstack's bytes helper
 * are bin (an array of integers is also read). Keys may come in any order, unknown keys are skipped,
 * duplicates refused; encoding uses the shortest form of every header. Stateless; internal.
 */
public final class MsgpackCodec {
  private MsgpackCodec() {}

  /**
   * Decodes a whole V1 attestation; trailing bytes are refused.
   *
   * @param data the attestation bytes (first byte a map header)
   * @return the attestation
   * @throws MalformedEvidenceException when the bytes are not a V1 attestation
   */
  public static Attestation decode(byte[] data) throws MalformedEvidenceException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(data)) {
      In in = new In(data, u, 0);
      Attestation a = in.attestation();
      if (u.hasNext()) {
        throw new MalformedEvidenceException(
            RatlsReason.TRAILING_BYTES,
            "V1 attestation: " + (data.length - u.getTotalReadBytes())
                + " bytes follow the end of the MessagePack map");
      }
      return a;
    } catch (MessagePackException | IOException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING,
          "V1 attestation is not well-formed MessagePack: " + e.getClass().getSimpleName());
    }
  }

  /** One decode of an attestation. */
  private static final class In extends MsgpackReader {
    In(byte[] data, MessageUnpacker u, int start) {
      super("V1 attestation", data, u, start);
    }

    Attestation attestation() throws IOException, MalformedEvidenceException {
      int n = mapHeader("attestation");
      Set<String> seen = new HashSet<>();
      Long version = null;
      PlatformEvidence platform = null;
      StackEvidence stack = null;
      for (int i = 0; i < n; i++) {
        switch (key("attestation", seen)) {
          case "version":
            version = uint("version", Long.MAX_VALUE);
            if (version != Attestation.VERSION) {
              throw new MalformedEvidenceException(
                  RatlsReason.UNSUPPORTED_VERSION,
                  "unsupported attestation version " + version + " (only 1 is defined)");
            }
            break;
          case "platform":
            platform = platform();
            break;
          case "stack":
            stack = stack();
            break;
          default:
            u.skipValue();
        }
      }
      required(version, "version");
      return new Attestation(required(platform, "platform"), required(stack, "stack"));
    }

    /** An adjacently tagged enum: returns the kind and leaves the cursor at "data" or fails. */
    private PlatformEvidence platform() throws IOException, MalformedEvidenceException {
      int n = mapHeader("platform");
      Set<String> seen = new HashSet<>();
      String kind = null;
      PlatformEvidence value = null;
      int dataAt = -1;
      for (int i = 0; i < n; i++) {
        switch (key("platform", seen)) {
          case "kind":
            kind = str("platform.kind");
            break;
          case "data":
            if (kind == null) {
              dataAt = offset(); // serde accepts "data" before "kind": decode it once kind is known
              u.skipValue();
            } else {
              value = platformData(kind);
            }
            break;
          default:
            u.skipValue();
        }
      }
      required(kind, "platform.kind");
      if (value == null && dataAt >= 0) {
        try (MessageUnpacker sub =
            MessagePack.newDefaultUnpacker(data, dataAt, data.length - dataAt)) {
          value = new In(data, sub, dataAt).platformData(kind);
        }
      }
      return required(value, "platform.data");
    }

    private PlatformEvidence platformData(String kind)
        throws IOException, MalformedEvidenceException {
      String where = "platform.data (" + LogSafe.of(kind) + ")";
      int n = mapHeader(where);
      Set<String> seen = new HashSet<>();
      Bytes quote = null;
      List<TdxEvent> log = null;
      TpmQuote tpm = null;
      Bytes doc = null;
      List<Bytes> chain = null;
      String mrConfig = null;
      for (int i = 0; i < n; i++) {
        String k = key(where, seen);
        switch (kind + "/" + k) {
          case "tdx/quote":
          case "gcp-tdx/quote":
          case "sev-snp/report":
            quote = seq(k);
            break;
          case "tdx/event_log":
          case "gcp-tdx/event_log":
            log = tdxEvents();
            break;
          case "gcp-tdx/tpm_quote":
            tpm = tpmQuote();
            break;
          case "nitro-enclave/nsm_quote":
          case "aws-nitro-tpm/attestation_doc":
            doc = seq(k);
            break;
          case "sev-snp/cert_chain": {
            int m = arrayHeader("cert_chain");
            chain = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
              chain.add(seq("cert_chain[" + j + "]"));
            }
            break;
          }
          case "sev-snp/mr_config":
            mrConfig = str("mr_config");
            break;
          default:
            u.skipValue();
        }
      }
      switch (kind) {
        case "tdx":
          return new PlatformEvidence.Tdx(required(quote, "quote"), required(log, "event_log"));
        case "gcp-tdx":
          return new PlatformEvidence.GcpTdx(
              required(quote, "quote"), required(log, "event_log"), required(tpm, "tpm_quote"));
        case "nitro-enclave":
          return new PlatformEvidence.NitroEnclave(required(doc, "nsm_quote"));
        case "aws-nitro-tpm":
          return new PlatformEvidence.AwsNitroTpm(required(doc, "attestation_doc"));
        case "sev-snp":
          return new PlatformEvidence.SevSnp(
              required(quote, "report"), required(chain, "cert_chain"),
              required(mrConfig, "mr_config"));
        default:
          throw bad("platform.kind", "\"" + LogSafe.of(kind) + "\" is not one of tdx, gcp-tdx,"
              + " nitro-enclave, aws-nitro-tpm, sev-snp");
      }
    }

    private List<TdxEvent> tdxEvents() throws IOException, MalformedEvidenceException {
      int n = arrayHeader("event_log");
      List<TdxEvent> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String where = "event_log[" + i + "]";
        int m = mapHeader(where);
        Set<String> seen = new HashSet<>();
        Long imr = null;
        Long type = null;
        Bytes digest = Bytes.empty();
        String event = null;
        Bytes payload = null;
        int version = 1;
        String preimage = null;
        for (int j = 0; j < m; j++) {
          switch (key(where, seen)) {
            case "imr":
              imr = uint(where + ".imr", 0xffffffffL);
              break;
            case "event_type":
              type = uint(where + ".event_type", 0xffffffffL);
              break;
            case "digest":
              digest = bin(where + ".digest");
              break;
            case "event":
              event = str(where + ".event");
              break;
            case "event_payload":
              payload = bin(where + ".event_payload");
              break;
            case "version":
              version = eventVersion(where);
              break;
            case "preimage":
              if (next(where + ".preimage") == ValueType.NIL) {
                u.unpackNil();
              } else {
                preimage = str(where + ".preimage");
              }
              break;
            default:
              u.skipValue();
          }
        }
        out.add(new TdxEvent(
            required(imr, where + ".imr"), required(type, where + ".event_type"), digest,
            required(event, where + ".event"), required(payload, where + ".event_payload"),
            version, Optional.ofNullable(preimage)));
      }
      return out;
    }

    private int eventVersion(String where) throws IOException, MalformedEvidenceException {
      long v = uint(where + ".version", Long.MAX_VALUE);
      if (v != 1 && v != 2) {
        throw bad(where + ".version", "= " + v + " (1 or 2)");
      }
      return (int) v;
    }

    private TpmQuote tpmQuote() throws IOException, MalformedEvidenceException {
      int n = mapHeader("tpm_quote");
      Set<String> seen = new HashSet<>();
      Bytes message = null;
      Bytes signature = null;
      List<TpmQuote.PcrValue> pcrs = null;
      Bytes akCert = null;
      TpmQuote.Platform platform = null;
      List<TpmQuote.PcrEvent> log = null;
      for (int i = 0; i < n; i++) {
        switch (key("tpm_quote", seen)) {
          case "message":
            message = bin("tpm_quote.message");
            break;
          case "signature":
            signature = bin("tpm_quote.signature");
            break;
          case "pcr_values": {
            int m = arrayHeader("pcr_values");
            pcrs = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
              pcrs.add(pcrValue("pcr_values[" + j + "]"));
            }
            break;
          }
          case "ak_cert":
            akCert = bin("tpm_quote.ak_cert");
            break;
          case "platform":
            platform = tpmPlatform(str("tpm_quote.platform"));
            break;
          case "event_log": {
            int m = arrayHeader("tpm_quote.event_log");
            log = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
              log.add(pcrEvent("tpm_quote.event_log[" + j + "]"));
            }
            break;
          }
          default:
            u.skipValue();
        }
      }
      return new TpmQuote(
          required(message, "tpm_quote.message"), required(signature, "tpm_quote.signature"),
          required(pcrs, "tpm_quote.pcr_values"), required(akCert, "tpm_quote.ak_cert"),
          required(platform, "tpm_quote.platform"), required(log, "tpm_quote.event_log"));
    }

    private TpmQuote.Platform tpmPlatform(String name) throws MalformedEvidenceException {
      for (TpmQuote.Platform p : TpmQuote.Platform.values()) {
        if (p.wireName().equals(name)) {
          return p;
        }
      }
      throw bad("tpm_quote.platform", "\"" + LogSafe.of(name)
          + "\" is not one of dstack, gcp, nitroenclave, aws-ec2");
    }

    private TpmQuote.PcrValue pcrValue(String where)
        throws IOException, MalformedEvidenceException {
      int n = mapHeader(where);
      Set<String> seen = new HashSet<>();
      Long index = null;
      String alg = null;
      Bytes value = null;
      for (int i = 0; i < n; i++) {
        switch (key(where, seen)) {
          case "index":
            index = uint(where + ".index", 0xffffffffL);
            break;
          case "algorithm":
            alg = str(where + ".algorithm");
            break;
          case "value":
            value = bin(where + ".value");
            break;
          default:
            u.skipValue();
        }
      }
      return new TpmQuote.PcrValue(
          required(index, where + ".index"), required(alg, where + ".algorithm"),
          required(value, where + ".value"));
    }

    private TpmQuote.PcrEvent pcrEvent(String where)
        throws IOException, MalformedEvidenceException {
      int n = mapHeader(where);
      Set<String> seen = new HashSet<>();
      Long index = null;
      Bytes digest = null;
      for (int i = 0; i < n; i++) {
        switch (key(where, seen)) {
          case "pcr_index":
            index = uint(where + ".pcr_index", 0xffffffffL);
            break;
          case "digest":
            digest = bin(where + ".digest");
            break;
          default:
            u.skipValue();
        }
      }
      return new TpmQuote.PcrEvent(
          required(index, where + ".pcr_index"), required(digest, where + ".digest"));
    }

    private StackEvidence stack() throws IOException, MalformedEvidenceException {
      int n = mapHeader("stack");
      Set<String> seen = new HashSet<>();
      String kind = null;
      StackEvidence value = null;
      int dataAt = -1;
      for (int i = 0; i < n; i++) {
        switch (key("stack", seen)) {
          case "kind":
            kind = str("stack.kind");
            break;
          case "data":
            if (kind == null) {
              dataAt = offset(); // serde accepts "data" before "kind": decode it once kind is known
              u.skipValue();
            } else {
              value = stackData(kind);
            }
            break;
          default:
            u.skipValue();
        }
      }
      required(kind, "stack.kind");
      if (value == null && dataAt >= 0) {
        try (MessageUnpacker sub =
            MessagePack.newDefaultUnpacker(data, dataAt, data.length - dataAt)) {
          value = new In(data, sub, dataAt).stackData(kind);
        }
      }
      return required(value, "stack.data");
    }

    private StackEvidence stackData(String kind) throws IOException, MalformedEvidenceException {
      if (!kind.equals("dstack") && !kind.equals("dstack-pod")) {
        throw bad("stack.kind", "\"" + LogSafe.of(kind) + "\" is not dstack or dstack-pod");
      }
      int n = mapHeader("stack.data");
      Set<String> seen = new HashSet<>();
      Bytes reportData = null;
      List<RuntimeEvent> events = null;
      String config = null;
      String payload = null;
      for (int i = 0; i < n; i++) {
        String k = key("stack.data", seen);
        switch (k) {
          case "report_data":
            reportData = seq("stack.report_data");
            break;
          case "runtime_events":
            events = runtimeEvents();
            break;
          case "config":
            config = str("stack.config");
            break;
          case "report_data_payload":
            if (kind.equals("dstack-pod")) {
              payload = str("stack.report_data_payload");
              break;
            }
            u.skipValue();
            break;
          default:
            u.skipValue();
        }
      }
      if (kind.equals("dstack")) {
        return new StackEvidence.Dstack(
            required(reportData, "stack.report_data"), required(events, "stack.runtime_events"),
            required(config, "stack.config"));
      }
      return new StackEvidence.DstackPod(
          required(reportData, "stack.report_data"), required(events, "stack.runtime_events"),
          required(config, "stack.config"), required(payload, "stack.report_data_payload"));
    }

    private List<RuntimeEvent> runtimeEvents() throws IOException, MalformedEvidenceException {
      int n = arrayHeader("runtime_events");
      List<RuntimeEvent> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String where = "runtime_events[" + i + "]";
        int m = mapHeader(where);
        Set<String> seen = new HashSet<>();
        String event = null;
        Bytes payload = null;
        int version = 1;
        for (int j = 0; j < m; j++) {
          switch (key(where, seen)) {
            case "event":
              event = str(where + ".event");
              break;
            case "payload":
              payload = bin(where + ".payload");
              break;
            case "version":
              version = eventVersion(where);
              break;
            default:
              u.skipValue();
          }
        }
        out.add(new RuntimeEvent(
            required(event, where + ".event"), required(payload, where + ".payload"), version));
      }
      return out;
    }
  }

  /**
   * Encodes an attestation as V1 (shortest headers, fields in declaration order, optional fields
   * only when they differ from their defaults), byte for byte as rmp-serde.
   *
   * @param a the attestation
   * @return the V1 bytes
   */
  public static byte[] encode(Attestation a) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(3);
      p.packString("version").packInt(Attestation.VERSION);
      p.packString("platform");
      platform(p, a.platform());
      p.packString("stack");
      stack(p, a.stack());
      p.flush();
      return p.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory MessagePack encoding failed", e);
    }
  }

  private static void tagged(MessagePacker p, String kind, int fields) throws IOException {
    p.packMapHeader(2).packString("kind").packString(kind).packString("data");
    p.packMapHeader(fields);
  }

  private static void platform(MessagePacker p, PlatformEvidence e) throws IOException {
    if (e instanceof PlatformEvidence.Tdx) {
      PlatformEvidence.Tdx t = (PlatformEvidence.Tdx) e;
      tagged(p, t.kind(), 2);
      seq(p.packString("quote"), t.quote());
      tdxEvents(p.packString("event_log"), t.eventLog());
    } else if (e instanceof PlatformEvidence.GcpTdx) {
      PlatformEvidence.GcpTdx g = (PlatformEvidence.GcpTdx) e;
      tagged(p, g.kind(), 3);
      seq(p.packString("quote"), g.quote());
      tdxEvents(p.packString("event_log"), g.eventLog());
      tpmQuote(p.packString("tpm_quote"), g.tpmQuote());
    } else if (e instanceof PlatformEvidence.NitroEnclave) {
      tagged(p, e.kind(), 1);
      seq(p.packString("nsm_quote"), ((PlatformEvidence.NitroEnclave) e).nsmQuote());
    } else if (e instanceof PlatformEvidence.AwsNitroTpm) {
      tagged(p, e.kind(), 1);
      seq(p.packString("attestation_doc"), ((PlatformEvidence.AwsNitroTpm) e).attestationDoc());
    } else {
      PlatformEvidence.SevSnp s = (PlatformEvidence.SevSnp) e;
      tagged(p, s.kind(), 3);
      seq(p.packString("report"), s.report());
      p.packString("cert_chain").packArrayHeader(s.certChain().size());
      for (Bytes c : s.certChain()) {
        seq(p, c);
      }
      p.packString("mr_config").packString(s.mrConfig());
    }
  }

  private static void seq(MessagePacker p, Bytes b) throws IOException {
    p.packArrayHeader(b.length());
    for (int i = 0; i < b.length(); i++) {
      p.packInt(b.get(i) & 0xff);
    }
  }

  /** Writes a bin with the shortest header (shared by the AppInfo encoder). */
  static void bin(MessagePacker p, Bytes b) throws IOException {
    byte[] v = b.toByteArray();
    p.packBinaryHeader(v.length).writePayload(v);
  }

  private static void tdxEvents(MessagePacker p, List<TdxEvent> events) throws IOException {
    p.packArrayHeader(events.size());
    for (TdxEvent e : events) {
      int fields = 5 + (e.version() != 1 ? 1 : 0) + (e.preimage().isPresent() ? 1 : 0);
      p.packMapHeader(fields);
      p.packString("imr").packLong(e.imr());
      p.packString("event_type").packLong(e.eventType());
      bin(p.packString("digest"), e.digest());
      p.packString("event").packString(e.event());
      bin(p.packString("event_payload"), e.eventPayload());
      if (e.version() != 1) {
        p.packString("version").packInt(e.version());
      }
      if (e.preimage().isPresent()) {
        p.packString("preimage").packString(e.preimage().get());
      }
    }
  }

  private static void tpmQuote(MessagePacker p, TpmQuote q) throws IOException {
    p.packMapHeader(6);
    bin(p.packString("message"), q.message());
    bin(p.packString("signature"), q.signature());
    p.packString("pcr_values").packArrayHeader(q.pcrValues().size());
    for (TpmQuote.PcrValue v : q.pcrValues()) {
      p.packMapHeader(3).packString("index").packLong(v.index());
      p.packString("algorithm").packString(v.algorithm());
      bin(p.packString("value"), v.value());
    }
    bin(p.packString("ak_cert"), q.akCert());
    p.packString("platform").packString(q.platform().wireName());
    p.packString("event_log").packArrayHeader(q.eventLog().size());
    for (TpmQuote.PcrEvent ev : q.eventLog()) {
      p.packMapHeader(2).packString("pcr_index").packLong(ev.pcrIndex());
      bin(p.packString("digest"), ev.digest());
    }
  }

  private static void stack(MessagePacker p, StackEvidence s) throws IOException {
    boolean pod = s instanceof StackEvidence.DstackPod;
    tagged(p, s.kind(), pod ? 4 : 3);
    seq(p.packString("report_data"), s.reportData());
    p.packString("runtime_events").packArrayHeader(s.runtimeEvents().size());
    for (RuntimeEvent e : s.runtimeEvents()) {
      p.packMapHeader(e.version() != 1 ? 3 : 2);
      p.packString("event").packString(e.event());
      bin(p.packString("payload"), e.payload());
      if (e.version() != 1) {
        p.packString("version").packInt(e.version());
      }
    }
    p.packString("config").packString(s.config());
    if (pod) {
      p.packString("report_data_payload")
          .packString(((StackEvidence.DstackPod) s).reportDataPayload());
    }
  }
}
