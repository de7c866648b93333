package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.tdx.TdxPolicy;
import org.attest4j.tdx.TdxTrustAnchor;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j tdx verify}: verifies a TDX quote (v4/v5) with Intel collateral, optionally
 * replays an event log (binary CCEL or dstack JSON) against the quote's RTMRs and derives the dstack
 * app identity. Exit status 0 when the quote verifies and the policy accepts it, 1 when refused
 * (reason on stderr), 2 for usage errors.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Verify an Intel TDX quote (DCAP v4/v5) against Intel collateral at an instant.",
      "Without collateral only the quote signature, the QE report signature, the attestation-key",
      "binding and the PCK chain to the pinned Intel SGX Root CA are checked (no CRLs, no TCB status).",
      "Exit status: 0 verified, 1 refused (reason on stderr), 2 usage error."
    })
final class TdxVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--quote", arity = "0..1", paramLabel = "FILE",
      description = "Quote (required): raw bytes, hex text, or JSON with a \"quote\" field (hex or base64) at the top level"
          + " (dstack quote-report) or nested (e.g. {\"tdx\":{\"quote\":...}}); its event_log and vm_config are used too")
  String quote;

  @Option(names = "--collateral", arity = "0..1", paramLabel = "FILE",
      description = "QuoteCollateralV3 JSON (dcap-qvl / PCCS tooling)")
  String collateralFile;

  @Option(names = "--collateral-dir", arity = "0..1", paramLabel = "DIR",
      description = "Directory with root_ca_crl.der, pck_crl.der, *_issuer_chain.pem, tcb_info.json + .sig.hex, qe_identity.json + .sig.hex")
  String collateralDir;

  @Option(names = "--event-log", arity = "0..1", paramLabel = "FILE",
      description = "Event log: binary CCEL log area or dstack JSON event log")
  String eventLog;

  @Option(names = "--ccel-table", arity = "0..1", paramLabel = "FILE",
      description = "ACPI CCEL table (56 bytes) for a binary CCEL log")
  String ccelTable;

  @Option(names = "--vm-config", arity = "0..1", paramLabel = "FILE", description = "dstack vm_config JSON (os_image_hash)")
  String vmConfig;

  @Option(names = "--at", arity = "0..1", paramLabel = "INSTANT",
      description = "Verification time: ISO-8601 instant or unix seconds (default: now)")
  String at;

  @Option(names = "--json", description = "Print one JSON object on stdout")
  boolean json;

  @Option(names = "--report-data", arity = "0..1", paramLabel = "HEX", description = "Require this report_data (64 bytes hex)")
  String reportData;

  @Option(names = "--allow-out-of-date", description = "Accept OutOfDate / OutOfDateConfigurationNeeded TCB")
  boolean allowOutOfDate;

  @Option(names = "--require-up-to-date", description = "Accept only UpToDate TCB")
  boolean requireUpToDate;

  @Option(names = "--allow-debug", description = "Accept debug TDs (never in production)")
  boolean allowDebug;

  @Option(names = "--allow-mr-signer-seam", description = "Accept a non-zero mr_signer_seam")
  boolean allowMrSignerSeam;

  @Option(names = "--allow-service-td",
      description = "Accept a non-zero mr_servicetd (TD 1.5 quotes bound to a service TD, e.g. Alibaba Cloud)")
  boolean allowServiceTd;

  @Option(names = "--allow-without-sept-ve-disable",
      description = "Accept td_attributes without SEPT_VE_DISABLE (bit 28), e.g. Azure TDX quotes (td_attributes 0)")
  boolean allowWithoutSeptVeDisable;

  @Option(names = "--trust-root", arity = "0..1", paramLabel = "FILE",
      description = "Trust this root certificate (PEM or DER) instead of Intel's SGX Root CA: for a test PKI"
          + " such as SimulatedTdxPlatform only, never in production")
  String trustRoot;

  @Option(names = "--boot-time", description = "dstack app info in boot-time mode (RTMR3 up to boot-mr-done, mr_key_provider zero)")
  boolean bootTime;

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Override
  public Integer call() {
    try {
      return verify();
    } catch (ParameterException e) {
      return MeasureCommand.usageError(spec, e);
    }
  }

  private Integer verify() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!unmatched.isEmpty()) {
      throw usage("unrecognized arguments: " + String.join(" ", unmatched));
    }
    if (quote == null || quote.isEmpty()) {
      throw usage("--quote FILE is required");
    }
    if (collateralFile != null && collateralDir != null) {
      throw usage("--collateral and --collateral-dir are mutually exclusive");
    }
    TdxVerification.Inputs in = new TdxVerification.Inputs();
    in.at = parseAt(at);
    in.quote = read(path(quote, "--quote"), "--quote", 16 << 20);
    if (trustRoot != null) {
      try {
        in.trustAnchor = TdxTrustAnchor.ofCertificate(read(path(trustRoot, "--trust-root"), "--trust-root", 1 << 16));
      } catch (MalformedEvidenceException e) {
        throw usage("--trust-root: " + e.getMessage());
      }
    }
    if (collateralFile != null) {
      in.collateralFile = requireExists(path(collateralFile, "--collateral"), "--collateral");
    } else if (collateralDir != null) {
      Path d = path(collateralDir, "--collateral-dir");
      if (!Files.isDirectory(d)) {
        throw usage("--collateral-dir " + d + " is not a directory");
      }
      in.collateralDir = d;
    }
    if (eventLog != null) {
      in.eventLog = read(path(eventLog, "--event-log"), "--event-log", 64 << 20);
    }
    if (ccelTable != null) {
      in.ccelTable = read(path(ccelTable, "--ccel-table"), "--ccel-table", 1 << 16);
    }
    if (vmConfig != null) {
      in.vmConfig = new String(read(path(vmConfig, "--vm-config"), "--vm-config", 1 << 20), StandardCharsets.UTF_8);
    }
    TdxPolicy.Builder pb = TdxPolicy.builder()
        .allowOutOfDate(allowOutOfDate)
        .allowDebug(allowDebug)
        .allowMrSignerSeam(allowMrSignerSeam)
        .allowServiceTd(allowServiceTd)
        .requireSeptVeDisable(!allowWithoutSeptVeDisable);
    relax(in, allowOutOfDate, "--allow-out-of-date", "OutOfDate and OutOfDateConfigurationNeeded TCB accepted");
    relax(in, allowDebug, "--allow-debug", "debug TDs accepted");
    relax(in, allowMrSignerSeam, "--allow-mr-signer-seam", "a non-zero mr_signer_seam accepted");
    relax(in, allowServiceTd, "--allow-service-td", "a non-zero mr_servicetd accepted");
    relax(in, allowWithoutSeptVeDisable, "--allow-without-sept-ve-disable",
        "td_attributes without SEPT_VE_DISABLE accepted");
    if (requireUpToDate) {
      if (allowOutOfDate) {
        throw usage("--require-up-to-date and --allow-out-of-date contradict each other");
      }
      pb.requireUpToDate();
    }
    if (reportData != null) {
      if (reportData.isEmpty()) {
        throw usage("--report-data needs a value");
      }
      try {
        byte[] rd = HexFormat.of().parseHex(reportData.strip().replaceFirst("^0x", ""));
        if (rd.length != 64) {
          throw usage("--report-data must be 64 bytes of hex, got " + rd.length);
        }
        pb.expectedReportData(org.attest4j.core.Bytes.of(rd));
      } catch (IllegalArgumentException e) {
        throw usage("--report-data is not hex");
      }
    }
    in.policy = pb;
    in.bootTime = bootTime;

    TdxVerification.Result r = TdxVerification.run(in);
    if (json) {
      out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(r.json));
    } else {
      for (String line : r.text) {
        out.println(line);
      }
    }
    out.flush();
    if (!r.valid) {
      err.println("attest4j tdx verify: refused: " + r.reasonText);
      err.flush();
      return Main.EXIT_REFUSED;
    }
    return 0;
  }

  private static void relax(TdxVerification.Inputs in, boolean on, String flag, String effect) {
    if (on) {
      in.relaxations.put(flag, effect);
    }
  }

  private byte[] read(Path p, String option, int max) {
    try {
      if (Files.size(p) > max) {
        throw usage(option + " " + p + " is larger than " + max + " bytes");
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw usage(option + " " + p + ": no such file");
    } catch (IOException | SecurityException e) {
      throw usage(option + " " + p + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private Path path(String s, String option) {
    if (s == null || s.isEmpty()) {
      throw usage(option + " needs a value");
    }
    try {
      return Path.of(s);
    } catch (java.nio.file.InvalidPathException e) {
      throw usage(option + " '" + s + "' is not a valid path");
    }
  }

  private Path requireExists(Path p, String option) {
    if (!Files.isRegularFile(p)) {
      throw usage(option + " " + p + ": no such file");
    }
    return p;
  }

  private Instant parseAt(String s) {
    if (s == null) {
      return Instant.now();
    }
    return CliInstant.parse(s).orElseThrow(() -> usage("--at '" + s + "' is not " + CliInstant.FORMS));
  }

  private ParameterException usage(String msg) {
    return new ParameterException(spec.commandLine(), msg);
  }
}
