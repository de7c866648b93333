package org.attest4j.snp.guest;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * Reports through the {@code /dev/sev-guest} ioctls (Linux 5.19+): {@code SNP_GET_EXT_REPORT} with a
 * certificate buffer (grown once if the host asks for more), falling back to {@code SNP_GET_REPORT}
 * when the driver does not support the extended request. Firmware and VMM error codes become
 * messages. Thread-safe (the kernel serializes guest requests; each call uses its own buffers).
 */
final class SevGuestIoctlProvider implements SnpReportProvider {
  private static final int INITIAL_CERTS = 2 * SevGuestAbi.PAGE_SIZE;

  private final Path device;
  private final SevGuestDevice dev;
  private final boolean extended;

  SevGuestIoctlProvider(Path device, LibC libc, boolean extended) {
    this.device = device;
    this.dev = new SevGuestDevice(device, libc);
    this.extended = extended;
  }

  @Override
  public String name() {
    return "ioctl " + device;
  }

  @Override
  public SnpGuestReport getReport(byte[] reportData) throws EvidenceUnavailableException {
    return getReport(reportData, 0);
  }

  @Override
  public SnpGuestReport getReport(byte[] reportData, int vmpl) throws EvidenceUnavailableException {
    Detection.checkArgs(reportData, vmpl);
    int fd = dev.open();
    try {
      return extended ? extReport(fd, reportData, vmpl) : plainReport(fd, reportData, vmpl);
    } finally {
      dev.close(fd);
    }
  }

  private SnpGuestReport extReport(int fd, byte[] reportData, int vmpl) throws EvidenceUnavailableException {
    int certsLen = INITIAL_CERTS;
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Memory req = new Memory(SevGuestAbi.EXT_REPORT_REQ_SIZE);
          Memory resp = new Memory(SevGuestAbi.REPORT_RESP_SIZE);
          Memory certs = new Memory(certsLen);
          Memory io = new Memory(SevGuestAbi.GUEST_REQUEST_IOCTL_SIZE)) {
        resp.clear();
        certs.clear();
        byte[] reqBytes = SevGuestAbi.extReportReq(reportData, vmpl, Pointer.nativeValue(certs), certsLen);
        req.write(0, reqBytes, 0, reqBytes.length);
        SevGuestDevice.IoctlFailure failure = dev.call(fd, io, SevGuestAbi.SNP_GET_EXT_REPORT, req, resp);
        if (failure == null) {
          byte[] respBytes = resp.getByteArray(0, SevGuestAbi.REPORT_RESP_SIZE);
          byte[] report = SevGuestAbi.reportFromResponse(respBytes);
          byte[] table = SevGuestAbi.trimCertificateTable(certs.getByteArray(0, certsLen));
          return SnpGuestReport.of(report, table, "ioctl SNP_GET_EXT_REPORT (" + device + ")");
        }
        if (failure.errno == LibC.EIO && SevGuestAbi.vmmError(failure.exitinfo2) == SevGuestAbi.VMM_ERR_INVALID_LEN) {
          int needed = SevGuestAbi.certsLen(req.getByteArray(0, SevGuestAbi.EXT_REPORT_REQ_SIZE));
          if (attempt == 0 && needed > certsLen && needed <= SevGuestAbi.CERTS_MAX) {
            certsLen = roundUpToPage(needed);
            continue;
          }
          throw new EvidenceUnavailableException(
              SnpGuestReason.VMM_ERROR,
              "the host's certificate data needs " + needed + " bytes, more than the driver accepts ("
                  + SevGuestAbi.CERTS_MAX + ")");
        }
        throw failure.toException(device);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  private SnpGuestReport plainReport(int fd, byte[] reportData, int vmpl) throws EvidenceUnavailableException {
    try (Memory req = new Memory(SevGuestAbi.REPORT_REQ_SIZE);
        Memory resp = new Memory(SevGuestAbi.REPORT_RESP_SIZE);
        Memory io = new Memory(SevGuestAbi.GUEST_REQUEST_IOCTL_SIZE)) {
      resp.clear();
      byte[] reqBytes = SevGuestAbi.reportReq(reportData, vmpl);
      req.write(0, reqBytes, 0, reqBytes.length);
      SevGuestDevice.IoctlFailure failure = dev.call(fd, io, SevGuestAbi.SNP_GET_REPORT, req, resp);
      if (failure != null) {
        throw failure.toException(device);
      }
      byte[] report = SevGuestAbi.reportFromResponse(resp.getByteArray(0, SevGuestAbi.REPORT_RESP_SIZE));
      return SnpGuestReport.of(report, null, "ioctl SNP_GET_REPORT (" + device + ")");
    }
  }

  private static int roundUpToPage(int n) {
    return (n + SevGuestAbi.PAGE_SIZE - 1) / SevGuestAbi.PAGE_SIZE * SevGuestAbi.PAGE_SIZE;
  }
}
