package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.VerifiedSnpReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest4j snp}: SEV-SNP reports: {@code show} and {@code verify}. */
@Command(
    name = "snp",
    mixinStandardHelpOptions = true,
    description = "SEV-SNP attestation reports: show, verify",
    subcommands = {SnpCommand.Show.class, SnpCommand.Verify.class})
final class SnpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("attest4j snp: a sub-command is required: show or verify");
    spec.commandLine().usage(err);
    err.flush();
    return Main.EXIT_USAGE;
  }

  /** A usage error (exit status 2). */
  static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  static byte[] read(Path file, String what) throws UsageError {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UsageError("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }

  /** Report bytes; a file holding the report as hex text (2368 hex digits) is accepted too. */
  static byte[] readReport(Path file) throws UsageError {
    byte[] b = read(file, "report");
    if (b.length != SnpReport.SIZE && b.length >= 2 * SnpReport.SIZE) {
      String t = new String(b, StandardCharsets.US_ASCII).replaceAll("\\s", "");
      if (t.length() == 2 * SnpReport.SIZE && t.matches("[0-9a-fA-F]+")) {
        return HexFormat.of().parseHex(t);
      }
    }
    return b;
  }

  /** Options are checked here rather than by picocli so that a missing one exits with status 2. */
  static void require(Object value, String option) throws UsageError {
    if (value == null) {
      throw new UsageError("missing required option " + option);
    }
  }

  /** Unknown options and stray arguments are usage errors (exit status 2). */
  static void noUnmatched(java.util.List<String> unmatched) throws UsageError {
    if (unmatched != null && !unmatched.isEmpty()) {
      throw new UsageError("unknown option or argument: " + String.join(" ", unmatched));
    }
  }

  static Product product(String name) throws UsageError {
    if (name == null) {
      return null;
    }
    return Product.fromName(name).orElseThrow(
        () -> new UsageError("unknown product \"" + name + "\" (Milan, Genoa, Turin; Siena and Bergamo are Genoa)"));
  }

  /** The {@code --at} value: see {@link CliInstant} for the accepted forms. */
  static Instant instant(String text) throws UsageError {
    return CliInstant.parse(text)
        .orElseThrow(() -> new UsageError("--at \"" + text + "\" is not " + CliInstant.FORMS));
  }


  static void printJson(PrintWriter out, JsonElement json) {
    out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(json));
    out.flush();
  }

  static void printText(PrintWriter out, JsonObject o, String indent) {
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (e.getValue().isJsonObject()) {
        out.println(indent + e.getKey() + ":");
        printText(out, e.getValue().getAsJsonObject(), indent + "  ");
      } else {
        out.println(indent + e.getKey() + ": " + (e.getValue().isJsonPrimitive() ? e.getValue().getAsString() : e.getValue()));
      }
    }
    out.flush();
  }

  static int usage(CommandSpec spec, UsageError e) {
    spec.commandLine().getErr().println("attest4j: " + e.getMessage());
    spec.commandLine().getErr().flush();
    return Main.EXIT_USAGE;
  }

  static int refused(CommandSpec spec, boolean json, AttestationException e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("REJECTED [" + e.reason().qualifiedCode() + "]: " + e.getMessage());
    err.flush();
    if (json) {
      printJson(spec.commandLine().getOut(), SnpJson.rejected(e));
    }
    return Main.EXIT_REFUSED;
  }

  /** {@code attest4j snp show --report FILE [--json] [--product NAME]}. */
  @Command(name = "show", mixinStandardHelpOptions = true, description = "Parse a report and print its fields (no verification).")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--report", paramLabel = "FILE", description = "the 1184-byte attestation report (required)")
    Path report;

    @Option(names = "--json", description = "print one JSON object (meta.json field names)")
    boolean json;

    @Option(names = "--product", paramLabel = "NAME", description = "product for v2 reports' TCB layout (Milan, Genoa, Turin)")
    String product;

    @CommandLine.Unmatched java.util.List<String> unmatched;

    @Override
    public Integer call() {
      try {
        noUnmatched(unmatched);
        require(report, "--report");
        byte[] bytes = readReport(report);
        Product p = product(product);
        JsonObject o;
        if (HclCli.isHcl(bytes)) { // an Azure HCL report: its fields, claims and inner report
          o = HclCli.show(bytes, p);
        } else {
          SnpReport r = SnpReport.parse(bytes);
          if (p != null) {
            r = r.withProduct(p);
          }
          o = SnpJson.report(r);
        }
        if (json) {
          printJson(spec.commandLine().getOut(), o);
        } else {
          printText(spec.commandLine().getOut(), o, "");
        }
        return 0;
      } catch (UsageError e) {
        return usage(spec, e);
      } catch (AttestationException e) {
        return refused(spec, json, e);
      }
    }
  }

  /**
   * {@code attest4j snp verify --report FILE --vek FILE --chain FILE [--crl FILE] [--at INSTANT]
   * [--product NAME] [--policy strict] [--json]}.
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a report against AMD's pinned roots: ARK -> ASK (ASVK) -> VCEK (VLEK) -> report,",
        "and the certificate-to-report binding. Exit 0 verified, 1 rejected (reason on stderr), 2 usage error."
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--report", paramLabel = "FILE",
        description = "the 1184-byte attestation report, or an Azure HCL report (required)")
    Path report;

    @Option(names = "--vek", paramLabel = "FILE", description = "VCEK or VLEK certificate, DER or PEM (required)")
    Path vek;

    @Option(names = "--chain", paramLabel = "FILE",
        description = "PEM cert_chain: ASK (or ASVK) then ARK, as AMD KDS returns it (required)")
    Path chain;

    @Option(names = "--crl", paramLabel = "FILE", description = "ARK-signed CRL (DER or PEM); then required to cover the chain")
    Path crl;

    @Option(names = "--at", paramLabel = "INSTANT", description = "verification time, ISO-8601 (default: now)")
    String at;

    @Option(names = "--product", paramLabel = "NAME", description = "expected product (Milan, Genoa, Turin)")
    String product;

    @Option(names = "--policy", paramLabel = "NAME", description = "also validate with a policy: strict")
    String policy;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @CommandLine.Unmatched java.util.List<String> unmatched;

    @Override
    public Integer call() {
      SnpPolicy pol;
      SnpVerifier verifier;
      byte[] reportBytes;
      byte[] vekBytes;
      byte[] chainBytes;
      Product expected;
      try {
        noUnmatched(unmatched);
        require(report, "--report");
        require(vek, "--vek");
        require(chain, "--chain");
        if (policy != null && !policy.equalsIgnoreCase("strict")) {
          throw new UsageError("unknown --policy \"" + policy + "\" (supported: strict)");
        }
        pol = policy == null ? null : SnpPolicy.strict();
        Clock clock = at == null ? Clock.systemUTC() : Clock.fixed(instant(at), ZoneOffset.UTC);
        expected = product(product);
        reportBytes = readReport(report);
        vekBytes = read(vek, "VCEK/VLEK certificate");
        chainBytes = read(chain, "certificate chain");
        SnpVerifier.Builder b = SnpVerifier.builder().clock(clock).chainCacheSize(0);
        if (expected != null) {
          b.product(expected);
        }
        if (crl != null) {
          byte[] crlBytes = read(crl, "CRL");
          try {
            b.addCrl(crlBytes).requireCrl(true);
          } catch (AttestationException e) {
            return refused(spec, json, e);
          }
        }
        verifier = b.build();
      } catch (UsageError e) {
        return usage(spec, e);
      }
      try {
        byte[] hcl = HclCli.isHcl(reportBytes) ? reportBytes : null; // Azure HCL report: verify its SNP report
        SnpReport parsed = SnpReport.parse(hcl != null ? HclCli.hardwareReport(hcl) : reportBytes);
        if (expected != null && parsed.cpuidProduct().isPresent() && parsed.cpuidProduct().get() != expected) {
          parsed.withProduct(expected); // throws PRODUCT_MISMATCH
        }
        VerifiedSnpReport v = verifier.verify(parsed, org.attest4j.snp.VcekChain.parse(vekBytes, chainBytes));
        if (expected != null && v.product() != expected) {
          throw new org.attest4j.core.VerificationException(
              org.attest4j.snp.SnpReason.PRODUCT_MISMATCH, "report is " + v.product() + ", --product says " + expected);
        }
        if (pol != null) {
          pol.validate(v);
        }
        JsonObject o = SnpJson.verified(v, pol != null);
        if (hcl != null) {
          o.add("hcl", HclCli.binding(hcl)); // and the runtime claims bound to its REPORT_DATA
        }
        if (json) {
          printJson(spec.commandLine().getOut(), o);
        } else {
          PrintWriter out = spec.commandLine().getOut();
          out.println("OK: SEV-SNP report verified (" + v.product() + ", v" + v.report().version() + ", "
              + v.signingKey() + ", root " + v.trustAnchor().name() + (pol != null ? ", policy strict" : "") + ")");
          printText(out, o, "  ");
        }
        return 0;
      } catch (AttestationException e) {
        return refused(spec, json, e);
      }
    }
  }

}
