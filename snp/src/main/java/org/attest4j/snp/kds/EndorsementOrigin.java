package org.attest4j.snp.kds;

/** Where a certificate or CRL handed to the verifier came from (for logs and diagnostics). */
public enum EndorsementOrigin {
  /** Supplied by the caller together with the report (for example in the attestation request). */
  REQUEST,
  /** The extended-report certificate table (SNP_GET_EXT_REPORT, configfs-tsm auxblob). */
  CERTIFICATE_TABLE,
  /** A KDS client's memory or disk cache (verified again when read from disk). */
  CACHE,
  /** Fetched from AMD KDS (or a configured mirror) during this call. */
  KDS
}
