package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SharedData;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Every shape real tools write a quote in reads to the same bytes; anything else names the shapes. */
class TdxQuoteInputTest {
  private static final byte[] QUOTE = SharedData.bytes("vectors/tdx/dcapqvl-v4-b0c06f-uptodate/quote.bin");
  private static final String HEX = HexFormat.of().formatHex(QUOTE);
  private static final String B64 = Base64.getEncoder().encodeToString(QUOTE);

  private static TdxQuoteInput read(String s) throws MalformedEvidenceException {
    return TdxQuoteInput.read(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rawHexAndJsonShapesGiveTheSameQuote() throws Exception {
    assertEquals("raw", TdxQuoteInput.read(QUOTE).shape());
    assertEquals(Bytes.of(QUOTE), TdxQuoteInput.read(QUOTE).quote());
    assertEquals(Bytes.of(QUOTE), read(HEX).quote());
    assertEquals(Bytes.of(QUOTE), read("0x" + HEX.toUpperCase() + "\n").quote());
    assertEquals("hex", read(HEX).shape());
    TdxQuoteInput top = read("{\"quote\":\"" + HEX + "\",\"event_log\":\"[]\",\"vm_config\":\"{}\"}");
    assertEquals(Bytes.of(QUOTE), top.quote());
    assertEquals("JSON quote (hex)", top.shape());
    assertEquals("[]", new String(top.eventLog().orElseThrow().toByteArray(), StandardCharsets.UTF_8));
    assertEquals("{}", top.vmConfig().orElseThrow());
    // dstack-teekit's GCP sample shape: {"tdx": {"quote": "<base64>"}}
    TdxQuoteInput nested = read("{\n  \"platform\": \"gcp\",\n  \"tdx\": {\"quote\": \"" + B64 + "\"}\n}");
    assertEquals(Bytes.of(QUOTE), nested.quote());
    assertEquals("JSON tdx.quote (base64)", nested.shape());
    assertFalse(nested.eventLog().isPresent());
    String url = Base64.getUrlEncoder().withoutPadding().encodeToString(QUOTE);
    assertEquals(Bytes.of(QUOTE), read("{\"a\":{\"b\":{\"quote\":\"" + url + "\"}}}").quote());
    TdxQuote.parse(nested.quote().toByteArray());
  }

  @Test
  void dstackQuoteReportFixtureReads() throws Exception {
    byte[] q = SharedData.bytes("vectors/tdx/dstack-v4-90c06f-eventlog-uptodate/quote.bin");
    String log = SharedData.text("vectors/tdx/dstack-v4-90c06f-eventlog-uptodate/event_log.json");
    String json = "{\"quote\":\"" + HexFormat.of().formatHex(q) + "\",\"event_log\":" + com.google.gson.JsonParser.parseString(log) + "}";
    TdxQuoteInput in = read(json);
    assertEquals(Bytes.of(q), in.quote());
    DstackEventLog.parse(in.eventLog().orElseThrow().toByteArray()).replay().requireMatches(TdxQuote.parse(q).body());
  }

  @Test
  void otherInputsAreRefusedNamingTheShapes() {
    for (String bad : new String[] {
        "{\n  \"tdx\": {\"report\": \"abcd\"}\n}", "hello world", "{\"quote\": \"***\"}", "{\"quote\": 12}", "[1,2]",
        "{\"a\":{\"b\":{\"c\":{\"d\":{\"quote\":\"0400\"}}}}}"}) {
      MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, () -> read(bad), bad);
      assertEquals(TdxReason.QUOTE_PARSE_ERROR, e.reason());
      assertTrue(e.getMessage().startsWith("quote input: "), e.getMessage());
    }
    MalformedEvidenceException none = assertThrows(MalformedEvidenceException.class, () -> read("{\n\"tdx\":{\"q\":1}}"));
    assertTrue(none.getMessage().contains("nested"), none.getMessage());
    MalformedEvidenceException bin = assertThrows(MalformedEvidenceException.class,
        () -> TdxQuoteInput.read(new byte[] {0x03, 0x00, 0x02, 0x00}));
    assertTrue(bin.getMessage().contains("version 3"), bin.getMessage());
    MalformedEvidenceException two = assertThrows(MalformedEvidenceException.class,
        () -> read("{\"a\":{\"quote\":\"00\"},\"b\":{\"quote\":\"00\"}}"));
    assertTrue(two.getMessage().contains("a.quote, b.quote"), two.getMessage());
    assertThrows(MalformedEvidenceException.class, () -> TdxQuoteInput.read(null));
    assertThrows(MalformedEvidenceException.class, () -> TdxQuoteInput.read(new byte[0]));
  }

  @Property(tries = 300)
  void arbitraryBytesGiveOnlyTypedRefusals(@ForAll byte[] data) {
    try {
      TdxQuoteInput.read(data);
    } catch (MalformedEvidenceException expected) {
      assertEquals(TdxReason.QUOTE_PARSE_ERROR, expected.reason());
    }
  }
}
