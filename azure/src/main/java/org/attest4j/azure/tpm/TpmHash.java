package org.attest4j.azure.tpm;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The TPM 2.0 hash algorithms attest4j handles (TPM_ALG_ID values from the TCG algorithm registry,
 * as in tpm2-tss {@code tss2_tpm2_types.h}). Immutable and thread-safe.
 */
public enum TpmHash {
  /** TPM_ALG_SHA1 (0x0004), 20 bytes. */
  SHA1(0x0004, 20, "SHA-1"),
  /** TPM_ALG_SHA256 (0x000B), 32 bytes. */
  SHA256(0x000B, 32, "SHA-256"),
  /** TPM_ALG_SHA384 (0x000C), 48 bytes. */
  SHA384(0x000C, 48, "SHA-384"),
  /** TPM_ALG_SHA512 (0x000D), 64 bytes. */
  SHA512(0x000D, 64, "SHA-512");

  private final int algId;
  private final int size;
  private final String jcaName;

  TpmHash(int algId, int size, String jcaName) {
    this.algId = algId;
    this.size = size;
    this.jcaName = jcaName;
  }

  /**
   * The algorithm with this TPM_ALG_ID.
   *
   * @param algId the 16-bit algorithm identifier
   * @return the algorithm, or empty for any other identifier
   */
  public static Optional<TpmHash> fromAlgId(int algId) {
    for (TpmHash h : values()) {
      if (h.algId == algId) {
        return Optional.of(h);
      }
    }
    return Optional.empty();
  }

  /**
   * The TPM_ALG_ID.
   *
   * @return the 16-bit identifier
   */
  public int algId() {
    return algId;
  }

  /**
   * The digest length.
   *
   * @return bytes
   */
  public int size() {
    return size;
  }

  /**
   * Hashes the concatenation of {@code parts}.
   *
   * @param parts the inputs in order
   * @return the digest
   */
  public byte[] digest(byte[]... parts) {
    MessageDigest md = newDigest();
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }

  MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(jcaName + " is missing from the JDK", e);
    }
  }

  org.bouncycastle.crypto.Digest bcDigest() {
    switch (this) {
      case SHA1:
        return new org.bouncycastle.crypto.digests.SHA1Digest();
      case SHA256:
        return new org.bouncycastle.crypto.digests.SHA256Digest();
      case SHA384:
        return new org.bouncycastle.crypto.digests.SHA384Digest();
      default:
        return new org.bouncycastle.crypto.digests.SHA512Digest();
    }
  }
}
