package org.attest4j.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j demo}: the end-to-end demo, needing nothing but this repository. Part 1 ({@link
 * KeyReleaseDemo}) starts a KMS on loopback and runs a simulated SEV-SNP guest through the whole
 * key-release flow, then shows each refusal with its reason and per-step timings. Part 2 ({@link
 * SnpDemo}) shows evidence verification alone: sign, verify, refuse a tampered and a debug-policy
 * report. Part 3 ({@link TdxDemo}) releases keys to a simulated Intel TDX guest and shows its
 * refusals. Part 4 ({@link RatlsDemo}) has a simulated SEV-SNP guest (and a simulated TDX guest)
 * get its keys the way dstack
 * guests do today, over RA-TLS (GetTempCaCert, client certificate, GetAppKey), and shows three
 * forged certificates refused. Exit status 0 when every step behaved as expected, 1 otherwise.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "End-to-end demo on a simulated SEV-SNP platform (no hardware, no network):",
      "a KMS on loopback releases dstack-compatible app keys to a simulated guest and refuses",
      "tampered requests; then evidence verification on its own, with timings; then key release",
      "to a simulated Intel TDX guest and its refusals; then dstack's RA-TLS key path",
      "(GetTempCaCert, RA-TLS client certificate, GetAppKey over mutual TLS) and its refusals."
    })
final class DemoCommand implements Callable<Integer> {
  /** Which parts of the demo to run. */
  enum Part {
    all,
    keyrelease,
    snp,
    tdx,
    ratls
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--part",
      defaultValue = "all",
      description = "which part to run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
  Part part;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    boolean ok = true;
    if (part == Part.all || part == Part.keyrelease) {
      out.println("== attest4j demo, part 1: key release end to end (KMS on loopback, simulated guest)");
      ok &= KeyReleaseDemo.run(out) == 0;
      out.println();
    }
    if (part == Part.all || part == Part.snp) {
      out.println("== attest4j demo, part 2: SEV-SNP evidence verification on a simulated platform");
      ok &= new SnpDemo(out).run();
      out.println();
    }
    if (part == Part.all || part == Part.tdx) {
      out.println("== attest4j demo, part 3: key release to a simulated Intel TDX guest");
      ok &= new TdxDemo(out).run();
      out.println();
    }
    if (part == Part.all || part == Part.ratls) {
      out.println("== attest4j demo, part 4: dstack RA-TLS key release (GetTempCaCert, client certificate,"
          + " GetAppKey over mutual TLS)");
      ok &= new RatlsDemo(out).run();
      out.println();
    }
    out.println(ok ? "attest4j demo: all parts OK" : "attest4j demo: FAILED (see above)");
    out.flush();
    return ok ? 0 : Main.EXIT_REFUSED;
  }
}
