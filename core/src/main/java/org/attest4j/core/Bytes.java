package org.attest4j.core;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string for public evidence values (measurements, digests, report_data, chip
 * ids). {@link #equals(Object)} compares in constant time for equal lengths, {@link #toString()}
 * is lowercase hex. Do not use it for secrets: its {@code toString()} shows the bytes.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Bytes {
  private static final HexFormat HEX = HexFormat.of();
  private static final Bytes EMPTY = new Bytes(new byte[0]);

  private final byte[] value;

  private Bytes(byte[] value) {
    this.value = value;
  }

  /**
   * A copy of {@code value}.
   *
   * @param value the bytes to copy; not retained
   * @return an immutable byte string with the same content (the shared empty instance if empty)
   */
  public static Bytes of(byte[] value) {
    Objects.requireNonNull(value, "value");
    return value.length == 0 ? EMPTY : new Bytes(value.clone());
  }

  /**
   * A copy of {@code value[offset, offset + length)}.
   *
   * @param value the array to copy from
   * @param offset index of the first byte to copy
   * @param length number of bytes to copy
   * @return an immutable byte string holding the copied range
   * @throws IndexOutOfBoundsException if the range is outside {@code value}
   */
  public static Bytes of(byte[] value, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, value.length);
    return new Bytes(Arrays.copyOfRange(value, offset, offset + length));
  }

  /**
   * The empty byte string.
   *
   * @return the shared zero-length instance
   */
  public static Bytes empty() {
    return EMPTY;
  }

  /**
   * Parses hex (upper or lower case, an optional {@code 0x} prefix).
   *
   * <p>For configuration values (pinned digests, ids); a parser of untrusted input that meets hex
   * catches this and refuses with its own checked exception.
   *
   * @param hex the text
   * @return the bytes
   * @throws InvalidConfigurationException if the text is missing or not hex
   */
  public static Bytes fromHex(String hex) {
    if (hex == null) {
      throw new InvalidConfigurationException(CoreReason.MISSING_INPUT, "hex string is missing (null)");
    }
    String h = hex.strip();
    if (h.startsWith("0x") || h.startsWith("0X")) {
      h = h.substring(2);
    }
    try {
      return new Bytes(HEX.parseHex(h));
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigurationException(
          CoreReason.BAD_ENCODING, "not a hex string (" + h.length() + " characters): " + e.getMessage());
    }
  }

  /**
   * The number of bytes.
   *
   * @return the length in bytes, zero for the empty string
   */
  public int length() {
    return value.length;
  }

  /**
   * The byte at {@code index}.
   *
   * @param index zero-based position, less than {@link #length()}
   * @return the byte at that position
   * @throws ArrayIndexOutOfBoundsException if {@code index} is out of range
   */
  public byte get(int index) {
    return value[index];
  }

  /**
   * A fresh copy of the bytes.
   *
   * @return a new array the caller may modify freely
   */
  public byte[] toByteArray() {
    return value.clone();
  }

  /**
   * Lowercase hex, without prefix.
   *
   * @return two lowercase hex digits per byte, empty for the empty string
   */
  public String toHex() {
    return HEX.formatHex(value);
  }

  /**
   * Whether every byte is zero (true for the empty string).
   *
   * @return {@code true} if no byte is non-zero
   */
  public boolean isZero() {
    int acc = 0;
    for (byte b : value) {
      acc |= b;
    }
    return acc == 0;
  }

  /**
   * Constant-time comparison with raw bytes.
   *
   * @param other the bytes to compare with; {@code null} is equal to nothing
   * @return {@code true} if {@code other} holds exactly these bytes
   */
  public boolean equalsBytes(byte[] other) {
    return other != null && MessageDigest.isEqual(value, other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes b && MessageDigest.isEqual(value, b.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
