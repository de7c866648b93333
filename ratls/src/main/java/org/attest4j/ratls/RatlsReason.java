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
  /** A certificate carries an RA-TLS extension twice. */
  DUPLICATE_EXTENSION,
  /** An RA-TLS extension's extnValue is not exactly one DER OCTET STRING. */
  EXTENSION_NOT_WRAPPED,
  /** The certificate carries no attestation (.8, or legacy .1 + .2). */
  ATTESTATION_ABSENT,
  /** A legacy certificate has the .1 quote but not the .2 event log. */
  LEGACY_EVENT_LOG_MISSING,
  /** stack.report_data is not SHA-512("ratls-cert:" ‖ the certificate's SPKI). */
  REPORT_DATA_MISMATCH,
  /** The evidence does not support its stack (report_data, RTMR3, HOST_DATA, TD attributes). */
  EVIDENCE_MISMATCH,
  /** The platform is not one this verifier checks. */
  UNSUPPORTED_PLATFORM,
  /** The certificate's signature does not verify with its issuer's key. */
  BAD_CERTIFICATE_SIGNATURE,
  /** The certificate is outside its validity period. */
  CERTIFICATE_EXPIRED,
  /** The certificate is not yet valid. */
  CERTIFICATE_NOT_YET_VALID,
  /** The certificate carries a critical extension this verifier does not understand. */
  UNKNOWN_CRITICAL_EXTENSION,
  /** The special usage (.4) is not the one this mode requires. */
  WRONG_SPECIAL_USAGE,
  /** The certificate fails dstack-verifier's profile (#938): key usage, EKU or SAN. */
  PROFILE_VIOLATION,
  /** The attestation cannot be written in the requested wire format. */
  NOT_REPRESENTABLE,
  /**
   * A SignCert request is unusable: unsupported api_version, a key that is not EC P-256, a
   * signature that does not verify, or the wrong confirm word.
   */
  BAD_CSR
}
