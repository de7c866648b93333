package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel/initrd inputs: files, streams, bytes and digests agree; the hash table layout. */
class ArtifactTest {
  /** A stream of {@code n} pseudo-random bytes that holds only a small buffer. */
  static final class Generated extends InputStream {
    private long left;
    private int x = 12345;

    Generated(long n) {
      left = n;
    }

    @Override
    public int read() {
      if (left == 0) {
        return -1;
      }
      left--;
      x = x * 1103515245 + 12345;
      return (x >>> 16) & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) read();
      }
      return n;
    }
  }

  @Test
  void streamsFilesBytesAndDigestsAgree(@TempDir Path dir) throws Exception {
    int n = 3 * 1024 * 1024 + 7;
    byte[] all = new Generated(n).readAllBytes();
    Path f = dir.resolve("initrd");
    Files.write(f, all);
    Artifact fromStream = Artifact.of(new Generated(n));
    assertEquals(Artifact.of(all), fromStream);
    assertEquals(Artifact.of(f), fromStream);
    assertEquals(n, fromStream.size().getAsLong());
    Bytes sha = Bytes.of(MessageDigest.getInstance("SHA-256").digest(all));
    assertEquals(sha, fromStream.sha256Digest());
    assertEquals(fromStream, Artifact.ofSha256(sha));
    assertFalse(Artifact.ofSha256(sha).size().isPresent());
    assertEquals(Artifact.empty(), Artifact.of(new byte[0]));
    assertThrows(MalformedEvidenceException.class, () -> Artifact.ofSha256(Bytes.of(new byte[31])));
    assertThrows(org.attest4j.core.InvalidConfigurationException.class, () -> Artifact.ofSha256Hex("zz"));
    assertThrows(org.attest4j.core.InvalidConfigurationException.class, () -> Artifact.ofSha256Hex("00"));
  }

  @Test
  void hashTableLayout() throws Exception {
    Artifact k = Artifact.of("kernel".getBytes(StandardCharsets.US_ASCII));
    BootArtifacts b = BootArtifacts.of(k, null, "console=ttyS0");
    byte[] t = b.hashTable().orElseThrow().toByteArray();
    assertEquals(176, t.length);
    // header GUID 9438d606-4f22-4cc9-b479-a793d411fd21 in mixed-endian form, then length 168
    assertEquals("06d63894224fc94cb479a793d411fd21", Bytes.of(t, 0, 16).toHex());
    assertEquals(168, Le.u16(t, 16));
    assertEquals("d82dd09720bd944caa78e7714d36ab2a", Bytes.of(t, 18, 16).toHex(), "cmdline entry first");
    assertEquals(50, Le.u16(t, 34));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertEquals(Bytes.of(sha.digest("console=ttyS0\0".getBytes(StandardCharsets.US_ASCII))), Bytes.of(t, 36, 32));
    assertEquals(Bytes.of(sha.digest(new byte[0])), Bytes.of(t, 68 + 18, 32), "absent initrd = empty");
    assertEquals(k.sha256Digest(), Bytes.of(t, 118 + 18, 32));
    assertTrue(Bytes.of(t, 168, 8).isZero());
    // null and "" command lines are the same; whitespace is not trimmed
    assertEquals(b.cmdlineSha256(), BootArtifacts.of(k, Artifact.empty(), "console=ttyS0").cmdlineSha256());
    assertEquals(BootArtifacts.of(k, null, (String) null), BootArtifacts.of(k, null, ""));
    assertFalse(BootArtifacts.of(k, null, "x ").equals(BootArtifacts.of(k, null, "x")));
    assertEquals(
        BootArtifacts.of(k, null, "x"),
        BootArtifacts.ofCmdlineDigest(k, null, Bytes.of(sha.digest("x\0".getBytes(StandardCharsets.US_ASCII)))));
  }
}
