package org.attest4j.snp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.PolicyViolationException.Violation;

/**
 * Validation of a verified report's fields, separate from verification as in go-sev-guest's {@code
 * validate} package. {@link #strict()} (and {@link #builder()}'s defaults) is a key-release default:
 * debug forbidden, migration agent forbidden, CXL forbidden, VMPL 0, signer VCEK only, no provisional
 * firmware (committed TCB and firmware equal current), REPORTED_TCB not above CURRENT_TCB. Add
 * minimum TCBs, firmware, guest SVN, required guest-policy and platform-info bits, mitigation
 * vectors, and exact expected values (measurement, report_data, host_data, family_id, image_id,
 * report_id, report_id_ma, chip_id, ID and author key digests, or the ID and author keys themselves
 * as public keys or certificates) with the builder. Expected values are compared in constant time.
 *
 * <p>{@link #validate} checks every rule and throws one {@link PolicyViolationException} listing
 * every failed rule. Instances are immutable and thread-safe.
 */
public final class SnpPolicy {
  private final boolean allowDebug;
  private final boolean allowMigrationAgent;
  private final boolean allowSmt;
  private final boolean allowCxl;
  private final long requiredGuestPolicyBits;
  private final int minAbiMajor;
  private final int minAbiMinor;
  private final Long vmpl;
  private final Set<SigningKey> allowedSigners;
  private final Map<Product, TcbVersion> minimumTcb;
  private final Map<Product, TcbVersion> minimumLaunchTcb;
  private final FirmwareVersion minimumFirmware;
  private final long minimumGuestSvn;
  private final boolean permitProvisionalFirmware;
  private final long requiredPlatformInfoBits;
  private final long forbiddenPlatformInfoBits;
  private final boolean rejectUnknownPlatformInfoBits;
  private final long minimumLaunchMitigations;
  private final long minimumCurrentMitigations;
  private final List<Bytes> measurements;
  private final Bytes reportData;
  private final Bytes hostData;
  private final Bytes familyId;
  private final Bytes imageId;
  private final Bytes reportId;
  private final Bytes reportIdMa;
  private final List<Bytes> chipIds;
  private final List<Bytes> trustedIdKeys;
  private final List<Bytes> trustedAuthorKeys;
  private final boolean requireIdBlock;
  private final boolean requireAuthorKey;

  private SnpPolicy(Builder b) {
    allowDebug = b.allowDebug;
    allowMigrationAgent = b.allowMigrationAgent;
    allowSmt = b.allowSmt;
    allowCxl = b.allowCxl;
    requiredGuestPolicyBits = b.requiredGuestPolicyBits;
    minAbiMajor = b.minAbiMajor;
    minAbiMinor = b.minAbiMinor;
    vmpl = b.vmpl;
    allowedSigners = Set.copyOf(b.allowedSigners);
    minimumTcb = Map.copyOf(b.minimumTcb);
    minimumLaunchTcb = Map.copyOf(b.minimumLaunchTcb);
    minimumFirmware = b.minimumFirmware;
    minimumGuestSvn = b.minimumGuestSvn;
    permitProvisionalFirmware = b.permitProvisionalFirmware;
    requiredPlatformInfoBits = b.requiredPlatformInfoBits;
    forbiddenPlatformInfoBits = b.forbiddenPlatformInfoBits;
    rejectUnknownPlatformInfoBits = b.rejectUnknownPlatformInfoBits;
    minimumLaunchMitigations = b.minimumLaunchMitigations;
    minimumCurrentMitigations = b.minimumCurrentMitigations;
    measurements = List.copyOf(b.measurements);
    reportData = b.reportData;
    hostData = b.hostData;
    familyId = b.familyId;
    imageId = b.imageId;
    reportId = b.reportId;
    reportIdMa = b.reportIdMa;
    chipIds = List.copyOf(b.chipIds);
    trustedIdKeys = List.copyOf(b.trustedIdKeys);
    trustedAuthorKeys = List.copyOf(b.trustedAuthorKeys);
    requireIdBlock = b.requireIdBlock || b.requireAuthorKey;
    requireAuthorKey = b.requireAuthorKey;
  }

