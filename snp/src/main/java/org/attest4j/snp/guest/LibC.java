package org.attest4j.snp.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The three libc calls the ioctl path needs. Behind an interface so tests can run the whole JNA
 * path (native memory, pointer patching, struct decoding) against a fake driver.
 */
interface LibC extends Library {
  int O_RDWR = 2;
  int EIO = 5;
  int EACCES = 13;
  int EPERM = 1;
  int ENOENT = 2;
  int EINVAL = 22;
  int ENOTTY = 25;
  int EAGAIN = 11;
  int ENXIO = 6;
  int ETIMEDOUT = 110;
  int EBADMSG = 74;

  int open(String path, int flags) throws LastErrorException;

  int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  /** The real libc, loaded on first use. */
  static LibC system() {
    return Holder.INSTANCE;
  }

  /** Lazy holder so merely loading the class needs no native library. */
  final class Holder {
    static final LibC INSTANCE = Native.load("c", LibC.class);

    private Holder() {}
  }
}
