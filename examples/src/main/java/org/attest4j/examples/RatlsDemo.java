package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.RatlsGuest;
import org.attest4j.examples.agent.ReleasedKeys;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SimulatedTdxGuest;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.examples.kms.KmsConfig;
import org.attest4j.examples.kms.KmsServer;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.tdx.testing.SimulatedTdxPlatform;

/**
 * The RA-TLS part of {@code attest4j demo} (spec dstack-ratls §5): the example KMS with {@code
 * "ratls": true} on loopback and a guest on a simulated SEV-SNP platform getting its keys the way
 * dstack guests do since dstack PR #703 ({@code GetTempCaCert} → RA-TLS client certificate →
 * {@code GetAppKey} over mutual TLS), with per-step timings, and a guest of the same app on a
 * simulated Intel TDX platform (test-only root) getting its keys the same way; then three refusals: a certificate
 * whose report_data does not bind its key, a report altered inside the attestation extension (a field only AMD's signature
 * covers) (and
 * re-signed with the temp CA key, which every guest has), and a guest presenting another app's
 * MrConfigV3. Key values are never printed; temporary files are deleted at the end.
 *
 * <p>Not thread-safe (it prints as it goes).
 */
final class RatlsDemo {
  private static final int WARM_REQUESTS = 20;
  private static final int VCPUS = 2;
  private static final String VCPU_TYPE = "EPYC-v4";

  private final PrintWriter out;

  RatlsDemo(PrintWriter out) {
    this.out = out;
  }

