package org.attest4j.snp.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.attest4j.core.Bytes;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/**
 * The ioctl structures byte for byte against the layout of the kernel's {@code sev-guest.h}, and the
 * whole JNA path (native buffers, pointers, write-backs) against a fake driver.
 */
class SevGuestIoctlTest {
  static final Path DEV = Path.of("/dev/sev-guest");

  // ---------------------------------------------------------------- layouts

  @Test
  void ioctlNumbersAreTheKernels() {
    // _IOWR('S', nr, struct snp_guest_request_ioctl): (3 << 30) | (32 << 16) | ('S' << 8) | nr
    assertEquals(0xC0205300L, SevGuestAbi.SNP_GET_REPORT);
    assertEquals(0xC0205302L, SevGuestAbi.SNP_GET_EXT_REPORT);
    assertEquals(0xC0205301L, SevGuestAbi.iowr('S', 1, 32)); // SNP_GET_DERIVED_KEY, for comparison
  }

  @Test
  void snpReportReqLayout() {
    byte[] data = new byte[64];
    for (int i = 0; i < 64; i++) {
      data[i] = (byte) (i + 1);
    }
    byte[] req = SevGuestAbi.reportReq(data, 3);
    String hex = HexFormat.of().formatHex(req);
    assertEquals(96, req.length);
    assertEquals(HexFormat.of().formatHex(data), hex.substring(0, 128)); // user_data[64] at 0
    assertEquals("03000000", hex.substring(128, 136)); // u32 vmpl at 64, little-endian
    assertEquals("00".repeat(28), hex.substring(136)); // rsvd[28] at 68
  }

  @Test
  void snpExtReportReqLayout() {
    byte[] req = SevGuestAbi.extReportReq(new byte[] {(byte) 0xAA}, 1, 0x1122334455667788L, 0x2000);
    assertEquals(112, req.length); // 96 + 8 + 4, padded to 8-byte alignment
    assertEquals((byte) 0xAA, req[0]);
    assertEquals(1, req[64]);
    assertEquals("8877665544332211", HexFormat.of().formatHex(req, 96, 104)); // u64 certs_address at 96
    assertEquals("00200000", HexFormat.of().formatHex(req, 104, 108)); // u32 certs_len at 104
    assertEquals("00000000", HexFormat.of().formatHex(req, 108, 112)); // tail padding
    assertEquals(0x2000, SevGuestAbi.certsLen(req));
  }

  @Test
  void snpGuestRequestIoctlLayout() {
    byte[] io = SevGuestAbi.guestRequest(1, 0x0102030405060708L, 0x1112131415161718L, 0);
    assertEquals(32, io.length);
    assertEquals("01" + "00".repeat(7), HexFormat.of().formatHex(io, 0, 8)); // u8 msg_version + padding
    assertEquals("0807060504030201", HexFormat.of().formatHex(io, 8, 16)); // u64 req_data at 8
    assertEquals("1817161514131211", HexFormat.of().formatHex(io, 16, 24)); // u64 resp_data at 16
    long exitinfo2 = (2L << 32) | 0x16; // vmm_error BUSY, fw_error INVALID_PARAM
    byte[] back = SevGuestAbi.guestRequest(1, 0, 0, exitinfo2);
    assertEquals("1600000002000000", HexFormat.of().formatHex(back, 24, 32)); // fw_error u32 at 24, vmm_error at 28
    assertEquals(exitinfo2, SevGuestAbi.exitinfo2(back));
    assertEquals(0x16, SevGuestAbi.fwError(exitinfo2));
    assertEquals(2, SevGuestAbi.vmmError(exitinfo2));
  }

  @Property(tries = 200)
  void reportReqRoundTrips(@ForAll @Size(max = 64) byte[] data, @ForAll @IntRange(min = 0, max = 3) int vmpl) {
    byte[] req = SevGuestAbi.reportReq(data, vmpl);
    ByteBuffer b = ByteBuffer.wrap(req).order(ByteOrder.LITTLE_ENDIAN);
    assertArrayEquals(Arrays.copyOf(data, 64), Arrays.copyOf(req, 64));
    assertEquals(vmpl, b.getInt(64));
  }

  @Test
  void msgReportRspIsDecoded() throws Exception {
    byte[] resp = new byte[4000];
    ByteBuffer b = ByteBuffer.wrap(resp).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4, 1184);
    resp[32] = 5;
    resp[32 + 1183] = 7;
    byte[] report = SevGuestAbi.reportFromResponse(resp);
    assertEquals(1184, report.length);
    assertEquals(5, report[0]);
    assertEquals(7, report[1183]);

