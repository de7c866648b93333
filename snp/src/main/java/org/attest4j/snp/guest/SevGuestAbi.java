package org.attest4j.snp.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import org.attest4j.core.EvidenceUnavailableException;

/**
 * The Linux SEV guest driver's user ABI ({@code include/uapi/linux/sev-guest.h}), encoded and
 * decoded byte for byte with the x86-64 C layout (little-endian, natural alignment):
 *
 * <pre>
 * struct snp_report_req          { u8 user_data[64]; u32 vmpl; u8 rsvd[28]; }            // 96 bytes
 * struct snp_ext_report_req      { struct snp_report_req data;                           // 0
 *                                  u64 certs_address; u32 certs_len; }                    // 96, 104; 112 bytes
 * struct snp_report_resp         { u8 data[4000]; }   // MSG_REPORT_RSP: u32 status, u32 report_size, 24 rsvd, report
 * struct snp_guest_request_ioctl { u8 msg_version; u64 req_data; u64 resp_data;         // 0, 8, 16
 *                                  union { u64 exitinfo2; struct { u32 fw_error; u32 vmm_error; }; }; } // 24; 32 bytes
 * struct snp_derived_key_req     { u32 root_key_select; u32 rsvd; u64 guest_field_select;  // 0, 4, 8
 *                                  u32 vmpl; u32 guest_svn; u64 tcb_version; }           // 16, 20, 24; 32 bytes
 * struct snp_derived_key_resp    { u8 data[64]; }     // MSG_KEY_RSP: u32 status, 28 rsvd, u8 derived_key[32]
 * SNP_GET_REPORT      = _IOWR('S', 0x0, struct snp_guest_request_ioctl) = 0xC0205300
 * SNP_GET_DERIVED_KEY = _IOWR('S', 0x1, struct snp_guest_request_ioctl) = 0xC0205301
 * SNP_GET_EXT_REPORT  = _IOWR('S', 0x2, struct snp_guest_request_ioctl) = 0xC0205302
 * </pre>
 *
 * The kernel copies {@code sizeof(struct snp_derived_key_req)} = 32 bytes from user space into the
 * MSG_KEY_REQ it sends, with the caller's {@code msg_version}; the ABI 1.58 MSG_KEY_REQ v2 adds
 * LAUNCH_MIT_VECTOR at offset 0x20, which that struct does not carry (see docs/snp.md).
 *
 * Stateless.
 */
final class SevGuestAbi {
  static final int USER_DATA_SIZE = 64;
  static final int REPORT_REQ_SIZE = 96;
  static final int EXT_REPORT_REQ_SIZE = 112;
  static final int REPORT_RESP_SIZE = 4000;
  static final int GUEST_REQUEST_IOCTL_SIZE = 32;
  static final int MSG_REPORT_RSP_HEADER = 32;
  static final int PAGE_SIZE = 4096;
  /** SEV_FW_BLOB_MAX_SIZE: the largest certificate buffer the kernel accepts. */
  static final int CERTS_MAX = 0x4000;

  static final long SNP_GET_REPORT = iowr('S', 0x0, GUEST_REQUEST_IOCTL_SIZE);
  static final long SNP_GET_EXT_REPORT = iowr('S', 0x2, GUEST_REQUEST_IOCTL_SIZE);
  static final long SNP_GET_DERIVED_KEY = iowr('S', 0x1, GUEST_REQUEST_IOCTL_SIZE);
  /** sizeof(struct snp_derived_key_req): the bytes the kernel copies in. */
  static final int DERIVED_KEY_REQ_SIZE = 32;
  /** sizeof(struct snp_derived_key_resp): the bytes the kernel copies out (the start of MSG_KEY_RSP). */
  static final int DERIVED_KEY_RESP_SIZE = 64;

  /** snp_guest_request_ioctl.msg_version: must be non-zero; 1 is the only version defined. */
  static final int MSG_VERSION = 1;

  static final int VMM_ERR_INVALID_LEN = 1;
  static final int VMM_ERR_BUSY = 2;

  private SevGuestAbi() {}

