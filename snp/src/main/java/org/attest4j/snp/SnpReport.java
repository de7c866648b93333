package org.attest4j.snp;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * An AMD SEV-SNP ATTESTATION_REPORT (AMD 56860, Table 23): versions 2, 3, 4 (v3 layout) and 5,
 * exactly 1184 bytes. {@link #parse(byte[])} checks the format (length, version, signature
 * algorithm, GUEST_POLICY and KEY_INFO reserved bits, every must-be-zero range for the version) but
 * not the signature: use {@link SnpVerifier} or {@link VcekChain#verify} for that, and {@link
 * SnpPolicy} to validate the fields.
 *
 * <p>The TCB layout depends on the {@link Product}. For v3+ reports the product comes from the signed
 * CPUID fields; v2 reports carry none, so {@link #product()} is empty until the verifier (from the
 * certificate) or the caller ({@link #withProduct}) supplies it. The TCB accessors need it.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SnpReport {
  /** The size of every report version: 1184 (0x4A0) bytes. */
  public static final int SIZE = 0x4A0;
  /** The signed range is bytes [0, 0x2A0). */
  public static final int SIGNED_LENGTH = 0x2A0;
  /** SIGNATURE_ALGO for ECDSA P-384 with SHA-384, the only algorithm defined. */
  public static final int SIG_ALGO_ECDSA_P384_SHA384 = 1;

  /** CPUID identification of the chip (v3+ reports). */
  public record Cpuid(int familyId, int modelId, int stepping) {
    @Override
    public String toString() {
      return String.format("family=0x%02x model=0x%02x stepping=%d", familyId, modelId, stepping);
    }
  }

  private final byte[] raw;
  private final int version;
  private final Cpuid cpuid;
  private final Product cpuidProduct;
  private final Product product;

  private SnpReport(byte[] raw, int version, Cpuid cpuid, Product cpuidProduct, Product product) {
    this.raw = raw;
    this.version = version;
    this.cpuid = cpuid;
    this.cpuidProduct = cpuidProduct;
    this.product = product;
  }

  // ------------------------------------------------------------------ parsing

  /**
   * Parses and format-checks a report. The product is taken from the CPUID fields of v3+ reports.
   *
   * @param report the report
   * @return the parsed report
   * @throws MalformedEvidenceException with a {@link SnpReason} for any format violation
   */
  public static SnpReport parse(byte[] report) throws MalformedEvidenceException {
    if (report == null) {
      throw new MalformedEvidenceException(SnpReason.BAD_REPORT_LENGTH, "SEV-SNP report is missing (null)");
    }
    if (report.length != SIZE) {
      throw new MalformedEvidenceException(
          SnpReason.BAD_REPORT_LENGTH,
          "SEV-SNP report must be exactly 1184 (0x4A0) bytes, got " + report.length);
    }
    byte[] r = report.clone();
    long version = u32(r, 0x000);
    if (version < 2 || version > 5) {
      throw new MalformedEvidenceException(
          SnpReason.UNSUPPORTED_VERSION,
          "SEV-SNP report VERSION " + version + " is not supported (2, 3, 4 or 5)");
    }
    long algo = u32(r, 0x034);
    if (algo != SIG_ALGO_ECDSA_P384_SHA384) {
      throw new MalformedEvidenceException(
          SnpReason.UNSUPPORTED_SIGNATURE_ALGORITHM,
          "SEV-SNP report SIGNATURE_ALGO " + algo + " is not 1 (ECDSA P-384 with SHA-384)");
    }
    long policy = u64(r, 0x008);
    if ((policy & GuestPolicy.RESERVED_MBO) == 0) {
      throw new MalformedEvidenceException(
          SnpReason.BAD_GUEST_POLICY,
          "GUEST_POLICY 0x" + Long.toHexString(policy) + " has reserved bit 17 clear (it must be 1)");
    }
    if ((policy & GuestPolicy.RESERVED_MBZ) != 0) {
      throw new MalformedEvidenceException(
          SnpReason.BAD_GUEST_POLICY,
          "GUEST_POLICY 0x" + Long.toHexString(policy) + " sets reserved bits 63:26 (must be 0)");
    }
    long keyInfo = u32(r, 0x048);
    if ((keyInfo & ~0x1fL) != 0) {
      throw new MalformedEvidenceException(
          SnpReason.BAD_KEY_INFO, "KEY_INFO 0x" + Long.toHexString(keyInfo) + " sets reserved bits 31:5");
    }
    int signingKey = (int) (keyInfo >>> 2 & 7);
    if (signingKey != 0 && signingKey != 1 && signingKey != 7) {
      throw new MalformedEvidenceException(
          SnpReason.BAD_KEY_INFO,
          "KEY_INFO SIGNING_KEY " + signingKey + " is reserved (0 = VCEK, 1 = VLEK, 7 = none)");
    }
    zeros(r, 0x04C, 0x050, "reserved field after KEY_INFO");
    if (version >= 3) {
      zeros(r, 0x18B, 0x1A0, "reserved after CPUID_STEP");
    } else {
      zeros(r, 0x188, 0x1A0, "reserved after REPORTED_TCB (v2)");
    }
    zeros(r, 0x1EB, 0x1EC, "reserved after CURRENT_MAJOR");
    zeros(r, 0x1EF, 0x1F0, "reserved after COMMITTED_MAJOR");
    zeros(r, version >= 5 ? 0x208 : 0x1F8, SIGNED_LENGTH, "reserved before SIGNATURE");
    zeros(r, 0x330, SIZE, "reserved signature bytes");
    Cpuid cpuid = null;
    Product cpuidProduct = null;
    if (version >= 3) {
      cpuid = new Cpuid(r[0x188] & 0xff, r[0x189] & 0xff, r[0x18A] & 0xff);
      cpuidProduct = Product.fromCpuid(cpuid.familyId(), cpuid.modelId()).orElse(null);
    }
    return new SnpReport(r, (int) version, cpuid, cpuidProduct, cpuidProduct);
  }

  /**
   * Parses a report and binds it to {@code product} (for v2 reports, which carry no CPUID).
   *
   * @param report the report
   * @param product the product
   * @return the parsed report
   * @throws VerificationException with {@link SnpReason#PRODUCT_MISMATCH} if the CPUID names
   *     another product
   * @throws MalformedEvidenceException if the input cannot be decoded
   */
  public static SnpReport parse(byte[] report, Product product)
      throws MalformedEvidenceException, VerificationException {
    return parse(report).withProduct(product);
  }

  private static void zeros(byte[] r, int from, int to, String field) throws MalformedEvidenceException {
    for (int i = from; i < to; i++) {
      if (r[i] != 0) {
        throw new MalformedEvidenceException(
            SnpReason.RESERVED_NONZERO,
            String.format(
                "SEV-SNP report %s (%s) must be zero but byte 0x%03X is 0x%02x",
                field, to - from == 1 ? String.format("0x%03X", from) : String.format("0x%03X..0x%03X", from, to - 1),
                i, r[i] & 0xff));
      }
    }
  }

  static long u32(byte[] b, int off) {
    return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
  }

  static long u64(byte[] b, int off) {
    return u32(b, off) | u32(b, off + 4) << 32;
  }

  private Bytes bytes(int off, int len) {
    return Bytes.of(raw, off, len);
  }

  // ------------------------------------------------------------------ product binding

  /**
   * This report bound to {@code product}: the TCB accessors then decode with its layout.
   *
   * @param product the product
   * @return this report bound to {@code product}: the TCB accessors then decode with its layout
   * @throws VerificationException with {@link SnpReason#PRODUCT_MISMATCH} if the signed CPUID
   *     fields name another product
   */
  public SnpReport withProduct(Product product) throws VerificationException {
    Objects.requireNonNull(product, "product");
    if (cpuidProduct != null && cpuidProduct != product) {
      throw new VerificationException(
          SnpReason.PRODUCT_MISMATCH,
          "report CPUID (" + cpuid + ") says " + cpuidProduct + " but " + product + " was given");
    }
    return product == this.product ? this : new SnpReport(raw, version, cpuid, cpuidProduct, product);
  }

  /**
   * The product: from the CPUID fields (v3+) or as bound by {@link #withProduct}; empty if unknown.
   *
   * @return the product: from the CPUID fields (v3+) or as bound by {@link #withProduct}; empty if unknown
   */
  public Optional<Product> product() {
    return Optional.ofNullable(product);
  }

  /**
   * The product named by the CPUID fields; empty for v2 or an unknown family/model.
   *
   * @return the product named by the CPUID fields; empty for v2 or an unknown family/model
   */
  public Optional<Product> cpuidProduct() {
    return Optional.ofNullable(cpuidProduct);
  }

  private Product requireProduct() {
    if (product == null) {
      throw new IllegalStateException(
          "the TCB layout depends on the product, which this v" + version
              + " report does not name; verify it or call withProduct(...) first");
    }
    return product;
  }

  // ------------------------------------------------------------------ fields

  /**
   * VERSION: 2, 3, 4 or 5.
   *
   * @return VERSION: 2, 3, 4 or 5
   */
  public int version() {
    return version;
  }

  /**
   * GUEST_SVN.
   *
   * @return GUEST_SVN
   */
  public long guestSvn() {
    return u32(raw, 0x004);
  }

  /**
   * GUEST_POLICY.
   *
   * @return GUEST_POLICY
   */
  public GuestPolicy policy() {
    return new GuestPolicy(u64(raw, 0x008));
  }

  /**
   * FAMILY_ID (16 bytes).
   *
   * @return FAMILY_ID (16 bytes)
   */
  public Bytes familyId() {
    return bytes(0x010, 16);
  }

  /**
   * IMAGE_ID (16 bytes).
   *
   * @return IMAGE_ID (16 bytes)
   */
  public Bytes imageId() {
    return bytes(0x020, 16);
  }

  /**
   * VMPL of the requester.
   *
   * @return VMPL of the requester
   */
  public long vmpl() {
    return u32(raw, 0x030);
  }

  /**
   * SIGNATURE_ALGO (always 1 for a parsed report).
   *
   * @return SIGNATURE_ALGO (always 1 for a parsed report)
   */
  public int signatureAlgo() {
    return (int) u32(raw, 0x034);
  }

  /**
   * PLATFORM_INFO.
   *
   * @return PLATFORM_INFO
   */
  public PlatformInfo platformInfo() {
    return new PlatformInfo(u64(raw, 0x040));
  }

  /**
   * KEY_INFO (signer, MASK_CHIP_KEY, AUTHOR_KEY_EN).
   *
   * @return KEY_INFO (signer, MASK_CHIP_KEY, AUTHOR_KEY_EN)
   */
  public KeyInfo keyInfo() {
    return new KeyInfo((int) u32(raw, 0x048));
  }

  /**
   * The signing key named by KEY_INFO.
   *
   * @return the signing key named by KEY_INFO
   */
  public SigningKey signingKey() {
    return keyInfo().signingKey();
  }

  /**
   * REPORT_DATA (64 bytes, guest-supplied).
   *
   * @return REPORT_DATA (64 bytes, guest-supplied)
   */
  public Bytes reportData() {
    return bytes(0x050, 64);
  }

  /**
   * MEASUREMENT (48 bytes, the launch digest).
   *
   * @return MEASUREMENT (48 bytes, the launch digest)
   */
  public Bytes measurement() {
    return bytes(0x090, 48);
  }

  /**
   * HOST_DATA (32 bytes).
   *
   * @return HOST_DATA (32 bytes)
   */
  public Bytes hostData() {
    return bytes(0x0C0, 32);
  }

  /**
   * ID_KEY_DIGEST (48 bytes).
   *
   * @return ID_KEY_DIGEST (48 bytes)
   */
  public Bytes idKeyDigest() {
    return bytes(0x0E0, 48);
  }

  /**
   * AUTHOR_KEY_DIGEST (48 bytes).
   *
   * @return AUTHOR_KEY_DIGEST (48 bytes)
   */
  public Bytes authorKeyDigest() {
    return bytes(0x110, 48);
  }

  /**
   * REPORT_ID (32 bytes).
   *
   * @return REPORT_ID (32 bytes)
   */
  public Bytes reportId() {
    return bytes(0x140, 32);
  }

  /**
   * REPORT_ID_MA (32 bytes; all 0xFF without a migration agent).
   *
   * @return REPORT_ID_MA (32 bytes; all 0xFF without a migration agent)
   */
  public Bytes reportIdMa() {
    return bytes(0x160, 32);
  }

  /**
   * CHIP_ID (64 bytes; all zero when masked; on Turin only the first 8 bytes are used).
   *
   * @return CHIP_ID (64 bytes; all zero when masked; on Turin only the first 8 bytes are used)
   */
  public Bytes chipId() {
    return bytes(0x1A0, 64);
  }

  /**
   * CPUID family/model/stepping; empty for v2 reports.
   *
   * @return CPUID family/model/stepping; empty for v2 reports
   */
  public Optional<Cpuid> cpuid() {
    return Optional.ofNullable(cpuid);
  }

  /**
   * CURRENT_TCB raw u64.
   *
   * @return CURRENT_TCB raw u64
   */
  public long rawCurrentTcb() {
    return u64(raw, 0x038);
  }

  /**
   * REPORTED_TCB raw u64 (the TCB the VCEK is derived for).
   *
   * @return REPORTED_TCB raw u64 (the TCB the VCEK is derived for)
   */
  public long rawReportedTcb() {
    return u64(raw, 0x180);
  }

  /**
   * COMMITTED_TCB raw u64.
   *
   * @return COMMITTED_TCB raw u64
   */
  public long rawCommittedTcb() {
    return u64(raw, 0x1E0);
  }

  /**
   * LAUNCH_TCB raw u64.
   *
   * @return LAUNCH_TCB raw u64
   */
  public long rawLaunchTcb() {
    return u64(raw, 0x1F0);
  }

  /**
   * CURRENT_TCB decoded for {@link #product()}.
   *
   * @return CURRENT_TCB decoded for {@link #product()}
   * @throws IllegalStateException if the product is unknown (v2 report not yet bound)
   */
  public TcbVersion currentTcb() {
    return TcbVersion.of(requireProduct(), rawCurrentTcb());
  }

  /**
   * REPORTED_TCB decoded for {@link #product()}.
   *
   * @return REPORTED_TCB decoded for {@link #product()}
   * @throws IllegalStateException if the product is unknown
   */
  public TcbVersion reportedTcb() {
    return TcbVersion.of(requireProduct(), rawReportedTcb());
  }

  /**
   * COMMITTED_TCB decoded for {@link #product()}.
   *
   * @return COMMITTED_TCB decoded for {@link #product()}
   * @throws IllegalStateException if the product is unknown
   */
  public TcbVersion committedTcb() {
    return TcbVersion.of(requireProduct(), rawCommittedTcb());
  }

  /**
   * LAUNCH_TCB decoded for {@link #product()}.
   *
   * @return LAUNCH_TCB decoded for {@link #product()}
   * @throws IllegalStateException if the product is unknown
   */
  public TcbVersion launchTcb() {
    return TcbVersion.of(requireProduct(), rawLaunchTcb());
  }

  /**
   * CURRENT_MAJOR.CURRENT_MINOR.CURRENT_BUILD.
   *
   * @return CURRENT_MAJOR.CURRENT_MINOR.CURRENT_BUILD
   */
  public FirmwareVersion currentVersion() {
    return new FirmwareVersion(raw[0x1EA] & 0xff, raw[0x1E9] & 0xff, raw[0x1E8] & 0xff);
  }

  /**
   * COMMITTED_MAJOR.COMMITTED_MINOR.COMMITTED_BUILD.
   *
   * @return COMMITTED_MAJOR.COMMITTED_MINOR.COMMITTED_BUILD
   */
  public FirmwareVersion committedVersion() {
    return new FirmwareVersion(raw[0x1EE] & 0xff, raw[0x1ED] & 0xff, raw[0x1EC] & 0xff);
  }

  /**
   * LAUNCH_MIT_VECTOR (v5 only).
   *
   * @return LAUNCH_MIT_VECTOR (v5 only)
   */
  public OptionalLong launchMitigationVector() {
    return version >= 5 ? OptionalLong.of(u64(raw, 0x1F8)) : OptionalLong.empty();
  }

  /**
   * CURRENT_MIT_VECTOR (v5 only).
   *
   * @return CURRENT_MIT_VECTOR (v5 only)
   */
  public OptionalLong currentMitigationVector() {
    return version >= 5 ? OptionalLong.of(u64(raw, 0x200)) : OptionalLong.empty();
  }

  /**
   * SIGNATURE.R: 72 bytes, little-endian.
   *
   * @return SIGNATURE.R: 72 bytes, little-endian
   */
  public Bytes signatureR() {
    return bytes(0x2A0, 72);
  }

  /**
   * SIGNATURE.S: 72 bytes, little-endian.
   *
   * @return SIGNATURE.S: 72 bytes, little-endian
   */
  public Bytes signatureS() {
    return bytes(0x2E8, 72);
  }

  /**
   * The exact signed bytes [0, 0x2A0) (a fresh copy).
   *
   * @return the exact signed bytes [0, 0x2A0) (a fresh copy)
   */
  public byte[] signedBytes() {
    return Arrays.copyOf(raw, SIGNED_LENGTH);
  }

  /**
   * The exact 1184 report bytes (a fresh copy); {@code parse(r.toByteArray())} equals {@code r}.
   *
   * @return the exact 1184 report bytes (a fresh copy); {@code parse(r.toByteArray())} equals {@code r}
   */
  public byte[] toByteArray() {
    return raw.clone();
  }

  /** Package-private zero-copy access for the verifier; callers must not modify it. */
  byte[] rawUnsafe() {
    return raw;
  }

  /**
   * This report with SIGNATURE.R and SIGNATURE.S replaced (for signers such as the simulated
   * platform). The values are stored as 72-byte little-endian integers.
   *
   * @param r the big integer
   * @param s the big integer
   * @return this report with SIGNATURE.R and SIGNATURE.S replaced (for signers such as the simulated
   *     platform)
   * @throws IllegalArgumentException if r or s is negative or longer than 72 bytes
   */
  public SnpReport withSignature(BigInteger r, BigInteger s) {
    byte[] out = raw.clone();
    Arrays.fill(out, 0x2A0, SIZE, (byte) 0);
    putLe72(out, 0x2A0, r);
    putLe72(out, 0x2E8, s);
    return new SnpReport(out, version, cpuid, cpuidProduct, product);
  }

  static void putLe72(byte[] out, int off, BigInteger v) {
    if (v.signum() < 0 || v.bitLength() > 72 * 8) {
      throw new IllegalArgumentException("signature component must be 0 <= v < 2^576");
    }
    byte[] be = v.toByteArray();
    for (int i = 0; i < be.length && i < 72; i++) {
      out[off + i] = be[be.length - 1 - i];
    }
  }

  /** Equal when the report bytes are equal (the product binding is not compared). */
  @Override
  public boolean equals(Object o) {
    return o instanceof SnpReport other && java.security.MessageDigest.isEqual(raw, other.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  /** A one-line summary (version, product, signer, measurement); reports contain no secrets. */
  @Override
  public String toString() {
    return "SnpReport[v" + version + " " + (product == null ? "product?" : product) + " "
        + keyInfo() + " vmpl=" + vmpl() + " policy=" + policy().toHex()
        + " measurement=" + measurement().toHex() + "]";
  }

  // ------------------------------------------------------------------ builder

  /**
   * A builder for reports (tests, simulators); the signature is left zero.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds report bytes field by field. {@link #build()} runs {@link SnpReport#parse} on the result,
   * so a built report always satisfies the format rules. Defaults: version 5, policy 0x30000, VCEK
   * signer, REPORT_ID_MA all 0xFF, everything else zero. Not thread-safe.
   */
  public static final class Builder {
    private final byte[] b = new byte[SIZE];
    private Product product;

    private Builder() {
      put32(0x000, 5);
      put64(0x008, GuestPolicy.defaults().raw());
      put32(0x034, SIG_ALGO_ECDSA_P384_SHA384);
      Arrays.fill(b, 0x160, 0x180, (byte) 0xff);
    }

    private void put32(int off, long v) {
      for (int i = 0; i < 4; i++) {
        b[off + i] = (byte) (v >>> (8 * i));
      }
    }

    private void put64(int off, long v) {
      for (int i = 0; i < 8; i++) {
        b[off + i] = (byte) (v >>> (8 * i));
      }
    }

    private Builder put(int off, int len, byte[] v, String field) {
      Objects.requireNonNull(v, field);
      if (v.length != len) {
        throw new IllegalArgumentException(field + " must be " + len + " bytes, got " + v.length);
      }
      System.arraycopy(v, 0, b, off, len);
      return this;
    }

    /**
     * VERSION (2..5).
     *
     * @param version the version
     * @return this builder
     */
    public Builder version(int version) {
      put32(0x000, version);
      return this;
    }

    /**
     * GUEST_SVN.
     *
     * @param svn the SVN
     * @return this builder
     */
    public Builder guestSvn(long svn) {
      put32(0x004, svn);
      return this;
    }

    /**
     * GUEST_POLICY.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder policy(GuestPolicy policy) {
      put64(0x008, policy.raw());
      return this;
    }

    /**
     * FAMILY_ID (16 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder familyId(byte[] v) {
      return put(0x010, 16, v, "family_id");
    }

    /**
     * IMAGE_ID (16 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder imageId(byte[] v) {
      return put(0x020, 16, v, "image_id");
    }

    /**
     * VMPL.
     *
     * @param vmpl the VMPL
     * @return this builder
     */
    public Builder vmpl(long vmpl) {
      put32(0x030, vmpl);
      return this;
    }

    /**
     * SIGNATURE_ALGO (only 1 parses).
     *
     * @param algo the algo
     * @return this builder
     */
    public Builder signatureAlgo(int algo) {
      put32(0x034, algo);
      return this;
    }

    /**
     * CURRENT_TCB.
     *
     * @param tcb the TCB
     * @return this builder
     */
    public Builder currentTcb(TcbVersion tcb) {
      put64(0x038, tcb.raw());
      return this;
    }

    /**
     * PLATFORM_INFO.
     *
     * @param info the info
     * @return this builder
     */
    public Builder platformInfo(PlatformInfo info) {
      put64(0x040, info.raw());
      return this;
    }

    /**
     * KEY_INFO.
     *
     * @param info the info
     * @return this builder
     */
    public Builder keyInfo(KeyInfo info) {
      put32(0x048, info.raw());
      return this;
    }

    /**
     * REPORT_DATA (64 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder reportData(byte[] v) {
      return put(0x050, 64, v, "report_data");
    }

    /**
     * MEASUREMENT (48 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder measurement(byte[] v) {
      return put(0x090, 48, v, "measurement");
    }

    /**
     * HOST_DATA (32 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder hostData(byte[] v) {
      return put(0x0C0, 32, v, "host_data");
    }

    /**
     * ID_KEY_DIGEST (48 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder idKeyDigest(byte[] v) {
      return put(0x0E0, 48, v, "id_key_digest");
    }

    /**
     * AUTHOR_KEY_DIGEST (48 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder authorKeyDigest(byte[] v) {
      return put(0x110, 48, v, "author_key_digest");
    }

    /**
     * REPORT_ID (32 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder reportId(byte[] v) {
      return put(0x140, 32, v, "report_id");
    }

    /**
     * REPORT_ID_MA (32 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder reportIdMa(byte[] v) {
      return put(0x160, 32, v, "report_id_ma");
    }

    /**
     * REPORTED_TCB.
     *
     * @param tcb the TCB
     * @return this builder
     */
    public Builder reportedTcb(TcbVersion tcb) {
      put64(0x180, tcb.raw());
      return this;
    }

    /**
     * CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (v3+; must stay zero for v2).
     *
     * @param familyId the family ID
     * @param modelId the model ID
     * @param stepping the stepping
     * @return this builder
     */
    public Builder cpuid(int familyId, int modelId, int stepping) {
      b[0x188] = (byte) familyId;
      b[0x189] = (byte) modelId;
      b[0x18A] = (byte) stepping;
      return this;
    }

    /**
     * CHIP_ID (64 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder chipId(byte[] v) {
      return put(0x1A0, 64, v, "chip_id");
    }

    /**
     * COMMITTED_TCB.
     *
     * @param tcb the TCB
     * @return this builder
     */
    public Builder committedTcb(TcbVersion tcb) {
      put64(0x1E0, tcb.raw());
      return this;
    }

    /**
     * CURRENT_MAJOR/MINOR/BUILD.
     *
     * @param v the value
     * @return this builder
     */
    public Builder currentVersion(FirmwareVersion v) {
      b[0x1E8] = (byte) v.build();
      b[0x1E9] = (byte) v.minor();
      b[0x1EA] = (byte) v.major();
      return this;
    }

    /**
     * COMMITTED_MAJOR/MINOR/BUILD.
     *
     * @param v the value
     * @return this builder
     */
    public Builder committedVersion(FirmwareVersion v) {
      b[0x1EC] = (byte) v.build();
      b[0x1ED] = (byte) v.minor();
      b[0x1EE] = (byte) v.major();
      return this;
    }

    /**
     * LAUNCH_TCB.
     *
     * @param tcb the TCB
     * @return this builder
     */
    public Builder launchTcb(TcbVersion tcb) {
      put64(0x1F0, tcb.raw());
      return this;
    }

    /**
     * LAUNCH_MIT_VECTOR (v5 only).
     *
     * @param v the value
     * @return this builder
     */
    public Builder launchMitigationVector(long v) {
      put64(0x1F8, v);
      return this;
    }

    /**
     * CURRENT_MIT_VECTOR (v5 only).
     *
     * @param v the value
     * @return this builder
     */
    public Builder currentMitigationVector(long v) {
      put64(0x200, v);
      return this;
    }

    /**
     * Sets CURRENT, REPORTED, COMMITTED and LAUNCH TCB at once.
     *
     * @param tcb the TCB
     * @return this builder
     */
    public Builder allTcbs(TcbVersion tcb) {
      return currentTcb(tcb).reportedTcb(tcb).committedTcb(tcb).launchTcb(tcb);
    }

    /**
     * Binds the built report to {@code product} (needed for v2 reports' TCB accessors).
     *
     * @param product the product
     * @return this builder
     */
    public Builder product(Product product) {
      this.product = product;
      return this;
    }

    /**
     * The report (with a zero signature).
     *
     * @return the report (with a zero signature)
     * @throws IllegalArgumentException if the fields violate the format (the message says which)
     */
    public SnpReport build() {
      try {
        SnpReport r = SnpReport.parse(b);
        return product == null ? r : r.withProduct(product);
      } catch (MalformedEvidenceException | VerificationException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }
}