  /**
   * The strict key-release default (see the class description); add expected values with {@link #builder()}.
   *
   * @return the strict key-release default (see the class description); add expected values with {@link
   *     #builder()}
   */
  public static SnpPolicy strict() {
    return builder().build();
  }

  /**
   * A builder starting from the strict defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Validates a verified report.
   *
   * @param verified the verified report
   * @throws PolicyViolationException listing every failed rule
   */
  public void validate(VerifiedSnpReport verified) throws PolicyViolationException {
    throwIfAny(check(verified.report(), verified.signingKey()));
  }

  /**
   * Validates a report whose signature the caller verified some other way. <strong>This checks no
   * signature:</strong> a report that did not come from {@link SnpVerifier} may be forged, so prefer
   * {@link #validate(VerifiedSnpReport)}. The report must be bound to its product ({@link
   * SnpReport#product()}) for the TCB rules.
   *
   * @param report the report
   * @throws PolicyViolationException listing every failed rule
   */
  public void validateUnverified(SnpReport report) throws PolicyViolationException {
    throwIfAny(check(report, report.signingKey()));
  }

  private static void throwIfAny(List<Violation> v) throws PolicyViolationException {
    if (!v.isEmpty()) {
      throw new PolicyViolationException(v);
    }
  }

  /**
   * Every rule {@code verified} fails; empty when it satisfies this policy.
   *
   * @param verified the verified report
   * @return every rule {@code verified} fails; empty when it satisfies this policy
   */
  public List<Violation> check(VerifiedSnpReport verified) {
    return check(verified.report(), verified.signingKey());
  }

