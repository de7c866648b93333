package org.attest4j.crypto;

import org.attest4j.core.ReasonCode;

/**
 * Reasons for refusals raised by the crypto module (app-key derivation, sealed responses,
 * report_data and HOST_DATA bindings). The constant names are stable codes.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum CryptoReason implements ReasonCode {
  /** A key is badly encoded, has the wrong length, or a scalar is out of range. */
  BAD_KEY,
  /** An X25519 public key is all zero or of low order (the key agreement would not be contributory). */
  LOW_ORDER_PUBLIC_KEY,
  /** An app_id is not 20 bytes. */
  BAD_APP_ID,
  /** An instance_id is neither empty nor 20 bytes. */
  BAD_INSTANCE_ID,
  /** The KDF output is not a valid private scalar (0 or at least the group order); dstack refuses too. */
  DERIVED_KEY_OUT_OF_RANGE,
  /** A sealed-response envelope is truncated or has bad framing. */
  MALFORMED_ENVELOPE,
  /** A sealed-response envelope has an unknown magic or version. */
  UNSUPPORTED_ENVELOPE_VERSION,
  /** A sealed-response envelope names an AEAD or signature algorithm this version does not know. */
  UNSUPPORTED_ALGORITHM,
  /** The envelope was sealed by a KMS key other than the trusted one. */
  UNTRUSTED_KMS,
  /** A signature (envelope or k256) does not verify. */
  BAD_SIGNATURE,
  /** The envelope is addressed to another X25519 public key. */
  WRONG_RECIPIENT,
  /** The envelope is bound to other evidence than the request the guest sent. */
  EVIDENCE_MISMATCH,
  /** The AEAD refused the ciphertext (tampered, wrong key, or wrong binding). */
  DECRYPTION_FAILED,
  /** report_data is not 64 bytes or its X25519 key is unusable. */
  BAD_REPORT_DATA,
  /** report_data[32..64] does not commit to the expected KMS nonce. */
  NONCE_MISMATCH,
  /** report_data[32..64] does not commit to the expected request digest. */
  REQUEST_DIGEST_MISMATCH,
  /** An MrConfigV3 document is not valid (syntax, unknown or duplicate field, bad value). */
  MALFORMED_MR_CONFIG,
  /** HOST_DATA (or MRCONFIGID) does not match the MrConfigV3 document. */
  HOST_DATA_MISMATCH,
  /** A recoverable k256 signature recovers to another signer than expected. */
  SIGNER_MISMATCH,
  /**
   * A KMS key directory is half-written (one root key file without the other, or a certificate
   * without keys), typically after a first start was interrupted.
   */
  KEY_DIRECTORY_INCOMPLETE,
  /** What a KMS key directory holds after storing differs from the keys in memory. */
  KEY_DIRECTORY_INCONSISTENT
}
