package org.attest4j.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j ratls}: dstack RA-TLS certificates and attestations. Sub-commands: {@code check}
 * ({@link RatlsCheckCommand}) and {@code decode} ({@link RatlsDecodeCommand}).
 */
@Command(
    name = "ratls",
    mixinStandardHelpOptions = true,
    description = "dstack RA-TLS: check a certificate, decode a VersionedAttestation",
    subcommands = {RatlsCheckCommand.class, RatlsDecodeCommand.class})
final class RatlsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return MeasureCommand.usageError(spec, new ParameterException(spec.commandLine(),
        "a sub-command is required: " + String.join(", ", spec.subcommands().keySet())));
  }
}
