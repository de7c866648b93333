package org.attest4j.snp.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
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
  private final LibC libc;
  private final boolean extended;

  SevGuestIoctlProvider(Path device, LibC libc, boolean extended) {
    this.device = device;
    this.libc = libc;
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
    int fd = open();
    try {
      return extended ? extReport(fd, reportData, vmpl) : plainReport(fd, reportData, vmpl);
    } finally {
      try {
        libc.close(fd);
      } catch (LastErrorException e) {
        // nothing useful to do
      }
    }
  }

  private int open() throws EvidenceUnavailableException {
    try {
      return libc.open(device.toString(), LibC.O_RDWR);
    } catch (LastErrorException e) {
      int errno = e.getErrorCode();
      if (errno == LibC.EACCES || errno == LibC.EPERM) {
        throw new EvidenceUnavailableException(
            SnpGuestReason.PERMISSION_DENIED,
            "permission denied opening " + device + " (run as root or grant access to the device)",
            false,
            e);
      }
      if (errno == LibC.ENOENT || errno == LibC.ENXIO) {
        throw new EvidenceUnavailableException(
            SnpGuestReason.NO_GUEST_INTERFACE,
            device + " is not available (errno " + errno + "): not an SEV-SNP guest, or the sev-guest driver is not loaded",
            false,
            e);
      }
      throw new EvidenceUnavailableException(
          SnpGuestReason.IO_ERROR, "cannot open " + device + ": errno " + errno, false, e);
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
        IoctlFailure failure = call(fd, io, SevGuestAbi.SNP_GET_EXT_REPORT, req, resp);
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
      IoctlFailure failure = call(fd, io, SevGuestAbi.SNP_GET_REPORT, req, resp);
      if (failure != null) {
        throw failure.toException(device);
      }
      byte[] report = SevGuestAbi.reportFromResponse(resp.getByteArray(0, SevGuestAbi.REPORT_RESP_SIZE));
      return SnpGuestReport.of(report, null, "ioctl SNP_GET_REPORT (" + device + ")");
    }
  }

  /** Issues one guest request ioctl; null on success, else the failure with errno and exitinfo2. */
  private IoctlFailure call(int fd, Memory io, long request, Memory req, Memory resp) {
    byte[] ioBytes =
        SevGuestAbi.guestRequest(SevGuestAbi.MSG_VERSION, Pointer.nativeValue(req), Pointer.nativeValue(resp), 0);
    io.write(0, ioBytes, 0, ioBytes.length);
    try {
      libc.ioctl(fd, new NativeLong(request), io);
      return null;
    } catch (LastErrorException e) {
      long exitinfo2 = SevGuestAbi.exitinfo2(io.getByteArray(0, SevGuestAbi.GUEST_REQUEST_IOCTL_SIZE));
      return new IoctlFailure(e.getErrorCode(), exitinfo2, e);
    }
  }

  /** A failed ioctl: errno and the exitinfo2 the kernel copied back. */
  static final class IoctlFailure {
    final int errno;
    final long exitinfo2;
    final LastErrorException cause;

    IoctlFailure(int errno, long exitinfo2, LastErrorException cause) {
      this.errno = errno;
      this.exitinfo2 = exitinfo2;
      this.cause = cause;
    }

    EvidenceUnavailableException toException(Path device) {
      int fw = SevGuestAbi.fwError(exitinfo2);
      int vmm = SevGuestAbi.vmmError(exitinfo2);
      String codes =
          " (errno " + errno + ", exitinfo2 0x" + Long.toHexString(exitinfo2) + ": firmware "
              + (fw == 0xff ? "not reached" : SevGuestAbi.firmwareErrorName(fw)) + ", VMM "
              + SevGuestAbi.vmmErrorName(vmm) + ")";
      if (vmm == SevGuestAbi.VMM_ERR_BUSY || errno == LibC.ETIMEDOUT || errno == LibC.EAGAIN) {
        return new EvidenceUnavailableException(
            SnpGuestReason.HOST_BUSY,
            "the hypervisor is throttling SEV-SNP guest requests; try again later" + codes,
            true,
            cause);
      }
      if (fw != 0 && fw != 0xff) {
        return new EvidenceUnavailableException(
            SnpGuestReason.FIRMWARE_ERROR,
            "the AMD Secure Processor refused the request with " + SevGuestAbi.firmwareErrorName(fw) + codes,
            false,
            cause);
      }
      if (vmm != 0) {
        return new EvidenceUnavailableException(
            SnpGuestReason.VMM_ERROR, "the hypervisor failed the guest request" + codes, false, cause);
      }
      switch (errno) {
        case LibC.ENOTTY:
          return new EvidenceUnavailableException(
              SnpGuestReason.VMPCK_DISABLED,
              device + " refused the request: the kernel disabled the VMPCK after an earlier failed"
                  + " request (reboot the guest), or the device is not a sev-guest device" + codes,
              false,
              cause);
        case LibC.EINVAL:
          return new EvidenceUnavailableException(
              SnpGuestReason.INVALID_REQUEST, device + " rejected the request as invalid" + codes, false, cause);
        case LibC.EACCES:
        case LibC.EPERM:
          return new EvidenceUnavailableException(
              SnpGuestReason.PERMISSION_DENIED, "permission denied by " + device + codes, false, cause);
        default:
          return new EvidenceUnavailableException(
              SnpGuestReason.IO_ERROR, "the " + device + " ioctl failed" + codes, false, cause);
      }
    }
  }

  private static int roundUpToPage(int n) {
    return (n + SevGuestAbi.PAGE_SIZE - 1) / SevGuestAbi.PAGE_SIZE * SevGuestAbi.PAGE_SIZE;
  }
}
