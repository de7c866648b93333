package org.attest4j.examples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.snp.idblock.EcdsaPublicKey;
import org.attest4j.snp.idblock.IdAuth;
import org.attest4j.snp.idblock.IdBlock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j idblock verify}: parses an ID block and its ID auth (base64, a file holding the
 * raw or base64 bytes, or the {@code id-block=...,id-auth=...} line {@code attest4j idblock}
 * prints), checks both signatures, and optionally the launch digest and the key digests. Exit 0
 * when everything holds, 1 otherwise.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Check an SEV-SNP ID block and ID auth: signatures, and optionally the measurement and key digests.")
final class IdBlockVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--qemu", paramLabel = "LINE", description = "The 'id-block=<base64>,id-auth=<base64>' line")
  String qemu;

  @Option(names = "--id-block", paramLabel = "BASE64|PATH", description = "The ID block (base64, or a file with raw or base64 bytes)")
  String idBlock;

  @Option(names = "--id-auth", paramLabel = "BASE64|PATH", description = "The ID auth (base64, or a file with raw or base64 bytes)")
  String idAuth;

  @Option(names = "--measurement", paramLabel = "VALUE", description = "Expected launch digest (base64 or 96 hex digits)")
  String measurement;

  @Option(names = "--id-key-digest", paramLabel = "VALUE", description = "Expected ID key digest (base64 or 96 hex digits)")
  String idKeyDigest;

  @Option(names = "--author-key-digest", paramLabel = "VALUE", description = "Expected author key digest (base64 or 96 hex digits)")
  String authorKeyDigest;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      String blockText = idBlock;
      String authText = idAuth;
      if (qemu != null) {
        if (idBlock != null || idAuth != null) {
          throw new ParameterException(spec.commandLine(), "--qemu replaces --id-block and --id-auth");
        }
        for (String part : qemu.strip().split(",")) {
          if (part.startsWith("id-block=")) {
            blockText = part.substring("id-block=".length());
          } else if (part.startsWith("id-auth=")) {
            authText = part.substring("id-auth=".length());
          }
        }
      }
      if (blockText == null || authText == null) {
        throw new ParameterException(spec.commandLine(), "the ID block and the ID auth are required (--qemu, or "
            + "--id-block and --id-auth)");
      }
      IdBlock block = IdBlock.parse(bytes(blockText, IdBlock.LENGTH, "ID block"));
      IdAuth auth = IdAuth.parse(bytes(authText, IdAuth.LENGTH, "ID auth"));
      auth.verify(block);
      expect("launch digest", measurement, block.launchDigest());
      expect("ID key digest", idKeyDigest, auth.idKey().digest());
      if (authorKeyDigest != null) {
        if (auth.authorKey().isEmpty()) {
          throw new MeasureCommand.Refused("an author key digest was expected but the ID auth has no author key");
        }
        expect("author key digest", authorKeyDigest, auth.authorKey().get().digest());
      }
      out.println("OK: the ID block signature verifies under the ID key"
          + (auth.authorKey().isPresent() ? " and the ID key signature under the author key" : ""));
      out.println("launch_digest: " + block.launchDigest().toHex());
      out.println("family_id: " + block.familyId().toHex());
      out.println("image_id: " + block.imageId().toHex());
      out.println("guest_svn: " + block.guestSvn());
      out.println("policy: 0x" + Long.toHexString(block.policy()));
      out.println("id_key_digest: " + digest(auth.idKey()));
      auth.authorKey().ifPresent(k -> out.println("author_key_digest: " + digest(k)));
      out.flush();
      return 0;
    } catch (ParameterException e) {
      return MeasureCommand.usageError(spec, e);
    } catch (MeasureCommand.Refused e) {
      return MeasureCommand.refused(spec, e.getMessage());
    } catch (MalformedEvidenceException | VerificationException e) {
      return MeasureCommand.refused(spec, e);
    }
  }

  private static String digest(EcdsaPublicKey k) {
    return k.digest().toHex() + " (base64 " + Base64.getEncoder().encodeToString(k.digest().toByteArray()) + ")";
  }

  private static void expect(String what, String given, Bytes actual) throws MeasureCommand.Refused {
    if (given == null) {
      return;
    }
    Bytes want = IdBlockCommand.measurement(given);
    if (!want.equals(actual)) {
      throw new MeasureCommand.Refused("the " + what + " is " + actual.toHex() + ", not the expected " + want.toHex());
    }
  }

  /** Base64 text, or a file with raw bytes of the right length or base64 text. */
  private static byte[] bytes(String value, int length, String what) throws MeasureCommand.Refused {
    byte[] raw = null;
    Path p = null;
    try {
      p = Path.of(value);
    } catch (RuntimeException e) {
      // not a path
    }
    if (p != null && value.length() < 4096 && Files.isRegularFile(p)) {
      try {
        raw = Files.readAllBytes(p);
      } catch (IOException e) {
        throw new MeasureCommand.Refused("cannot read the " + what + " file " + value + ": " + e.getMessage());
      }
      if (raw.length == length) {
        return raw;
      }
      value = new String(raw, StandardCharsets.US_ASCII);
    }
    try {
      return Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      throw new MeasureCommand.Refused("the " + what + " is neither base64 nor a file holding it");
    }
  }
}
