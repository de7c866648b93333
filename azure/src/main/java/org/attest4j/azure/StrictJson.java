package org.attest4j.azure;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;

/** Strict JSON parsing (RFC 8259, UTF-8, no trailing data) into gson trees; stateless. */
final class StrictJson {
  private StrictJson() {}

  static JsonElement parse(byte[] utf8, ReasonCode reason, String what) throws MalformedEvidenceException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedEvidenceException(reason, what + " is not UTF-8");
    }
    try {
      JsonReader r = new JsonReader(new StringReader(text));
      r.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(r);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw new MalformedEvidenceException(reason, what + " has trailing data after the JSON value");
      }
      return e;
    } catch (RuntimeException | IOException | StackOverflowError e) {
      throw new MalformedEvidenceException(reason, what + " is not valid JSON (" + e.getClass().getSimpleName() + ")");
    }
  }
}
