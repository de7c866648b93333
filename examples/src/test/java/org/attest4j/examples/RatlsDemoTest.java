package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code attest4j demo --part ratls}: keys over RA-TLS to a simulated SEV-SNP guest and a simulated
 * TDX guest, then the three
 * forged certificates refused where they must be.
 */
class RatlsDemoTest {
  @Test
  void releasesKeysOverRatlsAndRefusesTheForgedCertificates() {
    StringWriter out = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    int code = cl.execute("demo", "--part", "ratls");
    String text = out.toString();
    assertEquals(0, code, text);
    assertFalse(text.contains("part 1"), text);
    assertTrue(text.contains("part 4: dstack RA-TLS key release"), text);
    assertTrue(text.contains("OK: keys released over RA-TLS, equal to AppKeyDeriver's"), text);
    assertTrue(text.contains("GetAppKey over mutual TLS"), text);
    assertTrue(text.contains("OK: TDX keys released over RA-TLS, equal to AppKeyDeriver's"), text);
    assertTrue(text.contains("refuses it at stage binding"), text);
    assertTrue(text.contains("refuses it at stage evidence"), text);
    assertTrue(text.contains("accepts it"), text);
    assertTrue(text.contains("-> HTTP 4"), text);
    assertTrue(text.contains("3 of 3 forged certificates refused"), text);
    assertTrue(text.contains("attest4j demo: all parts OK"), text);
  }
}
