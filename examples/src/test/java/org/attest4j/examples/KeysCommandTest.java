package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code attest4j keys derive} against every case of vectors/dstack/app-keys.jsonl. */
class KeysCommandTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Vector fields that are inputs (or the root secrets), not printed by the command. */
  private static final List<String> INPUTS = List.of("id", "root_ca_key", "root_k256_key", "root_ca_pkcs8_der");

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Writes root-ca.key (PEM of the vector's PKCS#8, as dstack writes it) and root-k256.key (raw). */
  private Path[] keyFiles(JsonObject c, String name) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    byte[] der = HEX.parseHex(c.get("root_ca_pkcs8_der").getAsString());
    String pem =
        "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
            + "\n-----END PRIVATE KEY-----\n";
    Path ca = Files.writeString(d.resolve("root-ca.key"), pem, StandardCharsets.US_ASCII);
    Path k = Files.write(d.resolve("root-k256.key"), HEX.parseHex(c.get("root_k256_key").getAsString()));
    return new Path[] {ca, k};
  }

  @TestFactory
  Stream<DynamicTest> appKeysJsonl() {
    return SharedData.jsonLines("vectors/dstack/app-keys.jsonl").stream()
        .map(c -> DynamicTest.dynamicTest(c.get("id").getAsString(), () -> check(c)));
  }

  private void check(JsonObject c) throws Exception {
    Path[] f = keyFiles(c, c.get("id").getAsString());
    List<String> args = new ArrayList<>(List.of("keys", "derive", "--root-ca-key", f[0].toString(),
        "--root-k256-key", f[1].toString(), "--app-id", c.get("app_id").getAsString()));
    if (!c.get("instance_id").getAsString().isEmpty()) {
      args.add("--instance-id");
      args.add(c.get("instance_id").getAsString());
    }
    args.add("--timestamp");
    args.add(c.get("timestamp").getAsString());
    args.add("--json");
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    int compared = 0;
    for (String k : c.keySet()) {
      if (!INPUTS.contains(k)) {
        assertTrue(o.has(k), "output lacks " + k);
        assertEquals(c.get(k).getAsString(), o.get(k).getAsString(), k);
        compared++;
      }
    }
    assertEquals(c.keySet().size() - INPUTS.size(), compared);
    assertEquals(c.get("timestamp").getAsLong(), o.get("timestamp").getAsLong());

    // the exact form (no --timestamp) prints the required fields too
    Run plain = run("keys", "derive", "--root-ca-key", f[0].toString(), "--root-k256-key", f[1].toString(),
        "--app-id", c.get("app_id").getAsString(), "--instance-id", c.get("instance_id").getAsString(), "--json");
    assertEquals(0, plain.code(), plain.err());
    JsonObject p = JsonParser.parseString(plain.out()).getAsJsonObject();
    for (String k : List.of("disk_crypt_key", "env_crypt_key", "env_pubkey", "app_ca_pubkey", "k256_key",
        "k256_pubkey_compressed", "k256_signature")) {
      assertEquals(c.get(k).getAsString(), p.get(k).getAsString(), k);
    }
    assertFalse(p.has("env_pubkey_signature_v1"));

    // without --json no secret is printed
    Run text = run("keys", "derive", "--root-ca-key", f[0].toString(), "--root-k256-key", f[1].toString(),
        "--app-id", c.get("app_id").getAsString());
    assertEquals(0, text.code(), text.err());
    assertFalse(text.out().contains(c.get("env_crypt_key").getAsString()));
    assertFalse(text.out().contains(c.get("k256_key").getAsString()));
    assertTrue(text.out().contains(c.get("env_pubkey").getAsString()));
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    JsonObject c = SharedData.jsonLines("vectors/dstack/app-keys.jsonl").get(0);
    Path[] f = keyFiles(c, "usage");
    String ca = f[0].toString();
    String k = f[1].toString();
    String app = c.get("app_id").getAsString();
    assertEquals(2, run("keys").code());
    assertEquals(2, run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--json").code());
    assertEquals(2, run("keys", "derive", "--root-ca-key", ca, "--app-id", app).code());
    assertEquals(2, run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", "xyz").code());
    assertEquals(2, run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", app, "--bogus").code());
    assertEquals(2, run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", app, "--timestamp", "soon").code());
    assertEquals(2, run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", app, "--instance-id", "zz").code());
    assertEquals(2, run("keys", "generate").code());
    assertEquals(0, run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", "0x" + app).code());
  }

  @Test
  void refusalsExitOneWithReason() throws Exception {
    JsonObject c = SharedData.jsonLines("vectors/dstack/app-keys.jsonl").get(0);
    Path[] f = keyFiles(c, "refused");
    String ca = f[0].toString();
    String k = f[1].toString();
    String app = c.get("app_id").getAsString();
    Run shortApp = run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", "abcd", "--json");
    assertEquals(1, shortApp.code());
    assertTrue(shortApp.err().contains("BAD_APP_ID"), shortApp.err());
    assertEquals("", shortApp.out());
    Run badInst = run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", k, "--app-id", app, "--instance-id", "00");
    assertEquals(1, badInst.code());
    assertTrue(badInst.err().contains("BAD_INSTANCE_ID"), badInst.err());
    Path hexK = Files.writeString(dir.resolve("hex-k256.key"), c.get("root_k256_key").getAsString());
    Run hexKey = run("keys", "derive", "--root-ca-key", ca, "--root-k256-key", hexK.toString(), "--app-id", app);
    assertEquals(1, hexKey.code());
    assertTrue(hexKey.err().contains("BAD_KEY"), hexKey.err());
    Run missing = run("keys", "derive", "--root-ca-key", dir.resolve("nope").toString(), "--root-k256-key", k, "--app-id", app);
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("IO_ERROR"), missing.err());
    Run swapped = run("keys", "derive", "--root-ca-key", k, "--root-k256-key", ca, "--app-id", app);
    assertEquals(1, swapped.code());
  }

  @Test
  void generateThenDerive() {
    Path out = dir.resolve("kms");
    Run g = run("keys", "generate", "--out", out.toString());
    assertEquals(0, g.code(), g.err());
    assertEquals(1, run("keys", "generate", "--out", out.toString()).code());
    Run d = run("keys", "derive", "--root-ca-key", out.resolve("root-ca.key").toString(),
        "--root-k256-key", out.resolve("root-k256.key").toString(), "--app-id", "11".repeat(20), "--json");
    assertEquals(0, d.code(), d.err());
    JsonObject o = JsonParser.parseString(d.out()).getAsJsonObject();
    assertTrue(g.out().contains(o.get("root_ca_spki_der").getAsString()));
  }
}
