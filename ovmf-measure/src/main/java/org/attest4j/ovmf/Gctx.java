package org.attest4j.ovmf;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The SNP guest-context launch digest chain: {@code LD = SHA-384(PAGE_INFO)} per page, with the
 * 112-byte PAGE_INFO kept in one buffer (LD at 0, contents at 48) so an update allocates nothing.
 * Not thread-safe; one per computation. Internal.
 */
final class Gctx {
  static final long VMSA_GPA = 0xFFFF_FFFF_F000L;
  static final int LD = 48;
  private static final int INFO = 0x70;

  /** Receives every update when a log is requested. */
  interface Listener {
    void updated(PageType type, long gpa, byte[] info);
  }

  private final MessageDigest md;
  private final byte[] info = new byte[INFO];
  private final Listener listener;
  private int updates;

  Gctx(MessageDigest md, byte[] seed, Listener listener) {
    this.md = md;
    this.listener = listener;
    if (seed != null) {
      System.arraycopy(seed, 0, info, 0, LD);
    }
    info[0x60] = INFO;
  }

  static MessageDigest sha384() {
    try {
      return MessageDigest.getInstance("SHA-384");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 unavailable", e);
    }
  }

  /** Resets the chain to {@code ld}. */
  void reset(byte[] ld, int count) {
    System.arraycopy(ld, 0, info, 0, LD);
    updates = count;
  }

  int updates() {
    return updates;
  }

  /** The current launch digest (a copy). */
  byte[] ld() {
    return Arrays.copyOf(info, LD);
  }

  /** Compares the current launch digest with {@code other} in constant time (no allocation). */
  boolean ldEquals(byte[] other) {
    if (other == null || other.length != LD) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < LD; i++) {
      diff |= info[i] ^ other[i];
    }
    return diff == 0;
  }

  /** One update with the contents digest already in the buffer (info[48..96)). */
  private void finish(PageType type, long gpa) {
    info[0x62] = (byte) type.code();
    Le.put64(info, 0x68, gpa);
    md.update(info, 0, INFO);
    digestInto(0);
    updates++;
    if (listener != null) {
      listener.updated(type, gpa, info);
    }
  }

  private void digestInto(int off) {
    try {
      md.digest(info, off, LD);
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A page type whose contents field is 48 zero bytes. */
  void zeroContents(PageType type, long gpa) {
    Arrays.fill(info, LD, 2 * LD, (byte) 0);
    finish(type, gpa);
  }

  /** An update with a precomputed 48-byte contents digest. */
  void withContents(PageType type, long gpa, byte[] contents) {
    System.arraycopy(contents, 0, info, LD, LD);
    finish(type, gpa);
  }

  /** NORMAL pages over {@code data[off, off+len)} ({@code len} a multiple of 4096). */
  void normalPages(byte[] data, int off, int len, long gpa) {
    for (int p = 0; p < len; p += OvmfImage.PAGE) {
      md.update(data, off + p, OvmfImage.PAGE);
      digestInto(LD);
      finish(PageType.NORMAL, gpa + p);
    }
  }

  /** A NORMAL page whose contents are pending in another digest, which this call finishes. */
  void normalPageFrom(MessageDigest other, long gpa) {
    try {
      other.digest(info, LD, LD);
    } catch (DigestException e) {
      throw new IllegalStateException(e);
    }
    finish(PageType.NORMAL, gpa);
  }

  boolean hasListener() {
    return listener != null;
  }

  /** ZERO (or UNMEASURED) pages over a range. */
  void zeroPages(PageType type, long gpa, long size) {
    for (long p = 0; p < size; p += OvmfImage.PAGE) {
      zeroContents(type, gpa + p);
    }
  }
}
