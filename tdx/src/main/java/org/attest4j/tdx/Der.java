package org.attest4j.tdx;

import java.util.Arrays;

/** Minimal DER TLV slicing to recover the exact signed bytes of certificates and CRLs. */
final class Der {
  private Der() {}

  /** {offset of value, length of value, offset after element} of the TLV at {@code off}; null if malformed. */
  static int[] tlv(byte[] d, int off, int limit) {
    if (off + 2 > limit) {
      return null;
    }
    int tag = d[off] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      return null; // multi-byte tags are not used in X.509 structures we slice
    }
    int p = off + 1;
    int len = d[p++] & 0xff;
    if (len >= 0x80) {
      int n = len & 0x7f;
      if (n == 0 || n > 4 || p + n > limit) {
        return null;
      }
      long l = 0;
      for (int i = 0; i < n; i++) {
        l = (l << 8) | (d[p++] & 0xff);
      }
      if (l > Integer.MAX_VALUE) {
        return null;
      }
      len = (int) l;
    }
    if (len < 0 || p + len > limit || p + len < p) {
      return null;
    }
    return new int[] {p, len, p + len};
  }

  /**
   * The raw bytes of the first element inside the outer SEQUENCE (the TBSCertificate or TBSCertList)
   * of a certificate or CRL, or null if the outer structure is not a single SEQUENCE.
   */
  static byte[] firstInnerElement(byte[] der) {
    if (der.length < 2 || (der[0] & 0xff) != 0x30) {
      return null;
    }
    int[] outer = tlv(der, 0, der.length);
    if (outer == null || outer[2] != der.length) {
      return null;
    }
    int[] inner = tlv(der, outer[0], outer[2]);
    if (inner == null || (der[outer[0]] & 0xff) != 0x30) {
      return null;
    }
    return Arrays.copyOfRange(der, outer[0], inner[2]);
  }
}
