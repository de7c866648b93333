package org.attest4j.kms;

import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * A dstack OS image this KMS serves to Intel TDX guests: its {@code os_image_hash} (the SHA-256 of
 * the image's {@code sha256sum.txt}, as in dstack's {@code vm_config}) and the launch registers the
 * image produces, MRTD and RTMR0-2 (firmware, kernel, command line, initrd), as computed by dstack's
 * {@code dstack-mr} for the VM shape you deploy or read from a trusted reference boot.
 *
 * <p>The {@code os_image_hash} in a guest's {@code vm_config} is only a claim; step 4 of the TDX
 * flow accepts it only when a pinned image has that hash and the quote's MRTD and RTMR0-2 equal the
 * pinned values (the role of dstack's {@code verify_os_image_hash}). This is what makes the {@code
 * osImageHash} the authorization hook sees a measured value.
 *
 * @param osImageHash 32 bytes
 * @param mrTd 48 bytes
 * @param rtmr0 48 bytes
 * @param rtmr1 48 bytes
 * @param rtmr2 48 bytes
 */
public record TdxPinnedImage(Bytes osImageHash, Bytes mrTd, Bytes rtmr0, Bytes rtmr1, Bytes rtmr2) {
  /**
   * Checks the sizes.
   *
   * @param osImageHash 32 bytes
   * @param mrTd 48 bytes
   * @param rtmr0 48 bytes
   * @param rtmr1 48 bytes
   * @param rtmr2 48 bytes
   * @throws IllegalArgumentException if a value has the wrong size
   */
  public TdxPinnedImage {
    size(osImageHash, 32, "osImageHash");
    size(mrTd, 48, "mrTd");
    size(rtmr0, 48, "rtmr0");
    size(rtmr1, 48, "rtmr1");
    size(rtmr2, 48, "rtmr2");
  }

  /** The pinned register by index: 0..2 for RTMR0-2. */
  Bytes rtmr(int index) {
    return switch (index) {
      case 0 -> rtmr0;
      case 1 -> rtmr1;
      case 2 -> rtmr2;
      default -> throw new IllegalArgumentException("RTMR" + index + " is not pinned");
    };
  }

  private static void size(Bytes v, int n, String what) {
    Objects.requireNonNull(v, what);
    if (v.length() != n) {
      throw new IllegalArgumentException(what + " must be " + n + " bytes, got " + v.length());
    }
  }
}
