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
  void badDataIsAUsageError() {
    assertEquals(2, run("snp", "report", "--data", "xyz").exit());
    assertEquals(2, run("snp", "report", "--data", "00".repeat(65)).exit());
    assertEquals(2, run("snp", "report", "--data", "00", "--vmpl", "4").exit());
    assertEquals(2, run("tdx", "quote", "--data", "0g").exit());
    assertEquals(2, run("tdx", "quote").exit());
  }
}
