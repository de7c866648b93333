package org.attest4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j tdx}: Intel TDX quotes. Sub-commands: {@code verify} ({@link TdxVerifyCommand})
 * and, when present in the build, {@code quote} ({@code TdxQuoteCommand}, registered by name so
 * that this file compiles with or without it).
 */
@Command(
    name = "tdx",
    mixinStandardHelpOptions = true,
    description = "Intel TDX quotes: verify, quote",
    subcommands = {TdxVerifyCommand.class},
    modelTransformer = TdxCommand.OptionalSubcommands.class)
final class TdxCommand implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    return MeasureCommand.usageError(spec, new ParameterException(spec.commandLine(),
        "a sub-command is required: " + String.join(", ", spec.subcommands().keySet())));
  }

  /** Adds sub-commands whose classes may not exist yet (e.g. {@code quote}). */
  static final class OptionalSubcommands implements CommandLine.IModelTransformer {
    private static final String[][] OPTIONAL = {{"quote", "org.attest4j.examples.TdxQuoteCommand"}};

    @Override
    public CommandSpec transform(CommandSpec spec) {
      for (String[] sub : OPTIONAL) {
        if (spec.subcommands().containsKey(sub[0])) {
          continue;
        }
        try {
          Class<?> c = Class.forName(sub[1]);
          spec.addSubcommand(sub[0], new CommandLine(c));
        } catch (ClassNotFoundException | LinkageError | CommandLine.InitializationException e) {
          // not built into this jar
        }
      }
      return spec;
    }
  }
}
