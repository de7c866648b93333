package org.attest4j.examples;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Shared helpers of the {@code attest4j keys} commands. */
final class KeysCli {
  private KeysCli() {}

  /** Prints a usage error and returns exit status 2 (independent of the top-level exit-code mapper). */
  static int usageError(CommandSpec spec, ParameterException e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": error: " + e.getMessage());
    err.println("(see '" + spec.qualifiedName() + " --help')");
    err.flush();
    return Main.EXIT_USAGE;
  }
}