    b.putInt(0, 0x16);
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> SevGuestAbi.reportFromResponse(resp));
    assertEquals(SnpGuestReason.FIRMWARE_ERROR, e.reason());
    assertTrue(e.getMessage().contains("SEV_RET_INVALID_PARAM"), e.getMessage());

    b.putInt(0, 0);
    b.putInt(4, 4000);
    assertEquals(
        SnpGuestReason.BAD_RESPONSE,
        assertThrows(EvidenceUnavailableException.class, () -> SevGuestAbi.reportFromResponse(resp)).reason());
  }

  @Test
  void certificateBufferIsTrimmedToTheTable() throws Exception {
    byte[] table = table(3000);
    byte[] buffer = Arrays.copyOf(table, 8192);
    assertArrayEquals(table, SevGuestAbi.trimCertificateTable(buffer));
    assertEquals(0, SevGuestAbi.trimCertificateTable(new byte[8192]).length);
  }

  static byte[] table(int vcekSize) {
    byte[] vcek = new byte[vcekSize];
    Arrays.fill(vcek, (byte) 0x5A);
    return SnpCertTable.of(
            List.of(
                new SnpCertTable.Entry(SnpCertTable.EntryType.VCEK.guid(), SnpCertTable.EntryType.VCEK, Bytes.of(vcek)),
                new SnpCertTable.Entry(
                    SnpCertTable.EntryType.ASK.guid(),
                    SnpCertTable.EntryType.ASK,
                    Bytes.of(SharedData.bytes("amd-roots/milan_ask.der"))),
                new SnpCertTable.Entry(
                    SnpCertTable.EntryType.ARK.guid(),
                    SnpCertTable.EntryType.ARK,
                    Bytes.of(SharedData.bytes("amd-roots/milan_ark.der")))))
        .toByteArray();
  }

  // ---------------------------------------------------------------- the JNA path against a fake driver

  byte[] report() {
    return SharedData.bytes("vectors/snp-reports/milan-v3-oak-cb/report.bin");
  }

  @Test
  void extendedReportWithItsCertificateTable() throws Exception {
    byte[] table = table(1300);
    FakeSevGuest dev = new FakeSevGuest(report(), table);
    SnpGuestReport r = new SevGuestIoctlProvider(DEV, dev, true).getReport(new byte[] {9, 8, 7}, 1);
    assertArrayEquals(Arrays.copyOf(new byte[] {9, 8, 7}, 64), dev.lastUserData);
    assertEquals(1, dev.lastVmpl);
    assertArrayEquals(Arrays.copyOf(new byte[] {9, 8, 7}, 64), r.parse().reportData().toByteArray());
    assertArrayEquals(table, r.certificateTable().orElseThrow());
    assertEquals(List.of("ext certs_len=8192"), dev.calls);
    assertTrue(dev.closed);
  }

  @Test
  void aLargerCertificateTableIsFetchedWithTheLengthTheKernelAsksFor() throws Exception {
    byte[] table = table(9000);
    FakeSevGuest dev = new FakeSevGuest(report(), table);
    SnpGuestReport r = new SevGuestIoctlProvider(DEV, dev, true).getReport(new byte[64]);
    assertArrayEquals(table, r.certificateTable().orElseThrow());
    assertEquals(List.of("ext certs_len=8192", "ext certs_len=16384"), dev.calls);
  }

  @Test
  void noCertificatesFromTheHost() throws Exception {
    FakeSevGuest dev = new FakeSevGuest(report(), null);
    SnpGuestReport r = new SevGuestIoctlProvider(DEV, dev, true).getReport(new byte[64]);
    assertFalse(r.certificateTable().isPresent());
  }

  @Test
  void plainReport() throws Exception {
    FakeSevGuest dev = new FakeSevGuest(report(), table(1000));
    SnpGuestReport r = new SevGuestIoctlProvider(DEV, dev, false).getReport(new byte[64]);
    assertEquals(List.of("plain"), dev.calls);
    assertFalse(r.certificateTable().isPresent());
    assertEquals(1184, r.report().length);
  }

  @Test
  void firmwareAndVmmErrorsBecomeMessages() {
    FakeSevGuest dev = new FakeSevGuest(report(), null);
    SevGuestIoctlProvider p = new SevGuestIoctlProvider(DEV, dev, true);

    dev.failErrno = LibC.EIO;
    dev.failExitinfo2 = 0x27;
    EvidenceUnavailableException fw = assertThrows(EvidenceUnavailableException.class, () -> p.getReport(new byte[64]));
    assertEquals(SnpGuestReason.FIRMWARE_ERROR, fw.reason());
    assertTrue(fw.getMessage().contains("SEV_RET_INVALID_KEY"), fw.getMessage());

    dev.failExitinfo2 = 2L << 32;
    EvidenceUnavailableException busy = assertThrows(EvidenceUnavailableException.class, () -> p.getReport(new byte[64]));
    assertEquals(SnpGuestReason.HOST_BUSY, busy.reason());
    assertTrue(busy.isRetryable());

    dev.failExitinfo2 = 0xFFFFFFFFL << 32;
    EvidenceUnavailableException vmm = assertThrows(EvidenceUnavailableException.class, () -> p.getReport(new byte[64]));
    assertEquals(SnpGuestReason.VMM_ERROR, vmm.reason());
    assertTrue(vmm.getMessage().contains("GENERIC"), vmm.getMessage());

    dev.failErrno = LibC.ENOTTY;
    dev.failExitinfo2 = 0xff;
    EvidenceUnavailableException vmpck = assertThrows(EvidenceUnavailableException.class, () -> p.getReport(new byte[64]));
    assertEquals(SnpGuestReason.VMPCK_DISABLED, vmpck.reason());

    dev.failErrno = null;
    dev.responseStatus = 0x16;
    EvidenceUnavailableException status = assertThrows(EvidenceUnavailableException.class, () -> p.getReport(new byte[64], 0));
    assertEquals(SnpGuestReason.FIRMWARE_ERROR, status.reason());
    assertTrue(status.getMessage().contains("VMPL"), status.getMessage());
  }

  @Test
  void openFailures() {
    FakeSevGuest dev = new FakeSevGuest(report(), null);
    dev.openErrno = LibC.EACCES;
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> new SevGuestIoctlProvider(DEV, dev, true).getReport(new byte[64]));
    assertEquals(SnpGuestReason.PERMISSION_DENIED, e.reason());
    dev.openErrno = LibC.ENOENT;
    assertEquals(
        SnpGuestReason.NO_GUEST_INTERFACE,
        assertThrows(EvidenceUnavailableException.class, () -> new SevGuestIoctlProvider(DEV, dev, true).getReport(new byte[64]))
            .reason());
  }
}
