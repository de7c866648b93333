package org.attest4j.kms;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxVerifier;

/**
 * A synthetic Intel TDX guest for end-to-end key-release tests: it takes the tdx module's test
 * generator {@code org.attest4j.tdx.SyntheticTdx} (synthetic Intel-shaped PKI, collateral and a v4
 * quote, from the tdx test-jar), sets the quote's RTMR3 to the replay of a dstack runtime event log
 * and its report_data to the guest's, and re-signs the quote with the generator's attestation key.
 *
 * <p>SyntheticTdx is package-private in {@code org.attest4j.tdx}, a package the tdx module owns, so
 * it is reached by reflection (tests run on the class path, see the root pom's surefire
 * configuration). Its v4 quote layout is fixed: header 48 bytes, TD report body 584 bytes (RTMR3 at
 * 520, report_data at 568), signature length at 632, the attestation-key signature at 636.
 */
final class SyntheticTdxGuest {
  static final int RTMR3_OFFSET = 48 + 472;
  static final int REPORT_DATA_OFFSET = 48 + 520;
  static final int SIGNED_LENGTH = 632;
  static final int SIGNATURE_OFFSET = SIGNED_LENGTH + 4;

  private final Object generator;
  private final byte[] template;
  private final KeyPair attestationKey;
  private final Instant now;

  SyntheticTdxGuest() {
    try {
      Class<?> c = Class.forName("org.attest4j.tdx.SyntheticTdx");
      Constructor<?> ctor = c.getDeclaredConstructor();
      ctor.setAccessible(true);
      generator = ctor.newInstance();
      Method quote = c.getDeclaredMethod("quote");
      quote.setAccessible(true);
      template = (byte[]) quote.invoke(generator);
      Field ak = c.getDeclaredField("ak");
      ak.setAccessible(true);
      attestationKey = (KeyPair) ak.get(generator);
      Field n = c.getDeclaredField("now");
      n.setAccessible(true);
      now = (Instant) n.get(generator);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the tdx test-jar's SyntheticTdx is not usable: " + e, e);
    }
  }

  /** The instant the synthetic collateral and certificates are valid at. */
  Clock clock() {
    return Clock.fixed(now, ZoneOffset.UTC);
  }

  /** A verifier that trusts the synthetic Intel root. */
  TdxVerifier verifier() {
    try {
      // SyntheticTdx.verifier() pins its root with the package-private trustAnchorSpkiSha256ForTesting
      Method m = generator.getClass().getDeclaredMethod("verifier");
      m.setAccessible(true);
      return (TdxVerifier) m.invoke(generator);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collateral signed by the synthetic PKI. */
  TdxCollateral collateral() {
    try {
      Method m = generator.getClass().getDeclaredMethod("collateral");
      m.setAccessible(true);
      return (TdxCollateral) m.invoke(generator);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The image whose MRTD and RTMR0-2 the generator puts in every quote. */
  TdxPinnedImage pinnedImage(Bytes osImageHash) {
    return new TdxPinnedImage(
        osImageHash,
        Bytes.of(Arrays.copyOfRange(template, 48 + 136, 48 + 184)),
        Bytes.of(Arrays.copyOfRange(template, 48 + 328, 48 + 376)),
        Bytes.of(Arrays.copyOfRange(template, 48 + 376, 48 + 424)),
        Bytes.of(Arrays.copyOfRange(template, 48 + 424, 48 + 472)));
  }

  /** A quote with this RTMR3 and report_data, validly signed. */
  byte[] quote(Bytes rtmr3, byte[] reportData) {
    if (rtmr3.length() != 48 || reportData.length != 64) {
      throw new IllegalArgumentException("RTMR3 is 48 bytes and report_data 64");
    }
    byte[] q = template.clone();
    System.arraycopy(rtmr3.toByteArray(), 0, q, RTMR3_OFFSET, 48);
    System.arraycopy(reportData, 0, q, REPORT_DATA_OFFSET, 64);
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(attestationKey.getPrivate());
      s.update(q, 0, SIGNED_LENGTH);
      byte[] sig = s.sign();
      System.arraycopy(sig, 0, q, SIGNATURE_OFFSET, 64);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return q;
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
