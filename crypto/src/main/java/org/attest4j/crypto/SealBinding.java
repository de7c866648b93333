package org.attest4j.crypto;

import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;

/**
 * What a sealed response is bound to: the guest's X25519 public key (report_data[0..32]) and
 * SHA-256 of the exact evidence bytes the guest sent (for example the serialized request including
 * its attestation report). The KMS seals with it; the guest rebuilds it from its own key and the
 * bytes it sent, and {@link SealedResponse#open} refuses an envelope made for anything else.
 *
 * <p>Immutable and thread-safe. All values are public.
 */
public final class SealBinding {
  private final byte[] recipientPublicKey;
  private final byte[] evidenceDigest;

  private SealBinding(byte[] recipientPublicKey, byte[] evidenceDigest) {
    this.recipientPublicKey = recipientPublicKey;
    this.evidenceDigest = evidenceDigest;
  }

  /**
   * A binding from a recipient key and a precomputed 32-byte evidence digest.
   *
   * @param recipientPublicKey the guest's 32-byte X25519 public key
   * @param evidenceDigest the 32-byte SHA-256 of the evidence
   * @return the binding
   * @throws MalformedEvidenceException if the key is not a usable X25519 public key or the digest
   *     is not 32 bytes
   */
  public static SealBinding of(Bytes recipientPublicKey, Bytes evidenceDigest)
      throws MalformedEvidenceException {
    Objects.requireNonNull(evidenceDigest, "evidenceDigest");
    return of(recipientPublicKey, evidenceDigest.toByteArray());
  }

  private static SealBinding of(Bytes recipientPublicKey, byte[] evidenceDigest)
      throws MalformedEvidenceException {
    byte[] key = Objects.requireNonNull(recipientPublicKey, "recipientPublicKey").toByteArray();
    X25519.checkPublicKey(key, "the recipient X25519 public key");
    if (evidenceDigest.length != 32) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_LENGTH, "the evidence digest must be 32 bytes (SHA-256), got " + evidenceDigest.length);
    }
    return new SealBinding(key, evidenceDigest);
  }

  /**
   * A binding to {@code recipientPublicKey} and SHA-256 of {@code evidence}.
   *
   * @param recipientPublicKey the guest's 32-byte X25519 public key
   * @param evidence the evidence bytes as received, hashed exactly as given
   * @return the binding
   * @throws MalformedEvidenceException if the key is not a usable X25519 public key
   */
  public static SealBinding forEvidence(Bytes recipientPublicKey, byte[] evidence)
      throws MalformedEvidenceException {
    Objects.requireNonNull(evidence, "evidence");
    return of(recipientPublicKey, Kdf.sha256(evidence));
  }

  /**
   * A binding to the key in {@code reportData} and SHA-256 of {@code evidence}.
   *
   * @param reportData the parsed report_data, whose [0..32) is the guest's key
   * @param evidence the evidence bytes as received, hashed exactly as given
   * @return the binding
   * @throws MalformedEvidenceException never for a parsed {@link ReportData}; declared for symmetry
   */
  public static SealBinding forEvidence(ReportData reportData, byte[] evidence)
      throws MalformedEvidenceException {
    Objects.requireNonNull(reportData, "reportData");
    return forEvidence(reportData.x25519PublicKey(), evidence);
  }

  /**
   * The recipient's X25519 public key (32 bytes).
   *
   * @return the key
   */
  public Bytes recipientPublicKey() {
    return Bytes.of(recipientPublicKey);
  }

  /**
   * SHA-256 of the evidence (32 bytes).
   *
   * @return the digest
   */
  public Bytes evidenceDigest() {
    return Bytes.of(evidenceDigest);
  }

  byte[] recipientUnsafe() {
    return recipientPublicKey;
  }

  byte[] evidenceDigestUnsafe() {
    return evidenceDigest;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealBinding b
        && java.security.MessageDigest.isEqual(recipientPublicKey, b.recipientPublicKey)
        && java.security.MessageDigest.isEqual(evidenceDigest, b.evidenceDigest);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(recipientPublicKey) * 31 + java.util.Arrays.hashCode(evidenceDigest);
  }

  @Override
  public String toString() {
    HexFormat h = HexFormat.of();
    return "SealBinding[recipient=" + h.formatHex(recipientPublicKey) + ", evidence_sha256="
        + h.formatHex(evidenceDigest) + "]";
  }
}
