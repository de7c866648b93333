package org.attest4j.ratls;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.List;
import org.attest4j.core.Bytes;

/**
 * Renders an {@link Attestation} as JSON in the V1 shape ({@code {"version", "platform": {"kind",
 * "data"}, "stack": {"kind", "data"}}}, snake_case field names, byte strings as lowercase hex, event
 * versions always present, an absent preimage as null): the view of the vectors' {@code
 * decoded/*.json} and of {@code attest4j ratls decode}. Stateless and thread-safe.
 */
public final class AttestationJson {
  private AttestationJson() {}

  /**
   * The JSON text, pretty-printed.
   *
   * @param attestation the attestation
   * @return JSON text
   */
  public static String render(Attestation attestation) {
    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create()
        .toJson(tree(attestation));
  }

  static JsonObject tree(Attestation a) {
    JsonObject o = new JsonObject();
    o.addProperty("version", Attestation.VERSION);
    o.add("platform", tagged(a.platform().kind(), platform(a.platform())));
    o.add("stack", tagged(a.stack().kind(), stack(a.stack())));
    return o;
  }

  private static JsonObject tagged(String kind, JsonObject data) {
    JsonObject o = new JsonObject();
    o.addProperty("kind", kind);
    o.add("data", data);
    return o;
  }

  private static JsonObject platform(PlatformEvidence p) {
    JsonObject d = new JsonObject();
    if (p instanceof PlatformEvidence.Tdx) {
      PlatformEvidence.Tdx t = (PlatformEvidence.Tdx) p;
      d.addProperty("quote", t.quote().toHex());
      d.add("event_log", events(t.eventLog()));
    } else if (p instanceof PlatformEvidence.GcpTdx) {
      PlatformEvidence.GcpTdx g = (PlatformEvidence.GcpTdx) p;
      d.addProperty("quote", g.quote().toHex());
      d.add("event_log", events(g.eventLog()));
      d.add("tpm_quote", tpm(g.tpmQuote()));
    } else if (p instanceof PlatformEvidence.NitroEnclave) {
      d.addProperty("nsm_quote", ((PlatformEvidence.NitroEnclave) p).nsmQuote().toHex());
    } else if (p instanceof PlatformEvidence.AwsNitroTpm) {
      d.addProperty("attestation_doc", ((PlatformEvidence.AwsNitroTpm) p).attestationDoc().toHex());
    } else {
      PlatformEvidence.SevSnp s = (PlatformEvidence.SevSnp) p;
      d.addProperty("report", s.report().toHex());
      JsonArray chain = new JsonArray();
      for (Bytes c : s.certChain()) {
        chain.add(c.toHex());
      }
      d.add("cert_chain", chain);
      d.addProperty("mr_config", s.mrConfig());
    }
    return d;
  }

  private static JsonArray events(List<TdxEvent> events) {
    JsonArray a = new JsonArray();
    for (TdxEvent e : events) {
      JsonObject o = new JsonObject();
      o.addProperty("imr", e.imr());
      o.addProperty("event_type", e.eventType());
      o.addProperty("digest", e.digest().toHex());
      o.addProperty("event", e.event());
      o.addProperty("event_payload", e.eventPayload().toHex());
      o.addProperty("version", e.version());
      if (e.preimage().isPresent()) {
        o.addProperty("preimage", e.preimage().get());
      } else {
        o.add("preimage", JsonNull.INSTANCE);
      }
      a.add(o);
    }
    return a;
  }

  private static JsonObject tpm(TpmQuote q) {
    JsonObject o = new JsonObject();
    o.addProperty("message", q.message().toHex());
    o.addProperty("signature", q.signature().toHex());
    JsonArray pcrs = new JsonArray();
    for (TpmQuote.PcrValue v : q.pcrValues()) {
      JsonObject p = new JsonObject();
      p.addProperty("index", v.index());
      p.addProperty("algorithm", v.algorithm());
      p.addProperty("value", v.value().toHex());
      pcrs.add(p);
    }
    o.add("pcr_values", pcrs);
    o.addProperty("ak_cert", q.akCert().toHex());
    o.addProperty("platform", q.platform().wireName());
    JsonArray log = new JsonArray();
    for (TpmQuote.PcrEvent e : q.eventLog()) {
      JsonObject p = new JsonObject();
      p.addProperty("pcr_index", e.pcrIndex());
      p.addProperty("digest", e.digest().toHex());
      log.add(p);
    }
    o.add("event_log", log);
    return o;
  }

  private static JsonObject stack(StackEvidence s) {
    JsonObject d = new JsonObject();
    d.addProperty("report_data", s.reportData().toHex());
    JsonArray events = new JsonArray();
    for (RuntimeEvent e : s.runtimeEvents()) {
      JsonObject o = new JsonObject();
      o.addProperty("event", e.event());
      o.addProperty("payload", e.payload().toHex());
      o.addProperty("version", e.version());
      events.add(o);
    }
    d.add("runtime_events", events);
    d.addProperty("config", s.config());
    if (s instanceof StackEvidence.DstackPod) {
      d.addProperty("report_data_payload", ((StackEvidence.DstackPod) s).reportDataPayload());
    }
    return d;
  }
}
