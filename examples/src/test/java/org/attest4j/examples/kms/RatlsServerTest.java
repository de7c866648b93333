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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example server with {@code "ratls": true}: a Java HttpClient guest (a simulated SEV-SNP
 * guest) gets keys over mutual RA-TLS, equal to {@link AppKeyDeriver}'s; GetAppKey without a client
 * certificate is refused; a guest whose MrConfigV3 names another KMS refuses that KMS before sending
 * evidence; and the README's process pair (server from the example config, agent with --ratls)
 * works.
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

      // a guest launched for another KMS refuses this one before any evidence is sent
      MrConfigV3 other = ExampleLaunch.mrConfig(KmsRootKeys.generate().rootCaPublicKeySpki().toByteArray(), instanceId);
      AgentException e = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class,
          () -> RatlsGuest.create(url, ExampleLaunch.guest(other.hostData()))
              .requestKeys(other.documentBytes(), ExampleLaunch.VCPUS, ExampleLaunch.VCPU_TYPE));
      assertEquals("KMS_NOT_PINNED", e.reason());

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
  }
}
