package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CliInstantTest {
  private static final Instant JUNE_FIRST = Instant.parse("2025-06-01T00:00:00Z");

  @Test
  void everyAcceptedFormNamesTheSameInstant() {
    for (String s :
        new String[] {
          "2025-06-01T00:00:00Z", "2025-06-01T02:00:00+02:00", "2025-06-01 00:00:00Z", "2025-06-01",
          "1748736000", " 1748736000 ", "1748736000.0"
        }) {
      assertEquals(JUNE_FIRST, CliInstant.parse(s).orElseThrow(), s);
    }
    assertEquals(Instant.ofEpochSecond(1748736000, 500_000_000), CliInstant.parse("1748736000.5").orElseThrow());
  }

  @Test
  void refusesEverythingElse() {
    for (String s : new String[] {"", " ", "yesterday", "2025-13-01", "1e9", "99999999999999999999999", "12:00"}) {
      assertTrue(CliInstant.parse(s).isEmpty(), s);
    }
    assertTrue(CliInstant.parse(null).isEmpty());
  }

  @Test
  void snpVerifyTakesUnixSecondsToo() {
    // a usage error would exit 2; a missing file is a refusal after --at was accepted
    int code = Main.commandLine().execute(
        "snp", "verify", "--report", "/nonexistent", "--vek", "/nonexistent", "--chain", "/nonexistent",
        "--at", "1748736000");
    assertTrue(code == 1 || code == 2, "exit " + code);
    assertEquals(2, Main.commandLine().execute(
        "snp", "verify", "--report", "/nonexistent", "--vek", "/nonexistent", "--chain", "/nonexistent",
        "--at", "yesterday"));
  }
}