  private List<Violation> check(SnpReport r, SigningKey signer) {
    List<Violation> out = new ArrayList<>();
    // guest policy
    GuestPolicy gp = r.policy();
    if (gp.debugAllowed() && !allowDebug) {
      out.add(v(SnpReason.DEBUG_ALLOWED, "guest_policy.debug",
          "GUEST_POLICY " + gp.toHex() + " allows debugging (the host can read guest memory); the policy forbids it"));
    }
    if (gp.migrateMaAllowed() && !allowMigrationAgent) {
      out.add(v(SnpReason.MIGRATION_AGENT_ALLOWED, "guest_policy.migrate_ma",
          "GUEST_POLICY " + gp.toHex() + " allows a migration agent; the policy forbids it"));
    }
    if (gp.smtAllowed() && !allowSmt) {
      out.add(v(SnpReason.SMT_ALLOWED, "guest_policy.smt", "GUEST_POLICY " + gp.toHex() + " allows SMT; the policy forbids it"));
    }
    if (gp.cxlAllowed() && !allowCxl) {
      out.add(v(SnpReason.CXL_ALLOWED, "guest_policy.cxl_allow",
          "GUEST_POLICY " + gp.toHex() + " allows CXL; the policy forbids it"));
    }
    if ((gp.raw() & requiredGuestPolicyBits) != requiredGuestPolicyBits) {
      out.add(v(SnpReason.GUEST_POLICY_BIT_MISSING, "guest_policy.required_bits",
          "GUEST_POLICY " + gp.toHex() + " lacks required bits 0x"
              + Long.toHexString(requiredGuestPolicyBits & ~gp.raw())));
    }
    if (gp.abiMajor() < minAbiMajor || (gp.abiMajor() == minAbiMajor && gp.abiMinor() < minAbiMinor)) {
      out.add(v(SnpReason.ABI_TOO_OLD, "guest_policy.abi",
          "GUEST_POLICY ABI " + gp.abiMajor() + "." + gp.abiMinor() + " is below the minimum " + minAbiMajor + "." + minAbiMinor));
    }
    // VMPL and signer
    if (vmpl != null && r.vmpl() != vmpl) {
      out.add(v(SnpReason.VMPL_MISMATCH, "vmpl", "report VMPL is " + r.vmpl() + ", the policy requires " + vmpl));
    }
    if (!allowedSigners.contains(signer)) {
      out.add(v(SnpReason.SIGNER_NOT_ALLOWED, "signing_key",
          "report is signed by a " + signer + "; the policy allows " + allowedSigners));
    }
    // TCB and firmware
    Product product = r.product().orElse(null);
    if (product == null) {
      if (!minimumTcb.isEmpty() || !minimumLaunchTcb.isEmpty() || !permitProvisionalFirmware) {
        out.add(v(SnpReason.TCB_TOO_LOW, "product",
            "the report's product is unknown, so its TCB cannot be checked; verify it first"));
      }
    } else {
      TcbVersion current = r.currentTcb();
      TcbVersion reported = r.reportedTcb();
      String above = current.firstBelow(reported);
      if (above != null) {
        out.add(v(SnpReason.REPORTED_TCB_ABOVE_CURRENT, "reported_tcb",
            "REPORTED_TCB " + reported + " is above CURRENT_TCB " + current + " in " + above));
      }
      TcbVersion min = minimumTcb.get(product);
      if (min != null) {
        tcbMinimum(out, "minimum_tcb", "REPORTED_TCB", reported, min);
      }
      TcbVersion minLaunch = minimumLaunchTcb.get(product);
      if (minLaunch != null) {
        tcbMinimum(out, "minimum_launch_tcb", "LAUNCH_TCB", r.launchTcb(), minLaunch);
      }
      if (!permitProvisionalFirmware) {
        if (r.rawCommittedTcb() != r.rawCurrentTcb() || !r.committedVersion().equals(r.currentVersion())) {
          out.add(v(SnpReason.PROVISIONAL_FIRMWARE, "provisional_firmware",
              "committed firmware " + r.committedVersion() + " TCB " + r.committedTcb() + " differs from current "
                  + r.currentVersion() + " TCB " + current + " (provisional firmware); the policy forbids it"));
        }
      } else {
        String c = current.firstBelow(r.committedTcb());
        if (c != null || r.committedVersion().compareTo(r.currentVersion()) > 0) {
          out.add(v(SnpReason.PROVISIONAL_FIRMWARE, "provisional_firmware",
              "committed firmware " + r.committedVersion() + " TCB " + r.committedTcb() + " is above current "
                  + r.currentVersion() + " TCB " + current));
        }
      }
    }
    if (minimumFirmware != null && r.currentVersion().compareTo(minimumFirmware) < 0) {
      out.add(v(SnpReason.FIRMWARE_TOO_OLD, "minimum_firmware",
          "firmware " + r.currentVersion() + " is older than the minimum " + minimumFirmware));
    }
    if (r.guestSvn() < minimumGuestSvn) {
      out.add(v(SnpReason.GUEST_SVN_TOO_LOW, "minimum_guest_svn",
          "GUEST_SVN " + r.guestSvn() + " is below the minimum " + minimumGuestSvn));
    }
    // platform info
    PlatformInfo pi = r.platformInfo();
    if ((pi.raw() & requiredPlatformInfoBits) != requiredPlatformInfoBits) {
      out.add(v(SnpReason.PLATFORM_INFO_BIT_MISSING, "platform_info.required_bits",
          "PLATFORM_INFO " + pi.toHex() + " lacks required bits 0x" + Long.toHexString(requiredPlatformInfoBits & ~pi.raw())));
    }
    if ((pi.raw() & forbiddenPlatformInfoBits) != 0) {
      out.add(v(SnpReason.PLATFORM_INFO_BIT_FORBIDDEN, "platform_info.forbidden_bits",
          "PLATFORM_INFO " + pi.toHex() + " sets forbidden bits 0x" + Long.toHexString(pi.raw() & forbiddenPlatformInfoBits)));
    }
    if (rejectUnknownPlatformInfoBits && pi.unknownBits() != 0) {
      out.add(v(SnpReason.PLATFORM_INFO_BIT_FORBIDDEN, "platform_info.unknown_bits",
          "PLATFORM_INFO " + pi.toHex() + " sets bits this library does not know: 0x" + Long.toHexString(pi.unknownBits())));
    }
    // mitigations
    mitigation(out, "minimum_launch_mitigations", "LAUNCH_MIT_VECTOR", r.launchMitigationVector(), minimumLaunchMitigations);
    mitigation(out, "minimum_current_mitigations", "CURRENT_MIT_VECTOR", r.currentMitigationVector(), minimumCurrentMitigations);
    // exact values
    if (!measurements.isEmpty() && !anyEqual(measurements, r.measurement())) {
      out.add(v(SnpReason.MEASUREMENT_MISMATCH, "measurement",
          "MEASUREMENT " + r.measurement().toHex() + " is not " + (measurements.size() == 1 ? "the expected "
              + measurements.get(0).toHex() : "one of the " + measurements.size() + " expected values")));
    }
    exact(out, SnpReason.REPORT_DATA_MISMATCH, "report_data", reportData, r.reportData());
    exact(out, SnpReason.HOST_DATA_MISMATCH, "host_data", hostData, r.hostData());
    exact(out, SnpReason.FAMILY_ID_MISMATCH, "family_id", familyId, r.familyId());
    exact(out, SnpReason.IMAGE_ID_MISMATCH, "image_id", imageId, r.imageId());
    exact(out, SnpReason.REPORT_ID_MISMATCH, "report_id", reportId, r.reportId());
    exact(out, SnpReason.REPORT_ID_MISMATCH, "report_id_ma", reportIdMa, r.reportIdMa());
    if (!chipIds.isEmpty()) {
      Bytes chip = r.chipId();
      Bytes chip8 = Bytes.of(chip.toByteArray(), 0, 8);
      boolean tailZero = Bytes.of(chip.toByteArray(), 8, 56).isZero();
      boolean ok = false;
      for (Bytes want : chipIds) {
        ok |= want.length() == 64 ? want.equals(chip) : want.equals(chip8) & tailZero;
      }
      if (!ok) {
        out.add(v(SnpReason.CHIP_ID_NOT_ALLOWED, "chip_id", "CHIP_ID " + chip.toHex() + " is not an allowed chip"));
      }
    }
    // ID block and author key
    boolean authorTrusted = r.keyInfo().authorKeyEnabled() && anyEqual(trustedAuthorKeys, r.authorKeyDigest());
    if (requireAuthorKey && !authorTrusted) {
      out.add(v(SnpReason.AUTHOR_KEY_NOT_TRUSTED, "author_key",
          r.keyInfo().authorKeyEnabled()
              ? "AUTHOR_KEY_DIGEST " + r.authorKeyDigest().toHex() + " is not a trusted author key"
              : "an author key is required but AUTHOR_KEY_EN is 0"));
    }
    if (requireIdBlock || !trustedIdKeys.isEmpty()) {
      boolean idTrusted = anyEqual(trustedIdKeys, r.idKeyDigest()) || authorTrusted;
      if (!idTrusted) {
        out.add(v(SnpReason.ID_KEY_NOT_TRUSTED, "id_key",
            "ID_KEY_DIGEST " + r.idKeyDigest().toHex() + " is neither a trusted ID key nor signed by a trusted author key"));
      }
    }
    return out;
  }

