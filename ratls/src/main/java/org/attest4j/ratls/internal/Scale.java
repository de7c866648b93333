package org.attest4j.ratls.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;
import org.attest4j.ratls.RatlsReason;

/**
 * The parity-scale-codec primitives dstack's V0 attestation uses: little-endian integers, {@code
 * Compact<u32>} lengths in their mandatory shortest mode, length-prefixed byte vectors and UTF-8
 * strings. Internal to attest4j; not thread-safe (one instance per decode or encode).
 */
public final class Scale {
  private Scale() {}

  /** A bounds-checked SCALE reader over one input. */
  public static final class Reader {
    private final ByteReader in;
    private final String what;

    /**
     * A reader over all of {@code data}, a V0 attestation.
     *
     * @param data the input
     */
    public Reader(byte[] data) {
      this(data, "V0 attestation");
    }

    /**
     * A reader over all of {@code data}, naming the structure in messages.
     *
     * @param data the input
     * @param what names the structure in messages, such as "V0 attestation"
     */
    public Reader(byte[] data, String what) {
      this.in = ByteReader.of(data, what);
      this.what = what;
    }

    /**
     * Bytes left.
     *
     * @return the number of unread bytes
     */
    public int remaining() {
      return in.remaining();
    }

    /**
     * The current offset.
     *
     * @return the offset of the next byte
     */
    public int position() {
      return in.position();
    }

    /**
     * Reads one byte.
     *
     * @param field names the field in messages
     * @return the byte, 0..255
     * @throws MalformedEvidenceException at the end of input
     */
    public int u8(String field) throws MalformedEvidenceException {
      return in.u8(field);
    }

    /**
     * Reads a little-endian u32.
     *
     * @param field names the field in messages
     * @return the value, 0..2^32-1
     * @throws MalformedEvidenceException at the end of input
     */
    public long u32(String field) throws MalformedEvidenceException {
      return in.u32(field);
    }

    /**
     * Reads a {@code Compact<u32>} and refuses any but the shortest mode, as parity does.
     *
     * @param field names the field in messages
     * @return the value
     * @throws MalformedEvidenceException when truncated or not canonical
     */
    public long compact(String field) throws MalformedEvidenceException {
      int at = in.position();
      int b0 = in.u8(field);
      switch (b0 & 3) {
        case 0:
          return b0 >>> 2;
        case 1: {
          int v = (b0 | in.u8(field) << 8) >>> 2;
          if (v <= 0x3f) {
            throw nonCanonical(field, at, v);
          }
          return v;
        }
        case 2: {
          long v = ((b0 & 0xffL) | (long) in.u8(field) << 8 | (long) in.u8(field) << 16
                  | (long) in.u8(field) << 24) >>> 2;
          if (v <= 0x3fff) {
            throw nonCanonical(field, at, v);
          }
          return v;
        }
        default: {
          if ((b0 >>> 2) != 0) {
            throw new MalformedEvidenceException(
                RatlsReason.NON_CANONICAL_COMPACT,
                what + ": " + field + " at offset " + at
                    + " is a Compact integer wider than 32 bits (prefix 0x"
                    + Integer.toHexString(b0) + ")");
          }
          long v = in.u32(field);
          if (v <= 0x3fffffffL) {
            throw nonCanonical(field, at, v);
          }
          return v;
        }
      }
    }

    private MalformedEvidenceException nonCanonical(String field, int at, long v) {
      return new MalformedEvidenceException(
          RatlsReason.NON_CANONICAL_COMPACT,
          what + ": " + field + " at offset " + at + " encodes " + v
              + " in a longer Compact mode than needed; SCALE requires the shortest");
    }

    /**
     * Reads a little-endian u64.
     *
     * @param field names the field in messages
     * @return the value as an unsigned 64-bit pattern
     * @throws MalformedEvidenceException at the end of input
     */
    public long u64(String field) throws MalformedEvidenceException {
      long lo = in.u32(field);
      long hi = in.u32(field);
      return lo | hi << 32;
    }

    /**
     * Reads a {@code bool}: exactly 0 or 1, as parity requires.
     *
     * @param field names the field in messages
     * @return the value
     * @throws MalformedEvidenceException at the end of input or on another byte
     */
    public boolean bool(String field) throws MalformedEvidenceException {
      int at = in.position();
      int b = in.u8(field);
      if (b > 1) {
        throw new MalformedEvidenceException(
            CoreReason.BAD_FIELD,
            what + ": " + field + " at offset " + at + " is a bool byte 0x" + Integer.toHexString(b)
                + "; SCALE allows only 00 and 01");
      }
      return b == 1;
    }

    /**
     * Reads an {@code Option} tag: 0 = None, 1 = Some.
     *
     * @param field names the field in messages
     * @return whether a value follows
     * @throws MalformedEvidenceException at the end of input or on another tag
     */
    public boolean some(String field) throws MalformedEvidenceException {
      int at = in.position();
      int b = in.u8(field);
      if (b > 1) {
        throw new MalformedEvidenceException(
            CoreReason.BAD_FIELD,
            what + ": " + field + " at offset " + at + " has Option tag 0x" + Integer.toHexString(b)
                + "; SCALE allows only 00 (None) and 01 (Some)");
      }
      return b == 1;
    }

