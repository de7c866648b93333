package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attest4j idblock} against snp-create-id-block's published test (tests/test_id_block.py). */
class IdBlockCliTest {
  /** sev-snp-measure tests/keyfile/id_key_test.pem (Apache-2.0): a published test key. */
  private static final String ID_KEY_PEM = "-----BEGIN EC PRIVATE KEY-----\n"
      + "MIGkAgEBBDDd3NjrPduToA3Y2bU8u+m+wL+icE6wZOiAm5FopHJjHx2a67ZcqhcX\n"
      + "mB/DBwn4WsKgBwYFK4EEACKhZANiAASyD9Ghwr0rZRg6duI5CsgF9tjl4q9yXlqO\n"
      + "k8+H7AKfnUXrMmsEuSvrcU4U+phviposlKC4qzDMdjUmdZRIdokelU/271gmpiMb\n"
      + "ptbX9uv7aM4zDh5ZOU77cICIPdxpNks=\n"
      + "-----END EC PRIVATE KEY-----\n";
  /** sev-snp-measure tests/keyfile/author_key_test.pem (Apache-2.0): a published test key. */
  private static final String AUTHOR_KEY_PEM = "-----BEGIN EC PRIVATE KEY-----\n"
      + "MIGkAgEBBDCUTgpZn6Wt6RvhJHG3PzPIEkyl1x8+0G3gltnqH63ibdpY+Y99M2tr\n"
      + "34JhaKgSdJOgBwYFK4EEACKhZANiAAQGgR/GJAm/LZrlHAdCMlTYk8bCP78WSvM4\n"
      + "Ow+BOmJ+YWjZBnp/S9l5kFiMGEESEKAytCCiJlbScdz9TiVmjHL9WLtfaFH+Ry+d\n"
      + "Fg+ICxTfTDYjBolizeTWCOc3NC2pEsk=\n"
      + "-----END EC PRIVATE KEY-----\n";
  private static final String LD_B64 = "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7t";
  private static final String BLOCK_B64 =
      "B28FLQi9p6cAqipgjFyqawDrrSl7bWioWkWx5mmlWLZ+G5HShKMB/mPE+gdQRn7tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB"
          + "AAAAAAAAAAAAAwAAAAAA";
  private static final String ID_KEY_HASH = "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU";
  private static final String AUTHOR_KEY_HASH = "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX";

  @Test
  void createsWhatSnpCreateIdBlockPrintsAndVerifiesIt(@TempDir Path tmp) throws Exception {
    Path id = Files.writeString(tmp.resolve("id.pem"), ID_KEY_PEM);
    Path author = Files.writeString(tmp.resolve("author.pem"), AUTHOR_KEY_PEM);
    MeasureCommandTest.Run r = MeasureCommandTest.run("idblock", "--measurement", LD_B64, "--idkey", id.toString(),
        "--authorkey", author.toString());
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().split("\\R");
    assertEquals(3, lines.length, r.out());
    assertTrue(lines[0].startsWith("id-block=" + BLOCK_B64 + ",id-auth="), lines[0]);
    assertEquals(4096, Base64.getDecoder().decode(lines[0].substring(lines[0].indexOf(",id-auth=") + 9)).length);
    assertEquals("id_key_hash: " + ID_KEY_HASH, lines[1]);
    assertEquals("author_key: " + AUTHOR_KEY_HASH, lines[2]);
    // deterministic signatures: the same output twice
    assertEquals(r.out(), MeasureCommandTest.run("idblock", "--measurement", LD_B64, "--idkey", id.toString(),
        "--authorkey", author.toString()).out());

    MeasureCommandTest.Run ok = MeasureCommandTest.run("idblock", "verify", "--qemu", lines[0], "--measurement",
        LD_B64, "--id-key-digest", ID_KEY_HASH, "--author-key-digest", AUTHOR_KEY_HASH);
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().startsWith("OK:"), ok.out());
    assertTrue(ok.out().contains("policy: 0x30000"), ok.out());

    // files with raw bytes work too; a block that was not signed does not
    String authB64 = lines[0].substring(lines[0].indexOf(",id-auth=") + 9);
    Path authFile = Files.write(tmp.resolve("auth.bin"), Base64.getDecoder().decode(authB64));
    byte[] other = Base64.getDecoder().decode(BLOCK_B64);
    other[0x58] = 1;
    MeasureCommandTest.Run bad = MeasureCommandTest.run("idblock", "verify", "--id-block",
        Base64.getEncoder().encodeToString(other), "--id-auth", authFile.toString());
    assertEquals(1, bad.code(), bad.out());
    assertTrue(bad.err().contains("BAD_ID_BLOCK_SIGNATURE"), bad.err());
    MeasureCommandTest.Run wrongLd = MeasureCommandTest.run("idblock", "verify", "--qemu", lines[0],
        "--measurement", "00".repeat(48));
    assertEquals(1, wrongLd.code());
  }

  @Test
  void extensionsAndUsage(@TempDir Path tmp) throws Exception {
    Path id = Files.writeString(tmp.resolve("id.pem"), ID_KEY_PEM);
    Path author = Files.writeString(tmp.resolve("author.pem"), AUTHOR_KEY_PEM);
    assertEquals(2, MeasureCommandTest.run("idblock", "--measurement", LD_B64, "--idkey", id.toString()).code());
    assertEquals(1, MeasureCommandTest.run("idblock", "--measurement", "AAAA", "--idkey", id.toString(),
        "--authorkey", author.toString()).code());
    assertEquals(1, MeasureCommandTest.run("idblock", "--measurement", LD_B64, "--idkey", tmp.resolve("none")
        .toString(), "--authorkey", author.toString()).code());
    String hex = java.util.HexFormat.of().formatHex(Base64.getDecoder().decode(LD_B64));
    MeasureCommandTest.Run r = MeasureCommandTest.run("idblock", "--measurement", hex, "--idkey", id.toString(),
        "--authorkey", author.toString(), "--family-id", "01".repeat(16), "--guest-svn", "3", "--policy", "0x30001");
    assertEquals(0, r.code(), r.err());
    String line = r.out().split("\\R")[0];
    MeasureCommandTest.Run v = MeasureCommandTest.run("idblock", "verify", "--qemu", line);
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().contains("family_id: " + "01".repeat(16)) && v.out().contains("guest_svn: 3")
        && v.out().contains("policy: 0x30001"), v.out());
  }
}
