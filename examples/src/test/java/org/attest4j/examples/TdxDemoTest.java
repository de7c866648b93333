package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code attest4j demo --part tdx}: keys to a simulated TDX guest, then each refusal with its reason. */
class TdxDemoTest {
  @Test
  void releasesKeysToASimulatedTdxGuestAndRefusesTheRest() {
    StringWriter out = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    int code = cl.execute("demo", "--part", "tdx");
    String text = out.toString();
    assertEquals(0, code, text);
    assertFalse(text.contains("part 1"), text);
    assertTrue(text.contains("part 3: key release to a simulated Intel TDX guest"), text);
    assertTrue(text.contains("OK: keys released to the TDX guest"), text);
    assertTrue(text.contains("equal to AppKeyDeriver's"), text);
    assertTrue(text.contains("[KmsReason.REPLAYED]"), text);
    assertTrue(text.contains("[TdxReason.QUOTE_SIGNATURE_INVALID]"), text);
    assertTrue(text.contains("[TdxReason.DEBUG_TD]"), text);
    assertTrue(text.contains("[TdxReason.RTMR_MISMATCH]"), text);
    assertTrue(text.contains("[TdxReason.UNTRUSTED_ROOT]"), text);
    assertTrue(text.contains("tdx demo: every step behaved as expected"), text);
    assertTrue(text.contains("attest4j demo: all parts OK"), text);
  }
}
