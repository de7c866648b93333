package org.attest4j.snp.guest;

import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * Derived keys through {@code SNP_GET_DERIVED_KEY}: the request's MSG_KEY_REQ bytes (the kernel's
 * 32-byte {@code struct snp_derived_key_req}, followed for version 2 by the launch mitigation vector)
 * in native memory, {@code msg_version} from the request, and the 64-byte {@code struct
 * snp_derived_key_resp} decoded by {@link SnpDerivedKey#fromResponse}. Native buffers are zeroed
 * before they are released. Thread-safe (each call uses its own buffers; the kernel serializes guest
 * requests).
 */
final class SevGuestDerivedKeyProvider implements SnpDerivedKeyProvider {
  private final Path device;
  private final Supplier<LibC> libc;

  SevGuestDerivedKeyProvider(Path device, Supplier<LibC> libc) {
    this.device = device;
    this.libc = libc;
  }

  @Override
  public String name() {
    return "ioctl SNP_GET_DERIVED_KEY " + device;
  }

  @Override
  public SnpDerivedKey deriveKey(SnpDerivedKeyRequest request) throws EvidenceUnavailableException {
    Objects.requireNonNull(request, "request");
    SevGuestDevice dev = new SevGuestDevice(device, libc.get());
    int fd = dev.open();
    byte[] reqBytes = request.toByteArray();
    try (Memory req = new Memory(Math.max(reqBytes.length, SevGuestAbi.DERIVED_KEY_REQ_SIZE));
        Memory resp = new Memory(SevGuestAbi.DERIVED_KEY_RESP_SIZE);
        Memory io = new Memory(SevGuestAbi.GUEST_REQUEST_IOCTL_SIZE)) {
      try {
        req.clear();
        resp.clear();
        req.write(0, reqBytes, 0, reqBytes.length);
        SevGuestDevice.IoctlFailure failure =
            dev.call(fd, io, SevGuestAbi.SNP_GET_DERIVED_KEY, request.messageVersion(), req, resp);
        if (failure != null) {
          throw failure.toException(device);
        }
        byte[] out = resp.getByteArray(0, SevGuestAbi.DERIVED_KEY_RESP_SIZE);
        try {
          return SnpDerivedKey.fromResponse(out, request);
        } finally {
          java.util.Arrays.fill(out, (byte) 0);
        }
      } finally {
        resp.clear();
      }
    } finally {
      dev.close(fd);
    }
  }
}
