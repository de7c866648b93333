package org.attest4j.kms;

import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.CcelEventLog;
import org.attest4j.tdx.DstackAppInfo;
import org.attest4j.tdx.DstackEventLog;
import org.attest4j.tdx.TdReport;

/**
 * Step 4 for TDX: the event logs replay to the quote's RTMRs, and the quote's MRTD and RTMR0-2 are
 * those of a pinned OS image. Immutable and thread-safe.
 */
final class TdxMeasurementStep {
  /**
   * What step 4 measured.
   *
   * @param app dstack's app info from the replayed runtime events
   * @param osImageHash the pinned image the quote's launch registers match
   */
  record Measured(DstackAppInfo app, Bytes osImageHash) {}

  private final List<TdxPinnedImage> tdxImages;

  TdxMeasurementStep(List<TdxPinnedImage> images) {
    this.tdxImages = List.copyOf(images);
  }

  /**
   * The measured app info and the pinned os_image_hash: the events replay to the verified registers
   * ({@code TdxReason}s of the replay), the vm_config names a pinned image ({@link
   * KmsReason#OS_IMAGE_NOT_PINNED}) whose MRTD and RTMR0-2 are the quote's ({@link
   * KmsReason#MEASUREMENT_MISMATCH}).
   */
  Measured measure(TdReport report, AppInfoSource source) throws AttestationException {
    DstackAppInfo app = source.appInfo(report);
    return new Measured(app, pinnedImage(app, report));
  }

  /** Where a request's replayed app info comes from (its event logs, or an RA-TLS attestation's events). */
  interface AppInfoSource {
    /** dstack's app info of a verified TD report; refuses a replay that differs from its RTMRs. */
    DstackAppInfo appInfo(TdReport report) throws AttestationException;
  }

  /** GetAppKeyTdx's source: the CCEL (when sent) replays to RTMR0-2, the event log to RTMR3. */
  static AppInfoSource fromLogs(TdxKeyReleaseRequest req) {
    return report -> {
      if (req.ccel().length() != 0) {
        CcelEventLog.parse(req.ccel().toByteArray()).replay().requireMatches(report.rtmrs(), List.of(0, 1, 2));
      }
      DstackEventLog log = DstackEventLog.parse(req.eventLog().toByteArray());
      // full RTMR3 mode (GetAppKey): DstackAppInfo refuses a replay that differs from the quote's RTMR3
      return DstackAppInfo.of(report, log.runtimeEvents(), req.vmConfig());
    };
  }

  /** The claimed OS image is pinned and produced MRTD and RTMR0-2. */
  private Bytes pinnedImage(DstackAppInfo app, TdReport report) throws AttestationException {
    Bytes hash =
        app.osImageHash()
            .orElseThrow(
                () -> new VerificationException(KmsReason.OS_IMAGE_NOT_PINNED, "the vm_config has no os_image_hash"));
    TdxPinnedImage image = null;
    for (TdxPinnedImage p : tdxImages) {
      if (p.osImageHash().equals(hash)) {
        image = p;
      }
    }
    if (image == null) {
      throw new VerificationException(
          KmsReason.OS_IMAGE_NOT_PINNED,
          "os_image_hash " + hash + " from the vm_config is not an image this KMS pins (" + tdxImages.size()
              + " pinned)");
    }
    StringBuilder diff = new StringBuilder();
    if (!image.mrTd().equals(report.mrTd())) {
      diff.append(" MRTD ").append(report.mrTd()).append(" != pinned ").append(image.mrTd()).append(';');
    }
    for (int i = 0; i < 3; i++) {
      if (!image.rtmr(i).equals(report.rtmr(i))) {
        diff.append(" RTMR").append(i).append(' ').append(report.rtmr(i)).append(" != pinned ").append(image.rtmr(i))
            .append(';');
      }
    }
    if (diff.length() != 0) {
      throw new VerificationException(
          KmsReason.MEASUREMENT_MISMATCH,
          "the quote's launch registers are not those of pinned image " + hash + ":" + diff);
    }
    return hash;
  }
}
