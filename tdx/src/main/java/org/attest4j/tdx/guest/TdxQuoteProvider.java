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

  /** Which mechanism this is, for diagnostics. */
  String name();

  /** A quote binding {@code reportData} (at most 64 bytes; shorter input is zero-padded). */
  TdxGuestQuote getQuote(byte[] reportData) throws EvidenceUnavailableException;

  /** configfs-tsm when present and served by {@code tdx_guest}; otherwise a clear error. */
  static TdxQuoteProvider detect() throws EvidenceUnavailableException {
    return detect(DEFAULT_TSM_ROOT);
  }

  /** {@link #detect()} at another location (containers with remapped paths, tests). */
  static TdxQuoteProvider detect(Path tsmRoot) throws EvidenceUnavailableException {
    return ConfigfsTsmTdxProvider.detect(ConfigfsTsmTdxProvider.tsm(Objects.requireNonNull(tsmRoot, "tsmRoot")));
  }

  /** configfs-tsm at {@code root} (no detection). */
  static TdxQuoteProvider configfsTsm(Path root) {
    return new ConfigfsTsmTdxProvider(ConfigfsTsmTdxProvider.tsm(Objects.requireNonNull(root, "root")));
  }
}
