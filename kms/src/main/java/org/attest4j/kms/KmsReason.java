package org.attest4j.kms;

import org.attest4j.core.ReasonCode;

/**
 * Reasons for refusals that the key-release flow itself makes (refusals from the snp, ovmf and
 * crypto modules keep their own reason codes). The constant name is the stable code.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum KmsReason implements ReasonCode {
  /** A request field is missing, has the wrong size or is not valid hex/JSON/protobuf. */
  BAD_REQUEST,
  /** The request or one of its fields is larger than the KMS accepts. */
  REQUEST_TOO_LARGE,
  /** No endorsement (ASK/VCEK) could be found for the report. */
  NO_ENDORSEMENT,
  /** The claimed vCPU count or vCPU type is not one the KMS allows. */
  LAUNCH_SHAPE_NOT_ALLOWED,
  /** A launch digest the client claimed differs from the artifact the KMS pins. */
  CLAIMED_ARTIFACT_MISMATCH,
  /** The report's MEASUREMENT differs from the one recomputed from the pinned artifacts. */
  MEASUREMENT_MISMATCH,
  /** An identity field is neither in the measured command line nor in HOST_DATA. */
  IDENTITY_NOT_BOUND,
  /** HOST_DATA is not the digest of the MrConfigV3 document the guest sent. */
  HOST_DATA_MISMATCH,
  /** The app_id (or another identity field) in the request differs from the bound one. */
  IDENTITY_MISMATCH,
  /** The MrConfigV3 document names another key provider than this KMS. */
  KEY_PROVIDER_MISMATCH,
  /** report_data does not carry the expected freshness value. */
  REPORT_DATA_MISMATCH,
  /** The nonce was never issued by this KMS (or has been forgotten). */
  NONCE_UNKNOWN,
  /** The nonce or request digest has already been used. */
  REPLAYED,
  /** The nonce or request time is outside its lifetime. */
  EXPIRED,
  /** The nonce store is full; retry later. */
  NONCE_STORE_FULL,
  /**
   * The store of used nonces / request digests (for example Redis) could not be reached, so the
   * single use of this request cannot be recorded; retryable.
   */
  FRESHNESS_STORE_UNAVAILABLE,
  /** The report's product has no minimum TCB configured on this KMS (fail closed). */
  NO_TCB_FLOOR,
  /** The authorization hook refused the boot. */
  NOT_AUTHORIZED,
  /** The authorization hook could not be reached or answered nonsense. */
  AUTHORIZATION_UNAVAILABLE,
  /** The guest's report_data[0..32] is not a usable X25519 public key. */
  BAD_RECIPIENT_KEY,
  /** The requested envelope mode is not enabled on this KMS. */
  ENVELOPE_MODE_NOT_ALLOWED,
  /** Key derivation or sealing failed. */
  KEY_DERIVATION_FAILED,
  /** The flow failed unexpectedly (a bug); the request was refused. */
  INTERNAL_ERROR,
  /** A TDX request reached a KMS built without TDX verification ({@code Builder.tdx(..)}). */
  TDX_NOT_CONFIGURED,
  /** An SEV-SNP request reached a KMS built for Intel TDX only (without {@code Builder.snp(..)}). */
  SNP_NOT_CONFIGURED,
  /** The TDX guest's os_image_hash is missing or not one of the images this KMS pins. */
  OS_IMAGE_NOT_PINNED,
  /**
   * The endorsement fetch a request needed did not finish within the request's endorsement
   * deadline; it goes on in the background, so a retry soon is likely to find the result cached
   * (retryable).
   */
  ENDORSEMENT_DEADLINE,
  /** Too many endorsement fetches are already running in the background; retry later (retryable). */
  ENDORSEMENTS_BUSY,
  /**
   * AMD's KDS has no VCEK for the report's CHIP_ID and TCB (HTTP 404, remembered for a while): the
   * report does not come from a genuine chip at that TCB.
   */
  UNKNOWN_CHIP,
  /** This KMS requires the VCEK or VLEK in the request (field vcek_pem) and the request had none. */
  VEK_REQUIRED,
  /** The report's CHIP_ID is all zero (MASK_CHIP_ID) and this KMS does not serve masked chips. */
  MASKED_CHIP_ID
}
