package org.attest4j.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes key-directory files with no-replace semantics: the content goes completely to a temporary
 * file (forced to disk) that is then hard-linked to the target name, which fails with {@link
 * FileAlreadyExistsException} when the name exists, so no reader ever sees a partial file and no
 * existing file is ever replaced. Where hard links are unsupported, the target is created with
 * {@link StandardOpenOption#CREATE_NEW} instead. Stateless; internal.
 */
final class KeyFiles {
  private KeyFiles() {}

  /**
   * Writes {@code content} to {@code target} unless it exists; {@code secret} files are readable by
   * the owner only where the file system supports POSIX permissions.
   */
  static void writeNoReplace(Path target, byte[] content, boolean secret) throws IOException {
    Path dir = target.getParent();
    Path tmp = createTemp(dir, "." + target.getFileName(), secret);
    try {
      writeForced(tmp, content);
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (UnsupportedOperationException | FileSystemException e) {
        createNew(target, content, secret);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path createTemp(Path dir, String prefix, boolean secret) throws IOException {
    if (secret) {
      try {
        return Files.createTempFile(dir, prefix, ".tmp", ownerOnly());
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
    }
    return Files.createTempFile(dir, prefix, ".tmp");
  }

  private static void createNew(Path target, byte[] content, boolean secret) throws IOException {
    try {
      if (secret) {
        Files.createFile(target, ownerOnly());
      } else {
        Files.createFile(target);
      }
    } catch (UnsupportedOperationException e) {
      Files.createFile(target);
    }
    writeForced(target, content);
  }

  private static FileAttribute<?> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }

  private static void writeForced(Path p, byte[] content) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
  }

  /** Makes the new name durable where the platform allows syncing a directory (best effort). */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // not supported here (e.g. Windows); the files themselves were forced
    }
  }
}
