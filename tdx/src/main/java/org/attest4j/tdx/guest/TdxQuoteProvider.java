package org.attest4j.tdx.guest;

import java.nio.file.Path;
import java.util.Objects;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;

/**
 * Obtains TDX quotes inside a guest through configfs-tsm ({@code /sys/kernel/config/tsm/report},
 * Linux 6.7+, provider {@code tdx_guest}): the report data goes to {@code inblob}, the kernel asks
 * the host's quote generation service for a quote and returns it in {@code outblob}. Older kernels'
 * {@code /dev/tdx_guest} GetQuote ioctl is not supported. Implementations are thread-safe.
 */
public interface TdxQuoteProvider {
  /** The standard configfs-tsm report directory. */
  Path DEFAULT_TSM_ROOT = ConfigfsTsm.DEFAULT_ROOT;

  /**
   * Which mechanism this is, for diagnostics.
   *
   * @return the mechanism's name
   */
  String name();

  /**
   * A quote binding {@code reportData} (at most 64 bytes; shorter input is zero-padded).
   *
   * @param reportData the TD's report_data, at most 64 bytes
   * @return the quote
   * @throws EvidenceUnavailableException if the kernel or the host's quote service gives no quote
   */
  TdxGuestQuote getQuote(byte[] reportData) throws EvidenceUnavailableException;

  /**
   * configfs-tsm when present and served by {@code tdx_guest}; otherwise a clear error.
   *
   * @return the provider
   * @throws EvidenceUnavailableException if configfs-tsm is absent or not served by {@code tdx_guest}
   */
  static TdxQuoteProvider detect() throws EvidenceUnavailableException {
    return detect(DEFAULT_TSM_ROOT);
  }

  /**
   * {@link #detect()} at another location (containers with remapped paths, tests).
   *
   * @param tsmRoot the configfs-tsm report directory
   * @return the provider
   * @throws EvidenceUnavailableException if configfs-tsm is absent or not served by {@code tdx_guest}
   */
  static TdxQuoteProvider detect(Path tsmRoot) throws EvidenceUnavailableException {
    return ConfigfsTsmTdxProvider.detect(ConfigfsTsmTdxProvider.tsm(Objects.requireNonNull(tsmRoot, "tsmRoot")));
  }

  /**
   * configfs-tsm at {@code root} (no detection).
   *
   * @param root the configfs-tsm report directory
   * @return the provider
   */
  static TdxQuoteProvider configfsTsm(Path root) {
    return new ConfigfsTsmTdxProvider(ConfigfsTsmTdxProvider.tsm(Objects.requireNonNull(root, "root")));
  }
}
