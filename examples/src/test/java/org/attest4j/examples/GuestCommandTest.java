package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest4j snp report} and {@code attest4j tdx quote} off a guest: a clear refusal (exit 1)
 * naming what was looked for; bad arguments are usage errors (exit 2). The on-guest paths are tested
 * in the library against fake configfs-tsm trees and a fake sev-guest driver.
 */
class GuestCommandTest {
  @TempDir Path tmp;

  /** Runs the command line, capturing its output. */
  CliRun run(String... args) {
    return CliRun.of(args);
  }


  @Test
  void snpReportOffAGuestIsAClearRefusal() {
    Path out = tmp.resolve("report.bin");
    CliRun r = run("snp", "report", "--data", "00112233", "--out", out.toString(),
        "--tsm-root", tmp.resolve("tsm").toString(), "--device", tmp.resolve("sev-guest").toString());
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().contains("NO_GUEST_INTERFACE"), r.err());
    assertTrue(r.err().contains("sev-guest"), r.err());
    assertTrue(!Files.exists(out));
  }

  @Test
  void tdxQuoteOffAGuestIsAClearRefusal() {
    CliRun r = run("tdx", "quote", "--data", "ab", "--tsm-root", tmp.resolve("tsm").toString());
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().contains("NO_GUEST_INTERFACE"), r.err());
    assertTrue(r.err().contains("configfs-tsm"), r.err());
  }

  @Test
  void defaultsOnThisMachineRefuseToo() {
    // this build machine is not a confidential guest
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/dev/sev-guest")));
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/sys/kernel/config/tsm/report")));
    assertEquals(1, run("snp", "report", "--data", "00").exit());
    assertEquals(1, run("tdx", "quote", "--data", "00").exit());
  }

  @Test
  void snpDeriveKeyOffAGuestIsAClearRefusalAndWritesNothing() {
    Path out = tmp.resolve("key.bin");
    SnpCommandTest.Run r = SnpCommandTest.run("snp", "derive-key", "--out", out.toString(),
        "--fields", "measurement,tcb_version", "--device", tmp.resolve("sev-guest").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("NO_GUEST_INTERFACE"), r.err());
    assertTrue(!Files.exists(out));
  }

  @Test
  void snpDeriveKeyUsageErrors() {
    String out = tmp.resolve("key.bin").toString();
    String dev = tmp.resolve("sev-guest").toString();
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--device", dev).code()); // no --out
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev, "--vmpl", "4").code());
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev, "--fields", "colour").code());
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev, "--root-key", "ark").code());
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev,
        "--guest-field-select", "10000000").code()); // bit 7 is reserved
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev,
        "--msg-version", "1", "--launch-mit-vector", "0x3").code());
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev,
        "--fields", "measurement", "--guest-field-select", "1").code());
    assertEquals(2, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev, "--tcb-version", "zz").code());
    // well-formed requests reach the device (absent here): refused, not usage errors
    assertEquals(1, SnpCommandTest.run("snp", "derive-key", "--out", out, "--device", dev,
        "--guest-field-select", "101001", "--launch-mit-vector", "0x3", "--root-key", "VMRK").code());
  }

  @Test
  void badDataIsAUsageError() {
    assertEquals(2, run("snp", "report", "--data", "xyz").exit());
    assertEquals(2, run("snp", "report", "--data", "00".repeat(65)).exit());
    assertEquals(2, run("snp", "report", "--data", "00", "--vmpl", "4").exit());
    assertEquals(2, run("tdx", "quote", "--data", "0g").exit());
    assertEquals(2, run("tdx", "quote").exit());
  }
}
