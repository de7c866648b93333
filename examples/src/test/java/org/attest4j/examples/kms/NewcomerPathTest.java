package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.attest4j.examples.agent.GuestAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's newcomer path as processes: {@code KmsServer --config examples/kms.example.json}
 * and {@code GuestAgent --simulate --kms URL}; plus the one-line refusals of bad configurations.
 */
class NewcomerPathTest {
  static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");

  @TempDir Path dir;

  /** Copies the shipped example config and its test-only PEM and collateral files into {@code dir}. */
  static Path exampleConfig(Path dir, String... replacements) throws Exception {
    Path examples = Path.of("").toAbsolutePath();
    for (String f : new String[] {"TEST-ONLY-simulated-ark-genoa.pem", "TEST-ONLY-simulated-cert-chain-genoa.pem",
        "TEST-ONLY-simulated-tdx-root.pem", "TEST-ONLY-simulated-tdx-collateral.json"}) {
      Files.copy(examples.resolve(f), dir.resolve(f));
    }
    String cfg = Files.readString(examples.resolve("kms.example.json"));
    for (int i = 0; i + 1 < replacements.length; i += 2) {
      assertTrue(cfg.contains(replacements[i]), replacements[i]);
      cfg = cfg.replace(replacements[i], replacements[i + 1]);
    }
    Path out = dir.resolve("kms.json");
    Files.writeString(out, cfg);
    return out;
  }

  static String awaitListening(JavaProcess kms) throws Exception {
    String first = kms.readLine();
    Matcher m = LISTENING.matcher(first == null ? "" : first);
    assertTrue(m.matches(), "first stdout line: " + first + "; stderr: " + kms.stderr());
    return m.group(1);
  }

  @Test
  void exampleServerReleasesKeysToTheSimulatedAgent() throws Exception {
    try (JavaProcess kms = JavaProcess.start(dir, KmsServer.class, "--config", exampleConfig(dir).toString())) {
      String url = awaitListening(kms);
      try (JavaProcess agent = JavaProcess.start(dir, GuestAgent.class, "--simulate", "--kms", url)) {
        int code = agent.waitFor();
        String out = agent.stdoutRest();
        String err = agent.stderr();
        assertEquals(0, code, out + err);
        assertTrue(err.contains("SIMULATED"), err);
        assertTrue(out.contains("keys released by " + url), out);
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("disk_crypt_key")), out);
      }
    }
  }

  @Test
  void agentExitsOneWithTheRefusal() throws Exception {
    // the same example with a TCB floor above the simulated platform's: refused at the policy step
    Path cfg = exampleConfig(dir, "\"snp\": 25", "\"snp\": 26");
    try (JavaProcess kms = JavaProcess.start(dir, KmsServer.class, "--config", cfg.toString())) {
      String url = awaitListening(kms);
      try (JavaProcess agent = JavaProcess.start(dir, GuestAgent.class, "--simulate", "--kms", url)) {
        assertEquals(1, agent.waitFor());
        String err = agent.stderr();
        assertTrue(err.contains("refused: ") && err.contains("TCB"), err);
        assertEquals("", agent.stdoutRest());
      }
    }
  }

  @Test
  void badConfigurationsAreOneLineWithExitTwo() throws Exception {
    String[][] cases = {
      {"missing.json", "no such file"},
      {exampleConfig(dir, "\"port\": 0", "\"port\": \"x\"").toString(), "port"},
    };
    for (String[] c : cases) {
      assertOneLineRefusal(c[0], c[1]);
    }
  }

  @Test
  void allowListThatAllowsNothingIsRefusedAtStart() throws Exception {
    Path cfg = exampleConfig(dir, "\"composeHashes\": [\"e2617193a484c16e9e6fae6baa91ed8646ab9c1d20a508306c6c7b21e087b626\"]",
        "\"composeHashes\": []");
    assertOneLineRefusal(cfg.toString(), "allows nothing");
  }

  private void assertOneLineRefusal(String config, String expected) throws Exception {
    try (JavaProcess kms = JavaProcess.start(dir, KmsServer.class, "--config", config)) {
      assertEquals(2, kms.waitFor());
      String err = kms.stderr();
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.contains(expected), err);
      assertEquals("", kms.stdoutRest());
    }
  }
}