  /** Linux asm-generic {@code _IOWR(type, nr, size)}: dir (read|write = 3) << 30 | size << 16 | type << 8 | nr. */
  static long iowr(char type, int nr, int size) {
    return (3L << 30) | ((long) size << 16) | ((long) type << 8) | nr;
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** User data padded with zeros to 64 bytes; longer input is refused. */
  static byte[] userData(byte[] reportData) {
    if (reportData.length > USER_DATA_SIZE) {
      throw new IllegalArgumentException("report data is " + reportData.length + " bytes; at most 64 fit");
    }
    return Arrays.copyOf(reportData, USER_DATA_SIZE);
  }

  static byte[] reportReq(byte[] reportData, int vmpl) {
    ByteBuffer b = le(REPORT_REQ_SIZE);
    b.put(userData(reportData));
    b.putInt(vmpl);
    return b.array(); // rsvd[28] stays zero
  }

  static byte[] extReportReq(byte[] reportData, int vmpl, long certsAddress, int certsLen) {
    ByteBuffer b = le(EXT_REPORT_REQ_SIZE);
    b.put(reportReq(reportData, vmpl));
    b.putLong(96, certsAddress);
    b.putInt(104, certsLen);
    return b.array(); // 108..111: tail padding
  }

  /** certs_len of an snp_ext_report_req (the kernel writes the needed size back on INVALID_LEN). */
  static int certsLen(byte[] extReportReq) {
    return ByteBuffer.wrap(extReportReq).order(ByteOrder.LITTLE_ENDIAN).getInt(104);
  }

  static byte[] guestRequest(int msgVersion, long reqData, long respData, long exitinfo2) {
    ByteBuffer b = le(GUEST_REQUEST_IOCTL_SIZE);
    b.put(0, (byte) msgVersion); // 1..7: padding
    b.putLong(8, reqData);
    b.putLong(16, respData);
    b.putLong(24, exitinfo2);
    return b.array();
  }

  static long exitinfo2(byte[] guestRequest) {
    return ByteBuffer.wrap(guestRequest).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
  }

  static int fwError(long exitinfo2) {
    return (int) exitinfo2;
  }

  static int vmmError(long exitinfo2) {
    return (int) (exitinfo2 >>> 32);
  }

  /** The report inside an snp_report_resp (MSG_REPORT_RSP). */
  static byte[] reportFromResponse(byte[] resp) throws EvidenceUnavailableException {
    if (resp.length < MSG_REPORT_RSP_HEADER) {
      throw bad("the report response is " + resp.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN);
    int status = b.getInt(0);
    long size = Integer.toUnsignedLong(b.getInt(4));
    if (status != 0) {
      throw new EvidenceUnavailableException(
          SnpGuestReason.FIRMWARE_ERROR,
          "the AMD Secure Processor refused the report request: MSG_REPORT_RSP status 0x"
              + Integer.toHexString(status) + " (" + firmwareErrorName(status) + ")"
              + (status == 0x16 ? "; is the requested VMPL below the guest's own VMPL?" : ""));
    }
    if (size == 0 || size > resp.length - MSG_REPORT_RSP_HEADER) {
      throw bad("MSG_REPORT_RSP report_size " + size + " does not fit the " + resp.length + "-byte response");
    }
    return Arrays.copyOfRange(resp, MSG_REPORT_RSP_HEADER, MSG_REPORT_RSP_HEADER + (int) size);
  }

  /**
   * The used part of a certificate buffer: up to the end of the furthest entry of the GUID table
   * (which ends at an all-zero entry), as the kernel computes it for configfs-tsm; empty when the
   * host supplied no certificates.
   */
  static byte[] trimCertificateTable(byte[] certs) {
    ByteBuffer b = ByteBuffer.wrap(certs).order(ByteOrder.LITTLE_ENDIAN);
    long end = 0;
    for (int off = 0; off + 24 <= certs.length; off += 24) {
      boolean zero = true;
      for (int i = 0; i < 24; i++) {
        zero &= certs[off + i] == 0;
      }
      if (zero) {
        break;
      }
      long o = Integer.toUnsignedLong(b.getInt(off + 16));
      long l = Integer.toUnsignedLong(b.getInt(off + 20));
      end = Math.max(end, o + l);
    }
    if (end == 0) {
      return new byte[0];
    }
    return Arrays.copyOf(certs, (int) Math.min(end, certs.length));
  }

  private static EvidenceUnavailableException bad(String message) {
    return new EvidenceUnavailableException(SnpGuestReason.BAD_RESPONSE, message);
  }

  /** SEV firmware status codes (include/uapi/linux/psp-sev.h, SEV_RET_*). */
  private static final Map<Integer, String> FW_ERRORS =
      Map.ofEntries(
          Map.entry(0x00, "SUCCESS"),
          Map.entry(0x01, "INVALID_PLATFORM_STATE"),
          Map.entry(0x02, "INVALID_GUEST_STATE"),
          Map.entry(0x03, "INVALID_CONFIG"),
          Map.entry(0x04, "INVALID_LEN"),
          Map.entry(0x05, "ALREADY_OWNED"),
          Map.entry(0x06, "INVALID_CERTIFICATE"),
          Map.entry(0x07, "POLICY_FAILURE"),
          Map.entry(0x08, "INACTIVE"),
          Map.entry(0x09, "INVALID_ADDRESS"),
          Map.entry(0x0A, "BAD_SIGNATURE"),
          Map.entry(0x0B, "BAD_MEASUREMENT"),
          Map.entry(0x0C, "ASID_OWNED"),
          Map.entry(0x0D, "INVALID_ASID"),
          Map.entry(0x0E, "WBINVD_REQUIRED"),
          Map.entry(0x0F, "DFFLUSH_REQUIRED"),
          Map.entry(0x10, "INVALID_GUEST"),
          Map.entry(0x11, "INVALID_COMMAND"),
          Map.entry(0x12, "ACTIVE"),
          Map.entry(0x13, "HWSEV_RET_PLATFORM"),
          Map.entry(0x14, "HWSEV_RET_UNSAFE"),
          Map.entry(0x15, "UNSUPPORTED"),
          Map.entry(0x16, "INVALID_PARAM"),
          Map.entry(0x17, "RESOURCE_LIMIT"),
          Map.entry(0x18, "SECURE_DATA_INVALID"),
          Map.entry(0x19, "INVALID_PAGE_SIZE"),
          Map.entry(0x1A, "INVALID_PAGE_STATE"),
          Map.entry(0x1B, "INVALID_MDATA_ENTRY"),
          Map.entry(0x1C, "INVALID_PAGE_OWNER"),
          Map.entry(0x1D, "AEAD_OFLOW"),
          Map.entry(0x1F, "EXIT_RING_BUFFER"),
          Map.entry(0x20, "RMP_INIT_REQUIRED"),
          Map.entry(0x21, "BAD_SVN"),
          Map.entry(0x22, "BAD_VERSION"),
          Map.entry(0x23, "SHUTDOWN_REQUIRED"),
          Map.entry(0x24, "UPDATE_FAILED"),
          Map.entry(0x25, "RESTORE_REQUIRED"),
          Map.entry(0x26, "RMP_INITIALIZATION_FAILED"),
          Map.entry(0x27, "INVALID_KEY"),
          Map.entry(0x28, "SHUTDOWN_INCOMPLETE"));

  /** The SEV_RET_* name of a firmware status code. */
  static String firmwareErrorName(int code) {
    String n = FW_ERRORS.get(code);
    return n != null ? "SEV_RET_" + n : "unknown firmware status";
  }

  /** A message for the VMM error half of exitinfo2 (GHCB guest request errors). */
  static String vmmErrorName(int code) {
    switch (code) {
      case 0:
        return "none";
      case VMM_ERR_INVALID_LEN:
        return "SNP_GUEST_VMM_ERR_INVALID_LEN (the certificate buffer is too small)";
      case VMM_ERR_BUSY:
        return "SNP_GUEST_VMM_ERR_BUSY (the hypervisor is throttling guest requests)";
      case -1:
        return "SNP_GUEST_VMM_ERR_GENERIC (the hypervisor failed the request)";
      default:
        return "VMM error " + Integer.toUnsignedString(code);
    }
  }
}
