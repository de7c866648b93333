package org.attest4j.examples.agent;

import org.attest4j.ovmf.testing.SyntheticFirmware;

/**
 * The demos' synthetic boot images, generated in memory (nothing is read from disk) with ovmf-measure's
 * test-only {@link SyntheticFirmware}: its 128 KiB {@link SyntheticFirmware#amdSevX64() AmdSevX64}
 * firmware layout, plus a kernel and an initrd. The bytes are deterministic: {@code SHA-256(label ||
 * le32(i))} blocks.
 *
 * <p>Stateless; the methods are thread-safe.
 */
public final class SyntheticImages {
  private SyntheticImages() {}

  /**
   * The synthetic firmware (128 KiB).
   *
   * @return the synthetic firmware (128 KiB)
   */
  public static byte[] firmware() {
    return SyntheticFirmware.amdSevX64().fill("attest4j-demo-ovmf").build();
  }

  /**
   * A synthetic kernel of {@code size} bytes.
   *
   * @param size the length in bytes
   * @return a synthetic kernel of {@code size} bytes
   */
  public static byte[] kernel(int size) {
    return SyntheticFirmware.deterministicBytes("attest4j-demo-kernel", size);
  }

  /**
   * A synthetic initrd of {@code size} bytes.
   *
   * @param size the length in bytes
   * @return a synthetic initrd of {@code size} bytes
   */
  public static byte[] initrd(int size) {
    return SyntheticFirmware.deterministicBytes("attest4j-demo-initrd", size);
  }
}
