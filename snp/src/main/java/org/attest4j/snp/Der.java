package org.attest4j.snp;

import java.util.Arrays;

/** Minimal DER slicing (the exact TBS bytes of a signed structure). Stateless, thread-safe. */
final class Der {
  private Der() {}

  /** The raw bytes (tag, length, content) of the first element inside the outer SEQUENCE. */
  static byte[] firstElement(byte[] der) {
    int[] outer = header(der, 0);
    int start = outer[0];
    int[] inner = header(der, start);
    int end = inner[0] + inner[1];
    if (end > outer[0] + outer[1]) {
      throw new IllegalArgumentException("DER element overruns its SEQUENCE");
    }
    return Arrays.copyOfRange(der, start, end);
  }

  /**
   * The length of the complete TLV at the start of {@code der} (header and content), or -1 when it
   * does not start with a well-formed definite-length element that fits.
   */
  static int outerLength(byte[] der) {
    try {
      int[] h = header(der, 0);
      return h[0] + h[1];
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** {content offset, content length} of the TLV at {@code off}; definite lengths only. */
  private static int[] header(byte[] b, int off) {
    if (off + 2 > b.length || (b[off] & 0x1f) == 0x1f) {
      throw new IllegalArgumentException("truncated or unsupported DER tag at " + off);
    }
    int len = b[off + 1] & 0xff;
    int p = off + 2;
    if (len >= 0x80) {
      int n = len & 0x7f;
      if (n == 0 || n > 4 || p + n > b.length) {
        throw new IllegalArgumentException("unsupported DER length at " + off);
      }
      len = 0;
      for (int i = 0; i < n; i++) {
        len = len << 8 | (b[p++] & 0xff);
      }
      if (len < 0) {
        throw new IllegalArgumentException("DER length too large at " + off);
      }
    }
    if (len > b.length - p) {
      throw new IllegalArgumentException("DER length " + len + " overruns the input at " + off);
    }
    return new int[] {p, len};
  }
}
