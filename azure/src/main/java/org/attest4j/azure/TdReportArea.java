package org.attest4j.azure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.core.ConstantTime;
import org.attest4j.tdx.TdReport;

/**
 * The 1024-byte TDREPORT_STRUCT in an HCL report's hardware area (spec section 4): its REPORTDATA,
 * its two SHA-384 hashes, and the field-by-field comparison with a TD quote body. Immutable.
 */
final class TdReportArea {
  static final int SIZE = 1024;
  private final byte[] b;

  TdReportArea(byte[] hwArea) {
    this.b = Arrays.copyOf(hwArea, SIZE);
  }

  byte[] reportData() {
    return Arrays.copyOfRange(b, 128, 192);
  }

  /** REPORTTYPE is TDX (0x81) and both SHA-384s recompute. */
  boolean hashesValid() {
    byte[] tcb = TpmHash.SHA384.digest(Arrays.copyOfRange(b, 256, 495));
    byte[] info = TpmHash.SHA384.digest(Arrays.copyOfRange(b, 512, 1024));
    return (b[0] & 0xff) == 0x81
        && ConstantTime.equals(tcb, Arrays.copyOfRange(b, 32, 80))
        && ConstantTime.equals(info, Arrays.copyOfRange(b, 80, 128));
  }

  private byte[] at(int off, int len) {
    return Arrays.copyOfRange(b, off, off + len);
  }

  /** The names of the quote body fields that differ from this TD report (empty when all match). */
  List<String> differences(TdReport body) {
    List<String> diff = new ArrayList<>();
    cmp(diff, "report_data", at(128, 64), body.reportData().toByteArray());
    cmp(diff, "tee_tcb_svn", at(264, 16), body.teeTcbSvn().toByteArray());
    cmp(diff, "mr_seam", at(280, 48), body.mrSeam().toByteArray());
    cmp(diff, "mr_signer_seam", at(328, 48), body.mrSignerSeam().toByteArray());
    cmp(diff, "seam_attributes", at(376, 8), body.seamAttributes().toByteArray());
    cmp(diff, "td_attributes", at(512, 8), body.tdAttributes().toByteArray());
    cmp(diff, "xfam", at(520, 8), body.xfam().toByteArray());
    cmp(diff, "mr_td", at(528, 48), body.mrTd().toByteArray());
    cmp(diff, "mr_config_id", at(576, 48), body.mrConfigId().toByteArray());
    cmp(diff, "mr_owner", at(624, 48), body.mrOwner().toByteArray());
    cmp(diff, "mr_owner_config", at(672, 48), body.mrOwnerConfig().toByteArray());
    for (int i = 0; i < 4; i++) {
      cmp(diff, "rtmr" + i, at(720 + 48 * i, 48), body.rtmr(i).toByteArray());
    }
    return diff;
  }

  private static void cmp(List<String> diff, String name, byte[] a, byte[] b) {
    if (!ConstantTime.equals(a, b)) {
      diff.add(name);
    }
  }
}
