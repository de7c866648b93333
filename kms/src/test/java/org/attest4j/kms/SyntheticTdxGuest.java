package org.attest4j.kms;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.attest4j.core.Bytes;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;

/**
 * A simulated Intel TDX guest for end-to-end key-release tests, on the tdx module's public test
 * platform {@link SimulatedTdxPlatform} (synthetic Intel-shaped PKI and collateral, trusted only
 * through its own anchor): every quote carries fixed MRTD and RTMR0-2 (the pinned image), RTMR3 the
 * replay of a dstack runtime event log and the guest's report_data.
 */
final class SyntheticTdxGuest {
  private static final Instant NOW = Instant.parse("2026-01-15T12:00:00Z");
  private static final byte[] MR_TD = filled(0x7d);

  private final SimulatedTdxPlatform platform = SimulatedTdxPlatform.builder().now(NOW).build();

  private static byte[] filled(int v) {
    byte[] b = new byte[48];
    Arrays.fill(b, (byte) v);
    return b;
  }

  private static byte[] rtmr(int i) {
    return filled(0x10 + i);
  }

  /** The instant the simulated collateral and certificates are valid at. */
  Clock clock() {
    return platform.clockInsideValidity();
  }

  /** A verifier that trusts the simulated platform's root (and not Intel's). */
  TdxVerifier verifier() {
    return platform.verifier(clock());
  }

  /** Collateral signed by the simulated PKI. */
  TdxCollateral collateral() {
    return platform.collateral();
  }

  /** The image whose MRTD and RTMR0-2 every quote carries. */
  TdxPinnedImage pinnedImage(Bytes osImageHash) {
    return new TdxPinnedImage(osImageHash, Bytes.of(MR_TD), Bytes.of(rtmr(0)), Bytes.of(rtmr(1)), Bytes.of(rtmr(2)));
  }

  /** A quote with this RTMR3 and report_data, validly signed. */
  byte[] quote(Bytes rtmr3, byte[] reportData) {
    return quote(rtmr3, reportData, q -> q);
  }

  /** A quote with this RTMR3 and report_data, validly signed, after {@code tweak} set other fields. */
  byte[] quote(Bytes rtmr3, byte[] reportData, UnaryOperator<SimulatedTdxPlatform.QuoteBuilder> tweak) {
    if (rtmr3.length() != 48 || reportData.length != 64) {
      throw new IllegalArgumentException("RTMR3 is 48 bytes and report_data 64");
    }
    return tweak.apply(platform.quoteBuilder()
        .mrTd(MR_TD)
        .rtmr(0, rtmr(0))
        .rtmr(1, rtmr(1))
        .rtmr(2, rtmr(2))
        .rtmr(3, rtmr3.toByteArray())
        .reportData(reportData))
        .build();
  }

  /** dstack runtime events, in order, as name and payload. */
  static final class Events {
    final List<DstackRuntimeEvent> events = new ArrayList<>();

    Events add(String name, Bytes payload) {
      events.add(DstackRuntimeEvent.of(name, payload));
      return this;
    }

    Events add(String name, String utf8) {
      return add(name, Bytes.of(utf8.getBytes(StandardCharsets.UTF_8)));
    }

    /** The RTMR3 the events replay to. */
    Bytes rtmr3() {
      return DstackRuntimeEvent.replay(events);
    }

    /** The dstack JSON event log (runtime events only). */
    byte[] json() {
      JsonArray a = new JsonArray();
      for (DstackRuntimeEvent e : events) {
        JsonObject o = new JsonObject();
        o.addProperty("imr", 3);
        o.addProperty("event_type", DstackRuntimeEvent.EVENT_TYPE);
        o.addProperty("digest", e.digest().toHex());
        o.addProperty("event", e.name());
        o.addProperty("event_payload", e.payload().toHex());
        a.add(o);
      }
      return a.toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** dstack's standard sequence for an app, with this key-provider payload and the system-ready marker. */
  static Events dstackEvents(Bytes appId, Bytes composeHash, Bytes instanceId, String keyProviderJson) {
    return new Events()
        .add("system-preparing", Bytes.empty())
        .add("app-id", appId)
        .add("compose-hash", composeHash)
        .add("instance-id", instanceId)
        .add(DstackRuntimeEvent.BOOT_MR_DONE, Bytes.empty())
        .add("key-provider", keyProviderJson)
        .add(DstackRuntimeEvent.SYSTEM_READY, Bytes.empty());
  }
}
