package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.GuestAgent;
import org.attest4j.examples.agent.ReleasedKeys;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.examples.kms.KmsConfig;
import org.attest4j.examples.kms.KmsServer;
import org.attest4j.kms.KeyReleaseStep;
import org.attest4j.kms.StepTimings;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.snp.Product;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * The end-to-end key-release demo ({@code attest4j demo}): a KMS on loopback and a guest on a
 * simulated AMD SEV-SNP platform, with synthetic firmware, kernel and initrd generated in memory.
 * It shows the keys released (fingerprints only), then each refusal with its reason (a tampered
 * command line, a debug policy, a replayed nonce, another app's id, a tampered envelope, a platform
 * on firmware below the KMS's minimum TCB), and the
 * per-step timings of the KMS. Nothing is read from outside the repository; temporary files (the
 * KMS configuration and root keys) go to a temporary directory that is deleted at the end.
 *
 * <p>Stateless; {@link #run(PrintStream)} may be called from any thread.
 */
public final class KeyReleaseDemo {
  private static final HexFormat HEX = HexFormat.of();
  private static final int WARM_REQUESTS = 50;
  private static final int TAMPERED = 6;

  private KeyReleaseDemo() {}

  /**
   * Runs the demo, printing to {@code out}.
   *
   * @param out where to print
   * @return 0 when the keys were released and every tampered request was refused as expected, 1
   *     otherwise
   */
  public static int run(PrintStream out) {
    PrintWriter w = new PrintWriter(out, true);
    int code = run(w);
    w.flush();
    return code;
  }

  /**
   * Runs the demo, printing to {@code out} (for picocli's {@code spec.commandLine().getOut()}).
   *
   * @param out where to print
   * @return 0 when the keys were released and every tampered request was refused as expected, 1
   *     otherwise
   */
  public static int run(PrintWriter out) {
    long t0 = System.nanoTime();
    Path dir = null;
    // the demo prints what matters; keep the library's INFO logs (one line per refusal) off the console
    java.util.logging.Logger lib = java.util.logging.Logger.getLogger("org.attest4j");
    java.util.logging.Level saved = lib.getLevel();
    lib.setLevel(java.util.logging.Level.WARNING);
    try {
      dir = Files.createTempDirectory("attest4j-demo");
      return demo(out, dir, t0);
    } catch (Exception e) {
      out.println("demo failed: " + e);
      return 1;
    } finally {
      lib.setLevel(saved);
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  private static int demo(PrintWriter out, Path dir, long t0) throws Exception {
    out.println("attest4j demo: key release for a confidential VM on a SIMULATED AMD SEV-SNP platform");
    out.println("(simulated ARK/ASK/VCEK and synthetic boot images; no hardware, nothing real is trusted)");
    out.println();

    // ---- 1. the simulated platform and the synthetic boot images
    long t = System.nanoTime();
    SimulatedSnpPlatform platform = SimulatedSnpPlatform.create(Product.GENOA);
    byte[] ovmf = SyntheticImages.firmware();
    byte[] kernel = SyntheticImages.kernel(1 << 20);
    byte[] initrd = SyntheticImages.initrd(2 << 20);
    PreparedFirmware firmware = OvmfImage.parse(ovmf).prepare();
    String rootfs = hex(sha256("attest4j demo rootfs".getBytes(StandardCharsets.UTF_8)));
    String cmdline = "console=ttyS0 dstack.rootfs_hash=" + rootfs;
    out.printf(Locale.ROOT, "1. simulated Genoa platform (ARK, ASK, VCEK) and synthetic images: firmware %d KiB, "
        + "kernel %d KiB, initrd %d KiB   [%.0f ms]%n", ovmf.length / 1024, kernel.length / 1024, initrd.length / 1024, ms(t));

    // ---- 2. the KMS: a config file that pins the launch, root keys created on first start
    t = System.nanoTime();
    byte[] appId = sha256("demo app".getBytes(StandardCharsets.UTF_8));
    appId = Arrays.copyOf(appId, 20);
    byte[] composeHash = sha256("demo app-compose.json".getBytes(StandardCharsets.UTF_8));
    byte[] instanceId = Arrays.copyOf(sha256("demo instance".getBytes(StandardCharsets.UTF_8)), 20);
    TcbVersion floor = platform.tcb();
    KmsConfig config = writeConfig(dir, platform, ovmf, kernel, initrd, cmdline, appId, composeHash, false);
    List<KmsServer.Outcome> outcomes = new CopyOnWriteArrayList<>();
    try (KmsServer kms = KmsServer.start(config.buildService(Clock.systemUTC()), 0, 2, outcomes::add)) {
      KmsRootKeys roots = config.rootKeys();
      out.printf(Locale.ROOT, "2. KMS on %s/prpc/   [%.0f ms]%n", kms.baseUri(), ms(t));
      out.println("   root keys created in a temporary kms-keys/ directory; the config file pins:");
      out.println("     firmware digest " + abbrev(kms.service().launch().firmwareDigest().toHex())
          + ", kernel " + abbrev(hex(sha256(kernel))) + ", initrd " + abbrev(hex(sha256(initrd))));
      out.println("     command line \"" + cmdline.substring(0, 34) + "...\", vCPUs " + kms.service().launch().vcpuCounts()
          + " x " + kms.service().launch().vcpuTypes() + ", QEMU, guest features 0x1");
      out.println("     policy strict, minimum TCB " + floor + "; identity via HOST_DATA (MrConfigV3); KMS nonces;");
      out.println("     HPKE envelopes signed by the KMS");
      out.println("     authorization: allow-list (app " + abbrev(hex(appId)) + " with compose hash "
          + abbrev(hex(composeHash)) + ", TCB UpToDate)");
      out.println();

      // ---- 3. the honest guest
      MrConfigV3 mr =
          MrConfigV3.builder()
              .appId(Bytes.of(appId))
              .composeHash(Bytes.of(composeHash))
              .instanceId(Bytes.of(instanceId))
              .keyProvider(KeyProviderKind.KMS)
              .keyProviderId(roots.rootCaPublicKeySpki())
              .build();
      byte[] doc = mr.documentBytes();
      SimulatedGuest honest =
          SimulatedGuest.builder(platform).firmware(firmware).boot(kernel, initrd, cmdline).vcpus(2, "EPYC-v4")
              .hostData(mr.hostData()).build();
      GuestAgent agent = GuestAgent.create(kms.baseUri(), honest);
      t = System.nanoTime();
      ReleasedKeys keys = agent.requestKeys(doc, 2, "EPYC-v4");
      out.printf(Locale.ROOT, "3. guest (app %s, instance %s) launched with exactly the pinned artifacts, 2 x EPYC-v4%n",
          abbrev(hex(appId)), abbrev(hex(instanceId)));
      out.println("   MEASUREMENT " + abbrev(honest.measurement().toHex()) + ", HOST_DATA = MrConfigV3 digest "
          + abbrev(mr.hostData().toHex()));
      out.printf(Locale.ROOT, "   GetNonce -> report -> GetAppKeyAmd -> open HPKE envelope (KMS key = MrConfigV3 key_provider_id)"
          + "   [%.1f ms, first request]%n", ms(t));
      out.println("   keys released (SHA-256 fingerprints; the keys are never printed):");
      keys.fingerprints().forEach((k, v) -> out.printf(Locale.ROOT, "     %-15s %s%n", k, v));
      StepTimings first = outcomes.get(outcomes.size() - 1).release().timings();

      // warm-up to show steady-state per-step timings
      List<StepTimings> warm = new ArrayList<>();
      int before = outcomes.size();
      for (int i = 0; i < WARM_REQUESTS; i++) {
        agent.requestKeys(doc, 2, "EPYC-v4");
      }
      for (KmsServer.Outcome o : outcomes.subList(before, outcomes.size())) {
        if (o.release() != null) {
          warm.add(o.release().timings());
        }
      }
      out.println();

      // ---- 4. refusals
      out.println("4. tampered requests, each refused with its reason:");
      int failures = 0;

      SimulatedGuest tamperedCmdline =
          SimulatedGuest.builder(platform).firmware(firmware).boot(kernel, initrd, cmdline + " init=/bin/sh")
              .vcpus(2, "EPYC-v4").hostData(mr.hostData()).build();
      failures += expect(out, "a. tampered command line (\"... init=/bin/sh\")", "MEASUREMENT_MISMATCH",
          () -> GuestAgent.create(kms.baseUri(), tamperedCmdline).requestKeys(doc, 2, "EPYC-v4"));

      SimulatedGuest debug =
          SimulatedGuest.builder(platform).firmware(firmware).boot(kernel, initrd, cmdline).vcpus(2, "EPYC-v4")
              .hostData(mr.hostData()).debug(true).build();
      failures += expect(out, "b. debug policy (the host could read guest memory)", "policy.debug",
          () -> GuestAgent.create(kms.baseUri(), debug).requestKeys(doc, 2, "EPYC-v4"));

      GuestAgent.Prepared once = agent.prepare(doc, 2, "EPYC-v4");
      agent.send(once.request());
      failures += expect(out, "c. replayed nonce (the same request sent again)", "REPLAYED",
          () -> agent.send(once.request()));

      byte[] otherApp = Arrays.copyOf(sha256("someone else's app".getBytes(StandardCharsets.UTF_8)), 20);
      GuestAgent.Prepared steal = agent.prepare(doc, 2, "EPYC-v4");
      failures += expect(out, "d. another app's id (app " + abbrev(hex(otherApp)) + ")", "IDENTITY_MISMATCH",
          () -> agent.send(steal.request().toBuilder().setAppId(hex(otherApp)).build()));

      GuestAgent.Prepared p = agent.prepare(doc, 2, "EPYC-v4");
      AppKeyAmdResponse resp = agent.send(p.request());
      byte[] env = resp.getSealedKeys().toByteArray();
      env[env.length / 2] ^= 0x01;
      AppKeyAmdResponse tampered = resp.toBuilder().setSealedKeys(ByteString.copyFrom(env)).build();
      failures += expect(out, "e. tampered envelope (one bit flipped on the way back)", "CryptoReason",
          () -> agent.open(p, tampered, doc));

      TcbVersion older = TcbVersion.builder(Product.GENOA).bootloader(floor.bootloader()).tee(floor.tee())
          .snp(floor.snp() - 1).microcode(floor.microcode()).build();
      SimulatedGuest oldFirmware =
          SimulatedGuest.builder(platform.withTcb(older)).firmware(firmware).boot(kernel, initrd, cmdline)
              .vcpus(2, "EPYC-v4").hostData(mr.hostData()).build();
      failures += expect(out, "f. same chip on older firmware (SNP SVN " + older.snp() + ", a valid VCEK for it)", "TCB_TOO_LOW",
          () -> GuestAgent.create(kms.baseUri(), oldFirmware).requestKeys(doc, 2, "EPYC-v4"));
      out.println();

      // ---- 5. timings
      out.println("5. KMS per-step timings (server side, in-process; HTTP not included):");
      out.printf(Locale.ROOT, "   %-34s %12s %14s%n", "step", "first req.", "median of " + warm.size());
      for (KeyReleaseStep s : KeyReleaseStep.values()) {
        if (s == KeyReleaseStep.DECODE_REQUEST && first.nanos(s) == 0) {
          continue;
        }
        out.printf(Locale.ROOT, "   %d %-32s %9.3f ms %11.3f ms%n", s.number(), s.label(), first.nanos(s) / 1e6,
            median(warm, s) / 1e6);
      }
      out.printf(Locale.ROOT, "   %-34s %9.3f ms %11.3f ms%n", "total", first.total().toNanos() / 1e6, medianTotal(warm) / 1e6);
      out.println();
      out.printf(Locale.ROOT, "%s: keys released %d times, %d of %d tampered requests refused as expected, %.1f s in all%n",
          failures == 0 ? "OK" : "FAILED", 2 + WARM_REQUESTS + 1, TAMPERED - failures, TAMPERED, ms(t0) / 1000);
      out.flush();
      return failures == 0 ? 0 : 1;
    }
  }

  /**
   * Writes the demo's KMS configuration to {@code dir/kms.json} (the launch pinned to the given
   * artifacts on {@code platform}, strict policy, its TCB as the floor, HOST_DATA identity, HPKE
   * envelopes, the app allowed with its compose hash) and loads it.
   */
  static KmsConfig writeConfig(Path dir, SimulatedSnpPlatform platform, byte[] ovmf, byte[] kernel,
      byte[] initrd, String cmdline, byte[] appId, byte[] composeHash, boolean ratls)
      throws Exception {
    Files.write(dir.resolve("ovmf.fd"), ovmf);
    Files.write(dir.resolve("ark.pem"), pem(platform.arkDer()));
    Files.write(dir.resolve("cert_chain.pem"), platform.certChainPem());
    JsonObject cfg = new JsonObject();
    cfg.addProperty("port", 0);
    cfg.addProperty("key_dir", "kms-keys");
    JsonObject trust = new JsonObject();
    trust.addProperty("amd_roots", false);
    JsonArray anchors = new JsonArray();
    JsonObject anchor = new JsonObject();
    anchor.addProperty("product", "Genoa");
    anchor.addProperty("ark_pem", "ark.pem");
    anchors.add(anchor);
    trust.add("anchors", anchors);
    cfg.add("trust", trust);
    JsonObject endorsements = new JsonObject();
    endorsements.addProperty("cert_chain", "cert_chain.pem");
    cfg.add("endorsements", endorsements);
    JsonObject launch = new JsonObject();
    launch.addProperty("ovmf", "ovmf.fd");
    launch.addProperty("kernel_sha256", hex(sha256(kernel)));
    launch.addProperty("initrd_sha256", hex(sha256(initrd)));
    launch.addProperty("cmdline", cmdline);
    JsonArray vcpus = new JsonArray();
    vcpus.add(2);
    vcpus.add(4);
    launch.add("vcpus", vcpus);
    JsonArray types = new JsonArray();
    types.add("EPYC-v4");
    launch.add("vcpu_types", types);
    launch.addProperty("vmm", "QEMU");
    launch.addProperty("guest_features", 1);
    cfg.add("launch", launch);
    cfg.addProperty("policy", "strict");
    // the TCB floor: the simulated platform's current TCB (a real KMS takes it from AMD's bulletins)
    TcbVersion floor = platform.tcb();
    JsonObject minTcb = new JsonObject();
    JsonObject genoa = new JsonObject();
    genoa.addProperty("bootloader", floor.bootloader());
    genoa.addProperty("tee", floor.tee());
    genoa.addProperty("snp", floor.snp());
    genoa.addProperty("microcode", floor.microcode());
    minTcb.add("Genoa", genoa);
    cfg.add("min_tcb", minTcb);
    cfg.addProperty("identity_binding", "host_data");
    cfg.addProperty("freshness", "kms_nonce");
    JsonArray envs = new JsonArray();
    envs.add("hpke");
    cfg.add("envelopes", envs);
    // the allow-list needs the OS image hash, which the KMS derives from the pins: fill it in below
    if (ratls) {
      cfg.addProperty("ratls", true);
      // every simulated guest of the demo connects from 127.0.0.1, and the JDK 17 HttpClient of each
      // (one per client certificate; it cannot be closed) keeps its connection open until the
      // server's idle timeout: the demo's timed GetAppKey calls alone hold 20; pinned here (it is
      // also the per-client default) so that a lower default does not break the demo
      JsonObject http = new JsonObject();
      http.addProperty("max_connections_per_client", 256);
      cfg.add("http", http);
    }
    Path cfgFile = dir.resolve("kms.json");
    KmsConfig probe = KmsConfig.parse(withAllow(cfg, "00".repeat(32), appId, composeHash).toString(), dir);
    String osImage = probe.buildService(Clock.systemUTC()).launch().osImageHash().toHex();
    Files.writeString(cfgFile, new GsonBuilder().setPrettyPrinting().create().toJson(withAllow(cfg, osImage, appId, composeHash)));
    return KmsConfig.load(cfgFile);

  }

  private static JsonObject withAllow(JsonObject cfg, String osImage, byte[] appId, byte[] composeHash) {
    JsonObject c = cfg.deepCopy();
    JsonObject allow = new JsonObject();
    JsonArray images = new JsonArray();
    images.add(osImage);
    allow.add("osImages", images);
    allow.addProperty("gatewayAppId", "demo-gateway");
    JsonObject apps = new JsonObject();
    JsonObject rule = new JsonObject();
    JsonArray hashes = new JsonArray();
    hashes.add(hex(composeHash));
    rule.add("composeHashes", hashes);
    rule.add("devices", new JsonArray());
    rule.addProperty("allowAnyDevice", true);
    apps.add(hex(appId), rule);
    allow.add("apps", apps);
    JsonObject auth = new JsonObject();
    auth.add("allow", allow);
    c.add("auth", auth);
    return c;
  }

  @FunctionalInterface
  private interface Attempt {
    Object run() throws Exception;
  }

  private static int expect(PrintWriter out, String what, String expected, Attempt attempt) {
    out.println("   " + what);
    try {
      attempt.run();
      out.println("      NOT REFUSED (unexpected)");
      return 1;
    } catch (AgentException e) {
      String where = e.status() == 0 ? "refused by the guest" : "HTTP " + e.status() + ", step " + e.step();
      out.println("      -> " + where + ", " + e.reason());
      out.println("         " + wrap(e.getMessage()));
      boolean ok = e.reason().contains(expected) || e.getMessage().contains(expected);
      if (!ok) {
        out.println("      (expected " + expected + ")");
      }
      return ok ? 0 : 1;
    } catch (Exception e) {
      out.println("      -> unexpected " + e);
      return 1;
    }
  }

  private static String wrap(String s) {
    return s.length() <= 220 ? s : s.substring(0, 217) + "...";
  }

  private static long median(List<StepTimings> l, KeyReleaseStep s) {
    if (l.isEmpty()) {
      return 0;
    }
    long[] v = l.stream().mapToLong(x -> x.nanos(s)).sorted().toArray();
    return v[v.length / 2];
  }

  private static long medianTotal(List<StepTimings> l) {
    if (l.isEmpty()) {
      return 0;
    }
    long[] v = l.stream().mapToLong(x -> x.total().toNanos()).sorted().toArray();
    return v[v.length / 2];
  }

  private static byte[] pem(byte[] der) {
    return ("-----BEGIN CERTIFICATE-----\n"
            + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END CERTIFICATE-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  static String abbrev(String hex) {
    return hex.length() <= 16 ? hex : hex.substring(0, 8) + "..." + hex.substring(hex.length() - 4);
  }

  static double ms(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  /**
   * Runs the demo on standard output.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    System.exit(run(System.out));
  }
}
