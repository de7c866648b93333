package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;

class CmdlineTemplateTest {
  @Test
  void rendersPlaceholdersAsHex() throws Exception {
    CmdlineTemplate t = CmdlineTemplate.of("console=ttyS0 a={app_id} c={compose_hash}");
    assertTrue(t.binds("app_id"));
    assertFalse(t.binds("instance_id"));
    String s =
        t.render(Map.of("app_id", Bytes.of(new byte[] {0x11, 0x22}), "compose_hash", Bytes.of(new byte[] {(byte) 0xab})));
    assertEquals("console=ttyS0 a=1122 c=ab", s);
  }

  @Test
  void missingValueIsRefused() {
    CmdlineTemplate t = CmdlineTemplate.of("a={app_id}");
    assertEquals(
        KmsReason.BAD_REQUEST,
        assertThrows(MalformedEvidenceException.class, () -> t.render(Map.of())).reason());
  }

  @Test
  void badTemplatesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> CmdlineTemplate.of("a={nope}"));
    assertThrows(IllegalArgumentException.class, () -> CmdlineTemplate.of("a={app_id"));
    assertThrows(IllegalArgumentException.class, () -> CmdlineTemplate.of("a=}"));
    assertThrows(IllegalArgumentException.class, () -> CmdlineTemplate.of("a=\n"));
  }

  @Test
  void fixedCommandLineHasNoPlaceholders() throws Exception {
    CmdlineTemplate t = CmdlineTemplate.of("console=ttyS0 quiet");
    assertTrue(t.placeholders().isEmpty());
    assertEquals("console=ttyS0 quiet", t.render(Map.of()));
  }
}
