package org.attest4j.tdx;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;

/**
 * The four TDX runtime measurement registers RTMR0..RTMR3 (48 bytes each), as found in a quote or as
 * obtained by replaying an event log. {@code extend(MR, d) = SHA-384(MR || d)}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Rtmrs {
  /** Size of one register. */
  public static final int SIZE = 48;

  private static final Bytes ZERO = Bytes.of(new byte[SIZE]);

  private final Bytes[] values;

  private Rtmrs(Bytes[] values) {
    this.values = values;
  }

  /**
   * Four given register values, each 48 bytes.
   *
   * @param rtmr0 RTMR0 (48 bytes)
   * @param rtmr1 RTMR1 (48 bytes)
   * @param rtmr2 RTMR2 (48 bytes)
   * @param rtmr3 RTMR3 (48 bytes)
   * @return four given register values, each 48 bytes
   */
  public static Rtmrs of(Bytes rtmr0, Bytes rtmr1, Bytes rtmr2, Bytes rtmr3) {
    Bytes[] v = {rtmr0, rtmr1, rtmr2, rtmr3};
    for (int i = 0; i < 4; i++) {
      Objects.requireNonNull(v[i], "rtmr" + i);
      if (v[i].length() != SIZE) {
        throw new IllegalArgumentException("rtmr" + i + " must be 48 bytes, got " + v[i].length());
      }
    }
    return new Rtmrs(v);
  }

  /**
   * All four registers zero (the initial state).
   *
   * @return all four registers zero (the initial state)
   */
  public static Rtmrs zero() {
    return new Rtmrs(new Bytes[] {ZERO, ZERO, ZERO, ZERO});
  }

  /**
   * Register {@code index} (0..3).
   *
   * @param index the register index (0..3)
   * @return register {@code index} (0..3)
   */
  public Bytes get(int index) {
    if (index < 0 || index > 3) {
      throw new IllegalArgumentException("RTMR index must be 0..3, got " + index);
    }
    return values[index];
  }

  /**
   * The indices (0..3) where this and {@code other} differ (constant-time per register).
   *
   * @param other the other value
   * @return the indices (0..3) where this and {@code other} differ (constant-time per register)
   */
  public List<Integer> mismatches(Rtmrs other) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      if (!values[i].equals(other.values[i])) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * Checks that these (replayed) values equal the quote's registers.
   *
   * @param quoted the values in the quote
   * @throws VerificationException with {@link TdxReason#RTMR_MISMATCH} naming every differing
   *     register and both values
   */
  public void requireMatches(TdReport quoted) throws VerificationException {
    requireMatches(quoted.rtmrs(), List.of(0, 1, 2, 3));
  }

  /**
   * Checks the registers in {@code indices} against {@code quoted}.
   *
   * @param quoted the values in the quote
   * @param indices the register indices to compare
   * @throws VerificationException with {@link TdxReason#RTMR_MISMATCH}
   */
  public void requireMatches(Rtmrs quoted, List<Integer> indices) throws VerificationException {
    StringBuilder sb = new StringBuilder();
    for (int i : indices) {
      if (!values[i].equals(quoted.get(i))) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append("RTMR").append(i).append(" replayed ").append(values[i]).append(" != quote ")
            .append(quoted.get(i));
      }
    }
    if (sb.length() > 0) {
      throw new VerificationException(
          TdxReason.RTMR_MISMATCH, "event log replay does not match the quote: " + sb);
    }
  }

  /**
   * {@code SHA-384(mr || digest)}: one extend operation.
   *
   * @param mr the current register value (48 bytes)
   * @param digest the event digest
   * @return the extended register value (48 bytes)
   */
  public static byte[] extend(byte[] mr, byte[] digest) {
    MessageDigest md = sha384();
    md.update(mr);
    md.update(digest);
    return md.digest();
  }

  static MessageDigest sha384() {
    try {
      return MessageDigest.getInstance("SHA-384");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 unavailable", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rtmrs r && mismatches(r).isEmpty();
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (Bytes b : values) {
      h = 31 * h + b.hashCode();
    }
    return h;
  }

  @Override
  public String toString() {
    return "Rtmrs[rtmr0=" + values[0] + ", rtmr1=" + values[1] + ", rtmr2=" + values[2]
        + ", rtmr3=" + values[3] + "]";
  }
}
