package org.attest4j.ovmf;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * Computes the launch digest of a plain AMD SEV or an SEV-ES guest, as sev-snp-measure 0.0.13
 * does for {@code --mode sev} and {@code --mode seves}; the sibling of {@link LaunchDigest}, which
 * computes SEV-SNP measurements.
 *
 * <p>SEV and SEV-ES launch digests are one SHA-256 over everything the VMM encrypts with
 * LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA, in order:
 *
 * <ol>
 *   <li>the whole firmware image;
 *   <li>with a kernel (measured direct boot): the 176-byte SEV hashes table ({@link
 *       BootArtifacts#hashTable()}), which needs firmware with a non-zero SEV_HASH_TABLE_RV GPA;
 *   <li>SEV-ES only: one 4096-byte VMSA per vCPU, the BSP first, then the same AP page for every
 *       other vCPU (VMSA SEV_FEATURES is 0; the register state depends on the VMM type).
 * </ol>
 *
 * <pre>{@code
 * OvmfImage ovmf = OvmfImage.parse(Path.of("OVMF.fd"));
 * Bytes sev = SevLaunchDigest.sev(ovmf, BootArtifacts.none());
 * LaunchFeatures f = LaunchFeatures.builder().vcpus(4).vcpuType("EPYC-Milan").build();
 * Bytes seves = SevLaunchDigest.sevEs(ovmf, BootArtifacts.none(), f);
 * }</pre>
 *
 * <p>All methods are static and thread-safe.
 */
public final class SevLaunchDigest {
  /** The length of an SEV/SEV-ES launch digest (SHA-256). */
  public static final int DIGEST_LENGTH = 32;

  private SevLaunchDigest() {}

  /**
   * The SEV launch digest: SHA-256 of the firmware and, with a kernel, of the SEV hashes table.
   *
   * @param ovmf the firmware image
   * @param boot the kernel, initrd and command line, or {@link BootArtifacts#none()}
   * @return the 32-byte launch digest
   * @throws MalformedEvidenceException with {@link OvmfReason#MISSING_HASH_TABLE} when a kernel is
   *     given but the firmware does not support measured direct boot
   */
  public static Bytes sev(OvmfImage ovmf, BootArtifacts boot) throws MalformedEvidenceException {
    return Bytes.of(start(ovmf, boot).digest());
  }

  /**
   * The SEV-ES launch digest: like {@link #sev} followed by the VMSA page of every vCPU.
   *
   * @param ovmf the firmware image (it needs an SEV-ES reset block)
   * @param boot the kernel, initrd and command line, or {@link BootArtifacts#none()}
   * @param features the vCPU count, signature and VMM type; the mode must be {@link SnpMode#SNP}
   *     (the default), the guest features are ignored (SEV-ES VMSAs carry SEV_FEATURES 0), and no
   *     precomputed firmware digest may be set
   * @return the 32-byte launch digest
   * @throws MalformedEvidenceException when a kernel is given but the firmware does not support
   *     measured direct boot, when the reset block is missing, when the AP reset EIP is 0 with more
   *     than one vCPU, or for an unsupported combination of features
   */
  public static Bytes sevEs(OvmfImage ovmf, BootArtifacts boot, LaunchFeatures features)
      throws MalformedEvidenceException {
    List<byte[]> pages = pages(ovmf, features);
    MessageDigest md = start(ovmf, boot);
    for (byte[] p : pages) {
      md.update(p);
    }
    return Bytes.of(md.digest());
  }

  /**
   * The SEV-ES VMSA pages in launch order (what sev-snp-measure {@code --dump-vmsa} writes to
   * {@code vmsa<N>.bin}).
   *
   * @param ovmf the firmware image
   * @param features as for {@link #sevEs}
   * @return one 4096-byte page per vCPU
   * @throws MalformedEvidenceException as for {@link #sevEs}
   */
  public static List<Bytes> sevEsVmsaPages(OvmfImage ovmf, LaunchFeatures features)
      throws MalformedEvidenceException {
    List<Bytes> out = new ArrayList<>();
    for (byte[] p : pages(ovmf, features)) {
      out.add(Bytes.of(p));
    }
    return List.copyOf(out);
  }

  private static MessageDigest start(OvmfImage ovmf, BootArtifacts boot) throws MalformedEvidenceException {
    Objects.requireNonNull(ovmf, "ovmf");
    Objects.requireNonNull(boot, "boot");
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
    md.update(ovmf.data());
    if (boot.hasKernel()) {
      if (ovmf.rawHashTableGpa() <= 0) {
        throw new MalformedEvidenceException(
            OvmfReason.MISSING_HASH_TABLE,
            "Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement (SEV_HASH_TABLE_RV "
                + (ovmf.rawHashTableGpa() < 0 ? "is missing" : "GPA is 0") + ")");
      }
      md.update(boot.rawTable());
    }
    return md;
  }

  private static List<byte[]> pages(OvmfImage ovmf, LaunchFeatures f) throws MalformedEvidenceException {
    Objects.requireNonNull(ovmf, "ovmf");
    Objects.requireNonNull(f, "features");
    if (f.mode() != SnpMode.SNP) {
      throw new MalformedEvidenceException(
          OvmfReason.UNSUPPORTED_COMBINATION,
          "SEV-ES launch features take the default mode, not " + f.mode().cliName());
    }
    if (f.rawFirmwareDigest() != null) {
      throw new MalformedEvidenceException(
          OvmfReason.UNSUPPORTED_COMBINATION, "a precomputed firmware digest only works with SEV-SNP, not SEV-ES");
    }
    long eip = ovmf.rawResetEip();
    if (eip < 0) {
      throw new MalformedEvidenceException(
          OvmfReason.MISSING_RESET_EIP,
          "Can't find SEV_ES_RESET_BLOCK_GUID entry in OVMF table; the firmware is not SEV-ES capable");
    }
    if (eip == 0 && f.vcpus() > 1) {
      throw new MalformedEvidenceException(
          OvmfReason.ZERO_RESET_EIP, "the firmware's AP reset EIP is 0, so it cannot start " + f.vcpus() + " vCPUs");
    }
    byte[] bsp = Vmsa.page(f.vmmType(), Vmsa.BSP_EIP, f.rdx(), 0);
    byte[] ap = f.vcpus() > 1 ? Vmsa.page(f.vmmType(), eip, f.rdx(), 0) : null;
    List<byte[]> out = new ArrayList<>(f.vcpus());
    out.add(bsp);
    for (int i = 1; i < f.vcpus(); i++) {
      out.add(ap);
    }
    return out;
  }
}
