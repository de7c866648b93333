package org.attest4j.snp.guest;

import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;

/** Reports through configfs-tsm with provider {@code sev_guest}. Thread-safe. */
final class ConfigfsTsmSnpProvider implements SnpReportProvider {
  static final String PROVIDER = "sev_guest";

  private final ConfigfsTsm tsm;

  ConfigfsTsmSnpProvider(ConfigfsTsm tsm) {
    this.tsm = tsm;
  }

  @Override
  public String name() {
    return "configfs-tsm " + tsm.root();
  }

  @Override
  public SnpGuestReport getReport(byte[] reportData) throws EvidenceUnavailableException {
    Detection.checkArgs(reportData, 0);
    return request(reportData, null);
  }

  @Override
  public SnpGuestReport getReport(byte[] reportData, int vmpl) throws EvidenceUnavailableException {
    Detection.checkArgs(reportData, vmpl);
    return request(reportData, vmpl);
  }

  private SnpGuestReport request(byte[] reportData, Integer vmpl) throws EvidenceUnavailableException {
    try {
      ConfigfsTsm.Result r = tsm.generate(SevGuestAbi.userData(reportData), vmpl, PROVIDER, true);
      return SnpGuestReport.of(
          r.outblob(), r.auxblob().orElse(null), "configfs-tsm " + tsm.root() + " (provider " + r.provider() + ")");
    } catch (ConfigfsTsm.TsmException e) {
      throw map(e);
    }
  }

  static EvidenceUnavailableException map(ConfigfsTsm.TsmException e) {
    SnpGuestReason reason;
    boolean retryable = false;
    switch (e.kind()) {
      case NOT_AVAILABLE:
        reason = SnpGuestReason.NO_GUEST_INTERFACE;
        break;
      case WRONG_PROVIDER:
        reason = SnpGuestReason.WRONG_PROVIDER;
        break;
      case GENERATION_MISMATCH:
        reason = SnpGuestReason.GENERATION_MISMATCH;
        retryable = true;
        break;
      case PRIVLEVEL_BELOW_FLOOR:
        reason = SnpGuestReason.PRIVLEVEL_BELOW_FLOOR;
        break;
      case PERMISSION_DENIED:
        reason = SnpGuestReason.PERMISSION_DENIED;
        break;
      case BAD_OUTPUT:
        reason = SnpGuestReason.BAD_RESPONSE;
        break;
      default:
        reason = SnpGuestReason.IO_ERROR;
        break;
    }
    return new EvidenceUnavailableException(reason, e.getMessage(), retryable, e);
  }
}
