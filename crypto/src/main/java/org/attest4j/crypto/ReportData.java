package org.attest4j.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * The 64-byte report_data a guest puts into its attestation report when it asks for keys:
 *
 * <pre>
 *   [0..32)  the guest's X25519 public key, to which the KMS seals its response
 *   [32..64) SHA-256(tag || ":" || content), with tag
 *              "attest4j-kms-nonce-v1"  and content = a nonce the KMS issued, or
 *              "attest4j-request-v1"    and content = the request the guest sends
 * </pre>
 *
 * The tagged hash follows dstack's report_data rule ({@code QuoteContentType}: hash of
 * {@code tag ":" content}, so a value made for one purpose cannot be replayed for another).
 * {@link #dstackContentDigest(String, byte[])} gives dstack's own 64-byte form (SHA-512), for
 * example for RA-TLS certificates ({@code "ratls-cert"}).
 *
 * <p>The guest builds it with {@link #withNonce} or {@link #withRequestDigest}; the KMS parses the
 * report's field with {@link #parse} (which refuses all-zero and low-order keys) and checks the
 * binding in constant time with {@link #checkNonce} or {@link #checkRequestDigest}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReportData {
  /** The length of report_data. */
  public static final int LENGTH = 64;

  /** The tag of a KMS-issued nonce binding. */
  public static final String NONCE_TAG = "attest4j-kms-nonce-v1";

  /** The tag of a request-digest binding. */
  public static final String REQUEST_TAG = "attest4j-request-v1";

  private final byte[] bytes;

  private ReportData(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Guest side: report_data committing to a KMS-issued nonce.
   *
   * @param x25519PublicKey the guest's X25519 public key (32 bytes)
   * @param nonce the nonce the KMS issued
   * @return the 64 bytes to ask the hardware to sign
   * @throws InvalidConfigurationException if the public key is not a usable X25519 key
   */
  public static ReportData withNonce(Bytes x25519PublicKey, Bytes nonce) {
    Objects.requireNonNull(nonce, "nonce");
    return build(x25519PublicKey, taggedDigest(NONCE_TAG, nonce.toByteArray()));
  }

  /**
   * Guest side: report_data committing to the request it will send (the bytes the KMS will see,
   * apart from the report itself).
   *
   * @param x25519PublicKey the guest's X25519 public key (32 bytes)
   * @param request the request bytes the KMS will see ({@code requestDigest()} of the request)
   * @return the 64 bytes to ask the hardware to sign
   * @throws InvalidConfigurationException if the public key is not a usable X25519 key
   */
  public static ReportData withRequestDigest(Bytes x25519PublicKey, Bytes request) {
    Objects.requireNonNull(request, "request");
    return build(x25519PublicKey, taggedDigest(REQUEST_TAG, request.toByteArray()));
  }

  private static ReportData build(Bytes x25519PublicKey, byte[] binding) {
    byte[] pk = Objects.requireNonNull(x25519PublicKey, "x25519PublicKey").toByteArray();
    try {
      X25519.checkPublicKey(pk, "the report_data X25519 public key");
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
    return new ReportData(Kdf.concat(pk, binding));
  }

  /**
   * KMS side: parses the report's report_data.
   *
   * @param reportData the 64-byte report_data field of the report
   * @return the parsed value (bytes copied)
   * @throws MalformedEvidenceException if it is not 64 bytes, or [0..32) is all zero or a low-order
   *     X25519 point
   */
  public static ReportData parse(byte[] reportData) throws MalformedEvidenceException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(reportData, "reportData");
    if (reportData.length != LENGTH) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_REPORT_DATA, "report_data must be 64 bytes, got " + reportData.length);
    }
    byte[] pk = Arrays.copyOfRange(reportData, 0, 32);
    try {
      X25519.checkPublicKey(pk, "report_data[0..32]");
    } catch (MalformedEvidenceException e) {
      throw new MalformedEvidenceException(CryptoReason.BAD_REPORT_DATA, e.getMessage(), e);
    }
    return new ReportData(reportData.clone());
  }

  /**
   * SHA-256(tag || ":" || content): the 32-byte binding for report_data[32..64].
   *
   * @param tag the binding's purpose, for example {@link #NONCE_TAG} or {@link #REQUEST_TAG}
   * @param content the bytes to bind
   * @return the 32-byte SHA-256 digest
   */
  public static Bytes tagged(String tag, byte[] content) {
    return Bytes.of(taggedDigest(tag, content));
  }

  private static byte[] taggedDigest(String tag, byte[] content) {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(content, "content");
    return Kdf.sha256(Kdf.utf8(tag), new byte[] {':'}, content);
  }

  /**
   * dstack's {@code QuoteContentType::to_report_data} with the default hash: SHA-512(tag || ":" ||
   * content), 64 bytes; for example tag {@code "ratls-cert"} over a certificate's SPKI DER.
   *
   * @param tag the content type, for example {@code "ratls-cert"}
   * @param content the bytes to bind
   * @return the 64-byte SHA-512 digest
   */
  public static Bytes dstackContentDigest(String tag, byte[] content) {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(content, "content");
    return Bytes.of(Kdf.sha512(Kdf.utf8(tag), new byte[] {':'}, content));
  }

  /**
   * The 64 bytes (a copy).
   *
   * @return a copy of the 64 report_data bytes
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * report_data[0..32): the guest's X25519 public key.
   *
   * @return the first 32 bytes
   */
  public Bytes x25519PublicKey() {
    return Bytes.of(bytes, 0, 32);
  }

  /**
   * report_data[32..64): the binding.
   *
   * @return the last 32 bytes
   */
  public Bytes binding() {
    return Bytes.of(bytes, 32, 32);
  }

  /**
   * KMS side: checks, in constant time, that [32..64) commits to {@code nonce}. Single use and
   * expiry of the nonce are the caller's business.
   *
   * @param nonce the nonce the KMS issued for this request
   * @throws VerificationException if it does not
   */
  public void checkNonce(Bytes nonce) throws VerificationException {
    if (!binding().equalsBytes(taggedDigest(NONCE_TAG, Objects.requireNonNull(nonce, "nonce").toByteArray()))) {
      throw new VerificationException(
          CryptoReason.NONCE_MISMATCH,
          "report_data[32..64] does not commit to the KMS nonce SHA-256(\"" + NONCE_TAG + ":\" || nonce)"
              + " (found " + binding().toHex() + ")");
    }
  }

  /**
   * KMS side: checks, in constant time, that [32..64) commits to {@code request}.
   *
   * @param request the request digest the binding must commit to
   * @throws VerificationException if it does not
   */
  public void checkRequestDigest(Bytes request) throws VerificationException {
    if (!binding().equalsBytes(
        taggedDigest(REQUEST_TAG, Objects.requireNonNull(request, "request").toByteArray()))) {
      throw new VerificationException(
          CryptoReason.REQUEST_DIGEST_MISMATCH,
          "report_data[32..64] does not commit to this request: expected SHA-256(\"" + REQUEST_TAG
              + ":\" || request) (found " + binding().toHex() + ")");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReportData r && ConstantTime.equals(bytes, r.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Lowercase hex of the 64 bytes (public data). */
  @Override
  public String toString() {
    return "ReportData[" + HexFormat.of().formatHex(bytes) + "]";
  }
}
