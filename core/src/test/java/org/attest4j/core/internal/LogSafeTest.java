package org.attest4j.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class LogSafeTest {
  @Test
  void forgedLogLinesStayOnOneLine() {
    assertEquals("EPYC\\nINFO: released keys for app x", LogSafe.escape("EPYC\nINFO: released keys for app x"));
    assertEquals("a\\\\nb", LogSafe.escape("a\\nb"));
    assertEquals("\\u001b[31m\\u2028\\u0085", LogSafe.escape("\u001b[31m\u2028\u0085"));
    assertEquals("plain text", LogSafe.escape("plain text"));
    assertEquals("null", LogSafe.escape(null));
  }

  @Property
  void outputHasNoControlCharacters(@ForAll String s) {
    String e = LogSafe.escape(s);
    assertFalse(e.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029), e);
    assertTrue(e.length() <= LogSafe.MAX * 6 + 40);
  }
}
