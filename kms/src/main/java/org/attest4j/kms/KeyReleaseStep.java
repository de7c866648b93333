package org.attest4j.kms;

/**
 * The steps of a key release, in the order {@link KeyReleaseService} runs them. A refusal names the
 * step that refused ({@link KeyReleaseException#step()}); every step before it passed.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum KeyReleaseStep {
  /** 0: the request itself is well formed (sizes, hex, required fields). */
  DECODE_REQUEST(0, "decode request"),
  /** 1: the SEV-SNP report parses. */
  PARSE_REPORT(1, "parse report"),
  /** 2: ARK, ASK and VCEK chain to a trusted root and the VCEK signed the report. */
  VERIFY_SIGNATURE(2, "verify chain and signature"),
  /** 3: the report satisfies the SNP policy (debug, migration agent, VMPL, TCB, ...). */
  APPLY_POLICY(3, "apply policy"),
  /** 4: the MEASUREMENT equals the one recomputed from the KMS-pinned launch artifacts. */
  VERIFY_MEASUREMENT(4, "verify measurement"),
  /** 5: app_id, compose_hash and instance_id are bound to measured data. */
  BIND_IDENTITY(5, "bind app identity"),
  /** 6: report_data[32..64] carries a fresh, unused nonce or request digest. */
  CHECK_FRESHNESS(6, "check freshness"),
  /** 7: the authorization hook allows the boot. */
  AUTHORIZE(7, "authorize"),
  /** 8: the app keys are derived from the root keys. */
  DERIVE_KEYS(8, "derive app keys"),
  /** 9: the keys are sealed to report_data[0..32]. */
  SEAL_RESPONSE(9, "seal response");

  private final int number;
  private final String label;

  KeyReleaseStep(int number, String label) {
    this.number = number;
    this.label = label;
  }

  /**
   * The step number (0 for request decoding, then 1 to 9).
   *
   * @return the step number (0 for request decoding, then 1 to 9)
   */
  public int number() {
    return number;
  }

  /**
   * A short human-readable label, for example {@code "verify measurement"}.
   *
   * @return a short human-readable label, for example {@code "verify measurement"}
   */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return "step " + number + " (" + label + ")";
  }
}
