package org.attest4j.tdx;

import org.attest4j.core.ReasonCode;

/**
 * Why an Intel TDX quote, its collateral, an event log or the caller's policy was refused. The
 * constant's name is the stable machine-readable code. Where the shared test vectors suggest an error
 * class ({@code QUOTE_PARSE_ERROR}, {@code QUOTE_SIGNATURE_INVALID}, {@code TCB_LEVEL_NOT_SUPPORTED},
 * {@code RTMR_MISMATCH}) the same name is used.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum TdxReason implements ReasonCode {
  // ---- quote structure
  /** The quote bytes are not a well-formed TDX v4/v5 quote (truncated, bad length, wrong type, ...). */
  QUOTE_PARSE_ERROR,
  /** The quote's QE vendor id is not Intel's. */
  UNKNOWN_QE_VENDOR,

  // ---- signatures and binding
  /** The quote's ECDSA signature by the attestation key does not verify. */
  QUOTE_SIGNATURE_INVALID,
  /** The QE report's ECDSA signature by the PCK leaf key does not verify. */
  QE_REPORT_SIGNATURE_INVALID,
  /** QE report_data is not SHA-256(attestation key || QE auth data) (followed by 32 zero bytes). */
  ATTESTATION_KEY_BINDING_MISMATCH,

  // ---- certificates and CRLs
  /** A certificate chain (PCK, TCB signing, QE identity signing, PCK CRL issuer) is malformed or does not verify. */
  CERT_CHAIN_INVALID,
  /** An unexpected internal failure while verifying; the quote is refused (fail closed). */
  INTERNAL_ERROR,
  /** A chain does not end at the pinned Intel SGX Root CA. */
  UNTRUSTED_ROOT,
  /** A certificate's validity ended before the verification time (after its notAfter). */
  CERT_EXPIRED,
  /** A certificate's validity starts after the verification time (before its notBefore). */
  CERT_NOT_YET_VALID,
  /** A certificate is listed in a CRL. */
  CERT_REVOKED,
  /** The PCK leaf certificate lacks or has malformed Intel SGX extensions. */
  PCK_EXTENSIONS_INVALID,
  /** A CRL is malformed, has the wrong issuer or its signature does not verify. */
  CRL_INVALID,

  // ---- collateral
  /** Collateral input is malformed (JSON, hex, missing item). */
  COLLATERAL_MALFORMED,
  /**
   * A collateral item (TCB info, QE identity, root CA CRL or PCK CRL) is expired at the verification
   * time (after its nextUpdate): fetch fresh collateral.
   */
  COLLATERAL_EXPIRED,
  /**
   * A collateral item (TCB info, QE identity, root CA CRL or PCK CRL) is not yet valid at the
   * verification time (before its issueDate/thisUpdate): check the verifier's clock.
   */
  COLLATERAL_NOT_YET_VALID,
  /** The TCB info signature by the TCB signing key does not verify. */
  TCB_INFO_SIGNATURE_INVALID,
  /** The TCB info is not TDX TCB info version 3 or is malformed. */
  TCB_INFO_INVALID,
  /** The TCB info is for another FMSPC or PCE id than the PCK certificate. */
  FMSPC_MISMATCH,
  /** The QE identity signature does not verify. */
  QE_IDENTITY_SIGNATURE_INVALID,
  /** The QE identity is not a TD_QE identity of a supported version or is malformed. */
  QE_IDENTITY_INVALID,
  /** The QE report does not match the QE identity (mrsigner, isvprodid, miscselect, attributes, debug). */
  QE_IDENTITY_MISMATCH,

  // ---- TCB evaluation
  /** No platform TCB level of the TCB info matches the PCK certificate and the quote (Intel: TCB_NOT_SUPPORTED). */
  TCB_LEVEL_NOT_SUPPORTED,
  /** The QE's isvsvn is below every QE identity TCB level. */
  QE_TCB_LEVEL_NOT_SUPPORTED,
  /** The TDX module (mr_signer_seam, seam_attributes, identity or isvsvn) does not match the TCB info. */
  TDX_MODULE_MISMATCH,
  /** The merged TCB status is Revoked. */
  TCB_REVOKED,

  // ---- policy
  /** The TCB status is OutOfDate or OutOfDateConfigurationNeeded and the policy does not allow it. */
  TCB_OUT_OF_DATE,
  /** The TCB status is not one the policy accepts (other than the OutOfDate statuses). */
  TCB_STATUS_NOT_ALLOWED,
  /** The verdict was made without collateral and the policy requires collateral. */
  COLLATERAL_MISSING,
  /** An advisory id the policy refuses is present. */
  ADVISORY_NOT_ALLOWED,
  /** The TCB date is older than the policy allows. */
  TCB_DATE_TOO_OLD,
  /** The TD is a debug TD (td_attributes bit 0). */
  DEBUG_TD,
  /** mr_signer_seam is not all zero (a TDX module not signed by Intel). */
  MR_SIGNER_SEAM_NONZERO,
  /** td_attributes has reserved bits set or lacks SEPT_VE_DISABLE. */
  TD_ATTRIBUTES_NOT_ALLOWED,
  /** mr_servicetd is not all zero. */
  SERVICE_TD_NOT_ALLOWED,
  /** The quote is not from the expected quote version / body type set by policy. */
  QUOTE_VERSION_NOT_ALLOWED,
  /** report_data is not the value the caller expected. */
  REPORT_DATA_MISMATCH,
  /** A measurement register (MRTD, MRCONFIGID, ...) is not the value the policy expects. */
  MEASUREMENT_MISMATCH,

  // ---- event logs and dstack
  /** An event log (CCEL binary or dstack JSON) or the CCEL ACPI table is malformed. */
  EVENT_LOG_MALFORMED,
  /** A recorded runtime-event digest differs from the digest recomputed from its name and payload. */
  EVENT_DIGEST_MISMATCH,
  /** Replaying the event log does not give the quote's RTMR values. */
  RTMR_MISMATCH,
  /** The dstack vm_config JSON is malformed. */
  VM_CONFIG_MALFORMED,
  /** The dstack app identity cannot be derived (a required runtime event is missing or malformed). */
  APP_INFO_INVALID
}
