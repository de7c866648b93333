package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
  @Test
  void demoAcceptsGenuineAndRefusesTamperedAndDebugReports() {
    StringWriter out = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    int code = cl.execute("demo");
    String text = out.toString();
    assertEquals(0, code, text);
    assertTrue(text.contains("ACCEPTED: VerifiedSnpReport[Genoa v5 VCEK"), text);
    assertTrue(text.contains("[SnpReason.BAD_REPORT_SIGNATURE]"), text);
    assertTrue(text.contains("[SnpReason.DEBUG_ALLOWED] guest_policy.debug"), text);
    assertTrue(text.contains("[SnpReason.UNTRUSTED_ROOT]"), text);
    assertTrue(text.contains("demo: every step behaved as expected"), text);
    // part 1, the key-release flow (its refusals are checked line by line in KeyReleaseDemoTest)
    assertTrue(text.contains("OK: keys released"), text);
    // part 4, RA-TLS (checked in RatlsDemoTest)
    assertTrue(text.contains("3 of 3 forged certificates refused"), text);
    assertTrue(text.contains("attest4j demo: all parts OK"), text);
  }

  @Test
  void partsCanBeRunAlone() {
    StringWriter out = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("demo", "--part", "snp"), out.toString());
    assertTrue(!out.toString().contains("part 1"), out.toString());
    assertEquals(2, Main.commandLine().execute("demo", "--part", "nope"));
  }
}
