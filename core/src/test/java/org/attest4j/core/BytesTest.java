package org.attest4j.core;

import static org.junit.jupiter.api.Assertions.*;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class BytesTest {
  @Property
  void hexRoundTrips(@ForAll byte[] data) throws Exception {
    Bytes b = Bytes.of(data);
    assertEquals(b, Bytes.fromHex(b.toHex()));
    assertArrayEquals(data, b.toByteArray());
  }

  @Test
  void rejectsNonHexWithTypedException() {
    InvalidConfigurationException e =
        assertThrows(InvalidConfigurationException.class, () -> Bytes.fromHex("zz"));
    assertEquals(CoreReason.BAD_ENCODING, e.reason());
  }

  @Test
  void acceptsPrefixAndUpperCase() throws Exception {
    assertEquals("abcd", Bytes.fromHex("0xABCD").toHex());
  }

  @Test
  void policyExceptionKeepsEveryRule() {
    var v1 = new PolicyViolationException.Violation(CoreReason.BAD_FIELD, "a", "first");
    var v2 = new PolicyViolationException.Violation(CoreReason.BAD_LENGTH, "b", "second");
    var e = new PolicyViolationException(java.util.List.of(v1, v2));
    assertEquals(2, e.violations().size());
    assertEquals(CoreReason.BAD_FIELD, e.reason());
    assertTrue(e.getMessage().contains("first") && e.getMessage().contains("second"));
    assertFalse(e.isRetryable());
    assertTrue(new EndorsementUnavailableException(CoreReason.IO_ERROR, "x").isRetryable());
  }

  @Test
  void nullInputsAreTypedRefusals() {
    InvalidConfigurationException c =
        assertThrows(InvalidConfigurationException.class, () -> Bytes.fromHex(null));
    assertEquals(CoreReason.MISSING_INPUT, c.reason());
    MalformedEvidenceException e = assertThrows(
        MalformedEvidenceException.class, () -> MalformedEvidenceException.requirePresent(null, "quote"));
    assertEquals(CoreReason.MISSING_INPUT, e.reason());
    assertTrue(e.getMessage().contains("quote"));
  }
}
