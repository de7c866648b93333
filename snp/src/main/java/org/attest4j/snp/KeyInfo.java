package org.attest4j.snp;

/**
 * KEY_INFO (report offset 0x048; go-sev-guest's "signer_info"): AUTHOR_KEY_EN (bit 0),
 * MASK_CHIP_KEY (bit 1) and SIGNING_KEY (bits 4:2). {@link SnpReport#parse} rejects reserved bits
 * and reserved SIGNING_KEY values, so {@link #signingKey()} is always defined for a parsed report.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param raw the u32 value
 */
public record KeyInfo(int raw) {
  /**
   * KEY_INFO for {@code key} with the two flags.
   *
   * @param key the key
   * @param authorKeyEnabled true to enable, false to disable
   * @param maskChipKey true to enable, false to disable
   * @return KEY_INFO for {@code key} with the two flags
   */
  public static KeyInfo of(SigningKey key, boolean authorKeyEnabled, boolean maskChipKey) {
    return new KeyInfo(key.code() << 2 | (maskChipKey ? 2 : 0) | (authorKeyEnabled ? 1 : 0));
  }

  /**
   * AUTHOR_KEY_EN: AUTHOR_KEY_DIGEST is present.
   *
   * @return true if AUTHOR_KEY_EN: AUTHOR_KEY_DIGEST is present
   */
  public boolean authorKeyEnabled() {
    return (raw & 1) != 0;
  }

  /**
   * MASK_CHIP_KEY: the host masked the chip key; the report is then not signed.
   *
   * @return true if MASK_CHIP_KEY: the host masked the chip key; the report is then not signed
   */
  public boolean maskChipKey() {
    return (raw & 2) != 0;
  }

  /**
   * The raw 3-bit SIGNING_KEY value.
   *
   * @return the raw 3-bit SIGNING_KEY value
   */
  public int signingKeyCode() {
    return raw >>> 2 & 7;
  }

  /**
   * The signing key.
   *
   * @return the signing key
   * @throws IllegalStateException for reserved values 2..6 (never for a parsed report)
   */
  public SigningKey signingKey() {
    switch (signingKeyCode()) {
      case 0:
        return SigningKey.VCEK;
      case 1:
        return SigningKey.VLEK;
      case 7:
        return SigningKey.NONE;
      default:
        throw new IllegalStateException("reserved SIGNING_KEY " + signingKeyCode());
    }
  }

  /**
   * {@code 0x} and lowercase hex.
   *
   * @return {@code 0x} and lowercase hex
   */
  public String toHex() {
    return "0x" + Integer.toHexString(raw);
  }

  @Override
  public String toString() {
    return toHex() + " [signing_key=" + (signingKeyCode() == 0 ? "VCEK" : signingKeyCode() == 1 ? "VLEK"
        : signingKeyCode() == 7 ? "NONE" : "reserved(" + signingKeyCode() + ")")
        + (maskChipKey() ? " MASK_CHIP_KEY" : "") + (authorKeyEnabled() ? " AUTHOR_KEY_EN" : "") + "]";
  }
}
