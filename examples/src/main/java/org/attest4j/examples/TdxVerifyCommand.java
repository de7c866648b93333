package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
import org.attest4j.tdx.TdxPolicy;
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
      description = "Quote (required): raw bytes, hex text, or JSON with a \"quote\" hex field (dstack quote-report)")
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
    in.quote = quoteBytes();
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
    } else if (pendingEmbeddedLog != null) {
      in.eventLog = pendingEmbeddedLog;
    }
    if (ccelTable != null) {
      in.ccelTable = read(path(ccelTable, "--ccel-table"), "--ccel-table", 1 << 16);
    }
    if (vmConfig != null) {
      in.vmConfig = new String(read(path(vmConfig, "--vm-config"), "--vm-config", 1 << 20), StandardCharsets.UTF_8);
    } else if (embeddedVmConfig != null) {
      in.vmConfig = embeddedVmConfig;
    }
    TdxPolicy.Builder pb = TdxPolicy.builder()
        .allowOutOfDate(allowOutOfDate)
        .allowDebug(allowDebug)
        .allowMrSignerSeam(allowMrSignerSeam);
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

  private String embeddedVmConfig;

  private byte[] quoteBytes() {
    byte[] b = read(path(quote, "--quote"), "--quote", 16 << 20);
    String s = new String(b, StandardCharsets.ISO_8859_1).strip();
    if (s.startsWith("{")) {
      try {
        JsonObject o = JsonParser.parseString(new String(b, StandardCharsets.UTF_8)).getAsJsonObject();
        if (o.has("quote")) {
          byte[] q = HexFormat.of().parseHex(o.get("quote").getAsString().strip());
          if (o.has("event_log") && eventLog == null) {
            JsonElement e = o.get("event_log");
            String text = e.isJsonPrimitive() ? e.getAsString() : e.toString();
            pendingEmbeddedLog = text.getBytes(StandardCharsets.UTF_8);
          }
          if (o.has("vm_config") && vmConfig == null) {
            JsonElement e = o.get("vm_config");
            embeddedVmConfig = e.isJsonPrimitive() ? e.getAsString() : e.toString();
          }
          return q;
        }
      } catch (RuntimeException e) {
        // not a JSON wrapper: treat as raw bytes (the parser will refuse it)
      }
    }
    String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    h = h.replaceAll("\\s+", "");
    if (h.length() >= 2 && h.length() % 2 == 0 && h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return HexFormat.of().parseHex(h);
    }
    return b;
  }

  private byte[] pendingEmbeddedLog;

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
