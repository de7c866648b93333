package org.attest4j.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j demo}: the end-to-end demo on a simulated platform. For now the SEV-SNP part
 * ({@link SnpDemo}): sign, verify, and refuse a tampered and a debug-policy report, with timings.
 * Exit status 0 when every step behaved as expected, 1 otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "end-to-end demo on a simulated platform")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("attest4j demo: SEV-SNP attestation on a simulated platform (no AMD hardware needed)");
    boolean ok = new SnpDemo(out).run();
    out.flush();
    return ok ? 0 : Main.EXIT_REFUSED;
  }
}
