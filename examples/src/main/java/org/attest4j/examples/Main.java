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
    throw CliUsage.subcommandRequired(spec);
  }

  /**
   * Builds the command line (for tests). Not public: the launcher's look-up of {@code main}
   * resolves the types in every public method's signature, and this one would load picocli
   * before {@code measure}'s fast path could avoid it.
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    // arguments are taken literally: "--append @x" must not read a file named x
    cl.setExpandAtFiles(false);
    // endorsement fetching and guest-side evidence (issue 7)
    CommandLine snp = cl.getSubcommands().get("snp");
    if (!snp.getSubcommands().containsKey("fetch")) {
      snp.addSubcommand("fetch", new SnpFetchCommand());
    }
    if (!snp.getSubcommands().containsKey("report")) {
      snp.addSubcommand("report", new SnpGuestReportCommand());
    }
    // dstack RA-TLS certificates and attestations
    cl.addSubcommand("ratls", new RatlsCommand());
    // Azure confidential VMs (issue 12)
    cl.addSubcommand("azure", new AzureCommand());
    // SEV-SNP ID blocks (issue 11)
    cl.addSubcommand("idblock", new IdBlockCommand());
    CommandLine tdx = cl.getSubcommands().get("tdx");
    if (!tdx.getSubcommands().containsKey("quote")) {
      tdx.addSubcommand("quote", new TdxQuoteCommand());
    }
    // set last, so that it reaches every sub-command however it was registered:
    // usage errors exit 2, everything else thrown while running exits 1 (refused)
    cl.setExitCodeExceptionMapper(
        t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_REFUSED);
    return cl;
  }

  /**
   * Builds the command line for one invocation. {@code attest4j measure ...} gets a root that knows
   * only {@code measure}: picocli inspects every registered command class (fields, methods,
   * annotations), and the others reach gson, Bouncy Castle and JNA, which {@code measure} never needs
   * (MeasureLazyLoadingTest checks that none of them is loaded). Everything else, help included,
   * gets {@link #commandLine()}.
   *
   * @param args the command-line arguments
   * @return the command line to execute them with
   */
  static CommandLine commandLineFor(String[] args) {
    if (args.length > 0 && "measure".equals(args[0])) {
      CommandLine cl = new CommandLine(new MeasureOnly());
      cl.setExpandAtFiles(false);
      cl.setExitCodeExceptionMapper(
          t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_REFUSED);
      return cl;
    }
    return commandLine();
  }

  /**
   * Runs the {@code attest4j} command and exits with its status.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    // measure without picocli when its hand-written parser takes the command line
    Integer fast = MeasureFastPath.execute(args);
    System.exit(fast != null ? fast : commandLineFor(args).execute(args));
  }

  /** The root of {@code attest4j measure ...}: the same name and options, one sub-command. */
  @Command(
      name = "attest4j",
      mixinStandardHelpOptions = true,
      version = "attest4j 0.1.0-SNAPSHOT",
      subcommands = {MeasureCommand.class})
  static final class MeasureOnly implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw CliUsage.subcommandRequired(spec);
    }
  }
}
