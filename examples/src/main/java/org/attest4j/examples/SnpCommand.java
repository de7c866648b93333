package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
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
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.VerifiedSnpReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest4j snp}: SEV-SNP reports: {@code show}, {@code verify}, and the guest's {@code derive-key}. */
@Command(
    name = "snp",
    mixinStandardHelpOptions = true,
    description = "SEV-SNP attestation reports and guest keys: show, verify, fetch, report, derive-key",
    subcommands = {SnpCommand.Show.class, SnpCommand.Verify.class, SnpDeriveKeyCommand.class})
final class SnpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("attest4j snp: a sub-command is required: show, verify, fetch, report or derive-key");
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

  /** {@code attest4j snp show [--report FILE] [--cert-table FILE] [--json] [--product NAME]}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Parse a report and/or list a certificate table's entries (no verification).")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--report", paramLabel = "FILE", description = "the 1184-byte attestation report")
    Path report;

    @Option(names = "--cert-table", paramLabel = "FILE",
        description = "a certificate table (configfs-tsm auxblob or SNP_GET_EXT_REPORT certificates): list its entries")
    Path certTable;

    @Option(names = "--json", description = "print one JSON object (meta.json field names)")
    boolean json;

    @Option(names = "--product", paramLabel = "NAME", description = "product for v2 reports' TCB layout (Milan, Genoa, Turin)")
    String product;

    @CommandLine.Unmatched java.util.List<String> unmatched;

    @Override
    public Integer call() {
      try {
        noUnmatched(unmatched);
        if (report == null && certTable == null) {
          throw new UsageError("missing required option --report (or --cert-table)");
        }
        Product p = product(product);
        JsonObject o = new JsonObject();
        byte[] bytes = report == null ? null : readReport(report);
        if (bytes != null && HclCli.isHcl(bytes)) { // an Azure HCL report: its fields, claims and inner report
          o = HclCli.show(bytes, p);
        } else if (bytes != null) {
          SnpReport r = SnpReport.parse(bytes);
          if (p != null) {
            r = r.withProduct(p);
          }
          o = SnpJson.report(r);
        }
        if (certTable != null) {
          SnpCertTable t = SnpCertTable.parse(read(certTable, "certificate table"));
          o.add("cert_table", SnpCertTableCli.entries(t));
        }
        if (json) {
          printJson(spec.commandLine().getOut(), o);
        } else {
          PrintWriter out = spec.commandLine().getOut();
          JsonArray entries = o.has("cert_table") ? o.remove("cert_table").getAsJsonArray() : null;
          printText(out, o, "");
          if (entries != null) {
            out.println("cert_table: " + entries.size() + " entries");
            for (JsonElement e : entries) {
              JsonObject eo = e.getAsJsonObject();
              out.println("  [" + eo.get("index").getAsInt() + "] " + eo.get("type").getAsString() + " "
                  + eo.get("guid").getAsString() + " " + eo.get("encoding").getAsString() + " "
                  + eo.get("length").getAsInt() + " bytes"
                  + (eo.has("subject_cn") ? ", CN=" + eo.get("subject_cn").getAsString() + " issued by CN="
                      + eo.get("issuer_cn").getAsString() + ", valid " + eo.get("not_before").getAsString()
                      + " .. " + eo.get("not_after").getAsString() : "")
                  + (eo.has("error") ? ", cannot be decoded: " + eo.get("error").getAsString() : ""));
            }
            out.flush();
          }
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
   * {@code attest4j snp verify --report FILE (--vek FILE --chain FILE | --cert-table FILE [--chain
   * FILE | --kds-url URL --cache DIR --offline]) [--crl FILE] [--at INSTANT] [--product NAME]
   * [--policy strict] [--json]}.
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

    @Option(names = "--vek", paramLabel = "FILE", description = "VCEK or VLEK certificate, DER or PEM (required without --cert-table)")
    Path vek;

    @Option(names = "--chain", paramLabel = "FILE",
        description = "PEM cert_chain: ASK (or ASVK) then ARK, as AMD KDS returns it (required with --vek;"
            + " with --cert-table it completes a table that holds only the VCEK/VLEK)")
    Path chain;

    @Option(names = "--cert-table", paramLabel = "FILE",
        description = "the guest's certificate table (configfs-tsm auxblob or SNP_GET_EXT_REPORT certificates),"
            + " DER or PEM entries; replaces --vek/--chain")
    Path certTable;

    @Option(names = "--kds-url", paramLabel = "URL",
        description = "with --cert-table holding only the VCEK/VLEK and no --chain: KDS to take cert_chain from"
            + " (default https://kdsintf.amd.com)")
    String kdsUrl;

    @Option(names = "--cache", paramLabel = "DIR", description = "KDS cache directory for that cert_chain")
    Path cache;

    @Option(names = "--offline", description = "take that cert_chain only from --cache, never the network")
    boolean offline;

    @Option(names = "--crl", paramLabel = "FILE", description = "ARK-signed CRL (DER or PEM); then required to cover the chain")
    Path crl;

    @Option(names = "--at", paramLabel = "INSTANT", description = "verification time, ISO-8601 (default: now)")
    String at;

    @Option(names = "--product", paramLabel = "NAME", description = "expected product (Milan, Genoa, Turin)")
    String product;

    @Option(names = "--trust-ark", paramLabel = "FILE",
        description = "also trust this ARK certificate (DER or PEM; a private or simulated root), for the product"
            + " its CN names (ARK-<product>) or --product")
    Path trustArk;

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
      byte[] vekBytes = null;
      byte[] chainBytes = null;
      byte[] tableBytes = null;
      byte[] crlBytes = null;
      Product expected;
      try {
        noUnmatched(unmatched);
        require(report, "--report");
        if (certTable != null) {
          if (vek != null) {
            throw new UsageError("--vek and --cert-table exclude each other (the table holds the VCEK/VLEK)");
          }
        } else {
          require(vek, "--vek (or --cert-table)");
          require(chain, "--chain");
          if (kdsUrl != null || cache != null || offline) {
            throw new UsageError("--kds-url, --cache and --offline apply only with --cert-table");
          }
        }
        if (policy != null && !policy.equalsIgnoreCase("strict")) {
          throw new UsageError("unknown --policy \"" + policy + "\" (supported: strict)");
        }
        pol = policy == null ? null : SnpPolicy.strict();
        Clock clock = at == null ? Clock.systemUTC() : Clock.fixed(instant(at), ZoneOffset.UTC);
        expected = product(product);
        reportBytes = readReport(report);
        if (vek != null) {
          vekBytes = read(vek, "VCEK/VLEK certificate");
        }
        if (chain != null) {
          chainBytes = read(chain, "certificate chain");
        }
        if (certTable != null) {
          tableBytes = read(certTable, "certificate table");
        }
        SnpVerifier.Builder b = SnpVerifier.builder().clock(clock).chainCacheSize(0);
        if (expected != null) {
          b.product(expected);
        }
        if (trustArk != null) {
          try {
            b.addTrustAnchor(SnpCertTableCli.trustAnchor(read(trustArk, "ARK certificate"), expected));
          } catch (AttestationException e) {
            return refused(spec, json, e);
          }
        }
        if (crl != null) {
          crlBytes = read(crl, "CRL");
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
        VerifiedSnpReport v;
        String chainSource = null;
        if (tableBytes != null) {
          SnpCertTable table = SnpCertTable.parse(tableBytes);
          SnpCertTableCli.Chain c =
              SnpCertTableCli.chainFor(table, parsed, expected, chainBytes, kdsUrl, cache, offline);
          chainSource = c.source();
          v = verifier.verify(parsed, table, c.pem());
        } else {
          v = verifier.verify(parsed, org.attest4j.snp.VcekChain.parse(vekBytes, chainBytes));
        }
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
        if (tableBytes != null) {
          JsonObject e = new JsonObject();
          e.addProperty("vek", "certificate table");
          e.addProperty("chain", chainSource);
          o.add("endorsements", e);
        }
        if (crlBytes != null) {
          o.getAsJsonObject("checks").addProperty("crl_not_revoked", true);
          o.add("crl", SnpCertTableCli.crlSummary(crlBytes, crl));
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
      } catch (UsageError e) {
        return usage(spec, e);
      }
    }
  }

}
