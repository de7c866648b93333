package org.attest4j.kms;

/**
 * What report_data[32..64] must carry for a request to be fresh (step 6).
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum FreshnessMode {
  /** A nonce from {@link KeyReleaseService#issueNonce()}, usable once before it expires. */
  KMS_NONCE,
  /**
   * A digest of the request ({@link KeyReleaseRequest#requestDigest()}), which includes the
   * guest's request time: accepted once, and only while the request time is within the nonce
   * lifetime of the KMS clock. One round trip fewer; needs loosely synchronized clocks.
   */
  REQUEST_DIGEST
}
