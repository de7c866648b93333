package org.attest4j.ovmf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * A kernel or initrd as the SEV hashes table sees it: its SHA-256. Build it from a file or a stream
 * (hashed through a 64 KiB buffer, never loaded whole), from bytes, or from a digest a KMS has
 * pinned.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Artifact {
  private static final int BUFFER = 64 * 1024;
  private static final Artifact EMPTY = new Artifact(sha256().digest(), 0);

  private final byte[] sha256;
  private final long size; // -1 when unknown

  private Artifact(byte[] sha256, long size) {
    this.sha256 = sha256;
    this.size = size;
  }

  /**
   * The empty artifact (what an absent initrd counts as).
   *
   * @return the empty artifact (what an absent initrd counts as)
   */
  public static Artifact empty() {
    return EMPTY;
  }

  /**
   * The artifact with the given contents.
   *
   * @param contents the kernel or initrd bytes (hashed, not kept)
   * @return the artifact with the given contents
   */
  public static Artifact of(byte[] contents) {
    Objects.requireNonNull(contents, "contents");
    return new Artifact(sha256().digest(contents), contents.length);
  }

  /**
   * Hashes a file through a buffer.
   *
   * @param file the kernel or initrd file (streamed, never loaded whole)
   * @return the artifact
   * @throws IOException when the file cannot be read
   */
  public static Artifact of(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    MessageDigest md = sha256();
    long total = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(BUFFER);
      int n;
      while ((n = ch.read(buf)) >= 0) {
        if (n > 0) {
          buf.flip();
          md.update(buf);
          buf.clear();
          total += n;
        }
      }
    }
    return new Artifact(md.digest(), total);
  }

  /**
   * Reads a stream to its end through a buffer and hashes it. The stream is not closed.
   *
   * @param in the stream (read to its end, not closed)
   * @return the artifact
   * @throws IOException when reading fails
   */
  public static Artifact of(InputStream in) throws IOException {
    Objects.requireNonNull(in, "in");
    MessageDigest md = sha256();
    byte[] buf = new byte[BUFFER];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      md.update(buf, 0, n);
      total += n;
    }
    return new Artifact(md.digest(), total);
  }

  /**
   * An artifact known only by its SHA-256 (for example a digest pinned in a KMS policy).
   *
   * @param digest the 32-byte SHA-256
   * @return the artifact
   * @throws MalformedEvidenceException with {@link OvmfReason#BAD_LAUNCH_PARAMETER} unless 32 bytes
   */
  public static Artifact ofSha256(Bytes digest) throws MalformedEvidenceException {
    Objects.requireNonNull(digest, "digest");
    if (digest.length() != 32) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER, "a SHA-256 digest has 32 bytes, not " + digest.length());
    }
    return new Artifact(digest.toByteArray(), -1);
  }

  /**
   * Like {@link #ofSha256(Bytes)} for raw bytes.
   *
   * @param digest the 32-byte SHA-256
   * @return the artifact
   * @throws MalformedEvidenceException when the input is refused, with an {@link OvmfReason}
   */
  public static Artifact ofSha256(byte[] digest) throws MalformedEvidenceException {
    Objects.requireNonNull(digest, "digest");
    return ofSha256(Bytes.of(digest));
  }

  /**
   * Like {@link #ofSha256(Bytes)} for hex text (a configured digest).
   *
   * @param hex 64 hex digits, optionally with {@code 0x}
   * @return the artifact
   * @throws org.attest4j.core.InvalidConfigurationException if the text is not the hex of 32 bytes
   */
  public static Artifact ofSha256Hex(String hex) {
    try {
      return ofSha256(Bytes.fromHex(hex));
    } catch (MalformedEvidenceException e) {
      throw org.attest4j.core.InvalidConfigurationException.from(e);
    }
  }

  /**
   * The SHA-256 of the contents.
   *
   * @return the SHA-256 of the contents
   */
  public Bytes sha256Digest() {
    return Bytes.of(sha256);
  }

  /**
   * The size in bytes, when the contents were seen.
   *
   * @return the size in bytes, when the contents were seen
   */
  public OptionalLong size() {
    return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
  }

  byte[] rawSha256() {
    return sha256;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Artifact a && MessageDigest.isEqual(sha256, a.sha256);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(sha256);
  }

  @Override
  public String toString() {
    return "Artifact[sha256=" + Bytes.of(sha256).toHex() + (size >= 0 ? ", " + size + " bytes" : "") + "]";
  }
}
