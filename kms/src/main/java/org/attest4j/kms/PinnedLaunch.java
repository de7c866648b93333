package org.attest4j.kms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import org.attest4j.ovmf.MetadataSection;
import java.util.Set;
import java.util.TreeSet;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.VmmType;

/**
 * The launch a KMS pins: the prepared firmware, the kernel and initrd digests, the command-line
 * template, the allowed vCPU counts and types, the VMM type and the guest features. Step 4
 * recomputes MEASUREMENT from these and from the launch shape the guest claims (vCPU count and
 * type, each of which must be allowed); the client's own firmware, kernel or initrd digests are
 * never used (a claim that differs from the pinned value is refused outright). The same holds for
 * the firmware layout a request may claim ({@code ovmf_sections}, {@code sev_hashes_table_gpa},
 * {@code sev_es_reset_eip}, which dstack's PR #630 KMS takes from the request): a claim that
 * differs from the pinned firmware's is refused, an absent (empty or zero) claim is fine.
 *
 * <p>{@link #osImageHash()} names this launch to the authorization hook: the operator's image hash
 * if given, else SHA-256 over the pinned artifacts (see {@link Builder#build()}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class PinnedLaunch {
  private final Ports.MeasurementPort measurer;
  private final Bytes firmwareDigest;
  private final Bytes kernelDigest;
  private final Bytes initrdDigest;
  private final CmdlineTemplate cmdline;
  private final Set<Integer> vcpuCounts;
  private final Set<String> vcpuTypes;
  private final VmmType vmmType;
  private final long guestFeatures;
  private final Bytes osImageHash;
  /** The pinned firmware's layout (empty/absent when built from a bare measurer in tests). */
  private final List<KeyReleaseRequest.ClaimedSection> sections;
  private final OptionalLong hashTableGpa;
  private final OptionalLong resetEip;

  private PinnedLaunch(Builder b) {
    if (b.firmware != null) {
      List<KeyReleaseRequest.ClaimedSection> l = new ArrayList<>();
      for (MetadataSection m : b.firmware.sections()) {
        l.add(new KeyReleaseRequest.ClaimedSection(m.gpa(), m.size(), m.type().code()));
      }
      this.sections = List.copyOf(l);
      this.hashTableGpa = b.firmware.hashTableGpa();
      this.resetEip = b.firmware.apResetEip();
    } else {
      this.sections = List.of();
      this.hashTableGpa = OptionalLong.empty();
      this.resetEip = OptionalLong.empty();
    }
    this.measurer = b.measurer;
    this.firmwareDigest = b.firmwareDigest;
    this.kernelDigest = b.kernelDigest;
    this.initrdDigest = b.initrdDigest;
    this.cmdline = b.cmdline;
    this.vcpuCounts = Collections.unmodifiableSet(new TreeSet<>(b.vcpuCounts));
    this.vcpuTypes = Collections.unmodifiableSet(new TreeSet<>(b.vcpuTypes));
    this.vmmType = b.vmmType;
    this.guestFeatures = b.guestFeatures;
    this.osImageHash = b.osImageHash != null ? b.osImageHash : derivedImageHash();
  }

  /**
   * A builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The firmware digest (the 48-byte GCTX seed after the firmware pages).
   *
   * @return the firmware digest (the 48-byte GCTX seed after the firmware pages)
   */
  public Bytes firmwareDigest() {
    return firmwareDigest;
  }

  /**
   * The pinned kernel SHA-256.
   *
   * @return the pinned kernel SHA-256
   */
  public Bytes kernelDigest() {
    return kernelDigest;
  }

  /**
   * The pinned initrd SHA-256.
   *
   * @return the pinned initrd SHA-256
   */
  public Bytes initrdDigest() {
    return initrdDigest;
  }

  /**
   * The pinned command-line template.
   *
   * @return the pinned command-line template
   */
  public CmdlineTemplate cmdline() {
    return cmdline;
  }

  /**
   * The vCPU counts a guest may claim.
   *
   * @return the vCPU counts a guest may claim
   */
  public Set<Integer> vcpuCounts() {
    return vcpuCounts;
  }

  /**
   * The vCPU type names a guest may claim (canonical QEMU names).
   *
   * @return the vCPU type names a guest may claim (canonical QEMU names)
   */
  public Set<String> vcpuTypes() {
    return vcpuTypes;
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
   * The guest features (VMSA SEV_FEATURES).
   *
   * @return the guest features (VMSA SEV_FEATURES)
   */
  public long guestFeatures() {
    return guestFeatures;
  }

  /**
   * The OS image hash reported to the authorization hook (32 bytes).
   *
   * @return the OS image hash reported to the authorization hook (32 bytes)
   */
  public Bytes osImageHash() {
    return osImageHash;
  }

  Ports.MeasurementPort measurer() {
    return measurer;
  }

  /** The pinned firmware's SEV metadata sections, as a request would claim them. */
  List<KeyReleaseRequest.ClaimedSection> sections() {
    return sections;
  }

  /** The pinned firmware's SEV hash-table GPA, if it has one. */
  OptionalLong hashTableGpa() {
    return hashTableGpa;
  }

  /** The pinned firmware's AP reset EIP, if it declares one. */
  OptionalLong resetEip() {
    return resetEip;
  }

  private Bytes derivedImageHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update("attest4j-os-image-v1".getBytes(StandardCharsets.US_ASCII));
      md.update((byte) 0);
      for (byte[] part :
          new byte[][] {
            firmwareDigest.toByteArray(),
            kernelDigest.toByteArray(),
            initrdDigest.toByteArray(),
            cmdline.template().getBytes(StandardCharsets.UTF_8),
            vmmType.cliName().getBytes(StandardCharsets.UTF_8),
            ByteBuffer.allocate(8).putLong(guestFeatures).array()
          }) {
        md.update(ByteBuffer.allocate(4).putInt(part.length).array());
        md.update(part);
      }
      return Bytes.of(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "PinnedLaunch[firmware=" + firmwareDigest + ", kernel=" + kernelDigest + ", initrd=" + initrdDigest
        + ", cmdline=\"" + cmdline + "\", vcpus=" + vcpuCounts + ", vcpuTypes=" + vcpuTypes + ", vmm="
        + vmmType + ", guestFeatures=0x" + Long.toHexString(guestFeatures) + ", osImageHash=" + osImageHash + "]";
  }

  /** Builds a {@link PinnedLaunch}. Not thread-safe. */
  public static final class Builder {
    private Ports.MeasurementPort measurer;
    private Bytes firmwareDigest;
    private Bytes kernelDigest;
    private Bytes initrdDigest;
    private CmdlineTemplate cmdline;
    private final Set<Integer> vcpuCounts = new TreeSet<>();
    private final Set<String> vcpuTypes = new TreeSet<>();
    private VmmType vmmType = VmmType.QEMU;
    private long guestFeatures = 0x1;
    private Bytes osImageHash;

    private Builder() {}

    private PreparedFirmware firmware;

    Builder measurer(Ports.MeasurementPort measurer, Bytes firmwareDigest) {
      this.measurer = Objects.requireNonNull(measurer);
      this.firmwareDigest = Objects.requireNonNull(firmwareDigest);
      return this;
    }

    /**
     * The prepared firmware (required): its pages are hashed once, each request adds the rest.
     *
     * @param firmware the prepared firmware (required)
     * @return this builder
     */
    public Builder firmware(PreparedFirmware firmware) {
      this.firmware = Objects.requireNonNull(firmware, "firmware");
      this.firmwareDigest = firmware.firmwareDigest();
      return this;
    }

    /**
     * The kernel SHA-256 (32 bytes).
     *
     * @param digest the kernel SHA-256 (32 bytes)
     * @return this builder
     */
    public Builder kernelDigest(Bytes digest) {
      this.kernelDigest = check(digest, 32, "kernel digest");
      return this;
    }

    /**
     * The initrd SHA-256 (32 bytes; SHA-256 of the empty string when there is no initrd).
     *
     * @param digest the initrd SHA-256 (32 bytes
     * @return this builder
     */
    public Builder initrdDigest(Bytes digest) {
      this.initrdDigest = check(digest, 32, "initrd digest");
      return this;
    }

    /**
     * The command-line template.
     *
     * @param template the command-line template
     * @return this builder
     */
    public Builder cmdline(CmdlineTemplate template) {
      this.cmdline = Objects.requireNonNull(template, "template");
      return this;
    }

    /**
     * Allows these vCPU counts (1 to 512).
     *
     * @param counts the counts
     * @return this builder
     */
    public Builder allowVcpuCounts(int... counts) {
      for (int c : counts) {
        if (c < 1 || c > 512) {
          throw new InvalidConfigurationException(CoreReason.BAD_FIELD, "vCPU count must be 1..512: " + c);
        }
        vcpuCounts.add(c);
      }
      return this;
    }

    /**
     * Allows these vCPU type names, for example {@code "EPYC-v4"}.
     *
     * @param names the names
     * @return this builder
     */
    public Builder allowVcpuTypes(String... names) {
      for (String n : names) {
        vcpuTypes.add(Objects.requireNonNull(n, "vCPU type"));
      }
      return this;
    }

    /**
     * The VMM type: {@link VmmType#QEMU} (default), {@link VmmType#EC2} or {@link VmmType#GCE}.
     *
     * @param vmm the VMM type
     * @return this builder
     */
    public Builder vmmType(VmmType vmm) {
      this.vmmType = Objects.requireNonNull(vmm, "vmm");
      return this;
    }

    /**
     * The guest features (default 0x1).
     *
     * @param features the guest features (default 0x1)
     * @return this builder
     */
    public Builder guestFeatures(long features) {
      this.guestFeatures = features;
      return this;
    }

    /**
     * The OS image hash the authorization hook sees (32 bytes); default derived from the pins.
     *
     * @param hash the OS image hash the authorization hook sees (32 bytes)
     * @return this builder
     */
    public Builder osImageHash(Bytes hash) {
      this.osImageHash = check(hash, 32, "OS image hash");
      return this;
    }

    private static Bytes check(Bytes b, int len, String what) {
      Objects.requireNonNull(b, what);
      if (b.length() != len) {
        throw new InvalidConfigurationException(
            CoreReason.BAD_LENGTH, what + " must be " + len + " bytes, got " + b.length());
      }
      return b;
    }

    /**
     * The pinned launch. The default OS image hash is SHA-256 of {@code "attest4j-os-image-v1" ||
     * 0x00} and, each length-prefixed (u32be), the firmware digest, kernel digest, initrd digest,
     * command-line template, VMM type and u64be(guest features).
     *
     * @return the new {@code PinnedLaunch}
     * @throws IllegalStateException if the firmware, kernel, initrd, command line, vCPU counts or
     *     vCPU types are missing
     */
    public PinnedLaunch build() {
      if (firmware != null && kernelDigest != null && initrdDigest != null) {
        try {
          measurer = new OvmfMeasurer(firmware, kernelDigest, initrdDigest, vcpuCounts, vcpuTypes, vmmType, guestFeatures);
        } catch (MalformedEvidenceException e) {
          throw new InvalidConfigurationException(
              e.reason(), "the pinned launch is not measurable: " + e.getMessage(), e);
        }
      }
      if (measurer == null) {
        throw new IllegalStateException("the pinned launch needs a firmware");
      }
      if (kernelDigest == null || initrdDigest == null || cmdline == null) {
        throw new IllegalStateException("the pinned launch needs kernel and initrd digests and a command line");
      }
      if (vcpuCounts.isEmpty() || vcpuTypes.isEmpty()) {
        throw new IllegalStateException("the pinned launch needs at least one vCPU count and one vCPU type");
      }
      return new PinnedLaunch(this);
    }
  }
}
