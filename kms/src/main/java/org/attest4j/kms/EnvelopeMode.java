package org.attest4j.kms;

/**
 * How released keys travel back to the guest (step 9).
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum EnvelopeMode {
  /**
   * The default: HPKE (RFC 9180, X25519 / HKDF-SHA256 / AES-256-GCM) to report_data[0..32], with
   * the request evidence and the KMS identity bound in, signed by the KMS; the guest checks who
   * sealed it and for which request.
   */
  HPKE,
  /**
   * PR #630 compatibility for existing {@code GetAppKeyAmd} clients: the raw X25519 secret as an
   * AES-SIV key, one field at a time. Unauthenticated: the guest cannot tell who sealed it. Opt-in.
   */
  AES_SIV_PR630
}
