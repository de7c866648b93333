package org.attest4j.ovmf;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The launch shape of an SNP guest besides its boot artifacts: the mode, the vCPU count and
 * signature, the VMM type, the guest features (VMSA SEV_FEATURES), an optional precomputed
 * firmware digest, and for {@link SnpMode#SNP_SVSM} the SVSM image and the OVMF_VARS size.
 *
 * <p>Defaults follow sev-snp-measure: mode {@code snp}, VMM {@code QEMU}, guest features
 * {@code 0x1}. The vCPU signature is required for QEMU (and SVSM) and ignored by EC2 and GCE, whose
 * firmware puts 0x600 into RDX. Build with {@link #builder()}; {@link Builder#build()} validates
 * everything and refuses bad values with an {@link InvalidConfigurationException}.
 *
 * <p>Instances are immutable and thread-safe; share them between requests.
 */
public final class LaunchFeatures {
  /** The largest vCPU count accepted. */
  public static final int MAX_VCPUS = 4096;

  /** The guest features sev-snp-measure uses by default (SNPActive; host kernels 6.8 and later). */
  public static final long DEFAULT_GUEST_FEATURES = 0x1;

  private final SnpMode mode;
  private final int vcpus;
  private final long vcpuSignature; // -1 when not given
  private final VmmType vmmType;
  private final long guestFeatures;
  private final byte[] firmwareDigest; // null when not given
  private final OvmfImage svsm;
  private final long varsSize;

  private LaunchFeatures(Builder b, long sig) {
    this.mode = b.mode;
    this.vcpus = b.vcpus;
    this.vcpuSignature = sig;
    this.vmmType = b.vmmType;
    this.guestFeatures = b.guestFeatures;
    this.firmwareDigest = b.firmwareDigest;
    this.svsm = b.svsm;
    this.varsSize = b.varsSize;
  }

  /**
   * A builder with sev-snp-measure's defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this instance's values.
   *
   * @return this builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.mode = mode;
    b.vcpus = vcpus;
    b.signature = vcpuSignature;
    b.vmmType = vmmType;
    b.guestFeatures = guestFeatures;
    b.firmwareDigestInput = firmwareDigest == null ? null : Bytes.of(firmwareDigest);
    b.svsm = svsm;
    b.varsSize = varsSize;
    return b;
  }

  /**
   * The mode.
   *
   * @return the mode
   */
  public SnpMode mode() {
    return mode;
  }

  /**
   * The number of vCPUs (0 only in {@link SnpMode#SNP_OVMF_HASH} mode).
   *
   * @return the number of vCPUs (0 only in {@link SnpMode#SNP_OVMF_HASH} mode)
   */
  public int vcpus() {
    return vcpus;
  }

  /**
   * The CPUID signature put into the VMSA (QEMU, SVSM), if given.
   *
   * @return the CPUID signature put into the VMSA (QEMU, SVSM), if given
   */
  public OptionalLong vcpuSignature() {
    return vcpuSignature < 0 ? OptionalLong.empty() : OptionalLong.of(vcpuSignature);
  }

  /**
   * The VMM type.
   *
   * @return the VMM type
   */
  public VmmType vmmType() {
    return vmmType;
  }

  /**
   * The guest features (VMSA SEV_FEATURES); ignored in SVSM mode, where it is always 0x1.
   *
   * @return the guest features (VMSA SEV_FEATURES); ignored in SVSM mode, where it is always 0x1
   */
  public long guestFeatures() {
    return guestFeatures;
  }

  /**
   * The precomputed firmware digest that replaces hashing the firmware pages, if given.
   *
   * @return the precomputed firmware digest that replaces hashing the firmware pages, if given
   */
  public Optional<Bytes> firmwareDigest() {
    return firmwareDigest == null ? Optional.empty() : Optional.of(Bytes.of(firmwareDigest));
  }

  /**
   * The SVSM image ({@link SnpMode#SNP_SVSM} only).
   *
   * @return the SVSM image ({@link SnpMode#SNP_SVSM} only)
   */
  public Optional<OvmfImage> svsm() {
    return Optional.ofNullable(svsm);
  }

  /**
   * The OVMF_VARS size in bytes ({@link SnpMode#SNP_SVSM} only).
   *
   * @return the OVMF_VARS size in bytes ({@link SnpMode#SNP_SVSM} only)
   */
  public long varsSize() {
    return varsSize;
  }

  /** The signature as it goes into RDX: 0x600 for EC2/GCE, the vCPU signature otherwise. */
  long rdx() {
    return vmmType == VmmType.QEMU ? vcpuSignature : 0x600;
  }

  byte[] rawFirmwareDigest() {
    return firmwareDigest;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LaunchFeatures f
        && mode == f.mode
        && vcpus == f.vcpus
        && vcpuSignature == f.vcpuSignature
        && vmmType == f.vmmType
        && guestFeatures == f.guestFeatures
        && java.security.MessageDigest.isEqual(firmwareDigest, f.firmwareDigest)
        && svsm == f.svsm
        && varsSize == f.varsSize;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, vcpus, vcpuSignature, vmmType, guestFeatures, varsSize);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("LaunchFeatures[mode=").append(mode.cliName());
    if (mode != SnpMode.SNP_OVMF_HASH) {
      s.append(", vcpus=").append(vcpus).append(", vmm=").append(vmmType.cliName());
      if (vcpuSignature >= 0) {
        s.append(", vcpuSig=0x").append(Long.toHexString(vcpuSignature));
      }
      s.append(", guestFeatures=0x").append(Long.toHexString(guestFeatures));
    }
    if (firmwareDigest != null) {
      s.append(", firmwareDigest=").append(Bytes.of(firmwareDigest));
    }
    if (svsm != null) {
      s.append(", svsm=").append(svsm.size()).append(" bytes, varsSize=").append(varsSize);
    }
    return s.append(']').toString();
  }

  /**
   * Collects launch parameters; {@link #build()} validates them. Of {@link #vcpuType}, {@link
   * #vcpuSignature} and {@link #vcpuFamilyModelStepping}, the last one called wins.
   *
   * <p>Builders are mutable and not thread-safe.
   */
  public static final class Builder {
    private SnpMode mode = SnpMode.SNP;
    private int vcpus;
    private long signature = -1;
    private String vcpuTypeName;
    private int[] fms;
    private VmmType vmmType = VmmType.QEMU;
    private long guestFeatures = DEFAULT_GUEST_FEATURES;
    private byte[] firmwareDigest;
    private Bytes firmwareDigestInput;
    private OvmfImage svsm;
    private long varsSize;

    private Builder() {}

    /**
     * The mode (default {@link SnpMode#SNP}).
     *
     * @param mode the mode
     * @return this builder
     */
    public Builder mode(SnpMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * The number of vCPUs (1..{@value LaunchFeatures#MAX_VCPUS}).
     *
     * @param vcpus the number of vCPUs
     * @return this builder
     */
    public Builder vcpus(int vcpus) {
      this.vcpus = vcpus;
      return this;
    }

    /**
     * The vCPU model by its QEMU name (for example {@code EPYC-v4}, {@code EPYC-Milan}).
     *
     * @param qemuName a QEMU {@code -cpu} name such as {@code EPYC-v4} (checked by {@link #build()})
     * @return this builder
     */
    public Builder vcpuType(String qemuName) {
      this.vcpuTypeName = Objects.requireNonNull(qemuName, "qemuName");
      this.signature = -1;
      this.fms = null;
      return this;
    }

    /**
     * The vCPU model.
     *
     * @param type the vCPU model
     * @return this builder
     */
    public Builder vcpuType(VcpuType type) {
      return vcpuSignature(Objects.requireNonNull(type, "type").signature());
    }

    /**
     * The raw 32-bit CPUID signature.
     *
     * @param signature the 32-bit CPUID signature
     * @return this builder
     */
    public Builder vcpuSignature(long signature) {
      this.signature = signature;
      this.vcpuTypeName = null;
      this.fms = null;
      return this;
    }

    /**
     * The signature from CPUID family, model and stepping.
     *
     * @param family the CPUID family
     * @param model the CPUID model
     * @param stepping the CPUID stepping
     * @return this builder
     */
    public Builder vcpuFamilyModelStepping(int family, int model, int stepping) {
      this.fms = new int[] {family, model, stepping};
      this.signature = -1;
      this.vcpuTypeName = null;
      return this;
    }

    /**
     * The VMM type (default {@link VmmType#QEMU}).
     *
     * @param vmmType the VMM type
     * @return this builder
     */
    public Builder vmmType(VmmType vmmType) {
      this.vmmType = Objects.requireNonNull(vmmType, "vmmType");
      return this;
    }

    /**
     * The guest features, VMSA SEV_FEATURES (default 0x1).
     *
     * @param guestFeatures the guest features (VMSA SEV_FEATURES)
     * @return this builder
     */
    public Builder guestFeatures(long guestFeatures) {
      this.guestFeatures = guestFeatures;
      return this;
    }

    /**
     * A precomputed firmware digest (sev-snp-measure {@code --snp-ovmf-hash}): the launch digest
     * starts from it and the firmware pages are not hashed. {@code null} clears it.
     *
     * @param digest the 48-byte firmware digest, or null
     * @return this builder
     */
    public Builder firmwareDigest(Bytes digest) {
      this.firmwareDigestInput = digest;
      return this;
    }

    /**
     * The SVSM image and the OVMF_VARS size, for {@link SnpMode#SNP_SVSM}.
     *
     * @param svsmImage the SVSM image
     * @param ovmfVarsSize the OVMF_VARS size in bytes (a multiple of 4096)
     * @return this builder
     */
    public Builder svsm(OvmfImage svsmImage, long ovmfVarsSize) {
      this.svsm = Objects.requireNonNull(svsmImage, "svsmImage");
      this.varsSize = ovmfVarsSize;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the features
     * @throws InvalidConfigurationException with {@link OvmfReason#BAD_LAUNCH_PARAMETER}, {@link
     *     OvmfReason#UNKNOWN_VCPU_TYPE} or {@link OvmfReason#UNSUPPORTED_COMBINATION}
     */
    public LaunchFeatures build() {
      long sig = signature;
      if (vcpuTypeName != null) {
        try {
          sig = VcpuType.parse(vcpuTypeName).signature();
        } catch (MalformedEvidenceException e) {
          throw InvalidConfigurationException.from(e);
        }
      } else if (fms != null) {
        try {
          sig = VcpuType.signature(fms[0], fms[1], fms[2]);
        } catch (IllegalArgumentException e) {
          throw bad("vCPU " + e.getMessage());
        }
      }
      if (sig != -1 && (sig < 0 || sig > 0xFFFF_FFFFL)) {
        throw bad("vCPU signature 0x" + Long.toHexString(sig) + " is not a 32-bit value");
      }
      if (firmwareDigestInput != null) {
        if (firmwareDigestInput.length() != 48) {
          throw bad("the precomputed firmware digest has 48 bytes, not " + firmwareDigestInput.length());
        }
        firmwareDigest = firmwareDigestInput.toByteArray();
      } else {
        firmwareDigest = null;
      }
      if (mode != SnpMode.SNP_OVMF_HASH) {
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
          throw bad("vCPU count " + vcpus + " is outside 1.." + MAX_VCPUS);
        }
        if (sig < 0 && (vmmType == VmmType.QEMU || mode == SnpMode.SNP_SVSM)) {
          throw bad(
              "a vCPU type, signature or family/model/stepping is required for VMM " + vmmType.cliName()
                  + " in mode " + mode.cliName());
        }
      }
      if (firmwareDigest != null && mode != SnpMode.SNP) {
        throw new InvalidConfigurationException(
            OvmfReason.UNSUPPORTED_COMBINATION,
            "a precomputed firmware digest only works in mode snp, not " + mode.cliName());
      }
      if (mode == SnpMode.SNP_SVSM) {
        if (vmmType != VmmType.QEMU) {
          throw new InvalidConfigurationException(
              OvmfReason.UNSUPPORTED_COMBINATION, "mode snp:svsm is only defined for QEMU, not " + vmmType.cliName());
        }
        if (svsm == null) {
          throw bad("mode snp:svsm needs the SVSM image and the OVMF_VARS size");
        }
        if (varsSize < 0 || varsSize % OvmfImage.PAGE != 0 || varsSize > OvmfImage.FOUR_GIB) {
          throw bad("OVMF_VARS size " + varsSize + " is not a multiple of 4096 below 4 GiB");
        }
      } else if (svsm != null) {
        throw new InvalidConfigurationException(
            OvmfReason.UNSUPPORTED_COMBINATION, "an SVSM image is only used in mode snp:svsm, not " + mode.cliName());
      }
      return new LaunchFeatures(this, sig);
    }

    private static InvalidConfigurationException bad(String msg) {
      return new InvalidConfigurationException(OvmfReason.BAD_LAUNCH_PARAMETER, msg);
    }
  }
}
