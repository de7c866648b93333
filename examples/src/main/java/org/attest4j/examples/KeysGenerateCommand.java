package org.attest4j.examples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.attest4j.crypto.KmsRootKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code attest4j keys generate --out DIR}: fresh KMS root keys in dstack's formats
 * ({@code root-ca.key} PEM PKCS#8, {@code root-k256.key} raw 32 bytes), owner-only files; existing
 * files are never overwritten. Prints only public values.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Generate KMS root keys (root-ca.key, root-k256.key) in dstack's formats")
final class KeysGenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", description = "Directory to write the key files to (required)")
  String outDir;

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (outDir == null || !unmatched.isEmpty()) {
      return KeysCli.usageError(spec, new ParameterException(spec.commandLine(),
          outDir == null ? "missing required option --out" : "unrecognized arguments: " + String.join(" ", unmatched)));
    }
    Path out = Path.of(outDir);
    try {
      KmsRootKeys keys = KmsRootKeys.generate();
      keys.store(out);
      o.println("wrote " + out.resolve(KmsRootKeys.ROOT_CA_KEY_FILE) + " and " + out.resolve(KmsRootKeys.ROOT_K256_KEY_FILE));
      o.println("root_ca_spki_der: " + keys.rootCaPublicKeySpki().toHex());
      o.println("root_k256_pubkey_compressed: " + keys.rootK256PublicKey().toHex());
      o.flush();
      return 0;
    } catch (IOException e) {
      err.println("attest4j keys generate: refused: cannot write root keys to " + out + ": " + e);
      err.flush();
      return Main.EXIT_REFUSED;
    }
  }
}
