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

  /** A reader over all of {@code data}; {@code what} names the structure in messages. */
  public static ByteReader of(byte[] data, String what) {
    return new ByteReader(data, 0, data.length, what);
  }

  /** A reader over {@code data[offset, offset + length)}. */
  public static ByteReader of(byte[] data, int offset, int length, String what)
      throws MalformedEvidenceException {
    if (offset < 0 || length < 0 || offset > data.length || length > data.length - offset) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED,
          what + ": needs " + length + " bytes at offset " + offset + " but input has " + data.length);
    }
    return new ByteReader(data, offset, offset + length, what);
  }

  /** The current offset. */
  public int position() {
    return pos;
  }

  /** Bytes left before the end. */
  public int remaining() {
    return end - pos;
  }

  /** Moves to an absolute offset within the bounds. */
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

  /** Reads an unsigned byte. */
  public int u8(String field) throws MalformedEvidenceException {
    return data[take(1, field)] & 0xff;
  }

  /** Reads a little-endian u16. */
  public int u16(String field) throws MalformedEvidenceException {
    int p = take(2, field);
    return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8;
  }

  /** Reads a little-endian u32. */
  public long u32(String field) throws MalformedEvidenceException {
    int p = take(4, field);
    return ByteBuffer.wrap(data, p, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
  }

  /** A u32 that must fit a non-negative int (lengths, counts). */
  public int u32AsInt(String field) throws MalformedEvidenceException {
    long v = u32(field);
    if (v > Integer.MAX_VALUE) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_FIELD, what + ": field " + field + " = " + v + " is too large");
    }
    return (int) v;
  }

  /** Reads a little-endian u64 (as a signed long). */
  public long u64(String field) throws MalformedEvidenceException {
    int p = take(8, field);
    return ByteBuffer.wrap(data, p, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** Reads a big-endian u16 (TPM 2.0 structures). */
  public int u16be(String field) throws MalformedEvidenceException {
    int p = take(2, field);
    return (data[p] & 0xff) << 8 | (data[p + 1] & 0xff);
  }

  /** Reads a big-endian u32 (TPM 2.0 structures). */
  public long u32be(String field) throws MalformedEvidenceException {
    int p = take(4, field);
    return ByteBuffer.wrap(data, p, 4).getInt() & 0xffffffffL;
  }

  /** Reads a big-endian u64 (as a signed long; TPM 2.0 structures). */
  public long u64be(String field) throws MalformedEvidenceException {
    int p = take(8, field);
    return ByteBuffer.wrap(data, p, 8).getLong();
  }

  /** Reads {@code n} bytes into a fresh array. */
  public byte[] bytes(int n, String field) throws MalformedEvidenceException {
    int p = take(n, field);
    return Arrays.copyOfRange(data, p, p + n);
  }

  /** Skips {@code n} bytes. */
  public void skip(int n, String field) throws MalformedEvidenceException {
    take(n, field);
  }

  /** Reads {@code n} bytes that must all be zero. */
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
