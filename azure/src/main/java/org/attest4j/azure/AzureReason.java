package org.attest4j.azure;

import org.attest4j.core.ReasonCode;

/** Why Azure confidential-VM evidence (HCL report, runtime claims, vTPM quote, container) was refused. */
public enum AzureReason implements ReasonCode {
  /** The HCL report's header or request data break a rule of the format ({@code hcl.structure}). */
  BAD_HCL_REPORT,
  /** The HCL report's report_type is not the verifier's platform ({@code hcl.report_type}). */
  REPORT_TYPE_MISMATCH,
  /** The runtime claims are not the JSON the paravisor writes ({@code claims.parse}). */
  BAD_RUNTIME_CLAIMS,
  /** REPORT_DATA does not hold the hash of the runtime claims ({@code hcl.report_data_binding}). */
  REPORT_DATA_BINDING_MISMATCH,
  /** A TPM 2.0 structure (TPMS_ATTEST, TPMT_SIGNATURE, TPMT_PUBLIC) is malformed. */
  BAD_TPM_STRUCTURE,
  /** The TPM quote's signature does not verify with the attestation key ({@code tpm.signature}). */
  BAD_QUOTE_SIGNATURE,
  /** The quote's extraData is not the verifier's nonce ({@code tpm.nonce}). */
  NONCE_MISMATCH,
  /** The PCR values do not hash to the quote's pcrDigest ({@code tpm.pcr_digest}). */
  PCR_DIGEST_MISMATCH,
  /** The evidence container (trustee JSON, hex, base64url) cannot be decoded ({@code container.decode}). */
  BAD_CONTAINER,
  /** A TPM command failed or the TPM answered something malformed. */
  TPM_ERROR,
  /** A PCR value or a vm-configuration flag differs from the policy. */
  POLICY_MISMATCH
}