  /**
   * Runs every step.
   *
   * @return true when the keys were released and each refusal came as expected
   */
  boolean run() {
    Path dir = null;
    java.util.logging.Logger lib = java.util.logging.Logger.getLogger("org.attest4j");
    java.util.logging.Level saved = lib.getLevel();
    lib.setLevel(java.util.logging.Level.WARNING);
    try {
      dir = Files.createTempDirectory("attest4j-ratls-demo");
      return steps(dir);
    } catch (Exception e) {
      out.println("   UNEXPECTED FAILURE: " + e);
      return false;
    } finally {
      lib.setLevel(saved);
      out.flush();
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  private boolean steps(Path dir) throws Exception {
    long t = System.nanoTime();
    SimulatedSnpPlatform platform = SimulatedSnpPlatform.create(Product.GENOA);
    byte[] ovmf = SyntheticImages.firmware();
    byte[] kernel = SyntheticImages.kernel(64 * 1024);
    byte[] initrd = SyntheticImages.initrd(64 * 1024);
    PreparedFirmware firmware = OvmfImage.parse(ovmf).prepare();
    String cmdline = "console=ttyS0 dstack.rootfs_hash=" + "cd".repeat(32);
    byte[] appId = Arrays.copyOf(sha256("ratls demo app"), 20);
    byte[] composeHash = sha256("ratls demo app-compose.json");
    byte[] instanceId = Arrays.copyOf(sha256("ratls demo instance"), 20);
    KeyReleaseDemo.writeConfig(dir, platform, ovmf, kernel, initrd, cmdline, appId, composeHash, true);
    KmsConfig config = withTdx(dir);
    try (KmsServer kms = KmsServer.start(config, Clock.systemUTC())) {
      KmsRootKeys roots = config.rootKeys();
      out.printf(Locale.ROOT, "1. KMS with \"ratls\": true on %s (kms:rpc certificate from its root CA,"
          + " client certificates checked against its temp CA)   [%.0f ms]%n", kms.baseUri(), ms(t));
      out.println("   it pins the simulated Genoa launch (synthetic firmware, kernel, initrd, command line,"
          + " 2 x EPYC-v4) and allows app " + abbrev(hex(appId)));

      MrConfigV3 mr = MrConfigV3.builder().appId(Bytes.of(appId)).composeHash(Bytes.of(composeHash)).instanceId(Bytes.of(instanceId))
          .keyProvider(KeyProviderKind.KMS).keyProviderId(roots.rootCaPublicKeySpki()).build();
      byte[] doc = mr.documentBytes();
      SimulatedGuest guest = guest(platform, firmware, kernel, initrd, cmdline, mr.hostData());
      RatlsGuest ratls = RatlsGuest.create(kms.baseUri(), guest);
      String vmConfig = RatlsGuest.vmConfig(VCPUS, VCPU_TYPE);

      out.println();
      out.println("2. the guest (HOST_DATA = its MrConfigV3 digest, which names this KMS's root key):");
      long[] first = new long[4];
      RatlsGuest.TempCa ca = null;
      ReleasedKeys keys = null;
      long[][] warm = new long[4][WARM_REQUESTS];
      for (int i = 0; i <= WARM_REQUESTS; i++) {
        long[] n = new long[4];
        long a = System.nanoTime();
        ca = ratls.tempCa(doc);
        long b = System.nanoTime();
        KeyPair key = RatlsGuest.newKey();
        Attestation att = ratls.attest(RatlsReportData.forCertificateKey(key.getPublic().getEncoded()),
            doc, vmConfig);
        long c = System.nanoTime();
        byte[] cert = RatlsGuest.certificate(ca, key, att);
        long d = System.nanoTime();
        keys = ratls.getAppKey(ca, key, cert, vmConfig);
        long e = System.nanoTime();
        n[0] = b - a;
        n[1] = c - b;
        n[2] = d - c;
        n[3] = e - d;
        if (i == 0) {
          System.arraycopy(n, 0, first, 0, 4);
        } else {
          for (int s = 0; s < 4; s++) {
            warm[s][i - 1] = n[s];
          }
        }
      }
      String[] labels = {
        "GetTempCaCert (unchecked TLS) + root CA = MrConfigV3 key_provider_id",
        "fresh P-256 key + report (report_data = SHA-512(\"ratls-cert:\" || SPKI))",
        "client certificate from the temp CA (attestation in 1.3.6.1.4.1.62397.1.8)",
        "GetAppKey over mutual TLS (handshake, KMS checks, derivation)"
      };
      out.printf(Locale.ROOT, "   %-76s %11s %14s%n", "step", "first", "median of " + WARM_REQUESTS);
      long firstTotal = 0;
      long warmTotal = 0;
      for (int s = 0; s < 4; s++) {
        long[] v = warm[s].clone();
        Arrays.sort(v);
        firstTotal += first[s];
        warmTotal += v[v.length / 2];
        out.printf(Locale.ROOT, "   %d %-74s %8.1f ms %11.1f ms%n", s + 1, labels[s], first[s] / 1e6,
            v[v.length / 2] / 1e6);
      }
      out.printf(Locale.ROOT, "   %-76s %8.1f ms %11.1f ms%n", "total", firstTotal / 1e6, warmTotal / 1e6);
      AppKeys expected = AppKeyDeriver.of(roots).derive(Bytes.of(appId), Bytes.of(instanceId));
      boolean same = Arrays.equals(expected.diskCryptKey(), keys.diskCryptKey())
          && Arrays.equals(expected.envCryptKey(), keys.envCryptKey())
          && Arrays.equals(expected.k256Key(), keys.k256Key());
      out.println("   " + (same ? "OK: keys released over RA-TLS, equal to AppKeyDeriver's" : "WRONG KEYS")
          + " (SHA-256 fingerprints; the keys are never printed):");
      keys.fingerprints().forEach((k, v) -> out.printf(Locale.ROOT, "     %-15s %s%n", k, v));

      long tt = System.nanoTime();
      byte[] tdxInstance = Arrays.copyOf(sha256("ratls demo TDX instance"), 20);
      SimulatedTdxGuest tdx = SimulatedTdxGuest.boot(appId, composeHash, tdxInstance,
          roots.rootCaPublicKeySpki());
      ReleasedKeys tdxKeys = RatlsGuest.create(kms.baseUri())
          .requestKeys(tdx.kmsSpki(), SimulatedTdxGuest.vmConfig(), tdx::attest);
      AppKeys expectedTdx = AppKeyDeriver.of(roots).derive(Bytes.of(appId), Bytes.of(tdxInstance));
      boolean sameTdx = Arrays.equals(expectedTdx.diskCryptKey(), tdxKeys.diskCryptKey())
          && Arrays.equals(expectedTdx.envCryptKey(), tdxKeys.envCryptKey())
          && Arrays.equals(expectedTdx.k256Key(), tdxKeys.k256Key());
      out.printf(Locale.ROOT, "   a guest of the same app on a simulated Intel TDX platform (test-only root; quote,"
          + " runtime events and vm_config in the certificate; RTMR3 replayed, image pinned, key provider"
          + " = this KMS):%n   %s   [%.0f ms]%n", sameTdx
          ? "OK: TDX keys released over RA-TLS, equal to AppKeyDeriver's for its instance"
          : "WRONG TDX KEYS", ms(tt));
      same &= sameTdx;
      out.println();

      out.println("3. refusals:");
      RatlsGuest.TempCa tca = ca;
      RatlsVerifier kmsCheck = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
          .trustedCa(ca.tempCaCertificate()).build();
      int failures = 0;

      // a. the certificate's key is not the one the report binds
      KeyPair bound = RatlsGuest.newKey();
      KeyPair other = RatlsGuest.newKey();
      Attestation forBound = ratls.attest(
          RatlsReportData.forCertificateKey(bound.getPublic().getEncoded()), doc, vmConfig);
      byte[] unbound = RatlsGuest.certificate(ca, other, forBound);
      failures += expect("a. a certificate whose report_data binds another key", kmsCheck, unbound,
          RatlsVerifier.Stage.BINDING, () -> ratls.getAppKey(tca, other, unbound, vmConfig), null);

      // b. the report inside the extension altered, the certificate re-signed with the temp CA key
      KeyPair k2 = RatlsGuest.newKey();
      Attestation honest = ratls.attest(
          RatlsReportData.forCertificateKey(k2.getPublic().getEncoded()), doc, vmConfig);
      PlatformEvidence.SevSnp snp = (PlatformEvidence.SevSnp) honest.platform();
      byte[] report = snp.report().toByteArray();
      report[0x140] ^= 0x01; // one bit of REPORT_ID: a field only AMD's signature covers
      Attestation altered = new Attestation(
          new PlatformEvidence.SevSnp(Bytes.of(report), snp.certChain(), snp.mrConfig()),
          honest.stack());
      byte[] resigned = RatlsGuest.certificate(ca, k2, altered);
      failures += expect("b. a tampered attestation extension (one bit of the report's REPORT_ID flipped,"
              + " the certificate re-signed with the temp CA key every guest has)", kmsCheck, resigned,
          null, () -> ratls.getAppKey(tca, k2, resigned, vmConfig), "SIGNATURE");

      // c. a guest of another app presents this app's MrConfigV3
      byte[] otherApp = Arrays.copyOf(sha256("someone else's app"), 20);
      MrConfigV3 mine = MrConfigV3.builder().appId(Bytes.of(otherApp)).composeHash(Bytes.of(composeHash))
          .instanceId(Bytes.of(instanceId)).keyProvider(KeyProviderKind.KMS)
          .keyProviderId(roots.rootCaPublicKeySpki()).build();
      RatlsGuest thief = RatlsGuest.create(kms.baseUri(),
          guest(platform, firmware, kernel, initrd, cmdline, mine.hostData()));
      KeyPair k3 = RatlsGuest.newKey();
      byte[] stolen = RatlsGuest.certificate(ca, k3, thief.attest(
          RatlsReportData.forCertificateKey(k3.getPublic().getEncoded()), doc, vmConfig));
      failures += expect("c. another app's identity (a guest of app " + abbrev(hex(otherApp))
              + " presents app " + abbrev(hex(appId)) + "'s MrConfigV3)", kmsCheck, stolen,
          RatlsVerifier.Stage.EVIDENCE, () -> thief.getAppKey(tca, k3, stolen, vmConfig), null);
      out.println();
      boolean ok = same && failures == 0;
      out.println(ok ? "OK: keys released over RA-TLS; 3 of 3 forged certificates refused"
          : "FAILED: see above");
      return ok;
    }
  }

  @FunctionalInterface
  private interface Attempt {
    Object run() throws Exception;
  }

  /**
   * Shows what the KMS's certificate check says about {@code cert} (the same offline check its
   * TLS trust manager runs), then sends it. With {@code stage} set, the check must refuse there
   * and the handshake must fail; otherwise the certificate passes the handshake and the KMS must
   * refuse GetAppKey with a reason containing {@code reason}.
   */
  private int expect(String what, RatlsVerifier kmsCheck, byte[] cert, RatlsVerifier.Stage stage,
      Attempt attempt, String reason) {
    out.println("   " + what);
    RatlsVerdict v = kmsCheck.verify(cert);
    boolean ok;
    if (v.accepted()) {
      out.println("      the KMS's TLS check (chain, binding, evidence consistency) accepts it");
      ok = stage == null;
    } else {
      out.println("      the KMS's TLS check refuses it at stage " + v.rejectStage().map(RatlsVerifier.Stage::label)
          .orElse("?") + ": " + v.message().map(RatlsDemo::wrap).orElse(""));
      ok = stage != null && v.rejectStage().orElse(null) == stage;
    }
    try {
      attempt.run();
      out.println("      NOT REFUSED (unexpected)");
      return 1;
    } catch (AgentException e) {
      if (e.status() == 0) {
        out.println("      -> the TLS handshake fails; the guest sees: " + wrap(e.getMessage()));
        ok &= stage != null;
      } else {
        out.println("      -> HTTP " + e.status() + (e.step() >= 0 ? ", step " + e.step() : "") + ", "
            + e.reason());
        out.println("         " + wrap(e.getMessage()));
        ok &= reason != null && (e.reason().contains(reason) || e.getMessage().contains(reason));
      }
    } catch (Exception e) {
      out.println("      -> unexpected " + e);
      return 1;
    }
    if (!ok) {
      out.println("      (expected " + (stage != null ? "stage " + stage : reason) + ")");
    }
    return ok ? 0 : 1;
  }

  /**
   * Adds to the demo's config a {@code tdx} section that trusts a test-only simulated TDX platform
   * (its root and fresh collateral in {@code dir}) and pins the example TDX image, whose
   * os_image_hash the allow-list then also names.
   */
  private static KmsConfig withTdx(Path dir) throws Exception {
    SimulatedTdxPlatform p = SimulatedTdxPlatform.builder().testOnlyRoot().build();
    Files.writeString(dir.resolve("tdx-root.pem"), p.rootCertificatePem());
    Files.writeString(dir.resolve("tdx-collateral.json"), p.collateral().toQuoteCollateralJson());
    Path file = dir.resolve("kms.json");
    JsonObject cfg = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    JsonObject image = new JsonObject();
    image.addProperty("os_image_hash", SimulatedTdxGuest.osImageHash().toHex());
    image.addProperty("mr_td", SimulatedTdxGuest.mrTd().toHex());
    for (int i = 0; i < 3; i++) {
      image.addProperty("rtmr" + i, SimulatedTdxGuest.rtmr(i).toHex());
    }
    JsonArray images = new JsonArray();
    images.add(image);
    JsonObject tdx = new JsonObject();
    tdx.addProperty("trust_root_pem", "tdx-root.pem");
    tdx.addProperty("collateral", "tdx-collateral.json");
    tdx.add("images", images);
    cfg.add("tdx", tdx);
    cfg.getAsJsonObject("auth").getAsJsonObject("allow").getAsJsonArray("osImages")
        .add(SimulatedTdxGuest.osImageHash().toHex());
    Files.writeString(file, cfg.toString());
    return KmsConfig.load(file);
  }

  private static SimulatedGuest guest(SimulatedSnpPlatform platform, PreparedFirmware firmware,
      byte[] kernel, byte[] initrd, String cmdline, Bytes hostData) throws Exception {
    return SimulatedGuest.builder(platform).firmware(firmware).boot(kernel, initrd, cmdline)
        .vcpus(VCPUS, VCPU_TYPE).hostData(hostData).build();
  }

  private static String wrap(String s) {
    return s.length() <= 200 ? s : s.substring(0, 197) + "...";
  }

  private static byte[] sha256(String s) {
    return KeyReleaseDemo.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] b) {
    return KeyReleaseDemo.hex(b);
  }

  private static String abbrev(String hex) {
    return KeyReleaseDemo.abbrev(hex);
  }

  private static double ms(long since) {
    return KeyReleaseDemo.ms(since);
  }

  private static void deleteTree(Path dir) {
    KeyReleaseDemo.deleteTree(dir);
  }


  @Override
  public String toString() {
    return "RatlsDemo";
  }
}