  private static void tcbMinimum(List<Violation> out, String rule, String field, TcbVersion got, TcbVersion min) {
    List<String> low = new ArrayList<>();
    if (got.product().hasFmc() && got.fmc().getAsInt() < min.fmc().getAsInt()) {
      low.add("fmc=" + got.fmc().getAsInt() + " < " + min.fmc().getAsInt());
    }
    if (got.bootloader() < min.bootloader()) {
      low.add("bootloader=" + got.bootloader() + " < " + min.bootloader());
    }
    if (got.tee() < min.tee()) {
      low.add("tee=" + got.tee() + " < " + min.tee());
    }
    if (got.snp() < min.snp()) {
      low.add("snp=" + got.snp() + " < " + min.snp());
    }
    if (got.microcode() < min.microcode()) {
      low.add("microcode=" + got.microcode() + " < " + min.microcode());
    }
    if (!low.isEmpty()) {
      out.add(v(SnpReason.TCB_TOO_LOW, rule, field + " " + String.join(", ", low) + " (minimum " + min + ")"));
    }
  }

  private static void mitigation(List<Violation> out, String rule, String field, OptionalLong got, long min) {
    if (min == 0) {
      return;
    }
    long have = got.orElse(0);
    if ((have & min) != min) {
      out.add(v(SnpReason.MITIGATION_MISSING, rule,
          field + " " + (got.isPresent() ? "0x" + Long.toHexString(have) : "(absent before report v5)")
              + " lacks required mitigations 0x" + Long.toHexString(min & ~have)));
    }
  }

