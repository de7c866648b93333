package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.examples.agent.KmsOnboarding;
import org.attest4j.examples.agent.RatlsGuest;
import org.attest4j.examples.agent.ReleasedKeys;
import org.attest4j.kms.proto.GetTempCaCertResponse;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsKeyManager;
import org.attest4j.ratls.RatlsReportData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code KmsServer --simulate --onboard-from URL}, through the same launch code as {@code main}
 * (in this JVM): replica B takes its root keys from KMS A (both simulated SEV-SNP, A's {@code
 * kms:rpc} certificate attested) and then serves a guest the same app keys as A; B refuses, with
 * exit status 1, one line and nothing stored, a source whose certificate carries no attestation,
 * one whose attested certificate is not {@code kms:rpc}, and an attested {@code kms:rpc} source
 * that runs as an app its own {@code auth.kms_allow} does not name.
 */
class KmsServerOnboardingTest {
  private static final String OS_IMAGE =
      "fcd28c45cb7101e8805075124c73aef5ad4e6011e38cb5e4d21805e870c1b74c";

  @TempDir Path dir;

  private final Clock clock = Clock.systemUTC();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  /** The example config with RA-TLS, onboarding, and the simulated KMS app in auth.kms_allow. */
  private Path config(String name) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    String kmsAllow = "\"kms_allow\": {\"osImages\": [\"" + OS_IMAGE + "\"], \"apps\": {\""
        + Bytes.of(SimulatedKms.appId()).toHex() + "\": {\"composeHashes\": [\""
        + Bytes.of(SimulatedKms.composeHash()).toHex() + "\"]}}},\n    \"allow\": {";
    return NewcomerPathTest.exampleConfig(d, "\"port\": 0,",
        "\"port\": 0,\n  \"ratls\": true,\n  \"allow_replica_onboarding\": true,", "\"allow\": {", kmsAllow);
  }

  private KmsServer launch(String... args) throws KmsServer.Refused {
    return KmsServer.launch(args, clock, new ArrayList<>(), err);
  }

  private KmsServer.Refused refusedOnboarding(Path replica, String source) {
    return assertThrows(KmsServer.Refused.class,
        () -> launch("--config", replica.toString(), "--simulate", "--onboard-from", source).close());
  }

  private static Path keyDir(Path config) {
    return config.getParent().resolve("kms-example-keys");
  }

  private static ReleasedKeys guestKeys(KmsServer kms, KmsRootKeys roots, byte[] instanceId) throws Exception {
    MrConfigV3 mr = ExampleLaunch.mrConfig(roots.rootCaPublicKeySpki().toByteArray(), instanceId);
    return RatlsGuest.create(kms.baseUri(), ExampleLaunch.guest(mr.hostData()))
        .requestKeys(mr.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
  }

  @Test
  void replicaOnboardsFromAnAttestedKmsAndServesTheSameKeys() throws Exception {
    Path a = config("a");
    Path b = config("b");
    try (KmsServer kmsA = launch("--config", a.toString(), "--simulate");
        KmsServer kmsB = launch("--config", b.toString(), "--simulate", "--onboard-from",
            kmsA.baseUri() + "/")) {
      KmsRootKeys rootsA = KmsConfig.load(a).rootKeys(clock);
      assertEquals(rootsA, KmsRootKeys.loadDirectory(keyDir(b)));
      // B keeps A's root CA certificate, so both hand guests the same ca_cert
      assertEquals(Files.readString(keyDir(a).resolve(KmsRootKeys.ROOT_CA_CERT_FILE)),
          Files.readString(keyDir(b).resolve(KmsRootKeys.ROOT_CA_CERT_FILE)));
      assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("onboarded from " + kmsA.baseUri()));

      byte[] instanceId = new byte[20];
      instanceId[0] = 9;
      ReleasedKeys fromA = guestKeys(kmsA, rootsA, instanceId);
      ReleasedKeys fromB = guestKeys(kmsB, rootsA, instanceId);
      AppKeys expected = AppKeyDeriver.of(rootsA).derive(Bytes.of(ExampleLaunch.appId()), Bytes.of(instanceId));
      for (ReleasedKeys k : List.of(fromA, fromB)) {
        assertArrayEquals(expected.diskCryptKey(), k.diskCryptKey());
        assertArrayEquals(expected.k256Key(), k.k256Key());
      }
      assertArrayEquals(fromA.envCryptKey(), fromB.envCryptKey());
      assertArrayEquals(fromA.k256Signature(), fromB.k256Signature());
    }
  }

  @Test
  void anUnattestedSourceIsRefused() throws Exception {
    Path a = config("a");
    Path b = config("b");
    try (KmsServer kmsA = launch("--config", a.toString())) {
      KmsServer.Refused r = refusedOnboarding(b, kmsA.baseUri().toString());
      assertEquals(1, r.exitStatus);
      assertOneLine(r, KmsOnboarding.SOURCE_REFUSED, "attestation-absent");
    }
    assertFalse(Files.exists(keyDir(b)));
  }

  @Test
  void anAttestedSourceWithoutKmsRpcUsageIsRefused() throws Exception {
    KmsRootKeys roots = KmsRootKeys.generate(new SecureRandom(), clock);
    KmsCertificateAuthority ca = KmsCertificateAuthority.of(roots, clock);
    KeyPair key = RatlsGuest.newKey();
    byte[] cert = RatlsCertificateBuilder.forKey(key).subject(null, "127.0.0.1")
        .subjectAltNames("127.0.0.1").extendedKeyUsage(true, false).specialUsage("app:custom")
        .attestation(SimulatedKms.attester(roots.rootCaPublicKeySpki())
            .apply(RatlsReportData.forCertificateKey(key.getPublic().getEncoded())))
        .issuer(roots.rootCaCertificateDer(), roots.rootCaKeyPair().getPrivate())
        .buildDer();
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(new KeyManager[] {RatlsKeyManager.of(key.getPrivate(), cert, roots.rootCaCertificateDer())},
        null, null);
    byte[] tempCa = GetTempCaCertResponse.newBuilder().setTempCaCert(ca.tempCaCertificatePem())
        .setTempCaKey(ca.tempCaKeyPem()).setCaCert(ca.rootCaCertificatePem()).build().toByteArray();
    AtomicInteger otherCalls = new AtomicInteger();
    HttpsServer fake = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    fake.setHttpsConfigurator(new HttpsConfigurator(tls));
    fake.createContext("/prpc/", ex -> {
      boolean temp = ex.getRequestURI().getPath().equals("/prpc/GetTempCaCert");
      if (!temp) {
        otherCalls.incrementAndGet();
      }
      ex.sendResponseHeaders(temp ? 200 : 500, temp ? tempCa.length : -1);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(temp ? tempCa : new byte[0]);
      }
    });
    fake.start();
    Path b = config("b");
    try {
      KmsServer.Refused r = refusedOnboarding(b, "https://127.0.0.1:" + fake.getAddress().getPort());
      assertEquals(1, r.exitStatus);
      assertOneLine(r, KmsOnboarding.SOURCE_REFUSED, "special-usage");
    } finally {
      fake.stop(0);
    }
    assertEquals(0, otherCalls.get(), "GetKmsKey must not be called");
    assertFalse(Files.exists(keyDir(b)));
  }

  @Test
  void aSourceThisReplicaDoesNotAllowIsRefused() throws Exception {
    Path a = config("a");
    Path b = config("b");
    KmsConfig configA = KmsConfig.load(a);
    byte[] otherApp = new byte[20];
    otherApp[0] = 0x42;
    try (KmsServer kmsA = KmsServer.start(configA, clock, KmsConfig.IN_MEMORY, null,
        SimulatedKms.attester(configA.rootKeys(clock).rootCaPublicKeySpki(), otherApp, new byte[32]))) {
      KmsServer.Refused r = refusedOnboarding(b, kmsA.baseUri().toString());
      assertEquals(1, r.exitStatus);
      assertOneLine(r, KmsOnboarding.SOURCE_NOT_ALLOWED, "KmsReason.NOT_AUTHORIZED");
    }
    assertFalse(Files.exists(keyDir(b).resolve(KmsRootKeys.ROOT_CA_KEY_FILE)));
  }

  @Test
  void aKeyDirectoryWithKeysOrAConfigWithoutOnboardingIsAUsageError() throws Exception {
    Path b = config("b");
    KmsConfig.load(b).rootKeys(clock);
    KmsServer.Refused r = refusedOnboarding(b, "https://127.0.0.1:1");
    assertEquals(2, r.exitStatus);
    assertTrue(r.getMessage().contains("already holds"), r.getMessage());

    Path plain = NewcomerPathTest.exampleConfig(Files.createDirectories(dir.resolve("plain")),
        "\"port\": 0,", "\"port\": 0,\n  \"ratls\": true,");
    KmsServer.Refused p = refusedOnboarding(plain, "https://127.0.0.1:1");
    assertEquals(2, p.exitStatus);
    assertTrue(p.getMessage().contains("allow_replica_onboarding"), p.getMessage());
    assertFalse(Files.exists(keyDir(plain)));
  }

  private static void assertOneLine(KmsServer.Refused r, String reason, String detail) {
    String m = r.getMessage();
    assertTrue(m.startsWith("kms: onboarding from https://127.0.0.1:"), m);
    assertTrue(m.contains(" refused: " + reason + ": "), m);
    assertTrue(m.contains(detail), m);
    assertFalse(m.contains("\n"), m);
  }
}
