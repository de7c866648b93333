package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.GuestAgent;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SyntheticImages;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.snp.Product;
import org.attest4j.snp.TcbVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example server's configuration file, first-start key creation, and the auth webhook path. */
class KmsConfigTest {
  /** An allow-list that allows something (the tests do not get that far with it). */
  static final String SOME_ALLOW = "\"auth\":{\"allow\":{\"osImages\":[\"" + "00".repeat(32) + "\"],\"apps\":{\""
      + "11".repeat(20) + "\":{\"composeHashes\":[\"" + "22".repeat(32) + "\"]}}}}";

  @TempDir Path dir;

  /** The testbed platform's own TCB as the floor. */
  static String minTcb() {
    TcbVersion t = KmsTestbed.PLATFORM.tcb();
    return "{\"Genoa\":{\"bootloader\":" + t.bootloader() + ",\"tee\":" + t.tee() + ",\"snp\":" + t.snp()
        + ",\"microcode\":" + t.microcode() + "}}";
  }

  private String config(String auth) throws Exception {
    return config(auth, "\"min_tcb\":" + minTcb() + ",");
  }

  /** {@code minTcbEntry}: the whole {@code "min_tcb": ...,} entry with its trailing comma, or "". */
  private String config(String auth, String minTcbEntry) throws Exception {
    Files.write(dir.resolve("ovmf.fd"), SyntheticImages.firmware());
    Files.write(dir.resolve("cert_chain.pem"), KmsTestbed.PLATFORM.certChainPem());
    Files.write(dir.resolve("ark.pem"), ("-----BEGIN CERTIFICATE-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(KmsTestbed.PLATFORM.arkDer()) + "\n-----END CERTIFICATE-----\n")
        .getBytes(StandardCharsets.US_ASCII));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    return "{\"port\":0,\"key_dir\":\"keys\","
        + "\"trust\":{\"amd_roots\":false,\"anchors\":[{\"product\":\"Genoa\",\"ark_pem\":\"ark.pem\"}]},"
        + "\"endorsements\":{\"cert_chain\":\"cert_chain.pem\"},"
        + "\"launch\":{\"ovmf\":\"ovmf.fd\",\"kernel_sha256\":\"" + HexFormat.of().formatHex(sha.digest(SyntheticImages.kernel(4096)))
        + "\",\"initrd_sha256\":\"" + HexFormat.of().formatHex(sha.digest(SyntheticImages.initrd(4096)))
        + "\",\"cmdline\":\"console=ttyS0\",\"vcpus\":[1],\"vcpu_types\":[\"EPYC-v4\"]},"
        + "\"policy\":\"strict\"," + minTcbEntry + auth + "}";
  }

  @Test
  void theTdxSectionIsOptionalAndStrict() throws Exception {
    assertFalse(KmsConfig.parse(config(SOME_ALLOW), dir).buildService(KmsTestbed.PLATFORM.clockInsideValidity())
        .servesTdx());
    Path examples = Path.of("").toAbsolutePath();
    for (String f : new String[] {"TEST-ONLY-simulated-tdx-root.pem", "TEST-ONLY-simulated-tdx-collateral.json"}) {
      Files.copy(examples.resolve(f), dir.resolve(f));
    }
    String image = "{\"os_image_hash\":\"" + "0a".repeat(32) + "\",\"mr_td\":\"" + "0b".repeat(48)
        + "\",\"rtmr0\":\"" + "0c".repeat(48) + "\",\"rtmr1\":\"" + "0d".repeat(48) + "\",\"rtmr2\":\""
        + "0e".repeat(48) + "\"}";
    String tdx = "\"tdx\":{\"trust_root_pem\":\"TEST-ONLY-simulated-tdx-root.pem\","
        + "\"collateral\":\"TEST-ONLY-simulated-tdx-collateral.json\",\"images\":[" + image + "]},";
    assertTrue(KmsConfig.parse(config(tdx + SOME_ALLOW), dir)
        .buildService(KmsTestbed.PLATFORM.clockInsideValidity()).servesTdx());
    String[][] bad = {
      {tdx.replace("\"images\"", "\"imagez\""), "unknown configuration key tdx.imagez"},
      {tdx.replace("[" + image + "]", "[]"), "tdx.images must pin at least one"},
      {tdx.replace("0b0b", "0b"), "mr_td must be 48 bytes"},
      {tdx.replace("TEST-ONLY-simulated-tdx-collateral.json", "TEST-ONLY-simulated-tdx-root.pem"), "tdx: "},
      {tdx.replace("\"collateral\":\"TEST-ONLY-simulated-tdx-collateral.json\",", ""), "collateral is required"},
    };
    for (String[] c : bad) {
      MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
          () -> KmsConfig.parse(config(c[0] + SOME_ALLOW), dir).buildService(KmsTestbed.PLATFORM.clockInsideValidity()),
          c[1]);
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
    }
  }

