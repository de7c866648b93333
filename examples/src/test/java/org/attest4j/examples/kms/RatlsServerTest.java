package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.examples.agent.AgentException;
import org.attest4j.examples.agent.ExampleLaunch;
import org.attest4j.examples.agent.GuestAgent;
import org.attest4j.examples.agent.RatlsGuest;
import org.attest4j.examples.agent.ReleasedKeys;
import org.attest4j.examples.agent.SimulatedGuest;
import org.attest4j.examples.agent.SimulatedTdxGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example server with {@code "ratls": true}: a Java HttpClient guest (a simulated SEV-SNP guest,
 * then a simulated Intel TDX guest) gets keys over mutual RA-TLS, equal to {@link AppKeyDeriver}'s;
 * a TDX guest of an app the allow-list does not name is refused; GetAppKey without a client
 * certificate is refused; a guest deployed for another KMS refuses that KMS before sending
 * evidence; and the README's process pairs (server from the example config, agent with --ratls and
 * with --ratls --tdx) work, the agent exiting 1 with the refusal when the KMS pins another image.
 */
class RatlsServerTest {
  private static final Pattern LISTENING =
      Pattern.compile("listening on (https://127\\.0\\.0\\.1:(\\d+))");

  @TempDir Path dir;

  private Path config() throws Exception {
    return NewcomerPathTest.exampleConfig(dir, "\"port\": 0,", "\"port\": 0,\n  \"ratls\": true,");
  }

