package org.attest4j.core.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;

/**
 * A bounds-checked little-endian cursor over a byte array for the evidence parsers. Every read that
 * would pass the end throws {@link MalformedEvidenceException} with {@link CoreReason#TRUNCATED}
 * naming the field, never an index exception. Not thread-safe; internal to attest4j.
 */
public final class ByteReader {
  private final byte[] data;
  private final int end;
  private int pos;
  private final String what;

  private ByteReader(byte[] data, int start, int end, String what) {
    this.data = data;
    this.pos = start;
    this.end = end;
    this.what = what;
  }

  /**
   * A reader over all of {@code data}; {@code what} names the structure in messages.
   *
   * @param data the bytes to read; not copied
   * @param what the structure's name, used in messages
   * @return a reader positioned at offset 0
   */
  public static ByteReader of(byte[] data, String what) {
    return new ByteReader(data, 0, data.length, what);
  }

  /**
   * A reader over {@code data[offset, offset + length)}.
   *
   * @param data the bytes to read; not copied
   * @param offset the first byte of the window
   * @param length the window's length
   * @param what the structure's name, used in messages
   * @return a reader positioned at {@code offset}
   * @throws MalformedEvidenceException (TRUNCATED) if the window is not inside {@code data}
   */
  public static ByteReader of(byte[] data, int offset, int length, String what)
      throws MalformedEvidenceException {
    if (offset < 0 || length < 0 || offset > data.length || length > data.length - offset) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED,
          what + ": needs " + length + " bytes at offset " + offset + " but input has " + data.length);
    }
    return new ByteReader(data, offset, offset + length, what);
  }

  /**
   * The current offset.
   *
   * @return the offset of the next byte to read, relative to the whole array
   */
  public int position() {
    return pos;
  }

  /**
   * Bytes left before the end.
   *
   * @return the number of unread bytes in the window
   */
  public int remaining() {
    return end - pos;
  }

  /**
   * Moves to an absolute offset within the bounds.
   *
   * @param position the absolute offset to move to
   * @param field the field name, used in messages
   * @throws MalformedEvidenceException if {@code position} is outside the window
   */
  public void seek(int position, String field) throws MalformedEvidenceException {
    if (position < 0 || position > end) {
      throw truncated(field, position, 0);
    }
    pos = position;
  }

  private MalformedEvidenceException truncated(String field, int at, int n) {
    return new MalformedEvidenceException(
        CoreReason.TRUNCATED,
        what + ": field " + field + " needs " + n + " bytes at offset " + at + " but only "
            + Math.max(0, end - at) + " remain");
  }

  private int take(int n, String field) throws MalformedEvidenceException {
    if (n < 0 || n > end - pos) {
      throw truncated(field, pos, n);
    }
    int p = pos;
    pos += n;
    return p;
  }

  /**
   * Reads an unsigned byte.
   *
   * @param field the field name, used in messages
   * @return the byte, 0..255
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public int u8(String field) throws MalformedEvidenceException {
    return data[take(1, field)] & 0xff;
  }

  /**
   * Reads a little-endian u16.
   *
   * @param field the field name, used in messages
   * @return the value, 0..65535
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public int u16(String field) throws MalformedEvidenceException {
    int p = take(2, field);
    return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8;
  }

  /**
   * Reads a little-endian u32.
   *
   * @param field the field name, used in messages
   * @return the value, 0..2^32-1
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public long u32(String field) throws MalformedEvidenceException {
    int p = take(4, field);
    return ByteBuffer.wrap(data, p, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
  }

  /**
   * A u32 that must fit a non-negative int (lengths, counts).
   *
   * @param field the field name, used in messages
   * @return the value, 0..{@link Integer#MAX_VALUE}
   * @throws MalformedEvidenceException if fewer than 4 bytes remain or the value does not fit an int
   */
  public int u32AsInt(String field) throws MalformedEvidenceException {
    long v = u32(field);
    if (v > Integer.MAX_VALUE) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_FIELD, what + ": field " + field + " = " + v + " is too large");
    }
    return (int) v;
  }

  /**
   * Reads a little-endian u64 (as a signed long).
   *
   * @param field the field name, used in messages
   * @return the 64 bits, values of 2^63 and above negative
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public long u64(String field) throws MalformedEvidenceException {
    int p = take(8, field);
    return ByteBuffer.wrap(data, p, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /**
   * Reads a big-endian u16 (TPM 2.0 structures).
   *
   * @param field the field name, used in messages
   * @return the value, 0..65535
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public int u16be(String field) throws MalformedEvidenceException {
    int p = take(2, field);
    return (data[p] & 0xff) << 8 | (data[p + 1] & 0xff);
  }

  /**
   * Reads a big-endian u32 (TPM 2.0 structures).
   *
   * @param field the field name, used in messages
   * @return the value, 0..2^32-1
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public long u32be(String field) throws MalformedEvidenceException {
    int p = take(4, field);
    return ByteBuffer.wrap(data, p, 4).getInt() & 0xffffffffL;
  }

  /**
   * Reads a big-endian u64 (as a signed long; TPM 2.0 structures).
   *
   * @param field the field name, used in messages
   * @return the 64 bits, values of 2^63 and above negative
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public long u64be(String field) throws MalformedEvidenceException {
    int p = take(8, field);
    return ByteBuffer.wrap(data, p, 8).getLong();
  }

  /**
   * Reads {@code n} bytes into a fresh array.
   *
   * @param n the number of bytes to read
   * @param field the field name, used in messages
   * @return a new array of {@code n} bytes
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public byte[] bytes(int n, String field) throws MalformedEvidenceException {
    int p = take(n, field);
    return Arrays.copyOfRange(data, p, p + n);
  }

  /**
   * Skips {@code n} bytes.
   *
   * @param n the number of bytes to skip
   * @param field the field name, used in messages
   * @throws MalformedEvidenceException (TRUNCATED) if fewer bytes remain
   */
  public void skip(int n, String field) throws MalformedEvidenceException {
    take(n, field);
  }

  /**
   * Reads {@code n} bytes that must all be zero.
   *
   * @param n the number of bytes
   * @param field the field name, used in messages
   * @throws MalformedEvidenceException if fewer bytes remain or one is not zero
   */
  public void zeros(int n, String field) throws MalformedEvidenceException {
    int p = take(n, field);
    for (int i = 0; i < n; i++) {
      if (data[p + i] != 0) {
        throw new MalformedEvidenceException(
            org.attest4j.core.CoreReason.NONZERO_RESERVED,
            what + ": reserved field " + field + " at offset 0x" + Integer.toHexString(p)
                + " must be zero but byte " + i + " is 0x" + Integer.toHexString(data[p + i] & 0xff));
      }
    }
  }
}
