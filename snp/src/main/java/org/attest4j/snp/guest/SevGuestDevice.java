package org.attest4j.snp.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * The {@code /dev/sev-guest} device: opening it, issuing one guest-request ioctl ({@code struct
 * snp_guest_request_ioctl}) and turning errno plus exitinfo2 into typed refusals. Shared by the
 * report and derived-key providers. Thread-safe (stateless beyond its configuration).
 */
final class SevGuestDevice {
  private final Path device;
  private final LibC libc;

  SevGuestDevice(Path device, LibC libc) {
    this.device = device;
    this.libc = libc;
  }

  Path path() {
    return device;
  }

  int open() throws EvidenceUnavailableException {
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

  void close(int fd) {
    try {
      libc.close(fd);
    } catch (LastErrorException e) {
      // nothing useful to do
    }
  }

  /** Issues one guest request ioctl; null on success, else the failure with errno and exitinfo2. */
  IoctlFailure call(int fd, Memory io, long request, Memory req, Memory resp) {
    return call(fd, io, request, SevGuestAbi.MSG_VERSION, req, resp);
  }

  /** Issues one guest request ioctl with {@code msgVersion}; null on success. */
  IoctlFailure call(int fd, Memory io, long request, int msgVersion, Memory req, Memory resp) {
    byte[] ioBytes =
        SevGuestAbi.guestRequest(msgVersion, Pointer.nativeValue(req), Pointer.nativeValue(resp), 0);
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

}
