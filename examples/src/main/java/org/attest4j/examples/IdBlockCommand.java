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
import org.attest4j.snp.idblock.IdAuth;
import org.attest4j.snp.idblock.IdBlock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j idblock}: an SEV-SNP ID block and ID authentication information for a launch
 * measurement, compatible with sev-snp-measure's {@code snp-create-id-block} (same flags, same
 * output: {@code id-block=<base64>,id-auth=<base64>} for QEMU's sev-snp-guest object, then the ID
 * and author key digests in base64). Signatures use deterministic RFC 6979 nonces, so the output
 * is reproducible. {@code attest4j idblock verify} checks a block and its authentication.
 */
@Command(
    name = "idblock",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Calculate an AMD SEV-SNP guest ID block and ID auth (compatible with snp-create-id-block).",
      "Prints 'id-block=<base64>,id-auth=<base64>' (for QEMU's sev-snp-guest object), then 'id_key_hash: <base64>' "
          + "and 'author_key: <base64>' (the report's ID_KEY_DIGEST and AUTHOR_KEY_DIGEST)."
    },
    subcommands = {IdBlockVerifyCommand.class})
final class IdBlockCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--measurement", paramLabel = "VALUE", description = "Guest launch measurement in base64 (or 96 hex digits)")
  String measurement;

  @Option(names = "--idkey", paramLabel = "PATH", description = "ID private key file (PEM, ECDSA P-384)")
  String idKey;

  @Option(names = "--authorkey", paramLabel = "PATH", description = "Author private key file (PEM, ECDSA P-384)")
  String authorKey;

  @Option(names = "--family-id", paramLabel = "HEX", description = "FAMILY_ID, 16 bytes hex (default zeros; attest4j extension)")
  String familyId;

  @Option(names = "--image-id", paramLabel = "HEX", description = "IMAGE_ID, 16 bytes hex (default zeros; attest4j extension)")
  String imageId;

  @Option(names = "--guest-svn", paramLabel = "N", description = "GUEST_SVN (default 0; attest4j extension)")
  String guestSvn;

  @Option(names = "--policy", paramLabel = "VALUE", description = "Guest policy, decimal or 0x-hex (default 0x30000; attest4j extension)")
  String policy;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      if (idKey == null || authorKey == null) {
        throw new ParameterException(spec.commandLine(), "missing key files for id block");
      }
      if (measurement == null) {
        throw new ParameterException(spec.commandLine(), "the following arguments are required: --measurement");
      }
      IdBlock.Builder b = IdBlock.builder().launchDigest(measurement(measurement));
      if (familyId != null) {
        b.familyId(hex16("--family-id", familyId));
      }
      if (imageId != null) {
        b.imageId(hex16("--image-id", imageId));
      }
      if (guestSvn != null) {
        b.guestSvn(CliUsage.decimalLong("--guest-svn", guestSvn, spec));
      }
      if (policy != null) {
        b.policy(CliUsage.autoInt("--policy", policy, spec));
      }
      IdBlock block = b.build();
      IdAuth auth = IdAuth.sign(block, IdAuth.privateKeyFromPem(readText(idKey, "ID key")),
          IdAuth.privateKeyFromPem(readText(authorKey, "author key")));
      Base64.Encoder b64 = Base64.getEncoder();
      out.println("id-block=" + block.toBase64() + ",id-auth=" + auth.toBase64());
      out.println("id_key_hash: " + b64.encodeToString(auth.idKey().digest().toByteArray()));
      out.println("author_key: " + b64.encodeToString(auth.authorKey().orElseThrow().digest().toByteArray()));
      out.flush();
      return 0;
    } catch (ParameterException e) {
      return MeasureCommand.usageError(spec, e);
    } catch (MeasureCommand.Refused e) {
      return MeasureCommand.refused(spec, e.getMessage());
    } catch (MalformedEvidenceException e) {
      return MeasureCommand.refused(spec, e);
    }
  }

  /** A 48-byte measurement in base64 or hex. */
  static Bytes measurement(String s) throws MeasureCommand.Refused {
    String t = s.strip();
    byte[] v;
    try {
      v = t.length() == 96 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)
          ? java.util.HexFormat.of().parseHex(t)
          : Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      throw new MeasureCommand.Refused("the measurement is neither base64 nor 96 hex digits");
    }
    if (v.length != 48) {
      throw new MeasureCommand.Refused("the measurement has 48 bytes, not " + v.length);
    }
    return Bytes.of(v);
  }

  private Bytes hex16(String opt, String s) {
    try {
      byte[] v = java.util.HexFormat.of().parseHex(s.strip());
      if (v.length == 16) {
        return Bytes.of(v);
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new ParameterException(spec.commandLine(), "argument " + opt + ": 32 hex digits expected: '" + s + "'");
  }

  static String readText(String file, String what) throws MeasureCommand.Refused {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new MeasureCommand.Refused("cannot read the " + what + " file " + file + ": " + e.getMessage());
    }
  }
}