    /**
     * Reads every byte left (a field that consumes the rest of the input).
     *
     * @param field names the field in messages
     * @return a fresh array, possibly empty
     * @throws MalformedEvidenceException never in practice; declared for symmetry
     */
    public byte[] rest(String field) throws MalformedEvidenceException {
      return in.bytes(in.remaining(), field);
    }

    /**
     * Reads a length or element count and refuses one larger than the bytes left (each element
     * takes at least {@code minElementSize} bytes), so a count cannot make the decoder allocate.
     *
     * @param field names the field in messages
     * @param minElementSize the fewest bytes one element takes (≥ 1)
     * @return the count
     * @throws MalformedEvidenceException when truncated, not canonical or too large
     */
    public int count(String field, int minElementSize) throws MalformedEvidenceException {
      long n = compact(field);
      if (n * minElementSize > in.remaining()) {
        throw new MalformedEvidenceException(
            CoreReason.TRUNCATED,
            what + ": " + field + " declares " + n + " elements but only " + in.remaining()
                + " bytes remain");
      }
      return (int) n;
    }

    /**
     * Reads {@code n} raw bytes.
     *
     * @param n how many
     * @param field names the field in messages
     * @return a fresh array
     * @throws MalformedEvidenceException when truncated
     */
    public byte[] raw(int n, String field) throws MalformedEvidenceException {
      return in.bytes(n, field);
    }

    /**
     * Reads a {@code Vec<u8>}.
     *
     * @param field names the field in messages
     * @return the bytes
     * @throws MalformedEvidenceException when truncated or the length is not canonical
     */
    public byte[] vec(String field) throws MalformedEvidenceException {
      return in.bytes(count(field, 1), field);
    }

    /**
     * Reads a {@code String} (Compact length + strict UTF-8).
     *
     * @param field names the field in messages
     * @return the string
     * @throws MalformedEvidenceException when truncated or not UTF-8
     */
    public String string(String field) throws MalformedEvidenceException {
      return utf8(vec(field), field);
    }

    /**
     * Refuses trailing bytes.
     *
     * @throws MalformedEvidenceException when input is left
     */
    public void end() throws MalformedEvidenceException {
      if (in.remaining() != 0) {
        throw new MalformedEvidenceException(
            RatlsReason.TRAILING_BYTES,
            what + ": " + in.remaining() + " bytes follow the end of the attestation at offset "
                + in.position());
      }
    }
  }

  /**
   * Decodes strict UTF-8.
   *
   * @param bytes the encoded text
   * @param field names the field in messages
   * @return the text
   * @throws MalformedEvidenceException when the bytes are not UTF-8
   */
  public static String utf8(byte[] bytes, String field) throws MalformedEvidenceException {
    try {
      CharBuffer cb =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return cb.toString();
    } catch (CharacterCodingException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "attestation field " + field + " is not valid UTF-8");
    }
  }

  /** A SCALE writer. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /**
     * Writes one byte.
     *
     * @param v the byte
     * @return this writer
     */
    public Writer u8(int v) {
      out.write(v);
      return this;
    }

    /**
     * Writes a little-endian u32.
     *
     * @param v the value, 0..2^32-1
     * @return this writer
     */
    public Writer u32(long v) {
      for (int i = 0; i < 4; i++) {
        out.write((int) (v >>> (8 * i)));
      }
      return this;
    }

    /**
     * Writes a little-endian u64.
     *
     * @param v the value (an unsigned 64-bit pattern)
     * @return this writer
     */
    public Writer u64(long v) {
      u32(v & 0xffffffffL);
      return u32(v >>> 32);
    }

    /**
     * Writes a {@code bool}.
     *
     * @param v the value
     * @return this writer
     */
    public Writer bool(boolean v) {
      return u8(v ? 1 : 0);
    }

    /**
     * Writes a {@code Compact<u32>} in its shortest mode.
     *
     * @param v the value, 0..2^32-1
     * @return this writer
     */
    public Writer compact(long v) {
      if (v < 0 || v > 0xffffffffL) {
        throw new IllegalArgumentException("Compact<u32> out of range: " + v);
      }
      if (v <= 0x3f) {
        out.write((int) (v << 2));
      } else if (v <= 0x3fff) {
        long x = v << 2 | 1;
        out.write((int) x);
        out.write((int) (x >>> 8));
      } else if (v <= 0x3fffffffL) {
        long x = v << 2 | 2;
        for (int i = 0; i < 4; i++) {
          out.write((int) (x >>> (8 * i)));
        }
      } else {
        out.write(3);
        u32(v);
      }
      return this;
    }

    /**
     * Writes raw bytes.
     *
     * @param b the bytes
     * @return this writer
     */
    public Writer raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    /**
     * Writes a {@code Vec<u8>}.
     *
     * @param b the bytes
     * @return this writer
     */
    public Writer vec(byte[] b) {
      return compact(b.length).raw(b);
    }

    /**
     * Writes a {@code String}.
     *
     * @param s the text
     * @return this writer
     */
    public Writer string(String s) {
      return vec(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes written so far.
     *
     * @return a fresh array
     */
    public byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
