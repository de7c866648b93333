package org.attest4j.ratls.internal;

import java.io.IOException;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.LogSafe;
import org.attest4j.ratls.RatlsReason;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Bounds-checked MessagePack primitives shared by the V1 attestation and AppInfo decoders: every
 * header is checked against the bytes left before anything is allocated, and every failure is a
 * {@link MalformedEvidenceException} that names the structure and field. Internal; one instance per
 * decode, not thread-safe.
 */
class MsgpackReader {
  /** Names the structure in messages. */
  final String what;
  /** The whole input. */
  final byte[] data;
  /** The unpacker over {@link #data}. */
  final MessageUnpacker u;
  /** Where the unpacker started in {@link #data}. */
  final int start;

  MsgpackReader(String what, byte[] data, MessageUnpacker u, int start) {
    this.what = what;
    this.data = data;
    this.u = u;
    this.start = start;
  }



  final long remaining() {
    return data.length - start - u.getTotalReadBytes();
  }

  final int offset() {
    return start + (int) u.getTotalReadBytes();
  }

  final MalformedEvidenceException bad(String field, String problem) {
    return new MalformedEvidenceException(
        CoreReason.BAD_FIELD, what + ": " + field + " " + problem);
  }

  final ValueType next(String field) throws IOException, MalformedEvidenceException {
    if (!u.hasNext()) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED, what + " ends before " + field);
    }
    return u.getNextFormat().getValueType();
  }

  final int mapHeader(String field) throws IOException, MalformedEvidenceException {
    if (next(field) != ValueType.MAP) {
      throw bad(field, "must be a map, not " + u.getNextFormat().getValueType());
    }
    int n = u.unpackMapHeader();
    if (n < 0 || 2L * n > remaining()) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED, what + ": " + field + " declares " + n + " entries but "
              + remaining() + " bytes remain");
    }
    return n;
  }

  final int arrayHeader(String field) throws IOException, MalformedEvidenceException {
    if (next(field) != ValueType.ARRAY) {
      throw bad(field, "must be an array, not " + u.getNextFormat().getValueType());
    }
    int n = u.unpackArrayHeader();
    if (n < 0 || n > remaining()) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED, what + ": " + field + " declares " + n + " elements but "
              + remaining() + " bytes remain");
    }
    return n;
  }

  final String key(String where, Set<String> seen)
      throws IOException, MalformedEvidenceException {
    if (next(where + " key") != ValueType.STRING) {
      throw bad(where, "has a key that is not a string");
    }
    String k = str(where + " key");
    if (!seen.add(k)) {
      throw new MalformedEvidenceException(
          RatlsReason.DUPLICATE_KEY, what + ": " + where + " has the key \""
              + LogSafe.of(k) + "\" twice");
    }
    return k;
  }

  final String str(String field) throws IOException, MalformedEvidenceException {
    if (next(field) != ValueType.STRING) {
      throw bad(field, "must be a string, not " + u.getNextFormat().getValueType());
    }
    int n = u.unpackRawStringHeader();
    if (n < 0 || n > remaining()) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED, what + ": " + field + " declares " + n + " bytes");
    }
    return Scale.utf8(u.readPayload(n), field);
  }

  final long uint(String field, long max) throws IOException, MalformedEvidenceException {
    if (next(field) != ValueType.INTEGER) {
      throw bad(field, "must be an unsigned integer, not " + u.getNextFormat().getValueType());
    }
    MessageFormat f = u.getNextFormat();
    if (f == MessageFormat.UINT64) {
      java.math.BigInteger big = u.unpackBigInteger();
      if (big.bitLength() > 63 || big.longValue() > max) {
        throw bad(field, "is out of range");
      }
      return big.longValue();
    }
    long v = u.unpackLong();
    if (v < 0 || v > max) {
      throw bad(field, "= " + v + " is out of range 0.." + max);
    }
    return v;
  }

  /** A plain {@code Vec<u8>}: an array of integers 0..255 only. */
  final Bytes seq(String field) throws IOException, MalformedEvidenceException {
    if (next(field) == ValueType.BINARY) {
      throw bad(field, "is a MessagePack bin; dstack writes this field as an array of integers"
          + " (invalid type: byte array, expected a sequence)");
    }
    return byteArray(field);
  }

  final Bytes byteArray(String field) throws IOException, MalformedEvidenceException {
    int n = arrayHeader(field);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) uint(field + "[" + i + "]", 0xff);
    }
    return Bytes.of(b);
  }

  /** A field with dstack's bytes helper: bin, or an array of integers. */
  final Bytes bin(String field) throws IOException, MalformedEvidenceException {
    if (next(field) != ValueType.BINARY) {
      return byteArray(field);
    }
    int n = u.unpackBinaryHeader();
    if (n < 0 || n > remaining()) {
      throw new MalformedEvidenceException(
          CoreReason.TRUNCATED, what + ": " + field + " declares " + n + " bytes");
    }
    return Bytes.of(u.readPayload(n));
  }

  final <T> T required(T v, String field) throws MalformedEvidenceException {
    if (v == null) {
      throw new MalformedEvidenceException(
          RatlsReason.MISSING_FIELD, what + ": required field " + field + " is missing");
    }
    return v;
  }
}