  @Test
  void tdxCollateralCanComeFromThePcsWithACircuitBreaker() throws Exception {
    Files.copy(Path.of("").toAbsolutePath().resolve("TEST-ONLY-simulated-tdx-root.pem"),
        dir.resolve("TEST-ONLY-simulated-tdx-root.pem"));
    String image = "{\"os_image_hash\":\"" + "0a".repeat(32) + "\",\"mr_td\":\"" + "0b".repeat(48)
        + "\",\"rtmr0\":\"" + "0c".repeat(48) + "\",\"rtmr1\":\"" + "0d".repeat(48) + "\",\"rtmr2\":\""
        + "0e".repeat(48) + "\"}";
    String pcs = "\"tdx\":{\"trust_root_pem\":\"TEST-ONLY-simulated-tdx-root.pem\","
        + "\"pcs\":{\"base_url\":\"http://127.0.0.1:9\",\"offline\":true,\"circuit_breaker_ms\":30000},"
        + "\"images\":[" + image + "]},";
    KmsConfig c = KmsConfig.parse(config(pcs + SOME_ALLOW), dir);
    assertEquals(java.time.Duration.ofSeconds(30), c.pcsCircuitBreaker());
    assertTrue(c.buildService(KmsTestbed.PLATFORM.clockInsideValidity()).servesTdx());
    assertEquals(java.time.Duration.ofSeconds(10),
        KmsConfig.parse(config(pcs.replace(",\"circuit_breaker_ms\":30000", "") + SOME_ALLOW), dir).pcsCircuitBreaker());
    String[][] bad = {
      {pcs.replace("\"pcs\":", "\"collateral\":\"x.json\",\"pcs\":"), "either collateral"},
      {pcs.replace("\"offline\"", "\"offlin\""), "unknown configuration key tdx.pcs.offlin"},
      {pcs.replace("30000", "0"), "tdx.pcs.circuit_breaker_ms"},
      {pcs.replace("30000", "3600001"), "tdx.pcs.circuit_breaker_ms"},
    };
    for (String[] b : bad) {
      MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
          () -> KmsConfig.parse(config(b[0] + SOME_ALLOW), dir).buildService(KmsTestbed.PLATFORM.clockInsideValidity()),
          b[1]);
      assertTrue(e.getMessage().contains(b[1]), e.getMessage());
    }
  }

  @Test
  void firstStartCreatesRootKeysAndLaterStartsReuseThem() throws Exception {
    KmsConfig c = KmsConfig.parse(config(SOME_ALLOW), dir);
    KeyReleaseService first = c.buildService(KmsTestbed.PLATFORM.clockInsideValidity());
    assertTrue(Files.exists(dir.resolve("keys").resolve(KmsRootKeys.ROOT_CA_KEY_FILE)));
    KeyReleaseService second = c.buildService(KmsTestbed.PLATFORM.clockInsideValidity());
    assertEquals(first.keyProviderId(), second.keyProviderId());
  }

  @Test
  void replicaOnboardingIsOffByDefaultAndNeedsRatls() throws Exception {
    String good = config(SOME_ALLOW);
    assertFalse(KmsConfig.parse(good, dir).allowReplicaOnboarding());
    KmsConfig noRatls = KmsConfig.parse(good.replace("\"policy\"", "\"allow_replica_onboarding\":true,\"policy\""), dir);
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, noRatls::allowReplicaOnboarding);
    assertTrue(e.getMessage().contains("ratls"), e.getMessage());
    KmsConfig on = KmsConfig.parse(good.replace("\"policy\"",
        "\"ratls\":true,\"allow_replica_onboarding\":true,\"policy\""), dir);
    assertTrue(on.allowReplicaOnboarding());
    // with an allow-list, the apps' list never authorizes a KMS replica: auth.kms_allow is required
    MalformedEvidenceException noKmsList = assertThrows(MalformedEvidenceException.class,
        () -> on.buildService(KmsTestbed.PLATFORM.clockInsideValidity()));
    assertTrue(noKmsList.getMessage().contains("kms_allow"), noKmsList.getMessage());
    assertThrows(MalformedEvidenceException.class, () -> KmsConfig.parse(
        good.replace("\"policy\"", "\"allow_replica_onboarding\":\"yes\",\"policy\""), dir).allowReplicaOnboarding());
  }

  @Test
  void getMetaReturnsTheRootCaCertificate() throws Exception {
    KmsConfig c = KmsConfig.parse(config(SOME_ALLOW), dir);
    KeyReleaseService first = c.buildService(KmsTestbed.PLATFORM.clockInsideValidity());
    String pem = first.meta().getCaCert();
    assertFalse(pem.isEmpty(), "GetMeta ca_cert is empty");
    java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate)
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    KmsRootKeys roots = c.rootKeys();
    assertEquals(roots.rootCaPublicKeySpki(), Bytes.of(cert.getPublicKey().getEncoded()));
    assertArrayEquals(first.keyProviderId().toByteArray(), cert.getPublicKey().getEncoded());
    cert.verify(cert.getPublicKey());
    assertEquals(1, cert.getBasicConstraints());
    // stored as root-ca.crt and served unchanged after a restart
    Path crt = dir.resolve("keys").resolve(KmsRootKeys.ROOT_CA_CERT_FILE);
    assertEquals(pem, Files.readString(crt));
    assertEquals(pem, c.buildService(KmsTestbed.PLATFORM.clockInsideValidity()).meta().getCaCert());
    // a certificate of another key is refused at start, not served
    Files.delete(crt);
    Files.writeString(crt, KmsRootKeys.generate().rootCaCertificatePem());
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> c.buildService(KmsTestbed.PLATFORM.clockInsideValidity()));
    assertTrue(e.getMessage().contains("root-ca.crt"), e.getMessage());
  }

  @Test
  void duplicateKeysPortsAndEmptyAllowListsAreRefused() throws Exception {
    String good = config(SOME_ALLOW);
    MalformedEvidenceException dup = assertThrows(MalformedEvidenceException.class,
        () -> KmsConfig.parse(good.replace("\"policy\"", "\"port\":1,\"policy\""), dir));
    assertTrue(dup.getMessage().contains("repeats the key port"), dup.getMessage());
    for (String port : new String[] {"70000", "65536", "-1"}) {
      KmsConfig c = KmsConfig.parse(good.replace("\"port\":0", "\"port\":" + port), dir);
      assertThrows(MalformedEvidenceException.class, c::port, port);
    }
    KmsConfig nothing = KmsConfig.parse(config("\"auth\":{\"allow\":{}}"), dir);
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> nothing.buildService(KmsTestbed.PLATFORM.clockInsideValidity()));
    assertTrue(e.getMessage().contains("allows nothing"), e.getMessage());
  }

  @Test
  void unknownKeysAndBadValuesAreRefused() throws Exception {
    String good = config(SOME_ALLOW);
    assertThrows(MalformedEvidenceException.class, () -> KmsConfig.parse(good.replace("\"policy\"", "\"polisy\""), dir));
    KmsConfig lax = KmsConfig.parse(good.replace("\"strict\"", "\"lax\""), dir);
    assertThrows(MalformedEvidenceException.class, () -> lax.buildService(KmsTestbed.PLATFORM.clockInsideValidity()));
    KmsConfig noAuth = KmsConfig.parse(good.replace("," + SOME_ALLOW + "", ""), dir);
    assertThrows(MalformedEvidenceException.class, () -> noAuth.buildService(KmsTestbed.PLATFORM.clockInsideValidity()));
    KmsConfig badVcpus = KmsConfig.parse(good.replace("\"vcpus\":[1]", "\"vcpus\":[0]"), dir);
    assertThrows(MalformedEvidenceException.class, () -> badVcpus.buildService(KmsTestbed.PLATFORM.clockInsideValidity()));
  }

  @Test
  void keysFlowThroughTheAuthWebhook() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hook.createContext("/bootAuth/app", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      seen.set(body);
      boolean ok = JsonParser.parseString(body).getAsJsonObject().get("tcbStatus").getAsString().equals("UpToDate");
      byte[] out = ("{\"isAllowed\":" + ok + ",\"gatewayAppId\":\"hooked\",\"reason\":\"\"}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    hook.start();
    try {
      KmsConfig c = KmsConfig.parse(config("\"auth\":{\"webhook\":\"http://127.0.0.1:" + hook.getAddress().getPort() + "\"}"), dir);
      try (KmsServer kms = KmsServer.start(c, KmsTestbed.PLATFORM.clockInsideValidity())) {
        KmsRootKeys roots = c.rootKeys();
        var mr = org.attest4j.crypto.MrConfigV3.builder().appId(Bytes.of(new byte[20])).composeHash(Bytes.of(new byte[32]))
            .keyProvider(org.attest4j.crypto.KeyProviderKind.KMS).keyProviderId(roots.rootCaPublicKeySpki()).build();
        SimulatedGuest g = SimulatedGuest.builder(KmsTestbed.PLATFORM)
            .firmware(OvmfImage.parse(SyntheticImages.firmware()).prepare())
            .boot(SyntheticImages.kernel(4096), SyntheticImages.initrd(4096), "console=ttyS0").vcpus(1, "EPYC-v4")
            .hostData(mr.hostData()).build();
        var keys = GuestAgent.create(kms.baseUri(), g).requestKeys(mr.documentBytes(), 1, "EPYC-v4");
        assertEquals("hooked", keys.gatewayAppId());
        JsonObject sent = JsonParser.parseString(seen.get()).getAsJsonObject();
        assertEquals("dstack-amd-sev-snp", sent.get("teeVariant").getAsString());
        assertEquals("00".repeat(20), sent.get("appId").getAsString());
        assertEquals(64, sent.get("mrAggregated").getAsString().length());
        assertEquals(64, sent.get("deviceId").getAsString().length());
        String kp = new String(HexFormat.of().parseHex(sent.get("keyProviderInfo").getAsString()), StandardCharsets.UTF_8);
        assertTrue(kp.contains("\"name\":\"kms\""), kp);
        assertEquals(roots.rootCaPublicKeySpki(), kms.service().keyProviderId());
      }
      // the webhook down: the release is refused with 503 and a retryable reason, not allowed
      hook.stop(0);
      KmsConfig c2 = KmsConfig.parse(config("\"auth\":{\"webhook\":\"http://127.0.0.1:" + hook.getAddress().getPort() + "\"}"), dir);
      try (KmsServer kms = KmsServer.start(c2, KmsTestbed.PLATFORM.clockInsideValidity())) {
        KmsRootKeys roots = c2.rootKeys();
        var mr = org.attest4j.crypto.MrConfigV3.builder().appId(Bytes.of(new byte[20])).composeHash(Bytes.of(new byte[32]))
            .keyProvider(org.attest4j.crypto.KeyProviderKind.KMS).keyProviderId(roots.rootCaPublicKeySpki()).build();
        SimulatedGuest g = SimulatedGuest.builder(KmsTestbed.PLATFORM)
            .firmware(OvmfImage.parse(SyntheticImages.firmware()).prepare())
            .boot(SyntheticImages.kernel(4096), SyntheticImages.initrd(4096), "console=ttyS0").vcpus(1, "EPYC-v4")
            .hostData(mr.hostData()).build();
        AgentException e = assertThrows(AgentException.class,
            () -> GuestAgent.create(kms.baseUri(), g).requestKeys(mr.documentBytes(), 1, "EPYC-v4"));
        assertEquals(503, e.status());
        assertEquals(7, e.step());
      }
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void minTcbIsRequiredAndParsedStrictly() throws Exception {
    var clock = KmsTestbed.PLATFORM.clockInsideValidity();
    TcbVersion platform = KmsTestbed.PLATFORM.tcb();
    String auth = SOME_ALLOW;
    // no floor, no service
    MalformedEvidenceException none =
        assertThrows(MalformedEvidenceException.class, () -> KmsConfig.parse(config(auth, ""), dir).buildService(clock));
    assertTrue(none.getMessage().contains("min_tcb is required") && none.getMessage().contains("allow_any_tcb"),
        none.getMessage());
    // components or the raw TCB_VERSION
    assertEquals(List.of(platform), KmsConfig.parse(config(auth), dir).minimumTcbs());
    assertEquals(List.of(platform),
        KmsConfig.parse(config(auth, "\"min_tcb\":{\"Genoa\":\"" + platform.rawHex() + "\"},"), dir).minimumTcbs());
    TcbVersion turin = TcbVersion.builder(Product.TURIN).fmc(1).bootloader(2).tee(3).snp(4).microcode(5).build();
    assertEquals(List.of(turin), KmsConfig.parse(config(auth,
        "\"min_tcb\":{\"Turin\":{\"fmc\":1,\"bootloader\":2,\"tee\":3,\"snp\":4,\"microcode\":5}},"), dir).minimumTcbs());
    // the explicit opt-out
    KmsConfig any = KmsConfig.parse(config(auth, "\"min_tcb\":\"allow_any_tcb\","), dir);
    assertEquals(null, any.minimumTcbs());
    any.buildService(clock);
    // malformed floors are refused, never ignored
    for (String bad : List.of(
        "\"any\"", "{}", "[]", "{\"Rome\":\"0x1\"}", "{\"Genoa\":\"12\"}", "{\"Genoa\":\"0xzz\"}",
        "{\"Genoa\":{\"bootloader\":1,\"tee\":0,\"snp\":25}}",
        "{\"Genoa\":{\"bootloader\":1,\"tee\":0,\"snp\":256,\"microcode\":1}}",
        "{\"Genoa\":{\"bootloader\":1,\"tee\":0,\"snp\":-1,\"microcode\":1}}",
        "{\"Genoa\":{\"fmc\":1,\"bootloader\":1,\"tee\":0,\"snp\":25,\"microcode\":1}}",
        "{\"Turin\":{\"bootloader\":1,\"tee\":0,\"snp\":25,\"microcode\":1}}",
        "{\"Genoa\":\"0x1\",\"Siena\":\"0x1\"}")) {
      KmsConfig c = KmsConfig.parse(config(auth, "\"min_tcb\":" + bad + ","), dir);
      assertThrows(MalformedEvidenceException.class, () -> c.buildService(clock), bad);
    }
  }

  @Test
  void aPlatformBelowTheConfiguredFloorGetsNoKeys() throws Exception {
    TcbVersion t = KmsTestbed.PLATFORM.tcb();
    String floor = "\"min_tcb\":{\"Genoa\":{\"bootloader\":" + t.bootloader() + ",\"tee\":" + t.tee() + ",\"snp\":"
        + (t.snp() + 1) + ",\"microcode\":" + t.microcode() + "}},";
    KmsConfig c = KmsConfig.parse(config(SOME_ALLOW, floor), dir);
    try (KmsServer kms = KmsServer.start(c, KmsTestbed.PLATFORM.clockInsideValidity())) {
      KmsRootKeys roots = c.rootKeys();
      var mr = org.attest4j.crypto.MrConfigV3.builder().appId(Bytes.of(new byte[20])).composeHash(Bytes.of(new byte[32]))
          .keyProvider(org.attest4j.crypto.KeyProviderKind.KMS).keyProviderId(roots.rootCaPublicKeySpki()).build();
      SimulatedGuest g = SimulatedGuest.builder(KmsTestbed.PLATFORM)
          .firmware(OvmfImage.parse(SyntheticImages.firmware()).prepare())
          .boot(SyntheticImages.kernel(4096), SyntheticImages.initrd(4096), "console=ttyS0").vcpus(1, "EPYC-v4")
          .hostData(mr.hostData()).build();
      AgentException e = assertThrows(AgentException.class,
          () -> GuestAgent.create(kms.baseUri(), g).requestKeys(mr.documentBytes(), 1, "EPYC-v4"));
      assertEquals(403, e.status());
      assertEquals(3, e.step());
      assertTrue(e.reason().contains("TCB_TOO_LOW"), e.reason());
    }
  }

  @Test
  void endorsementDeadlineVekRequirementAndBreakerAreConfigKeys() throws Exception {
    String good = config(SOME_ALLOW);
    KmsConfig defaults = KmsConfig.parse(good, dir);
    assertEquals(java.time.Duration.ofSeconds(2), defaults.endorsementDeadline());
    assertFalse(defaults.requireVekInRequest());
    assertEquals(java.time.Duration.ofSeconds(10), defaults.kdsCircuitBreaker());
    KmsConfig set = KmsConfig.parse(good.replace("\"policy\"",
        "\"endorsement_deadline_ms\":750,\"require_vek_in_request\":true,\"policy\"").replace(
        "{\"cert_chain\":\"cert_chain.pem\"}",
        "{\"cert_chain\":\"cert_chain.pem\",\"kds\":{\"offline\":true,\"circuit_breaker_ms\":30000}}"), dir);
    assertEquals(java.time.Duration.ofMillis(750), set.endorsementDeadline());
    assertTrue(set.requireVekInRequest());
    assertEquals(java.time.Duration.ofSeconds(30), set.kdsCircuitBreaker());

    // applied: a request without vcek_pem is refused before anything else is looked up
    KeyReleaseService svc = set.buildService(KmsTestbed.PLATFORM.clockInsideValidity());
    org.attest4j.kms.KeyReleaseRequest noVek = org.attest4j.kms.KeyReleaseRequest.builder()
        .report(KmsTestbed.PLATFORM.reportBuilder().sign()).mrConfig(org.attest4j.core.Bytes.of(new byte[] {'{', '}'}))
        .vcpus(1).vcpuType("EPYC-v4").nonce(svc.issueNonce().nonce()).build();
    org.attest4j.kms.KeyReleaseException refused =
        assertThrows(org.attest4j.kms.KeyReleaseException.class, () -> svc.release(noVek));
    assertEquals(org.attest4j.kms.KmsReason.VEK_REQUIRED, refused.refusal().reason());
    KeyReleaseService lax = defaults.buildService(KmsTestbed.PLATFORM.clockInsideValidity());
    org.attest4j.kms.KeyReleaseException other =
        assertThrows(org.attest4j.kms.KeyReleaseException.class, () -> lax.release(noVek));
    assertFalse(other.refusal().reason() == org.attest4j.kms.KmsReason.VEK_REQUIRED, other.getMessage());

    // validated, each with a one-line message naming the key
    String[][] bad = {
        {"\"endorsement_deadline_ms\":0,", "endorsement_deadline_ms"},
        {"\"endorsement_deadline_ms\":60001,", "endorsement_deadline_ms"},
        {"\"endorsement_deadline_ms\":1.5,", "endorsement_deadline_ms"},
        {"\"endorsement_deadline_ms\":\"PT2S\",", "endorsement_deadline_ms"},
        {"\"require_vek_in_request\":\"yes\",", "require_vek_in_request"},
    };
    for (String[] b : bad) {
      KmsConfig c = KmsConfig.parse(good.replace("\"policy\"", b[0] + "\"policy\""), dir);
      MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
          () -> c.buildService(KmsTestbed.PLATFORM.clockInsideValidity()), b[0]);
      assertTrue(e.getMessage().contains(b[1]) && !e.getMessage().contains("\n"), e.getMessage());
    }
    for (String v : new String[] {"0", "-5", "3600001", "\"10s\""}) {
      KmsConfig c = KmsConfig.parse(good.replace("{\"cert_chain\":\"cert_chain.pem\"}",
          "{\"cert_chain\":\"cert_chain.pem\",\"kds\":{\"circuit_breaker_ms\":" + v + "}}"), dir);
      MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, c::kdsCircuitBreaker, v);
      assertTrue(e.getMessage().contains("endorsements.kds.circuit_breaker_ms"), e.getMessage());
    }
  }
}
