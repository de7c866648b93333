package org.attest4j.snp;

/**
 * PLATFORM_INFO (report offset 0x040). Known bits are decoded; unknown bits are kept and never
 * rejected at parse time (real Turin parts set bit 6). Only a {@link SnpPolicy} acts on them.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param raw the u64 value
 */
public record PlatformInfo(long raw) {
  /** Bit 0: SMT enabled. */
  public static final long SMT_EN = 1L;
  /** Bit 1: TSME enabled. */
  public static final long TSME_EN = 1L << 1;
  /** Bit 2: ECC memory enabled. */
  public static final long ECC_EN = 1L << 2;
  /** Bit 3: RAPL disabled. */
  public static final long RAPL_DIS = 1L << 3;
  /** Bit 4: ciphertext hiding (DRAM) enabled. */
  public static final long CIPHERTEXT_HIDING_EN = 1L << 4;
  /** Bit 5: alias check complete (BadRAM mitigation, AMD-SB-3015). */
  public static final long ALIAS_CHECK_COMPLETE = 1L << 5;
  /** Bit 7: SEV-TIO enabled. */
  public static final long TIO_EN = 1L << 7;
  /** Every bit this library decodes; the rest (bit 6 and bits 63:8) are unknown. */
  public static final long KNOWN_BITS =
      SMT_EN | TSME_EN | ECC_EN | RAPL_DIS | CIPHERTEXT_HIDING_EN | ALIAS_CHECK_COMPLETE | TIO_EN;

  /**
   * Whether every bit of {@code bits} is set.
   *
   * @param bits the bits
   * @return whether every bit of {@code bits} is set
   */
  public boolean has(long bits) {
    return (raw & bits) == bits;
  }

  /**
   * SMT enabled.
   *
   * @return true if SMT enabled
   */
  public boolean smtEnabled() {
    return has(SMT_EN);
  }

  /**
   * TSME enabled.
   *
   * @return true if TSME enabled
   */
  public boolean tsmeEnabled() {
    return has(TSME_EN);
  }

  /**
   * ECC enabled.
   *
   * @return true if ECC enabled
   */
  public boolean eccEnabled() {
    return has(ECC_EN);
  }

  /**
   * RAPL disabled.
   *
   * @return true if RAPL disabled
   */
  public boolean raplDisabled() {
    return has(RAPL_DIS);
  }

  /**
   * Ciphertext hiding enabled.
   *
   * @return true if ciphertext hiding enabled
   */
  public boolean ciphertextHidingEnabled() {
    return has(CIPHERTEXT_HIDING_EN);
  }

  /**
   * Alias check complete.
   *
   * @return true if alias check complete
   */
  public boolean aliasCheckComplete() {
    return has(ALIAS_CHECK_COMPLETE);
  }

  /**
   * SEV-TIO enabled.
   *
   * @return true if SEV-TIO enabled
   */
  public boolean tioEnabled() {
    return has(TIO_EN);
  }

  /**
   * The bits set that this library does not decode (bit 6 on Turin, bits 63:8).
   *
   * @return the bits set that this library does not decode (bit 6 on Turin, bits 63:8)
   */
  public long unknownBits() {
    return raw & ~KNOWN_BITS;
  }

  /**
   * {@code 0x} and lowercase hex.
   *
   * @return {@code 0x} and lowercase hex
   */
  public String toHex() {
    return "0x" + Long.toHexString(raw);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(toHex()).append(" [");
    if (smtEnabled()) sb.append(" SMT_EN");
    if (tsmeEnabled()) sb.append(" TSME_EN");
    if (eccEnabled()) sb.append(" ECC_EN");
    if (raplDisabled()) sb.append(" RAPL_DIS");
    if (ciphertextHidingEnabled()) sb.append(" CIPHERTEXT_HIDING_EN");
    if (aliasCheckComplete()) sb.append(" ALIAS_CHECK_COMPLETE");
    if (tioEnabled()) sb.append(" TIO_EN");
    if (unknownBits() != 0) sb.append(" unknown=0x").append(Long.toHexString(unknownBits()));
    return sb.append(" ]").toString();
  }
}