  private static void exact(List<Violation> out, SnpReason reason, String rule, Bytes want, Bytes got) {
    if (want != null && !want.equals(got)) {
      out.add(v(reason, rule, rule.toUpperCase(java.util.Locale.ROOT) + " " + got.toHex() + " is not the expected " + want.toHex()));
    }
  }

  /** Constant-time over every candidate (no early exit). */
  private static boolean anyEqual(List<Bytes> candidates, Bytes value) {
    boolean ok = false;
    for (Bytes c : candidates) {
      ok |= c.equals(value);
    }
    return ok;
  }

  private static Violation v(SnpReason reason, String rule, String message) {
    return new Violation(reason, rule, message);
  }

  @Override
  public String toString() {
    return "SnpPolicy[debug=" + allowDebug + " migrate_ma=" + allowMigrationAgent + " smt=" + allowSmt + " cxl=" + allowCxl
        + " vmpl=" + vmpl + " signers=" + allowedSigners + " min_tcb=" + minimumTcb.values()
        + " min_fw=" + minimumFirmware + " min_svn=" + minimumGuestSvn + " provisional=" + permitProvisionalFirmware
        + " measurements=" + measurements.size() + "]";
  }

  /** Configures an {@link SnpPolicy}, starting from the strict defaults; not thread-safe. */
  public static final class Builder {
    private boolean allowDebug;
    private boolean allowMigrationAgent;
    private boolean allowSmt = true;
    private boolean allowCxl;
    private long requiredGuestPolicyBits;
    private int minAbiMajor;
    private int minAbiMinor;
    private Long vmpl = 0L;
    private final Set<SigningKey> allowedSigners = EnumSet.of(SigningKey.VCEK);
    private final Map<Product, TcbVersion> minimumTcb = new EnumMap<>(Product.class);
    private final Map<Product, TcbVersion> minimumLaunchTcb = new EnumMap<>(Product.class);
    private FirmwareVersion minimumFirmware;
    private long minimumGuestSvn;
    private boolean permitProvisionalFirmware;
    private long requiredPlatformInfoBits;
    private long forbiddenPlatformInfoBits;
    private boolean rejectUnknownPlatformInfoBits;
    private long minimumLaunchMitigations;
    private long minimumCurrentMitigations;
    private final List<Bytes> measurements = new ArrayList<>();
    private Bytes reportData;
    private Bytes hostData;
    private Bytes familyId;
    private Bytes imageId;
    private Bytes reportId;
    private Bytes reportIdMa;
    private final List<Bytes> chipIds = new ArrayList<>();
    private final List<Bytes> trustedIdKeys = new ArrayList<>();
    private final List<Bytes> trustedAuthorKeys = new ArrayList<>();
    private boolean requireIdBlock;
    private boolean requireAuthorKey;

    private Builder() {}

