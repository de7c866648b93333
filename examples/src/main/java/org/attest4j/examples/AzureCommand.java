package org.attest4j.examples;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.attest4j.azure.AzurePlatform;
import org.attest4j.azure.AzureVerification;
import org.attest4j.azure.AzureVerifier;
import org.attest4j.core.AttestationException;
import org.attest4j.tdx.TdxCollateral;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code attest4j azure}: Azure confidential VMs (SEV-SNP and TDX behind the HCL paravisor and vTPM). */
@Command(
    name = "azure",
    mixinStandardHelpOptions = true,
    description = "Azure confidential VMs: verify trustee's evidence (HCL report, runtime claims, vTPM quote)",
    subcommands = {AzureCommand.Verify.class})
final class AzureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("attest4j azure: a sub-command is required: verify");
    spec.commandLine().usage(err);
    err.flush();
    return Main.EXIT_USAGE;
  }

  /**
   * {@code attest4j azure verify --evidence FILE --nonce HEX [--platform snp|tdx] [--collateral FILE]
   * [--no-collateral] [--at INSTANT] [--json]}.
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify trustee's Azure evidence JSON (v0, v1, v2): HCL report -> hardware report (SNP: VCEK chain;",
        "TDX: TD quote, DCAP) -> runtime claims bound in REPORT_DATA -> AK -> TPM quote signature, nonce,",
        "PCR digest. Exit 0 when every required check passes, 1 otherwise (failed checks named), 2 usage error."
      })
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--evidence", paramLabel = "FILE", description = "trustee's evidence JSON (required)")
    Path evidence;

    @Option(names = "--nonce", paramLabel = "HEX", description = "the nonce given to the guest, hex (required)")
    String nonce;

    @Option(names = "--platform", paramLabel = "snp|tdx",
        description = "the platform to accept (default: tdx when the evidence has a td_quote, else snp)")
    String platform;

    @Option(names = "--collateral", paramLabel = "FILE",
        description = "SNP: AMD KDS cert_chain PEM (ASK, ARK) for the VCEK's product, unless the VCEK file carries it;"
            + " TDX: DCAP QuoteCollateralV3 JSON")
    Path collateral;

    @Option(names = "--no-collateral",
        description = "TDX without collateral: PCK chain and signatures only, no TCB status or revocation")
    boolean noCollateral;

    @Option(names = "--at", paramLabel = "INSTANT", description = "verification time (default: now); " + CliInstant.FORMS)
    String at;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @CommandLine.Unmatched List<String> unmatched;

    @Override
    public Integer call() {
      AzureVerifier verifier;
      byte[] evidenceBytes;
      byte[] nonceBytes;
      String dcap = "n/a";
      try {
        SnpCommand.noUnmatched(unmatched);
        SnpCommand.require(evidence, "--evidence");
        SnpCommand.require(nonce, "--nonce");
        try {
          nonceBytes = HexFormat.of().parseHex(nonce.trim());
        } catch (IllegalArgumentException e) {
          throw new SnpCommand.UsageError("--nonce is not hex");
        }
        evidenceBytes = SnpCommand.read(evidence, "evidence");
        AzurePlatform p = platform(evidenceBytes);
        Clock clock = at == null ? Clock.systemUTC() : Clock.fixed(SnpCommand.instant(at), ZoneOffset.UTC);
        AzureVerifier.Builder b = AzureVerifier.builder(p).clock(clock);
        byte[] coll = collateral == null ? null : SnpCommand.read(collateral, "collateral");
        try {
          if (p == AzurePlatform.SNP) {
            if (noCollateral) {
              throw new SnpCommand.UsageError("--no-collateral applies to TDX only");
            }
            if (coll != null) {
              b.snpCertChain(coll);
            }
          } else if (coll != null) {
            if (noCollateral) {
              throw new SnpCommand.UsageError("--collateral and --no-collateral are mutually exclusive");
            }
            b.tdxCollateral(TdxCollateral.fromQuoteCollateralJson(coll));
            dcap = "full";
          } else if (noCollateral) {
            b.tdxSignaturesOnly();
            dcap = "signatures-only";
          } else {
            dcap = "none";
          }
        } catch (AttestationException e) {
          return SnpCommand.refused(spec, json, e);
        }
        verifier = b.build();
      } catch (SnpCommand.UsageError e) {
        return SnpCommand.usage(spec, e);
      }
      AzureVerification v = verifier.verify(evidenceBytes, nonceBytes);
      JsonObject o = AzureJson.verification(v, dcap);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!v.valid()) {
        err.println("REJECTED: Azure " + v.platform() + " evidence failed " + names(v.failedChecks())
            + (v.notEvaluated().isEmpty() ? "" : ", not evaluated " + names(v.notEvaluated())));
        v.problems().forEach((c, m) -> err.println("  " + c.specName() + ": " + m));
        err.flush();
      }
      if (json) {
        SnpCommand.printJson(out, o);
      } else if (v.valid()) {
        out.println("OK: Azure " + v.platform() + " evidence v" + v.evidenceVersion() + " verified"
            + (v.advisoryFailed().isEmpty() ? "" : " (advisory failed: " + names(v.advisoryFailed()) + ")"));
        for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("checks").entrySet()) {
          out.println("  " + e.getKey() + ": " + (e.getValue().getAsBoolean() ? "pass" : "FAIL"));
        }
        out.flush();
      }
      return v.valid() ? 0 : Main.EXIT_REFUSED;
    }

    private static List<String> names(List<org.attest4j.azure.AzureCheck> checks) {
      return checks.stream().map(org.attest4j.azure.AzureCheck::specName).toList();
    }

    private AzurePlatform platform(byte[] evidenceBytes) throws SnpCommand.UsageError {
      if (platform != null) {
        switch (platform.toLowerCase(Locale.ROOT)) {
          case "snp":
            return AzurePlatform.SNP;
          case "tdx":
            return AzurePlatform.TDX;
          default:
            throw new SnpCommand.UsageError("--platform must be snp or tdx");
        }
      }
      try {
        JsonElement e = JsonParser.parseString(new String(evidenceBytes, StandardCharsets.UTF_8));
        if (e.isJsonObject() && e.getAsJsonObject().has("td_quote")) {
          return AzurePlatform.TDX;
        }
      } catch (RuntimeException notJson) {
        // the verifier reports container.decode
      }
      return AzurePlatform.SNP;
    }
  }
}
