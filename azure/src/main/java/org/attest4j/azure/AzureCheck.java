package org.attest4j.azure;

/**
 * Every check of an Azure verification, by its spec name ({@code azure-cvm.md} section 8), in the
 * spec's order. Required checks decide the verdict; advisory ones are reported only.
 */
public enum AzureCheck {
  /** Decode the container (JSON, base64url, hex). */
  CONTAINER_DECODE("container.decode", true),
  /** The HCL report's header and request data (section 2). */
  HCL_STRUCTURE("hcl.structure", true),
  /** report_type is the verifier's platform. */
  HCL_REPORT_TYPE("hcl.report_type", true),
  /** The runtime claims parse, with exactly one RSA HCLAkPub. */
  CLAIMS_PARSE("claims.parse", true),
  /** VCEK to ASK to pinned ARK, valid at the verification time. */
  SNP_VEK_CHAIN("snp.vek_chain", true),
  /** The SNP report's ECDSA P-384 signature under the VCEK. */
  SNP_REPORT_SIGNATURE("snp.report_signature", true),
  /** The VCEK's hwID and SPLs match the report. */
  SNP_VEK_MATCHES_REPORT("snp.vek_matches_report", true),
  /** The SNP report comes from VMPL 0 (the paravisor). */
  SNP_VMPL0("snp.vmpl0", true),
  /** The TD quote parses. */
  TDX_QUOTE_PARSE("tdx.quote_parse", true),
  /** DCAP verification of the TD quote (attest4j's own step; not in the shared vectors). */
  TDX_DCAP("tdx.dcap", true),
  /** Every TD quote body field equals the TD report inside the HCL report. */
  TDX_TD_REPORT_MATCHES_QUOTE("tdx.td_report_matches_quote", true),
  /** REPORT_DATA = hash(runtime claims) followed by zero bytes. */
  HCL_REPORT_DATA_BINDING("hcl.report_data_binding", true),
  /** The quote message is a TPMS_ATTEST of a TPM2_Quote. */
  TPM_ATTEST_PARSE("tpm.attest_parse", true),
  /** The quote signature verifies with HCLAkPub. */
  TPM_SIGNATURE("tpm.signature", true),
  /** extraData is the verifier's nonce. */
  TPM_NONCE("tpm.nonce", true),
  /** The PCR values hash to pcrDigest. */
  TPM_PCR_DIGEST("tpm.pcr_digest", true),
  /** Evidence v2: the claims' user-data starts with the nonce. */
  CLAIMS_USER_DATA("claims.user_data", true),
  /** Advisory: qualifiedSigner is the Azure AK template's qualified name. */
  TPM_QUALIFIED_SIGNER("tpm.qualified_signer", false),
  /** Advisory: the TD report's two SHA-384 hashes recompute. */
  TDX_TD_REPORT_HASHES("tdx.td_report_hashes", false),
  /** Advisory: the TD quote's own signature with the key it carries (not DCAP). */
  TDX_QUOTE_BODY_SIGNATURE("tdx.quote_body_signature", false),
  /** Advisory: evidence v2 user-data is zero after the nonce. */
  CLAIMS_USER_DATA_TAIL("claims.user_data_tail", false);

  private final String specName;
  private final boolean required;

  AzureCheck(String specName, boolean required) {
    this.specName = specName;
    this.required = required;
  }

  /**
   * The spec's name, for example {@code hcl.report_data_binding}.
   *
   * @return the name
   */
  public String specName() {
    return specName;
  }

  /**
   * Whether a failure rejects the evidence.
   *
   * @return true for required checks, false for advisory ones
   */
  public boolean required() {
    return required;
  }

  /**
   * The check with this spec name.
   *
   * @param specName for example {@code tpm.nonce}
   * @return the check, or null for an unknown name
   */
  public static AzureCheck bySpecName(String specName) {
    for (AzureCheck c : values()) {
      if (c.specName.equals(specName)) {
        return c;
      }
    }
    return null;
  }
}
