package org.attest4j.crypto;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The exclusive lock of a KMS key directory: an in-process lock per directory (a JVM cannot hold
 * two {@link FileLock}s on one file, and {@link FileChannel#lock()} would throw for the second
 * thread) and, held by the first holder on the thread, an OS file lock on {@value #LOCK_FILE} in
 * the directory for other processes. Reentrant on one thread. The in-process map keeps one small
 * entry per directory ever locked (a process uses one or two key directories).
 *
 * <p>Thread-safe. Internal.
 */
final class KeyDirectoryLock implements AutoCloseable {
  /** The lock file's name in the key directory. */
  static final String LOCK_FILE = ".root-keys.lock";

  private static final ConcurrentHashMap<Path, Holder> HOLDERS = new ConcurrentHashMap<>();

  private static final class Holder {
    final ReentrantLock lock = new ReentrantLock();
    FileChannel channel; // guarded by lock
    FileLock fileLock; // guarded by lock
  }

  private final Holder holder;

  private KeyDirectoryLock(Holder holder) {
    this.holder = holder;
  }

  /** Blocks until this thread holds the directory's lock (the directory must exist). */
  static KeyDirectoryLock acquire(Path dir) throws IOException {
    Path key;
    try {
      key = dir.toRealPath();
    } catch (IOException e) {
      key = dir.toAbsolutePath().normalize();
    }
    Holder h = HOLDERS.computeIfAbsent(key, k -> new Holder());
    h.lock.lock();
    if (h.lock.getHoldCount() == 1) {
      FileChannel ch = null;
      try {
        ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        h.fileLock = ch.lock();
        h.channel = ch;
      } catch (IOException | RuntimeException e) {
        if (ch != null) {
          ch.close();
        }
        h.lock.unlock();
        throw e;
      }
    }
    return new KeyDirectoryLock(h);
  }

  @Override
  public void close() throws IOException {
    try {
      if (holder.lock.getHoldCount() == 1 && holder.channel != null) {
        try {
          holder.fileLock.release();
        } finally {
          holder.channel.close();
          holder.channel = null;
          holder.fileLock = null;
        }
      }
    } finally {
      holder.lock.unlock();
    }
  }
}