    private static Bytes sized(byte[] v, int len, String what) {
      Objects.requireNonNull(v, what);
      if (v.length != len) {
        throw new IllegalArgumentException(what + " must be " + len + " bytes, got " + v.length);
      }
      return Bytes.of(v);
    }

    /**
     * Whether GUEST_POLICY.DEBUG may be set (default false).
     *
     * @param allow true to allow it
     * @return this builder
     */
    public Builder allowDebug(boolean allow) {
      this.allowDebug = allow;
      return this;
    }

    /**
     * Whether GUEST_POLICY.MIGRATE_MA may be set (default false).
     *
     * @param allow true to allow it
     * @return this builder
     */
    public Builder allowMigrationAgent(boolean allow) {
      this.allowMigrationAgent = allow;
      return this;
    }

    /**
     * Whether GUEST_POLICY.SMT may be set (default true: nearly every real guest allows SMT).
     *
     * @param allow true to allow it
     * @return this builder
     */
    public Builder allowSmt(boolean allow) {
      this.allowSmt = allow;
      return this;
    }

    /**
     * Whether GUEST_POLICY.CXL_ALLOW may be set (default false).
     *
     * @param allow true to allow it
     * @return this builder
     */
    public Builder allowCxl(boolean allow) {
      this.allowCxl = allow;
      return this;
    }

    /**
     * GUEST_POLICY bits that must be set, e.g. {@code GuestPolicy.SINGLE_SOCKET | GuestPolicy.CIPHERTEXT_HIDING}.
     *
     * @param bits the bits
     * @return this builder
     */
    public Builder requireGuestPolicyBits(long bits) {
      this.requiredGuestPolicyBits = bits;
      return this;
    }

    /**
     * The minimum ABI major.minor the guest policy must require.
     *
     * @param major the major
     * @param minor the minor
     * @return this builder
     */
    public Builder minimumAbi(int major, int minor) {
      this.minAbiMajor = major;
      this.minAbiMinor = minor;
      return this;
    }

    /**
     * The exact VMPL required (default 0); null accepts any VMPL.
     *
     * @param vmpl the VMPL
     * @return this builder
     */
    public Builder vmpl(Integer vmpl) {
      this.vmpl = vmpl == null ? null : Long.valueOf(vmpl);
      return this;
    }

    /**
     * Whether VLEK-signed reports are accepted besides VCEK ones (default false).
     *
     * @param allow true to allow it
     * @return this builder
     */
    public Builder allowVlek(boolean allow) {
      if (allow) {
        allowedSigners.add(SigningKey.VLEK);
      } else {
        allowedSigners.remove(SigningKey.VLEK);
      }
      return this;
    }

    /**
     * Exactly these signers are accepted.
     *
     * @param signers the signers
     * @return this builder
     */
    public Builder allowedSigners(Collection<SigningKey> signers) {
      allowedSigners.clear();
      allowedSigners.addAll(signers);
      return this;
    }

    /**
     * Component-wise minimum for REPORTED_TCB of reports of {@code minimum.product()}.
     *
     * @param minimum the minimum
     * @return this builder
     */
    public Builder minimumTcb(TcbVersion minimum) {
      minimumTcb.put(minimum.product(), minimum);
      return this;
    }

    /**
     * Component-wise minimum for LAUNCH_TCB of reports of {@code minimum.product()}.
     *
     * @param minimum the minimum
     * @return this builder
     */
    public Builder minimumLaunchTcb(TcbVersion minimum) {
      minimumLaunchTcb.put(minimum.product(), minimum);
      return this;
    }

    /**
     * Minimum CURRENT firmware version, compared as major, then minor, then build.
     *
     * @param minimum the minimum
     * @return this builder
     */
    public Builder minimumFirmware(FirmwareVersion minimum) {
      this.minimumFirmware = minimum;
      return this;
    }

    /**
     * Minimum GUEST_SVN.
     *
     * @param svn the SVN
     * @return this builder
     */
    public Builder minimumGuestSvn(long svn) {
      this.minimumGuestSvn = svn;
      return this;
    }

