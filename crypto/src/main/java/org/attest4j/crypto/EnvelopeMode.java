package org.attest4j.crypto;

/**
 * How app keys travel back to the guest.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum EnvelopeMode {
  /**
   * The default: {@link SealedResponse}, HPKE (RFC 9180) base mode to report_data[0..32], bound to
   * the request evidence and the KMS identity, and signed by the KMS.
   */
  HPKE_V1,
  /**
   * dstack PR #630 ({@code GetAppKeyAmd}) compatibility, {@link Pr630Envelope}: the raw X25519
   * shared secret as an AES-SIV key, per field. <strong>Unauthenticated</strong>: anyone on the path
   * can substitute keys, and nothing binds the response to the request. Opt-in only, for existing
   * clients.
   */
  AES_SIV_PR630
}
