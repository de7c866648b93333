package org.attest4j.core;

import java.security.MessageDigest;

/** Constant-time comparisons for digests, MACs and other values an attacker may probe. Stateless and thread-safe. */
public final class ConstantTime {
  private ConstantTime() {}

  /**
   * Whether {@code a} and {@code b} hold the same bytes. The time taken depends only on the lengths,
   * never on where the arrays differ. Null is equal to nothing.
   *
   * @param a the first array, may be {@code null}
   * @param b the second array, may be {@code null}
   * @return {@code true} if both are non-null and hold the same bytes
   */
  public static boolean equals(byte[] a, byte[] b) {
    return a != null && b != null && MessageDigest.isEqual(a, b);
  }
}