    /**
     * Whether committed firmware/TCB may differ from (be below) current (default false: they must be
     * equal, as go-sev-guest requires unless PermitProvisionalFirmware).
     *
     * @param permit true to enable, false to disable
     * @return this builder
     */
    public Builder permitProvisionalFirmware(boolean permit) {
      this.permitProvisionalFirmware = permit;
      return this;
    }

    /**
     * PLATFORM_INFO bits that must be set (floors: ECC_EN, RAPL_DIS, CIPHERTEXT_HIDING_EN, ALIAS_CHECK_COMPLETE).
     *
     * @param bits the bits
     * @return this builder
     */
    public Builder requirePlatformInfoBits(long bits) {
      this.requiredPlatformInfoBits = bits;
      return this;
    }

    /**
     * PLATFORM_INFO bits that must be clear (ceilings: SMT_EN, TSME_EN, TIO_EN).
     *
     * @param bits the bits
     * @return this builder
     */
    public Builder forbidPlatformInfoBits(long bits) {
      this.forbiddenPlatformInfoBits = bits;
      return this;
    }

    /**
     * Whether PLATFORM_INFO bits this library does not know are refused (default false: Turin sets bit 6).
     *
     * @param reject true to enable, false to disable
     * @return this builder
     */
    public Builder rejectUnknownPlatformInfoBits(boolean reject) {
      this.rejectUnknownPlatformInfoBits = reject;
      return this;
    }

    /**
     * Mitigations that must be set in LAUNCH_MIT_VECTOR (v5; earlier versions then fail).
     *
     * @param bits the bits
     * @return this builder
     */
    public Builder minimumLaunchMitigations(long bits) {
      this.minimumLaunchMitigations = bits;
      return this;
    }

    /**
     * Mitigations that must be set in CURRENT_MIT_VECTOR.
     *
     * @param bits the bits
     * @return this builder
     */
    public Builder minimumCurrentMitigations(long bits) {
      this.minimumCurrentMitigations = bits;
      return this;
    }

    /**
     * Adds an accepted MEASUREMENT (48 bytes); when any is given, MEASUREMENT must equal one of them.
     *
     * @param measurement the measurement
     * @return this builder
     */
    public Builder expectedMeasurement(byte[] measurement) {
      measurements.add(sized(measurement, 48, "measurement"));
      return this;
    }

    /**
     * The exact REPORT_DATA (64 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder expectedReportData(byte[] v) {
      this.reportData = sized(v, 64, "report_data");
      return this;
    }

    /**
     * The exact HOST_DATA (32 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder expectedHostData(byte[] v) {
      this.hostData = sized(v, 32, "host_data");
      return this;
    }

    /**
     * The exact FAMILY_ID (16 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder expectedFamilyId(byte[] v) {
      this.familyId = sized(v, 16, "family_id");
      return this;
    }

    /**
     * The exact IMAGE_ID (16 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder expectedImageId(byte[] v) {
      this.imageId = sized(v, 16, "image_id");
      return this;
    }

    /**
     * The exact REPORT_ID (32 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder expectedReportId(byte[] v) {
      this.reportId = sized(v, 32, "report_id");
      return this;
    }

    /**
     * The exact REPORT_ID_MA (32 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public Builder expectedReportIdMa(byte[] v) {
      this.reportIdMa = sized(v, 32, "report_id_ma");
      return this;
    }

    /**
     * Adds an allowed CHIP_ID: 64 bytes, or 8 bytes (Turin form: CHIP_ID[0..8], the rest zero).
     *
     * @param chipId the chip ID
     * @return this builder
     */
    public Builder allowedChipId(byte[] chipId) {
      Objects.requireNonNull(chipId, "chipId");
      if (chipId.length != 64 && chipId.length != 8) {
        throw new IllegalArgumentException("a CHIP_ID is 64 bytes (or 8 for Turin), got " + chipId.length);
      }
      chipIds.add(Bytes.of(chipId));
      return this;
    }

