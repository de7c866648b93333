package org.attest4j.examples;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ratls.AttestationJson;
import org.attest4j.ratls.VersionedAttestation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j ratls decode}: prints a dstack VersionedAttestation (V0 SCALE or V1 MessagePack)
 * as JSON in the V1 shape. Exit status 0 decoded, 1 malformed, 2 usage error.
 */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = {
      "Decode a dstack VersionedAttestation (V0 SCALE or V1 MessagePack) and print it as JSON.",
      "Input: raw bytes, hex text, or JSON with an \"attestation\" hex field (dstack verifier fixtures).",
      "Exit status: 0 decoded, 1 malformed, 2 usage error."
    })
final class RatlsDecodeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--attestation", required = true, paramLabel = "FILE", description = "Attestation file")
  Path file;

  @Override
  public Integer call() throws IOException, MalformedEvidenceException {
    VersionedAttestation va = VersionedAttestation.parse(bytes(Files.readAllBytes(file)));
    String json = AttestationJson.render(va.attestation());
    spec.commandLine().getOut().println(
        "{\"wire_format\": \"" + va.wireFormat().label() + "\", \"attestation\": " + json + "}");
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Raw bytes unless the file is hex text or a JSON object with an "attestation" hex field. */
  static byte[] bytes(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8).strip();
    if (text.startsWith("{")) {
      try {
        JsonElement e = JsonParser.parseString(text).getAsJsonObject().get("attestation");
        if (e != null && e.isJsonPrimitive()) {
          return HexFormat.of().parseHex(e.getAsString());
        }
      } catch (JsonParseException | IllegalStateException | IllegalArgumentException ignored) {
        // fall through: treated as raw bytes, the decoder names what is wrong
      }
    } else if (!text.isEmpty() && text.length() % 2 == 0 && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return HexFormat.of().parseHex(text);
    }
    return raw;
  }
}
