package org.attest4j.examples;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Usage errors of picocli commands: {@link MeasureArgs}' Python-style integer options (a bad value
 * is a {@code ParameterException}, exit status 2), and the missing sub-command. Kept out of
 * {@link Main}, whose class must load without picocli (MeasureFastPath). Stateless.
 */
final class CliUsage {
  private CliUsage() {}

  /** The usage error of a command run without its required sub-command. */
  static RuntimeException subcommandRequired(CommandSpec spec) {
    return new ParameterException(spec.commandLine(), "a sub-command is required");
  }

  /** {@link MeasureArgs#autoInt(String, String)}, a bad value a usage error of {@code spec}. */
  static long autoInt(String opt, String s, CommandSpec spec) {
    try {
      return MeasureArgs.autoInt(opt, s);
    } catch (MeasureArgs.UsageError e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** {@link MeasureArgs#decimalInt(String, String)}, a bad value a usage error of {@code spec}. */
  static int decimalInt(String opt, String s, CommandSpec spec) {
    try {
      return MeasureArgs.decimalInt(opt, s);
    } catch (MeasureArgs.UsageError e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** {@link MeasureArgs#decimalLong(String, String)}, a bad value a usage error of {@code spec}. */
  static long decimalLong(String opt, String s, CommandSpec spec) {
    try {
      return MeasureArgs.decimalLong(opt, s);
    } catch (MeasureArgs.UsageError e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
