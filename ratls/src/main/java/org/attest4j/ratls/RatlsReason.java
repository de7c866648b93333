package org.attest4j.ratls;

import org.attest4j.core.ReasonCode;

/**
 * Why an RA-TLS attestation or certificate was refused. Generic structural failures (truncation,
 * a field of the wrong type, bad UTF-8) use {@link org.attest4j.core.CoreReason}.
 */
public enum RatlsReason implements ReasonCode {
  /** The attestation bytes are empty. */
  EMPTY_ATTESTATION,
  /** The attestation is larger than the 10 MiB dstack accepts. */
  ATTESTATION_TOO_LARGE,
  /** The first byte selects neither V0 (SCALE) nor V1 (a MessagePack map). */
  UNKNOWN_WIRE_FORMAT,
  /** A V1 attestation declares a version other than 1. */
  UNSUPPORTED_VERSION,
  /** A SCALE compact integer is not in its shortest mode, or out of range. */
  NON_CANONICAL_COMPACT,
  /** Bytes follow the end of the attestation. */
  TRAILING_BYTES,
  /** A required V1 field is missing. */
  MISSING_FIELD,
  /** A V1 map holds the same key twice. */
  DUPLICATE_KEY,
  /** The attestation cannot be written in the requested wire format. */
  NOT_REPRESENTABLE
}
