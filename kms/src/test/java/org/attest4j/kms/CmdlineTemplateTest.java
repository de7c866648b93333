package org.attest4j.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
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

  /** A fixed command line renders to itself, whatever values the request claims. */
  @Property(tries = 200)
  void fixedCommandLineRendersToItself(
      @ForAll @StringLength(max = 300) @CharRange(from = ' ', to = 'z') String text, @ForAll @Size(max = 40) byte[] value)
      throws Exception {
    CmdlineTemplate t = CmdlineTemplate.of(text);
    assertEquals(text, t.render(Map.of()));
    assertEquals(text, t.render(Map.of("app_id", Bytes.of(value))));
  }

  /** Rendering equals replacing each placeholder by the lowercase hex of its value. */
  @Property(tries = 200)
  void renderingReplacesEachPlaceholder(
      @ForAll @StringLength(max = 40) @CharRange(from = ' ', to = 'z') String a,
      @ForAll @StringLength(max = 40) @CharRange(from = ' ', to = 'z') String b,
      @ForAll @Size(max = 40) byte[] app,
      @ForAll @Size(max = 40) byte[] instance)
      throws Exception {
    String template = a + "{app_id}" + b + "{instance_id}{app_id}";
    Map<String, Bytes> values = new HashMap<>();
    values.put("app_id", Bytes.of(app));
    values.put("instance_id", Bytes.of(instance));
    HexFormat hex = HexFormat.of();
    assertEquals(
        template.replace("{app_id}", hex.formatHex(app)).replace("{instance_id}", hex.formatHex(instance)),
        CmdlineTemplate.of(template).render(values));
  }
}
