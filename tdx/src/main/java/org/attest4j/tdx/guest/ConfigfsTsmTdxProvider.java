package org.attest4j.tdx.guest;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;

/** TDX quotes through configfs-tsm with provider {@code tdx_guest}. Thread-safe. */
final class ConfigfsTsmTdxProvider implements TdxQuoteProvider {
  static final String PROVIDER = "tdx_guest";

  private final ConfigfsTsm tsm;

  ConfigfsTsmTdxProvider(ConfigfsTsm tsm) {
    this.tsm = tsm;
  }

  static ConfigfsTsm tsm(Path root) {
    return ConfigfsTsm.of(root, ConfigfsTsm.Fs.nio(), () -> "attest4j-" + UUID.randomUUID());
  }

  static TdxQuoteProvider detect(ConfigfsTsm tsm) throws EvidenceUnavailableException {
    if (!tsm.isAvailable()) {
      throw new EvidenceUnavailableException(
          TdxGuestReason.NO_GUEST_INTERFACE,
          "no TDX guest interface: " + tsm.root() + " does not exist. This is not a TDX guest, or the"
              + " kernel lacks configfs-tsm (Linux 6.7+ with tdx-guest; mount configfs at /sys/kernel/config).");
    }
    Optional<String> provider = tsm.probeProvider();
    if (provider.isEmpty() || !provider.get().equals(PROVIDER)) {
      throw new EvidenceUnavailableException(
          provider.isEmpty() ? TdxGuestReason.NO_GUEST_INTERFACE : TdxGuestReason.WRONG_PROVIDER,
          "configfs-tsm at " + tsm.root() + " is "
              + provider.map(p -> "served by '" + p + "'").orElse("not served by any TSM driver")
              + ", not tdx_guest: not a TDX guest, or the tdx-guest driver is not loaded");
    }
    return new ConfigfsTsmTdxProvider(tsm);
  }

  @Override
  public String name() {
    return "configfs-tsm " + tsm.root();
  }

  @Override
  public TdxGuestQuote getQuote(byte[] reportData) throws EvidenceUnavailableException {
    Objects.requireNonNull(reportData, "reportData");
    if (reportData.length > 64) {
      throw new IllegalArgumentException("report data is " + reportData.length + " bytes; at most 64 fit");
    }
    try {
      ConfigfsTsm.Result r = tsm.generate(Arrays.copyOf(reportData, 64), null, PROVIDER, false);
      return TdxGuestQuote.of(r.outblob(), "configfs-tsm " + tsm.root() + " (provider " + r.provider() + ")");
    } catch (ConfigfsTsm.TsmException e) {
      TdxGuestReason reason;
      boolean retryable = false;
      switch (e.kind()) {
        case NOT_AVAILABLE:
          reason = TdxGuestReason.NO_GUEST_INTERFACE;
          break;
        case WRONG_PROVIDER:
          reason = TdxGuestReason.WRONG_PROVIDER;
          break;
        case GENERATION_MISMATCH:
          reason = TdxGuestReason.GENERATION_MISMATCH;
          retryable = true;
          break;
        case PERMISSION_DENIED:
          reason = TdxGuestReason.PERMISSION_DENIED;
          break;
        case BAD_OUTPUT:
          reason = TdxGuestReason.BAD_RESPONSE;
          break;
        default:
          reason = TdxGuestReason.QUOTE_GENERATION_FAILED;
          retryable = true;
          break;
      }
      String hint =
          reason == TdxGuestReason.QUOTE_GENERATION_FAILED
              ? " (is the host's quote generation service (QGS) running and reachable?)"
              : "";
      throw new EvidenceUnavailableException(reason, e.getMessage() + hint, retryable, e);
    }
  }
}
