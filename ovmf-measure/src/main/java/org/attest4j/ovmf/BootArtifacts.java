package org.attest4j.ovmf;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.internal.Guids;

/**
 * What QEMU's measured direct boot puts into the SEV hashes table: the kernel, the initrd and the
 * kernel command line, kept as their SHA-256 digests, with the 176-byte table built once. {@link
 * #none()} means no kernel was given (the firmware boots from disk, and the SNP_KERNEL_HASHES page
 * is measured as zero pages).
 *
 * <p>The command line is hashed as {@code UTF-8(cmdline) || 0x00} exactly as given: no trimming
 * (sev-snp-measure semantics; the Rust virtee/sev crate trims, dstack trims before it calls). An
 * absent command line counts as empty, an absent initrd as empty input.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BootArtifacts {
  /** The packed table length (168) and the padded length (176). */
  static final int TABLE_LEN = 168;

  static final int TABLE_PADDED = 176;
  private static final BootArtifacts NONE = new BootArtifacts(null, null, null, null);

  private final Artifact kernel;
  private final Artifact initrd;
  private final byte[] cmdlineSha256;
  private final byte[] table;

  private BootArtifacts(Artifact kernel, Artifact initrd, byte[] cmdlineSha256, byte[] table) {
    this.kernel = kernel;
    this.initrd = initrd;
    this.cmdlineSha256 = cmdlineSha256;
    this.table = table;
  }

  /**
   * No kernel: no measured direct boot.
   *
   * @return the boot artifacts
   */
  public static BootArtifacts none() {
    return NONE;
  }

  /**
   * A measured direct boot.
   *
   * @param kernel the kernel (required)
   * @param initrd the initrd, or null for none (hashed as empty input)
   * @param cmdline the kernel command line, or null for none (hashed as the empty string)
   * @return the boot artifacts
   */
  public static BootArtifacts of(Artifact kernel, Artifact initrd, String cmdline) {
    return of(kernel, initrd, cmdline == null ? new byte[0] : cmdline.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Like {@link #of(Artifact, Artifact, String)} with the command line as raw bytes (used as is,
   * without the terminating NUL, which is appended here).
   *
   * @param kernel the kernel, or null for none
   * @param initrd the initrd, or null (hashed as empty input)
   * @param cmdline the kernel command line, or null (hashed as empty)
   * @return the boot artifacts
   */
  public static BootArtifacts of(Artifact kernel, Artifact initrd, byte[] cmdline) {
    Objects.requireNonNull(kernel, "kernel (use BootArtifacts.none() for no kernel)");
    MessageDigest md = Artifact.sha256();
    if (cmdline != null) {
      md.update(cmdline);
    }
    md.update((byte) 0);
    return ofDigests(kernel, initrd, md.digest());
  }

  /**
   * A measured direct boot with the command-line digest precomputed: {@code cmdlineSha256 =
   * SHA-256(UTF-8(cmdline) || 0x00)}.
   *
   * @param kernel the kernel, or null for none
   * @param initrd the initrd, or null (hashed as empty input)
   * @param cmdlineSha256 {@code SHA-256(UTF-8(cmdline) || 0x00)}, 32 bytes
   * @return the boot artifacts
   * @throws MalformedEvidenceException unless the digest has 32 bytes
   */
  public static BootArtifacts ofCmdlineDigest(Artifact kernel, Artifact initrd, Bytes cmdlineSha256)
      throws MalformedEvidenceException {
    Objects.requireNonNull(kernel, "kernel (use BootArtifacts.none() for no kernel)");
    Objects.requireNonNull(cmdlineSha256, "cmdlineSha256");
    if (cmdlineSha256.length() != 32) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER,
          "the command-line SHA-256 has 32 bytes, not " + cmdlineSha256.length());
    }
    return ofDigests(kernel, initrd, cmdlineSha256.toByteArray());
  }

  private static BootArtifacts ofDigests(Artifact kernel, Artifact initrd, byte[] cmdlineSha) {
    Artifact in = initrd == null ? Artifact.empty() : initrd;
    byte[] t = new byte[TABLE_PADDED];
    System.arraycopy(Guids.toLe(Guids.HASH_TABLE_HEADER), 0, t, 0, 16);
    Le.put16(t, 16, TABLE_LEN);
    entry(t, 18, Guids.CMDLINE_ENTRY, cmdlineSha);
    entry(t, 68, Guids.INITRD_ENTRY, in.rawSha256());
    entry(t, 118, Guids.KERNEL_ENTRY, kernel.rawSha256());
    return new BootArtifacts(kernel, in, cmdlineSha, t);
  }

  private static void entry(byte[] t, int off, java.util.UUID guid, byte[] sha) {
    System.arraycopy(Guids.toLe(guid), 0, t, off, 16);
    Le.put16(t, off + 16, 50);
    System.arraycopy(sha, 0, t, off + 18, 32);
  }

  /**
   * Whether a kernel is given.
   *
   * @return whether a kernel is given
   */
  public boolean hasKernel() {
    return kernel != null;
  }

  /**
   * The kernel, if any.
   *
   * @return the kernel, if any
   */
  public Optional<Artifact> kernel() {
    return Optional.ofNullable(kernel);
  }

  /**
   * The initrd (empty when none was given), if a kernel is given.
   *
   * @return the initrd (empty when none was given), if a kernel is given
   */
  public Optional<Artifact> initrd() {
    return Optional.ofNullable(initrd);
  }

  /**
   * {@code SHA-256(UTF-8(cmdline) || 0x00)}, if a kernel is given.
   *
   * @return {@code SHA-256(UTF-8(cmdline) || 0x00)}, if a kernel is given
   */
  public Optional<Bytes> cmdlineSha256() {
    return cmdlineSha256 == null ? Optional.empty() : Optional.of(Bytes.of(cmdlineSha256));
  }

  /**
   * The 176-byte SEV hashes table (168 bytes packed, zero-padded), if a kernel is given.
   *
   * @return the 176-byte SEV hashes table (168 bytes packed, zero-padded), if a kernel is given
   */
  public Optional<Bytes> hashTable() {
    return table == null ? Optional.empty() : Optional.of(Bytes.of(table));
  }

  /** The table, not copied (internal); null without kernel. */
  byte[] rawTable() {
    return table;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BootArtifacts b && java.security.MessageDigest.isEqual(table, b.table);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(table);
  }

  @Override
  public String toString() {
    if (kernel == null) {
      return "BootArtifacts[no kernel]";
    }
    return "BootArtifacts[kernel=" + kernel.sha256Digest() + ", initrd=" + initrd.sha256Digest() + ", cmdline sha256="
        + Bytes.of(cmdlineSha256) + "]";
  }
}
