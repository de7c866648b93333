package org.attest4j.examples.agent;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RuntimeEvent;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;

/**
 * A dstack guest "booted" on a {@link SimulatedTdxPlatform} with the <strong>test-only</strong>
 * root ({@link SimulatedTdxPlatform.Builder#testOnlyRoot()}), <strong>for demos and tests</strong>:
 * the example TDX image (fixed MRTD and RTMR0-2, the {@link #osImageHash()} that {@code
 * examples/kms.example.json} pins under {@code tdx.images}) and dstack's runtime events, replayed
 * into RTMR3: {@code system-preparing}, {@code app-id}, {@code compose-hash}, {@code instance-id},
 * {@code boot-mr-done}, {@code key-provider} ({@code {"name":"kms","id":"<KMS root CA SPKI>"}})
 * and {@code system-ready}. {@link #attest(Bytes)} gives the attestation a dstack TDX guest puts in
 * its RA-TLS certificate: the quote for a report_data, the runtime events and its {@link
 * #vmConfig()}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SimulatedTdxGuest {
  private final SimulatedTdxPlatform platform;
  private final List<DstackRuntimeEvent> events;
  private final Bytes kmsSpki;

  private SimulatedTdxGuest(SimulatedTdxPlatform platform, List<DstackRuntimeEvent> events,
      Bytes kmsSpki) {
    this.platform = platform;
    this.events = List.copyOf(events);
    this.kmsSpki = kmsSpki;
  }

  /**
   * A guest of app {@code appId} (20 bytes) with {@code composeHash} (32) and {@code instanceId}
   * (20), whose measured key provider is the KMS with root CA key {@code kmsSpki}, on a fresh
   * test-only simulated platform.
   *
   * @param appId the app id
   * @param composeHash the compose hash
   * @param instanceId the instance id
   * @param kmsSpki the KMS root CA SubjectPublicKeyInfo (DER) the guest is deployed for
   * @return the guest
   */
  public static SimulatedTdxGuest boot(byte[] appId, byte[] composeHash, byte[] instanceId,
      Bytes kmsSpki) {
    Bytes kms = kmsSpki;
    JsonObject provider = new JsonObject();
    provider.addProperty("name", "kms");
    provider.addProperty("id", kms.toHex());
    List<DstackRuntimeEvent> ev = new ArrayList<>();
    ev.add(DstackRuntimeEvent.of("system-preparing", Bytes.empty()));
    ev.add(DstackRuntimeEvent.of("app-id", Bytes.of(appId)));
    ev.add(DstackRuntimeEvent.of("compose-hash", Bytes.of(composeHash)));
    ev.add(DstackRuntimeEvent.of("instance-id", Bytes.of(instanceId)));
    ev.add(DstackRuntimeEvent.of(DstackRuntimeEvent.BOOT_MR_DONE, Bytes.empty()));
    ev.add(DstackRuntimeEvent.of("key-provider",
        Bytes.of(provider.toString().getBytes(StandardCharsets.UTF_8))));
    ev.add(DstackRuntimeEvent.of(DstackRuntimeEvent.SYSTEM_READY, Bytes.empty()));
    return new SimulatedTdxGuest(SimulatedTdxPlatform.builder().testOnlyRoot().build(), ev, kms);
  }

  /**
   * The example TDX image's os_image_hash: SHA-256("attest4j example TDX image").
   *
   * @return 32 bytes
   */
  public static Bytes osImageHash() {
    return Bytes.of(digest("SHA-256", "attest4j example TDX image"));
  }

  /**
   * The example TDX image's MRTD: SHA-384("attest4j example TDX MRTD").
   *
   * @return 48 bytes
   */
  public static Bytes mrTd() {
    return Bytes.of(digest("SHA-384", "attest4j example TDX MRTD"));
  }

  /**
   * The example TDX image's RTMR0, RTMR1 or RTMR2: SHA-384("attest4j example TDX RTMR" + index).
   *
   * @param index 0, 1 or 2
   * @return 48 bytes
   */
  public static Bytes rtmr(int index) {
    Objects.checkIndex(index, 3);
    return Bytes.of(digest("SHA-384", "attest4j example TDX RTMR" + index));
  }

  /**
   * dstack's vm_config for the example image: {@code {"os_image_hash": "<hex>"}}.
   *
   * @return the JSON text
   */
  public static String vmConfig() {
    JsonObject o = new JsonObject();
    o.addProperty("os_image_hash", osImageHash().toHex());
    return o.toString();
  }

  /**
   * The KMS root CA key the guest's key-provider event names (the guest pins the KMS to it).
   *
   * @return the SubjectPublicKeyInfo DER
   */
  public Bytes kmsSpki() {
    return kmsSpki;
  }

  /**
   * The attestation for {@code reportData}: a quote of the simulated platform with the image's
   * MRTD and RTMR0-2, RTMR3 = the replay of the runtime events, and {@code reportData}; the stack
   * carries the same report_data, the runtime events and {@link #vmConfig()}.
   *
   * @param reportData 64 bytes
   * @return the attestation
   */
  public Attestation attest(Bytes reportData) {
    byte[] quote = platform.quoteBuilder()
        .mrTd(mrTd().toByteArray())
        .rtmr(0, rtmr(0).toByteArray())
        .rtmr(1, rtmr(1).toByteArray())
        .rtmr(2, rtmr(2).toByteArray())
        .rtmr(3, DstackRuntimeEvent.replay(events).toByteArray())
        .reportData(reportData.toByteArray())
        .build();
    List<RuntimeEvent> runtime = new ArrayList<>();
    for (DstackRuntimeEvent e : events) {
      runtime.add(RuntimeEvent.of(e.name(), e.payload()));
    }
    return new Attestation(new PlatformEvidence.Tdx(Bytes.of(quote), List.of()),
        new StackEvidence.Dstack(reportData, runtime, vmConfig()));
  }

  private static byte[] digest(String alg, String s) {
    try {
      return MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "SimulatedTdxGuest[test-only root, " + events.size() + " runtime events]";
  }
}
