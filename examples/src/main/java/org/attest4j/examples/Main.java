package org.attest4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code attest4j} command line. Each sub-command lives in its own class; exit status 0 on
 * success, 1 when the evidence or input is refused (reason on stderr), 2 for usage errors.
 */
@Command(
    name = "attest4j",
    mixinStandardHelpOptions = true,
    version = "attest4j 0.1.0-SNAPSHOT",
    description = "Confidential-VM attestation and app-key provisioning (AMD SEV-SNP, Intel TDX).",
    subcommands = {
      SnpCommand.class,
      MeasureCommand.class,
      KeysCommand.class,
      TdxCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status for refused evidence or input. */
  public static final int EXIT_REFUSED = 1;

  /** Exit status for usage errors. */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a sub-command is required");
  }

  /** Builds the command line (for tests and embedding). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExitCodeExceptionMapper(t -> EXIT_REFUSED);
    // endorsement fetching and guest-side evidence (issue 7)
    cl.getSubcommands().get("snp").addSubcommand("fetch", new SnpFetchCommand());
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