    /**
     * Adds a trusted ID key digest (SHA-384 of the SEV-format public key, 48 bytes); ID_KEY_DIGEST must then match.
     *
     * @param digest the digest
     * @return this builder
     */
    public Builder trustedIdKeyDigest(byte[] digest) {
      trustedIdKeys.add(sized(digest, 48, "id key digest"));
      return this;
    }

    /**
     * Adds a trusted author key digest (48 bytes).
     *
     * @param digest the digest
     * @return this builder
     */
    public Builder trustedAuthorKeyDigest(byte[] digest) {
      trustedAuthorKeys.add(sized(digest, 48, "author key digest"));
      return this;
    }

    /**
     * Trusts an ID key given as a public key (go-sev-guest's TrustedIdKeys): its SEV-format digest
     * (SHA-384 of the 0x404-byte key, see {@link org.attest4j.snp.idblock.EcdsaPublicKey}) is added
     * as by {@link #trustedIdKeyDigest}.
     *
     * @param idKey an ECDSA P-384 public key
     * @return this builder
     * @throws IllegalArgumentException when the key is not an ECDSA P-384 key
     */
    public Builder trustedIdKey(java.security.PublicKey idKey) {
      trustedIdKeys.add(keyDigest(idKey, "ID key"));
      return this;
    }

    /**
     * Trusts the ID key of a certificate (go-sev-guest's TrustedIdKeys as certificates).
     *
     * @param idKeyCertificate a certificate holding an ECDSA P-384 public key
     * @return this builder
     * @throws IllegalArgumentException when its key is not an ECDSA P-384 key
     */
    public Builder trustedIdKey(java.security.cert.X509Certificate idKeyCertificate) {
      return trustedIdKey(Objects.requireNonNull(idKeyCertificate, "idKeyCertificate").getPublicKey());
    }

    /**
     * Trusts an author key given as a public key (go-sev-guest's TrustedAuthorKeys).
     *
     * @param authorKey an ECDSA P-384 public key
     * @return this builder
     * @throws IllegalArgumentException when the key is not an ECDSA P-384 key
     */
    public Builder trustedAuthorKey(java.security.PublicKey authorKey) {
      trustedAuthorKeys.add(keyDigest(authorKey, "author key"));
      return this;
    }

    /**
     * Trusts the author key of a certificate.
     *
     * @param authorKeyCertificate a certificate holding an ECDSA P-384 public key
     * @return this builder
     * @throws IllegalArgumentException when its key is not an ECDSA P-384 key
     */
    public Builder trustedAuthorKey(java.security.cert.X509Certificate authorKeyCertificate) {
      return trustedAuthorKey(Objects.requireNonNull(authorKeyCertificate, "authorKeyCertificate").getPublicKey());
    }

    private static Bytes keyDigest(java.security.PublicKey key, String what) {
      Objects.requireNonNull(key, what);
      try {
        return org.attest4j.snp.idblock.EcdsaPublicKey.of(key).digest();
      } catch (org.attest4j.core.MalformedEvidenceException e) {
        throw new IllegalArgumentException("trusted " + what + ": " + e.getMessage(), e);
      }
    }

    /**
     * Whether an ID block signed by a trusted ID key (or trusted author key) is required.
     *
     * @param require true to require it
     * @return this builder
     */
    public Builder requireIdBlock(boolean require) {
      this.requireIdBlock = require;
      return this;
    }

    /**
     * Whether AUTHOR_KEY_EN and a trusted author key are required (implies an ID block).
     *
     * @param require true to require it
     * @return this builder
     */
    public Builder requireAuthorKey(boolean require) {
      this.requireAuthorKey = require;
      return this;
    }

    /**
     * The policy.
     *
     * @return the policy
     */
    public SnpPolicy build() {
      return new SnpPolicy(this);
    }
  }
}
