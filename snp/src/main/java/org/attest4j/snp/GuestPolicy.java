package org.attest4j.snp;

/**
 * GUEST_POLICY (report offset 0x008): the policy the guest owner set at launch. Bit 17 is reserved
 * and must be 1; bits 63:26 are reserved and must be 0 ({@link SnpReport#parse} rejects both).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param raw the u64 value
 */
public record GuestPolicy(long raw) {
  /** Bit 16: SMT allowed on the host. */
  public static final long SMT = 1L << 16;
  /** Bit 17: reserved, must be one. */
  public static final long RESERVED_MBO = 1L << 17;
  /** Bit 18: a migration agent may be associated. */
  public static final long MIGRATE_MA = 1L << 18;
  /** Bit 19: debugging allowed (the host can read and write guest memory). */
  public static final long DEBUG = 1L << 19;
  /** Bit 20: single socket only. */
  public static final long SINGLE_SOCKET = 1L << 20;
  /** Bit 21: CXL devices and memory allowed. */
  public static final long CXL_ALLOW = 1L << 21;
  /** Bit 22: AES-256-XTS memory encryption required. */
  public static final long MEM_AES_256_XTS = 1L << 22;
  /** Bit 23: RAPL must be disabled. */
  public static final long RAPL_DIS = 1L << 23;
  /** Bit 24: ciphertext hiding (DRAM) must be enabled. */
  public static final long CIPHERTEXT_HIDING = 1L << 24;
  /** Bit 25: page swap (SNP_PAGE_MOVE, SWAP_OUT, SWAP_IN) disabled. */
  public static final long PAGE_SWAP_DISABLE = 1L << 25;
  /** Bits 63:26, reserved (must be zero). */
  public static final long RESERVED_MBZ = -1L << 26;

  /**
   * The usual policy 0x30000: SMT allowed, reserved bit 17 set, ABI 0.0, nothing else.
   *
   * @return the usual policy 0x30000: SMT allowed, reserved bit 17 set, ABI 0.0, nothing else
   */
  public static GuestPolicy defaults() {
    return new GuestPolicy(SMT | RESERVED_MBO);
  }

  /**
   * This policy with {@code bits} set ({@code on}) or cleared.
   *
   * @param bits the bits
   * @param on true to enable, false to disable
   * @return this policy with {@code bits} set ({@code on}) or cleared
   */
  public GuestPolicy with(long bits, boolean on) {
    return new GuestPolicy(on ? raw | bits : raw & ~bits);
  }

  /**
   * This policy with the minimum ABI set to {@code major.minor}.
   *
   * @param major the major
   * @param minor the minor
   * @return this policy with the minimum ABI set to {@code major.minor}
   */
  public GuestPolicy withAbi(int major, int minor) {
    if ((major | minor) < 0 || major > 255 || minor > 255) {
      throw new IllegalArgumentException("ABI parts are bytes");
    }
    return new GuestPolicy((raw & ~0xffffL) | (long) major << 8 | minor);
  }

  /**
   * Minimum firmware ABI minor (bits 7:0).
   *
   * @return minimum firmware ABI minor (bits 7:0)
   */
  public int abiMinor() {
    return (int) (raw & 0xff);
  }

  /**
   * Minimum firmware ABI major (bits 15:8).
   *
   * @return minimum firmware ABI major (bits 15:8)
   */
  public int abiMajor() {
    return (int) (raw >>> 8 & 0xff);
  }

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
   * SMT allowed.
   *
   * @return true if SMT allowed
   */
  public boolean smtAllowed() {
    return has(SMT);
  }

  /**
   * Migration agent allowed.
   *
   * @return true if migration agent allowed
   */
  public boolean migrateMaAllowed() {
    return has(MIGRATE_MA);
  }

  /**
   * Debugging allowed. A key-release policy normally requires false.
   *
   * @return true if debugging allowed
   */
  public boolean debugAllowed() {
    return has(DEBUG);
  }

  /**
   * Single socket required.
   *
   * @return true if single socket required
   */
  public boolean singleSocket() {
    return has(SINGLE_SOCKET);
  }

  /**
   * CXL allowed.
   *
   * @return true if CXL allowed
   */
  public boolean cxlAllowed() {
    return has(CXL_ALLOW);
  }

  /**
   * AES-256-XTS required.
   *
   * @return true if AES-256-XTS required
   */
  public boolean memAes256Xts() {
    return has(MEM_AES_256_XTS);
  }

  /**
   * RAPL disabled required.
   *
   * @return true if RAPL disabled required
   */
  public boolean raplDisabled() {
    return has(RAPL_DIS);
  }

  /**
   * Ciphertext hiding required.
   *
   * @return true if ciphertext hiding required
   */
  public boolean ciphertextHiding() {
    return has(CIPHERTEXT_HIDING);
  }

  /**
   * Page swap disabled.
   *
   * @return true if page swap disabled
   */
  public boolean pageSwapDisabled() {
    return has(PAGE_SWAP_DISABLE);
  }

  /**
   * {@code 0x} and lowercase hex, for example {@code 0x30000}.
   *
   * @return {@code 0x} and lowercase hex, for example {@code 0x30000}
   */
  public String toHex() {
    return "0x" + Long.toHexString(raw);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(toHex()).append(" [abi ").append(abiMajor()).append('.').append(abiMinor());
    if (smtAllowed()) sb.append(" SMT");
    if (migrateMaAllowed()) sb.append(" MIGRATE_MA");
    if (debugAllowed()) sb.append(" DEBUG");
    if (singleSocket()) sb.append(" SINGLE_SOCKET");
    if (cxlAllowed()) sb.append(" CXL_ALLOW");
    if (memAes256Xts()) sb.append(" MEM_AES_256_XTS");
    if (raplDisabled()) sb.append(" RAPL_DIS");
    if (ciphertextHiding()) sb.append(" CIPHERTEXT_HIDING");
    if (pageSwapDisabled()) sb.append(" PAGE_SWAP_DISABLE");
    return sb.append(']').toString();
  }
}
