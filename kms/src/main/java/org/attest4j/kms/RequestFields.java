package org.attest4j.kms;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.EnvelopeMode;

/**
 * Step 0 for both request types (GetAppKeyAmd and GetAppKeyTdx): size caps, exact-length hex
 * fields, the freshness fields (nonce, request time, envelope) and the request digest's
 * length-prefixed encoding. Every refusal is a {@link MalformedEvidenceException} naming the field.
 * Stateless and thread-safe.
 */
final class RequestFields {
  private RequestFields() {}

  /**
   * The freshness fields every key request carries.
   *
   * @param nonce the KMS nonce, {@link NonceStore#NONCE_LENGTH} bytes or empty
   * @param requestTime the guest's request time in Unix seconds (0 when absent)
   * @param envelope the envelope asked for, or null for the KMS's default
   */
  record Freshness(Bytes nonce, long requestTime, EnvelopeMode envelope) {}

  /** Decodes the freshness fields: the nonce's length, then the envelope. */
  static Freshness freshness(ByteString nonce, long requestTime, org.attest4j.kms.proto.EnvelopeMode envelope,
      int envelopeValue) throws MalformedEvidenceException {
    return new Freshness(nonce(nonce), requestTime, envelope(envelope, envelopeValue));
  }

  /**
   * A request digest: SHA-256 of {@code label || 0x00}, then each field, then u64be(request_time)
   * and u32be(envelope: 0 unspecified, 1 HPKE, 2 AES-SIV), each as a 4-byte big-endian length and
   * the bytes.
   */
  static Bytes digest(byte[] label, List<byte[]> fields, long requestTime, EnvelopeMode envelope) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(label);
      md.update((byte) 0);
      for (byte[] f : fields) {
        lv(md, f);
      }
      lv(md, ByteBuffer.allocate(8).putLong(requestTime).array());
      int env = envelope == null ? 0 : envelope == EnvelopeMode.HPKE_V1 ? 1 : 2;
      lv(md, ByteBuffer.allocate(4).putInt(env).array());
      return Bytes.of(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** The bytes of {@code s}, refused when longer than {@code max}. */
  static byte[] capped(ByteString s, int max, String field) throws MalformedEvidenceException {
    if (s.size() > max) {
      throw tooLarge(field, s.size(), max);
    }
    return s.toByteArray();
  }

  /** An optional hex field of exactly {@code length} bytes (an optional 0x prefix); empty when absent. */
  static Bytes hex(String s, String field, int length) throws MalformedEvidenceException {
    if (s.isEmpty()) {
      return Bytes.empty();
    }
    if (s.length() > 2 * length + 2) {
      throw bad(field, "must be " + length + " bytes of hex, got " + s.length() + " characters");
    }
    String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    byte[] v;
    try {
      v = HexFormat.of().parseHex(h);
    } catch (IllegalArgumentException e) {
      throw bad(field, "is not hex");
    }
    if (v.length != length) {
      throw bad(field, "must be " + length + " bytes, got " + v.length);
    }
    return Bytes.of(v);
  }

  /** The optional KMS nonce: empty, or exactly {@link NonceStore#NONCE_LENGTH} bytes. */
  private static Bytes nonce(ByteString s) throws MalformedEvidenceException {
    byte[] n = s.toByteArray();
    if (n.length != 0 && n.length != NonceStore.NONCE_LENGTH) {
      throw bad("nonce", "must be " + NonceStore.NONCE_LENGTH + " bytes, got " + n.length);
    }
    return Bytes.of(n);
  }

  /** The requested envelope, or null for "the KMS's default". */
  private static EnvelopeMode envelope(org.attest4j.kms.proto.EnvelopeMode e, int raw) throws MalformedEvidenceException {
    return switch (e) {
      case ENVELOPE_UNSPECIFIED -> null;
      case ENVELOPE_HPKE_V1 -> EnvelopeMode.HPKE_V1;
      case ENVELOPE_AES_SIV_PR630 -> EnvelopeMode.AES_SIV_PR630;
      default -> throw bad("envelope", "unknown envelope mode " + raw);
    };
  }

  /** Feeds {@code v} to the digest as a 4-byte big-endian length and the bytes. */
  private static void lv(MessageDigest md, byte[] v) {
    md.update(ByteBuffer.allocate(4).putInt(v.length).array());
    md.update(v);
  }

  static MalformedEvidenceException bad(String field, String msg) {
    return new MalformedEvidenceException(KmsReason.BAD_REQUEST, "field " + field + " " + msg);
  }

  static MalformedEvidenceException tooLarge(String field, int size, int max) {
    return new MalformedEvidenceException(
        KmsReason.REQUEST_TOO_LARGE, "field " + field + " has " + size + " bytes; at most " + max + " accepted");
  }
}
