package org.attest4j.snp.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** configfs-tsm on a fake tree in a temporary directory. */
class ConfigfsTsmSnpTest {
  @TempDir Path tmp;
  Path root;
  FakeTsmFs fs;
  byte[] realReport;
  final AtomicInteger names = new AtomicInteger();

  @BeforeEach
  void tree() throws Exception {
    root = Files.createDirectories(tmp.resolve("sys/kernel/config/tsm/report"));
    fs = new FakeTsmFs();
    realReport = SharedData.bytes("vectors/snp-reports/genoa-v5-oak/report.bin");
    // the "firmware": the real report with the requested report data at 0x50
    fs.outblobFor =
        in -> {
          byte[] r = realReport.clone();
          System.arraycopy(in, 0, r, 0x50, 64);
          return r;
        };
  }

  ConfigfsTsm tsm() {
    return ConfigfsTsm.of(root, fs, () -> "entry" + names.incrementAndGet());
  }

  SnpReportProvider provider() {
    return new ConfigfsTsmSnpProvider(tsm());
  }

  @Test
  void reportAndCertificateTableComeFromOutblobAndAuxblob() throws Exception {
    byte[] table = SharedData.bytes("vectors/snp-reports/genoa-v5-oak/vcek.der"); // any bytes: kept verbatim
    SnpCertTable t =
        SnpCertTable.of(
            java.util.List.of(
                new SnpCertTable.Entry(
                    SnpCertTable.EntryType.VCEK.guid(), SnpCertTable.EntryType.VCEK, org.attest4j.core.Bytes.of(table))));
    fs.auxblob = t.toByteArray();
    byte[] data = "nonce-0123".getBytes(StandardCharsets.US_ASCII);
    SnpGuestReport r = provider().getReport(data);
    SnpReport parsed = r.parse();
    assertArrayEquals(Arrays.copyOf(data, 64), parsed.reportData().toByteArray());
    assertArrayEquals(table, r.parseCertificateTable().orElseThrow().vcek().orElseThrow().toByteArray());
    assertTrue(r.source().contains("configfs-tsm"), r.source());
    assertEntriesRemoved();
  }

  @Test
  void inblobIsTheZeroPaddedReportDataAndVmplGoesToPrivlevel() throws Exception {
    byte[][] seen = new byte[2][];
    fs.outblobFor =
        in -> {
          seen[0] = in;
          return realReport;
        };
    FakeTsmFs recording =
        new FakeTsmFs() {
          @Override
          public void write(Path p, byte[] d) throws java.io.IOException {
            if (p.getFileName().toString().equals("privlevel")) {
              seen[1] = d;
            }
            super.write(p, d);
          }
        };
    recording.outblobFor = fs.outblobFor;
    SnpReportProvider p = new ConfigfsTsmSnpProvider(ConfigfsTsm.of(root, recording, () -> "e" + names.incrementAndGet()));
    p.getReport(new byte[] {1, 2, 3}, 2);
    assertEquals(64, seen[0].length);
    assertArrayEquals(Arrays.copyOf(new byte[] {1, 2, 3}, 64), seen[0]);
    assertEquals("2", new String(seen[1], StandardCharsets.US_ASCII));
  }

  @Test
  void noAuxblobMeansNoCertificateTable() throws Exception {
    SnpGuestReport r = provider().getReport(new byte[64]);
    assertTrue(r.certificateTable().isEmpty());
  }

  @Test
  void generationMismatchIsRefused() {
    fs.racer = true;
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> provider().getReport(new byte[64]));
    assertEquals(SnpGuestReason.GENERATION_MISMATCH, e.reason());
    assertTrue(e.isRetryable());
    assertTrue(e.getMessage().contains("generation"), e.getMessage());
    assertEntriesRemoved();
  }

  @Test
  void wrongProviderIsRefused() {
    fs.provider = "tdx_guest";
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> provider().getReport(new byte[64]));
    assertEquals(SnpGuestReason.WRONG_PROVIDER, e.reason());
  }

  @Test
  void vmplBelowTheFloorIsRefused() {
    fs.privlevelFloor = 1;
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> provider().getReport(new byte[64], 0));
    assertEquals(SnpGuestReason.PRIVLEVEL_BELOW_FLOOR, e.reason());
  }

  @Test
  void emptyOutblobIsABadResponse() {
    fs.outblobFor = in -> new byte[0];
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> provider().getReport(new byte[64]));
    assertEquals(SnpGuestReason.BAD_RESPONSE, e.reason());
  }

  @Test
  void aDirectoryThatIsNotConfigfsGivesAnIoError() throws Exception {
    // plain files: mkdir gives an empty directory, no provider attribute appears
    SnpReportProvider p = SnpReportProvider.configfsTsm(root);
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> p.getReport(new byte[64]));
    assertEquals(SnpGuestReason.IO_ERROR, e.reason());
  }

  @Test
  void argumentsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> provider().getReport(new byte[65]));
    assertThrows(IllegalArgumentException.class, () -> provider().getReport(new byte[64], 4));
  }

  // ---------------------------------------------------------------- detection

  @Test
  void detectionPrefersConfigfsThenIoctlThenFailsClearly() throws Exception {
    Path device = tmp.resolve("dev/sev-guest");
    LibC none = null;
    SnpReportProvider viaTsm = Detection.detect(tsm(), device, () -> none);
    assertTrue(viaTsm instanceof ConfigfsTsmSnpProvider);
    assertEntriesRemoved();

    Files.createDirectories(device.getParent());
    Files.write(device, new byte[0]);
    fs.provider = "tdx_guest";
    SnpReportProvider viaIoctl = Detection.detect(tsm(), device, () -> new FakeSevGuest(realReport, null));
    assertTrue(viaIoctl.name().contains("ioctl"), viaIoctl.name());

    Files.delete(device);
    EvidenceUnavailableException wrong =
        assertThrows(EvidenceUnavailableException.class, () -> Detection.detect(tsm(), device, () -> none));
    assertEquals(SnpGuestReason.WRONG_PROVIDER, wrong.reason());

    EvidenceUnavailableException nothing =
        assertThrows(
            EvidenceUnavailableException.class,
            () -> SnpReportProvider.detect(tmp.resolve("no/tsm"), tmp.resolve("no/sev-guest")));
    assertEquals(SnpGuestReason.NO_GUEST_INTERFACE, nothing.reason());
    assertTrue(nothing.getMessage().contains("no/tsm") && nothing.getMessage().contains("no/sev-guest"),
        nothing.getMessage());
    assertFalse(nothing.isRetryable());
  }

  private void assertEntriesRemoved() {
    try (Stream<Path> s = Files.list(root)) {
      assertEquals(0, s.count(), "report entries must be removed");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
