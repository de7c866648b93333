package org.attest4j.examples;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j keys}: dstack-compatible app keys. Sub-commands: {@code derive} (the keys a dstack
 * KMS gives an app) and {@code generate} (fresh KMS root keys in dstack's file formats).
 */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "dstack-compatible app keys: derive them from KMS root keys, or generate root keys",
    subcommands = {KeysDeriveCommand.class, KeysGenerateCommand.class})
final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return KeysCli.usageError(
        spec, new ParameterException(spec.commandLine(), "a sub-command is required: derive or generate"));
  }
}
