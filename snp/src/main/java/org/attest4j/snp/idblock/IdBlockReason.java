package org.attest4j.snp.idblock;

import org.attest4j.core.ReasonCode;

/**
 * Why an ID block, an ID authentication structure or an SEV-format public key was refused. The
 * constant names are stable codes.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum IdBlockReason implements ReasonCode {
  /** The structure does not have its fixed length (96, 4096 or 1028 bytes). */
  BAD_LENGTH,
  /** A field is out of range (a launch digest that is not 48 bytes, an ID that is not 16 bytes). */
  BAD_FIELD,
  /** The signature algorithm is not 1 (ECDSA P-384 with SHA-384). */
  UNSUPPORTED_ALGORITHM,
  /** The public key's curve is not 2 (P-384), or a key given for signing is not a P-384 key. */
  UNSUPPORTED_CURVE,
  /** Reserved bytes are not zero. */
  RESERVED_NONZERO,
  /** The public key is not a point on P-384 (or is the point at infinity). */
  BAD_PUBLIC_KEY,
  /** A PEM private key cannot be read. */
  BAD_PRIVATE_KEY,
  /** The ID block signature does not verify under the ID key. */
  BAD_ID_BLOCK_SIGNATURE,
  /** The ID key signature does not verify under the author key. */
  BAD_ID_KEY_SIGNATURE,
  /** The ID authentication structure was made for another ID block or key than expected. */
  MISMATCH
}
