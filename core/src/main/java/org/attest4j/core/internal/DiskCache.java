package org.attest4j.core.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A directory of cached endorsement files (certificates, CRLs, collateral) keyed by a simple name.
 * Writes are atomic: the bytes go to a temporary file in the same directory, are forced to disk,
 * and are then renamed over the target, so a reader (or a process restarted after a crash) sees
 * either the old file, the new file or no file, never a partial one. The cache stores bytes only;
 * callers must verify what they read before trusting it.
 *
 * <p>Thread-safe: concurrent writers of the same key each rename a complete file; the last wins.
 * Internal to attest4j.
 */
public final class DiskCache {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._=-]{0,199}");

  private final Path dir;

  private DiskCache(Path dir) {
    this.dir = dir;
  }

  /**
   * A cache rooted at {@code dir} (created on the first write).
   *
   * @param dir the cache directory
   * @return a cache over {@code dir}
   */
  public static DiskCache at(Path dir) {
    return new DiskCache(Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize());
  }

  /**
   * The directory this cache writes to.
   *
   * @return the cache directory
   */
  public Path directory() {
    return dir;
  }

  /**
   * Whether {@code key} is a legal cache key (letters, digits, '.', '_', '=', '-'; no path).
   *
   * @param key the candidate key
   * @return {@code true} if it is non-empty and uses only the allowed characters
   */
  public static boolean isValidKey(String key) {
    return key != null && KEY.matcher(key).matches() && !key.contains("..");
  }

  private Path file(String key) {
    if (!isValidKey(key)) {
      throw new IllegalArgumentException("illegal cache key: " + key);
    }
    return dir.resolve(key);
  }

  /**
   * The cached bytes for {@code key}, or empty when absent.
   *
   * @param key a valid cache key
   * @return the stored bytes, or empty if none are stored
   * @throws IOException if the file exists but cannot be read
   */
  public Optional<byte[]> read(String key) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(file(key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Atomically replaces the bytes stored under {@code key}.
   *
   * @param key a valid cache key
   * @param data the bytes to store
   * @throws IOException if the file cannot be written or moved into place
   */
  public void write(String key, byte[] data) throws IOException {
    Path target = file(key);
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".tmp-", ".part");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Removes {@code key} (no error when absent).
   *
   * @param key a valid cache key
   * @throws IOException if the file exists but cannot be deleted
   */
  public void delete(String key) throws IOException {
    Files.deleteIfExists(file(key));
  }
}
