package org.attest4j.snp.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.snp.TcbVersion;

/**
 * What to derive an SEV-SNP guest key from: the SEV-SNP ABI's MSG_KEY_REQ (AMD 56860, table
 * "MSG_KEY_REQ Message Structure"), encoded little-endian:
 *
 * <pre>
 * 0x00 u32 ROOT_KEY_SELECT     bit 0: 0 = VCEK, 1 = VMRK; bits 31:1 zero
 * 0x04 u32 reserved
 * 0x08 u64 GUEST_FIELD_SELECT  which launch fields are mixed in (the FIELD_* bits)
 * 0x10 u32 VMPL                at least the requester's VMPL
 * 0x14 u32 GUEST_SVN           at most the guest SVN of the ID block
 * 0x18 u64 TCB_VERSION         at most the committed TCB
 * 0x20 u64 LAUNCH_MIT_VECTOR   message version 2 (ABI 1.58) only
 * </pre>
 *
 * Version 1 is 32 bytes and is byte for byte the kernel's {@code struct snp_derived_key_req}; version
 * 2 appends the launch mitigation vector (40 bytes). The version is 2 when the vector is set or
 * selected, else 1, unless {@link Builder#messageVersion} says otherwise.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SnpDerivedKeyRequest {
  /** GUEST_FIELD_SELECT bit 0: mix in the guest policy. */
  public static final long FIELD_GUEST_POLICY = 1L;
  /** GUEST_FIELD_SELECT bit 1: mix in the image ID. */
  public static final long FIELD_IMAGE_ID = 1L << 1;
  /** GUEST_FIELD_SELECT bit 2: mix in the family ID. */
  public static final long FIELD_FAMILY_ID = 1L << 2;
  /** GUEST_FIELD_SELECT bit 3: mix in the launch measurement. */
  public static final long FIELD_MEASUREMENT = 1L << 3;
  /** GUEST_FIELD_SELECT bit 4: mix in the requested guest SVN. */
  public static final long FIELD_GUEST_SVN = 1L << 4;
  /** GUEST_FIELD_SELECT bit 5: mix in the requested TCB version. */
  public static final long FIELD_TCB_VERSION = 1L << 5;
  /** GUEST_FIELD_SELECT bit 6 (ABI 1.58, message version 2): mix in the launch mitigation vector. */
  public static final long FIELD_LAUNCH_MIT_VECTOR = 1L << 6;
  /** Every GUEST_FIELD_SELECT bit defined; the others must be zero. */
  public static final long FIELDS_DEFINED = (1L << 7) - 1;

  /** Size of a version 1 MSG_KEY_REQ (and of the kernel's snp_derived_key_req). */
  public static final int V1_SIZE = 32;
  /** Size of a version 2 MSG_KEY_REQ. */
  public static final int V2_SIZE = 40;

  private static final String[] FIELD_NAMES = {
    "guest_policy", "image_id", "family_id", "measurement", "guest_svn", "tcb_version", "launch_mit_vector"
  };

  /** The root key the derived key descends from. */
  public enum RootKey {
    /** The chip's VCEK: the key is bound to this chip and (if selected) TCB. */
    VCEK,
    /** The VM root key (VMRK), which a migration agent carries with the guest. */
    VMRK
  }

  private final RootKey rootKey;
  private final long fieldSelect;
  private final int vmpl;
  private final long guestSvn;
  private final long tcbVersion;
  private final long launchMitVector;
  private final int messageVersion;

  private SnpDerivedKeyRequest(Builder b) {
    this.rootKey = b.rootKey;
    this.fieldSelect = b.fieldSelect;
    this.vmpl = b.vmpl;
    this.guestSvn = b.guestSvn;
    this.tcbVersion = b.tcbVersion;
    this.launchMitVector = b.launchMitVector;
    this.messageVersion =
        b.messageVersion != 0
            ? b.messageVersion
            : (b.launchMitVector != 0 || (b.fieldSelect & FIELD_LAUNCH_MIT_VECTOR) != 0) ? 2 : 1;
  }

  /**
   * A builder: VCEK root, no fields selected, VMPL 0, guest SVN 0, TCB version 0, no mitigation
   * vector.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The root key.
   *
   * @return VCEK or VMRK
   */
  public RootKey rootKey() {
    return rootKey;
  }

  /**
   * GUEST_FIELD_SELECT.
   *
   * @return the FIELD_* bits
   */
  public long guestFieldSelect() {
    return fieldSelect;
  }

  /**
   * The selected fields by name (guest_policy, image_id, family_id, measurement, guest_svn,
   * tcb_version, launch_mit_vector), in bit order.
   *
   * @return the names
   */
  public List<String> guestFieldNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < FIELD_NAMES.length; i++) {
      if ((fieldSelect & (1L << i)) != 0) {
        out.add(FIELD_NAMES[i]);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The VMPL mixed in.
   *
   * @return 0..3
   */
  public int vmpl() {
    return vmpl;
  }

  /**
   * The guest SVN mixed in when {@link #FIELD_GUEST_SVN} is selected.
   *
   * @return an unsigned 32-bit value
   */
  public long guestSvn() {
    return guestSvn;
  }

  /**
   * The raw TCB_VERSION mixed in when {@link #FIELD_TCB_VERSION} is selected.
   *
   * @return the u64 TCB_VERSION
   */
  public long tcbVersion() {
    return tcbVersion;
  }

  /**
   * The launch mitigation vector mixed in when {@link #FIELD_LAUNCH_MIT_VECTOR} is selected
   * (message version 2).
   *
   * @return the u64 vector
   */
  public long launchMitVector() {
    return launchMitVector;
  }

  /**
   * The MSG_KEY_REQ message version (the ioctl's {@code msg_version}).
   *
   * @return 1 or 2
   */
  public int messageVersion() {
    return messageVersion;
  }

  /**
   * The MSG_KEY_REQ bytes: 32 for version 1 (the kernel's {@code struct snp_derived_key_req}), 40 for
   * version 2.
   *
   * @return a fresh array
   */
  public byte[] toByteArray() {
    ByteBuffer b = ByteBuffer.allocate(messageVersion == 1 ? V1_SIZE : V2_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, rootKey == RootKey.VMRK ? 1 : 0);
    b.putLong(0x08, fieldSelect);
    b.putInt(0x10, vmpl);
    b.putInt(0x14, (int) guestSvn);
    b.putLong(0x18, tcbVersion);
    if (messageVersion == 2) {
      b.putLong(0x20, launchMitVector);
    }
    return b.array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnpDerivedKeyRequest r && java.util.Arrays.equals(toByteArray(), r.toByteArray())
        && messageVersion == r.messageVersion;
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(toByteArray());
  }

  @Override
  public String toString() {
    return "SnpDerivedKeyRequest[v" + messageVersion + ", root " + rootKey + ", fields " + guestFieldNames()
        + ", vmpl " + vmpl + ", guest_svn " + guestSvn + ", tcb 0x" + String.format("%016x", tcbVersion)
        + (messageVersion == 2 ? ", launch_mit_vector 0x" + Long.toHexString(launchMitVector) : "") + "]";
  }

  /** Configures a {@link SnpDerivedKeyRequest}; not thread-safe. */
  public static final class Builder {
    private RootKey rootKey = RootKey.VCEK;
    private long fieldSelect;
    private int vmpl;
    private long guestSvn;
    private long tcbVersion;
    private long launchMitVector;
    private int messageVersion;

    private Builder() {}

    /**
     * The root key (default VCEK).
     *
     * @param root VCEK or VMRK
     * @return this builder
     */
    public Builder rootKey(RootKey root) {
      this.rootKey = Objects.requireNonNull(root, "root");
      return this;
    }

    /**
     * GUEST_FIELD_SELECT as a whole (replacing earlier selections).
     *
     * @param bits a combination of the FIELD_* constants
     * @return this builder
     * @throws IllegalArgumentException if a reserved bit (7..63) is set
     */
    public Builder guestFieldSelect(long bits) {
      if ((bits & ~FIELDS_DEFINED) != 0) {
        throw new IllegalArgumentException(
            "GUEST_FIELD_SELECT bits 63:7 are reserved; got 0x" + Long.toHexString(bits));
      }
      this.fieldSelect = bits;
      return this;
    }

    /**
     * Adds fields to GUEST_FIELD_SELECT.
     *
     * @param bits FIELD_* constants to add
     * @return this builder
     * @throws IllegalArgumentException if a reserved bit (7..63) is set
     */
    public Builder mix(long bits) {
      return guestFieldSelect(fieldSelect | bits);
    }

    /**
     * The VMPL to mix in (default 0); the firmware requires it to be at least the requester's.
     *
     * @param vmpl 0..3
     * @return this builder
     * @throws IllegalArgumentException if outside 0..3
     */
    public Builder vmpl(int vmpl) {
      if (vmpl < 0 || vmpl > 3) {
        throw new IllegalArgumentException("VMPL must be 0..3, got " + vmpl);
      }
      this.vmpl = vmpl;
      return this;
    }

    /**
     * The guest SVN to mix in (default 0); at most the ID block's.
     *
     * @param svn an unsigned 32-bit value
     * @return this builder
     * @throws IllegalArgumentException if outside 0..2^32-1
     */
    public Builder guestSvn(long svn) {
      if (svn < 0 || svn > 0xFFFFFFFFL) {
        throw new IllegalArgumentException("guest SVN is a u32, got " + svn);
      }
      this.guestSvn = svn;
      return this;
    }

    /**
     * The raw TCB_VERSION to mix in (default 0); at most the committed TCB.
     *
     * @param raw the u64 TCB_VERSION
     * @return this builder
     */
    public Builder tcbVersion(long raw) {
      this.tcbVersion = raw;
      return this;
    }

    /**
     * The TCB version to mix in.
     *
     * @param tcb the TCB version (its raw encoding is used)
     * @return this builder
     */
    public Builder tcbVersion(TcbVersion tcb) {
      return tcbVersion(Objects.requireNonNull(tcb, "tcb").raw());
    }

    /**
     * The launch mitigation vector to mix in (ABI 1.58; makes the request version 2).
     *
     * @param vector the u64 vector
     * @return this builder
     */
    public Builder launchMitVector(long vector) {
      this.launchMitVector = vector;
      return this;
    }

    /**
     * Forces the MSG_KEY_REQ version (default: 2 when the mitigation vector is set or selected,
     * else 1).
     *
     * @param version 1 or 2
     * @return this builder
     * @throws IllegalArgumentException if not 1 or 2
     */
    public Builder messageVersion(int version) {
      if (version != 1 && version != 2) {
        throw new IllegalArgumentException("MSG_KEY_REQ version must be 1 or 2, got " + version);
      }
      this.messageVersion = version;
      return this;
    }

    /**
     * The request.
     *
     * @return the request
     * @throws IllegalStateException if version 1 is forced with a mitigation vector set or selected
     */
    public SnpDerivedKeyRequest build() {
      if (messageVersion == 1 && (launchMitVector != 0 || (fieldSelect & FIELD_LAUNCH_MIT_VECTOR) != 0)) {
        throw new IllegalStateException(
            "the launch mitigation vector exists only in MSG_KEY_REQ version 2 (ABI 1.58)");
      }
      return new SnpDerivedKeyRequest(this);
    }
  }
}
