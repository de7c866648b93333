package org.attest4j.snp.guest;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A fake {@code /dev/sev-guest} behind the {@link LibC} interface. It reads the request structures
 * from native memory through the pointers it is given, with the offsets written out here from the
 * kernel's {@code sev-guest.h} (independently of {@link SevGuestAbi}), and answers like the driver:
 * the report in an MSG_REPORT_RSP, the certificate table copied to {@code certs_address}, {@code
 * certs_len} written back with {@code SNP_GUEST_VMM_ERR_INVALID_LEN} and EIO when it is too small.
 */
final class FakeSevGuest implements LibC {
  final byte[] report;
  final byte[] table;
  final List<String> calls = new ArrayList<>();
  int openErrno;
  /** When set, every ioctl fails with this errno and exitinfo2. */
  Integer failErrno;
  long failExitinfo2;
  int responseStatus;
  byte[] lastUserData;
  int lastVmpl;
  boolean closed;

  /** SNP_GET_DERIVED_KEY: the msg_version and the 32 bytes of snp_derived_key_req the kernel copied in. */
  int lastKeyMsgVersion;
  byte[] lastKeyRequest;
  /** When set, the fake copies 40 bytes for version 2, as a kernel with the ABI 1.58 struct would. */
  boolean copiesV2Layout;
  byte[] lastKeyRequestTail;
  /** MSG_KEY_RSP status to answer with (0 = success). */
  int keyStatus;

  FakeSevGuest(byte[] report, byte[] table) {
    this.report = report;
    this.table = table;
  }

  @Override
  public int open(String path, int flags) {
    if (openErrno != 0) {
      throw new LastErrorException(openErrno);
    }
    if (flags != 2) {
      throw new LastErrorException(EINVAL);
    }
    return 42;
  }

  @Override
  public int close(int fd) {
    closed = true;
    return 0;
  }

  @Override
  public int ioctl(int fd, NativeLong request, Pointer arg) {
    if (fd != 42) {
      throw new LastErrorException(9);
    }
    long req = request.longValue();
    ByteBuffer io = ByteBuffer.wrap(arg.getByteArray(0, 32)).order(ByteOrder.LITTLE_ENDIAN);
    int msgVersion = io.get(0);
    long reqData = io.getLong(8);
    long respData = io.getLong(16);
    boolean derive = req == 0xC0205301L;
    if (msgVersion == 0 || (!derive && msgVersion != 1) || reqData == 0 || respData == 0) {
      throw new LastErrorException(EINVAL);
    }
    if (failErrno != null) {
      arg.setLong(24, failExitinfo2);
      calls.add(Long.toHexString(req) + " fail");
      throw new LastErrorException(failErrno);
    }
    Pointer reqPtr = new Pointer(reqData);
    Pointer respPtr = new Pointer(respData);
    if (derive) {
      return deriveKey(msgVersion, reqPtr, respPtr, arg);
    }
    lastUserData = reqPtr.getByteArray(0, 64);
    lastVmpl = reqPtr.getInt(64);
    byte[] rsvd = reqPtr.getByteArray(68, 28);
    for (byte b : rsvd) {
      if (b != 0) {
        throw new LastErrorException(EINVAL);
      }
    }
    if (req == 0xC0205302L) {
      long certsAddress = reqPtr.getLong(96);
      int certsLen = reqPtr.getInt(104);
      calls.add("ext certs_len=" + certsLen);
      if (certsLen % 4096 != 0 || certsLen > 0x4000) {
        throw new LastErrorException(EINVAL);
      }
      if (table != null && certsLen < table.length) {
        reqPtr.setInt(104, (table.length + 4095) / 4096 * 4096);
        arg.setLong(24, 1L << 32);
        throw new LastErrorException(EIO);
      }
      if (table != null) {
        new Pointer(certsAddress).write(0, table, 0, table.length);
      }
    } else if (req == 0xC0205300L) {
      calls.add("plain");
    } else {
      arg.setLong(24, 0xff);
      throw new LastErrorException(ENOTTY);
    }
    byte[] r = report.clone();
    System.arraycopy(lastUserData, 0, r, 0x50, 64);
    respPtr.setInt(0, responseStatus);
    respPtr.setInt(4, responseStatus == 0 ? r.length : 0);
    if (responseStatus == 0) {
      respPtr.write(32, r, 0, r.length);
    }
    return 0;
  }

  /**
   * Answers like the firmware behind the driver: MSG_KEY_RSP with STATUS, 28 zero bytes and a key
   * that is a function of this fake chip's secret and every request byte (so tests can tell that a
   * field reached the firmware), written to the 64-byte snp_derived_key_resp.
   */
  private int deriveKey(int msgVersion, Pointer reqPtr, Pointer respPtr, Pointer arg) {
    calls.add("derive v" + msgVersion);
    lastKeyMsgVersion = msgVersion;
    lastKeyRequest = reqPtr.getByteArray(0, 32);
    lastKeyRequestTail = copiesV2Layout && msgVersion == 2 ? reqPtr.getByteArray(32, 8) : null;
    ByteBuffer r = ByteBuffer.wrap(lastKeyRequest).order(ByteOrder.LITTLE_ENDIAN);
    int rootKeySelect = r.getInt(0);
    int rsvd = r.getInt(4);
    long fields = r.getLong(8);
    int vmpl = r.getInt(16);
    if (rsvd != 0 || (rootKeySelect & ~1) != 0 || vmpl > 3 || (fields & ~0x7fL) != 0) {
      arg.setLong(24, 0x16);
      throw new LastErrorException(EIO);
    }
    byte[] out = new byte[64];
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(0, keyStatus);
    if (keyStatus == 0) {
      try {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        md.update("fake chip secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        md.update(lastKeyRequest);
        if (lastKeyRequestTail != null) {
          md.update(lastKeyRequestTail);
        }
        System.arraycopy(md.digest(), 0, out, 32, 32);
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    respPtr.write(0, out, 0, out.length);
    return 0;
  }
}
