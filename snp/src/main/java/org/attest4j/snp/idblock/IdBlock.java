package org.attest4j.snp.idblock;

import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The 96-byte ID block a VMM hands to SNP_LAUNCH_FINISH (QEMU {@code id-block}): the expected
 * launch digest, the family and image IDs, the version (1), the guest SVN and the guest policy.
 * The firmware refuses to launch a guest whose measurement or policy differ, and copies the IDs
 * and the SVN into every attestation report.
 *
 * <pre>{@code
 * IdBlock block = IdBlock.builder().launchDigest(measurement).policy(0x30000).build();
 * IdAuth auth = IdAuth.sign(block, idPrivateKey, authorPrivateKey);
 * String qemu = "id-block=" + block.toBase64() + ",id-auth=" + auth.toBase64();
 * }</pre>
 *
 * <p>Layout (little-endian, offsets in hex): LD[48] at 0, FAMILY_ID[16] at 30, IMAGE_ID[16] at 40,
 * VERSION u32 at 50, GUEST_SVN u32 at 54, POLICY u64 at 58.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class IdBlock {
  /** The encoded length. */
  public static final int LENGTH = 96;
  /** The only defined version. */
  public static final int VERSION = 1;
  /** The policy snp-create-id-block writes (SMT allowed, ABI 0.0, bit 17 reserved-one). */
  public static final long DEFAULT_POLICY = 0x30000L;

  private final byte[] encoded;

  private IdBlock(byte[] encoded) {
    this.encoded = encoded;
  }

  /**
   * A builder with snp-create-id-block's defaults: zero IDs, version 1, guest SVN 0, policy
   * {@value #DEFAULT_POLICY}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses an encoded ID block.
   *
   * @param encoded exactly 96 bytes
   * @return the block
   * @throws MalformedEvidenceException for a wrong length or a version other than 1
   */
  public static IdBlock parse(byte[] encoded) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(encoded, "ID block");
    if (encoded.length != LENGTH) {
      throw new MalformedEvidenceException(
          IdBlockReason.BAD_LENGTH, "an ID block has " + LENGTH + " bytes, not " + encoded.length);
    }
    long version = u32(encoded, 0x50);
    if (version != VERSION) {
      throw new MalformedEvidenceException(
          IdBlockReason.BAD_FIELD, "ID block version is " + version + "; only version 1 is defined");
    }
    return new IdBlock(encoded.clone());
  }

  private static long u32(byte[] b, int off) {
    return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
  }

  /**
   * The launch digest (MEASUREMENT) the firmware must observe.
   *
   * @return 48 bytes
   */
  public Bytes launchDigest() {
    return Bytes.of(encoded, 0, 48);
  }

  /**
   * FAMILY_ID, copied into the report.
   *
   * @return 16 bytes
   */
  public Bytes familyId() {
    return Bytes.of(encoded, 0x30, 16);
  }

  /**
   * IMAGE_ID, copied into the report.
   *
   * @return 16 bytes
   */
  public Bytes imageId() {
    return Bytes.of(encoded, 0x40, 16);
  }

  /**
   * The version (always 1).
   *
   * @return the version
   */
  public long version() {
    return u32(encoded, 0x50);
  }

  /**
   * GUEST_SVN, copied into the report.
   *
   * @return the unsigned 32-bit SVN
   */
  public long guestSvn() {
    return u32(encoded, 0x54);
  }

  /**
   * The guest policy the launch must use.
   *
   * @return the 64-bit policy
   */
  public long policy() {
    return u32(encoded, 0x58) | u32(encoded, 0x5C) << 32;
  }

  /**
   * The 96 encoded bytes.
   *
   * @return a copy
   */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  /**
   * The encoding in base64, as QEMU's {@code id-block} property takes it.
   *
   * @return standard base64 with padding
   */
  public String toBase64() {
    return java.util.Base64.getEncoder().encodeToString(encoded);
  }

  byte[] raw() {
    return encoded;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdBlock b && java.util.Arrays.equals(encoded, b.encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "IdBlock[ld=" + launchDigest().toHex() + ", familyId=" + familyId().toHex() + ", imageId="
        + imageId().toHex() + ", guestSvn=" + guestSvn() + ", policy=0x" + Long.toHexString(policy()) + "]";
  }

  /**
   * Collects the fields; {@link #build()} checks them. Builders are mutable and not thread-safe.
   */
  public static final class Builder {
    private Bytes launchDigest;
    private Bytes familyId = Bytes.of(new byte[16]);
    private Bytes imageId = Bytes.of(new byte[16]);
    private long guestSvn;
    private long policy = DEFAULT_POLICY;

    private Builder() {}

    /**
     * The expected launch digest (required).
     *
     * @param ld 48 bytes
     * @return this builder
     */
    public Builder launchDigest(Bytes ld) {
      this.launchDigest = Objects.requireNonNull(ld, "ld");
      return this;
    }

    /**
     * FAMILY_ID (default zeros).
     *
     * @param id 16 bytes
     * @return this builder
     */
    public Builder familyId(Bytes id) {
      this.familyId = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * IMAGE_ID (default zeros).
     *
     * @param id 16 bytes
     * @return this builder
     */
    public Builder imageId(Bytes id) {
      this.imageId = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * GUEST_SVN (default 0).
     *
     * @param svn an unsigned 32-bit value
     * @return this builder
     */
    public Builder guestSvn(long svn) {
      this.guestSvn = svn;
      return this;
    }

    /**
     * The guest policy (default {@value IdBlock#DEFAULT_POLICY}).
     *
     * @param policy the 64-bit policy
     * @return this builder
     */
    public Builder policy(long policy) {
      this.policy = policy;
      return this;
    }

    /**
     * Checks and encodes.
     *
     * @return the block
     * @throws MalformedEvidenceException with {@link IdBlockReason#BAD_FIELD} for a missing or
     *     wrong-sized digest or ID, or an SVN beyond 32 bits
     */
    public IdBlock build() throws MalformedEvidenceException {
      if (launchDigest == null || launchDigest.length() != 48) {
        throw bad("the launch digest must have 48 bytes" + (launchDigest == null ? "; none was given" : ", not "
            + launchDigest.length()));
      }
      if (familyId.length() != 16 || imageId.length() != 16) {
        throw bad("FAMILY_ID and IMAGE_ID have 16 bytes, not " + familyId.length() + " and " + imageId.length());
      }
      if (guestSvn < 0 || guestSvn > 0xFFFF_FFFFL) {
        throw bad("GUEST_SVN " + guestSvn + " is not an unsigned 32-bit value");
      }
      byte[] e = new byte[LENGTH];
      System.arraycopy(launchDigest.toByteArray(), 0, e, 0, 48);
      System.arraycopy(familyId.toByteArray(), 0, e, 0x30, 16);
      System.arraycopy(imageId.toByteArray(), 0, e, 0x40, 16);
      put(e, 0x50, VERSION, 4);
      put(e, 0x54, guestSvn, 4);
      put(e, 0x58, policy, 8);
      return new IdBlock(e);
    }

    private static void put(byte[] b, int off, long v, int n) {
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) (v >>> (8 * i));
      }
    }

    private static MalformedEvidenceException bad(String msg) {
      return new MalformedEvidenceException(IdBlockReason.BAD_FIELD, msg);
    }
  }
}