  @Test
  void simulatedGuestGetsTheDerivedKeysOverMutualRatls() throws Exception {
    KmsConfig cfg = KmsConfig.load(config());
    try (KmsServer kms = KmsServer.start(cfg, Clock.systemUTC())) {
      URI url = kms.baseUri();
      assertEquals("https", url.getScheme());
      KmsRootKeys roots = cfg.rootKeys();
      byte[] instanceId = new byte[20];
      instanceId[0] = 5;
      MrConfigV3 mr = ExampleLaunch.mrConfig(roots.rootCaPublicKeySpki().toByteArray(), instanceId);
      SimulatedGuest guest = ExampleLaunch.guest(mr.hostData());
      ReleasedKeys keys = RatlsGuest.create(url, guest)
          .requestKeys(mr.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE);
      AppKeys expected = AppKeyDeriver.of(roots).derive(Bytes.of(ExampleLaunch.appId()), Bytes.of(instanceId));
      assertArrayEquals(expected.diskCryptKey(), keys.diskCryptKey());
      assertArrayEquals(expected.envCryptKey(), keys.envCryptKey());
      assertArrayEquals(expected.k256Key(), keys.k256Key());

      // a simulated TDX guest of the same app, another instance
      instanceId[0] = 6;
      SimulatedTdxGuest tdx = SimulatedTdxGuest.boot(ExampleLaunch.appId(), ExampleLaunch.composeHash(),
          instanceId, roots.rootCaPublicKeySpki());
      ReleasedKeys tdxKeys = RatlsGuest.create(url)
          .requestKeys(tdx.kmsSpki(), SimulatedTdxGuest.vmConfig(), tdx::attest);
      AppKeys expectedTdx = AppKeyDeriver.of(roots).derive(Bytes.of(ExampleLaunch.appId()), Bytes.of(instanceId));
      assertArrayEquals(expectedTdx.diskCryptKey(), tdxKeys.diskCryptKey());
      assertArrayEquals(expectedTdx.envCryptKey(), tdxKeys.envCryptKey());
      assertArrayEquals(expectedTdx.k256Key(), tdxKeys.k256Key());
      assertEquals(expectedTdx.k256Signature(), Bytes.of(tdxKeys.k256Signature()));

      // a TDX guest of an app the allow-list does not name
      byte[] otherApp = new byte[20];
      SimulatedTdxGuest stranger = SimulatedTdxGuest.boot(otherApp, ExampleLaunch.composeHash(),
          instanceId, roots.rootCaPublicKeySpki());
      AgentException refused = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class,
          () -> RatlsGuest.create(url).requestKeys(stranger.kmsSpki(), SimulatedTdxGuest.vmConfig(),
              stranger::attest));
      assertEquals(403, refused.status(), refused.getMessage());
      assertTrue(refused.reason().contains("NOT_AUTHORIZED"), refused.reason());

      // a guest launched for another KMS refuses this one before any evidence is sent
      MrConfigV3 other = ExampleLaunch.mrConfig(KmsRootKeys.generate().rootCaPublicKeySpki().toByteArray(), instanceId);
      AgentException e = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class,
          () -> RatlsGuest.create(url, ExampleLaunch.guest(other.hostData()))
              .requestKeys(other.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE));
      assertEquals("KMS_NOT_PINNED", e.reason());
      SimulatedTdxGuest misdeployed = SimulatedTdxGuest.boot(ExampleLaunch.appId(),
          ExampleLaunch.composeHash(), instanceId, KmsRootKeys.generate().rootCaPublicKeySpki());
      AgentException tdxPin = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class,
          () -> RatlsGuest.create(url).requestKeys(misdeployed.kmsSpki(), SimulatedTdxGuest.vmConfig(),
              misdeployed::attest));
      assertEquals("KMS_NOT_PINNED", tdxPin.reason());

      // GetAppKey on a connection without a client certificate
      var http = java.net.http.HttpClient.newBuilder().sslContext(TrustAllTls.context()).build();
      var resp = http.send(java.net.http.HttpRequest.newBuilder(URI.create(url + "/prpc/GetAppKey"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(401, resp.statusCode(), resp.body());
    }
  }

  @Test
  void readmeProcessPair() throws Exception {
    try (JavaProcess kms = JavaProcess.start(dir, KmsServer.class, "--config", config().toString())) {
      String first = kms.readLine();
      Matcher m = LISTENING.matcher(first == null ? "" : first);
      assertTrue(m.matches(), "first stdout line: " + first + "; stderr: " + kms.stderr());
      try (JavaProcess agent = JavaProcess.start(dir, GuestAgent.class, "--simulate", "--ratls",
          "--kms", m.group(1))) {
        int code = agent.waitFor();
        String out = agent.stdoutRest();
        String err = agent.stderr();
        assertEquals(0, code, out + err);
        assertTrue(out.contains("keys released over RA-TLS by " + m.group(1)), out);
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("disk_crypt_key")), out);
      }
      try (JavaProcess agent = JavaProcess.start(dir, GuestAgent.class, "--simulate", "--ratls", "--tdx",
          "--kms", m.group(1))) {
        int code = agent.waitFor();
        String out = agent.stdoutRest();
        String err = agent.stderr();
        assertEquals(0, code, out + err);
        assertTrue(err.contains("SIMULATED") && err.contains("TDX"), err);
        assertTrue(out.contains("keys released over RA-TLS to a TDX guest by " + m.group(1)), out);
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("disk_crypt_key")), out);
      }
    }
  }

  @Test
  void tdxAgentExitsOneWithTheRefusal() throws Exception {
    // the KMS pins another MRTD for the example TDX image: refused at the measurement step
    String mrTd = SimulatedTdxGuest.mrTd().toHex();
    Path cfg = NewcomerPathTest.exampleConfig(dir, "\"port\": 0,", "\"port\": 0,\n  \"ratls\": true,",
        mrTd, "00" + mrTd.substring(2));
    try (JavaProcess kms = JavaProcess.start(dir, KmsServer.class, "--config", cfg.toString())) {
      String first = kms.readLine();
      Matcher m = LISTENING.matcher(first == null ? "" : first);
      assertTrue(m.matches(), "first stdout line: " + first + "; stderr: " + kms.stderr());
      try (JavaProcess agent = JavaProcess.start(dir, GuestAgent.class, "--simulate", "--ratls", "--tdx",
          "--kms", m.group(1))) {
        assertEquals(1, agent.waitFor());
        String err = agent.stderr();
        assertTrue(err.contains("refused: ") && err.contains("MEASUREMENT_MISMATCH"), err);
        assertEquals("", agent.stdoutRest());
      }
    }
  }

  @Test
  void ratlsNeedsAnHttpsUrl() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = GuestAgent.simulate(new String[] {"--simulate", "--ratls", "--kms", "http://127.0.0.1:1"},
        new PrintStream(out), new PrintStream(err));
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("https"));
    // --tdx is served over RA-TLS only
    err.reset();
    assertEquals(2, GuestAgent.simulate(new String[] {"--simulate", "--tdx", "--kms", "https://127.0.0.1:1"},
        new PrintStream(out), new PrintStream(err)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--ratls [--tdx]"));
  }
}
