package org.attest4j.snp;

import org.attest4j.core.ReasonCode;

/**
 * Stable, machine-readable reasons for every SEV-SNP refusal. The constant name is the code callers
 * may log, count or switch on; it never changes meaning between releases.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum SnpReason implements ReasonCode {
  // ---- report format (MalformedEvidenceException)
  /** The report is not exactly 1184 bytes. */
  BAD_REPORT_LENGTH,
  /** VERSION is not 2, 3, 4 or 5. */
  UNSUPPORTED_VERSION,
  /** SIGNATURE_ALGO is not 1 (ECDSA P-384 with SHA-384). */
  UNSUPPORTED_SIGNATURE_ALGORITHM,
  /** A must-be-zero field is not zero. */
  RESERVED_NONZERO,
  /** GUEST_POLICY has bit 17 clear or a reserved bit (63:26) set. */
  BAD_GUEST_POLICY,
  /** KEY_INFO has reserved bits set or a reserved SIGNING_KEY value. */
  BAD_KEY_INFO,
  /** The extended-report certificate table is malformed. */
  MALFORMED_CERT_TABLE,
  /** A certificate cannot be decoded or lacks a required field or extension. */
  MALFORMED_CERTIFICATE,
  /** A CRL cannot be decoded. */
  MALFORMED_CRL,

  // ---- product
  /** The product (Milan, Genoa, Turin) cannot be determined, or is not supported. */
  UNKNOWN_PRODUCT,
  /** Report CPUID, certificates, trust anchor or caller disagree on the product. */
  PRODUCT_MISMATCH,

  // ---- chain and signature (VerificationException)
  /** The ARK is not self-signed or its key matches no trusted root. */
  UNTRUSTED_ROOT,
  /** A certificate's RSASSA-PSS signature does not verify under its issuer's key. */
  BAD_CERTIFICATE_SIGNATURE,
  /** A certificate uses a signature algorithm or key other than AMD's. */
  BAD_CERTIFICATE_ALGORITHM,
  /** Issuer/subject names do not chain, or a CN is not the one AMD uses. */
  CERTIFICATE_NAME_MISMATCH,
  /** A certificate expired before the verification instant (it is past its notAfter). */
  CERTIFICATE_EXPIRED,
  /** A certificate is not yet valid at the verification instant (it is before its notBefore). */
  CERTIFICATE_NOT_YET_VALID,
  /** A certificate's serial number is listed in the ARK-signed CRL. */
  CERTIFICATE_REVOKED,
  /** The CRL is not signed by the ARK, is outside its thisUpdate/nextUpdate window, or is missing. */
  CRL_INVALID,
  /** The report's KEY_INFO signer (VCEK/VLEK) does not match the certificate or chain. */
  SIGNING_KEY_MISMATCH,
  /** The report is not signed (SIGNING_KEY = none, or MASK_CHIP_KEY set). */
  UNSIGNED_REPORT,
  /** The VCEK hwID does not equal the report's CHIP_ID. */
  CHIP_ID_MISMATCH,
  /** The certificate's TCB (SPL extensions) does not equal the report's REPORTED_TCB. */
  TCB_MISMATCH,
  /** The report's ECDSA P-384 signature does not verify under the VCEK/VLEK. */
  BAD_REPORT_SIGNATURE,

  // ---- policy (PolicyViolationException)
  /** GUEST_POLICY.DEBUG is set but the policy forbids debugging. */
  DEBUG_ALLOWED,
  /** GUEST_POLICY.MIGRATE_MA is set but the policy forbids a migration agent. */
  MIGRATION_AGENT_ALLOWED,
  /** GUEST_POLICY.SMT is set but the policy forbids SMT. */
  SMT_ALLOWED,
  /** GUEST_POLICY.CXL_ALLOW is set but the policy forbids CXL. */
  CXL_ALLOWED,
  /** A guest-policy bit the policy requires is clear. */
  GUEST_POLICY_BIT_MISSING,
  /** GUEST_POLICY ABI major.minor is below the policy's minimum. */
  ABI_TOO_OLD,
  /** The report's VMPL is not the one the policy requires. */
  VMPL_MISMATCH,
  /** The signing key (VCEK/VLEK) is not allowed by the policy. */
  SIGNER_NOT_ALLOWED,
  /** A TCB component is below the policy's minimum. */
  TCB_TOO_LOW,
  /** REPORTED_TCB is above CURRENT_TCB. */
  REPORTED_TCB_ABOVE_CURRENT,
  /** The firmware version or build is below the policy's minimum. */
  FIRMWARE_TOO_OLD,
  /** GUEST_SVN is below the policy's minimum. */
  GUEST_SVN_TOO_LOW,
  /** Committed firmware/TCB differs from current (provisional firmware) and the policy forbids it. */
  PROVISIONAL_FIRMWARE,
  /** A platform-info bit the policy requires is clear. */
  PLATFORM_INFO_BIT_MISSING,
  /** A platform-info bit the policy forbids (or an unknown bit) is set. */
  PLATFORM_INFO_BIT_FORBIDDEN,
  /** A mitigation the policy requires is missing from LAUNCH/CURRENT_MIT_VECTOR. */
  MITIGATION_MISSING,
  /** MEASUREMENT is not an expected value. */
  MEASUREMENT_MISMATCH,
  /** REPORT_DATA is not the expected value. */
  REPORT_DATA_MISMATCH,
  /** HOST_DATA is not the expected value. */
  HOST_DATA_MISMATCH,
  /** FAMILY_ID is not the expected value. */
  FAMILY_ID_MISMATCH,
  /** IMAGE_ID is not the expected value. */
  IMAGE_ID_MISMATCH,
  /** REPORT_ID or REPORT_ID_MA is not the expected value. */
  REPORT_ID_MISMATCH,
  /** CHIP_ID is not an expected value. */
  CHIP_ID_NOT_ALLOWED,
  /** ID_KEY_DIGEST is not trusted (or an ID block is required and absent). */
  ID_KEY_NOT_TRUSTED,
  /** AUTHOR_KEY_DIGEST is not trusted, or an author key is required and absent. */
  AUTHOR_KEY_NOT_TRUSTED
}
