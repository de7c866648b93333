package org.attest4j.examples;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.attest4j.core.AttestationException;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.OvmfImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code attest4j measure}: the SEV-SNP (or SEV-ES, SEV) launch measurement with sev-snp-measure's
 * flags and output (the hex digits alone on one line by default). Exit status 0 on success, 1 when the inputs
 * are refused (reason on stderr), 2 for usage errors. {@code attest4j measure explain} searches
 * the launch shapes that reproduce an observed measurement.
 */
@Command(
    name = "measure",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "SEV-SNP, SEV-ES and SEV launch measurement, compatible with sev-snp-measure 0.0.13 (modes snp, "
          + "snp:ovmf-hash, snp:svsm, seves, sev).",
      "Prints the measurement as hex digits (96 for SNP, 64 for SEV/SEV-ES) or base64 on one line."
    },
    subcommands = {MeasureExplainCommand.class})
final class MeasureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-v", "--verbose"}, description = "Print 'Calculated <MODE> guest measurement: <value>'")
  boolean verbose;

  @Option(names = "--mode", paramLabel = "MODE", description = "Guest mode: sev, seves, snp, snp:ovmf-hash or snp:svsm")
  String mode;

  @Option(names = "--vcpus", paramLabel = "N", description = "Number of guest vCPUs")
  String vcpus;

  @Option(names = "--vcpu-type", paramLabel = "CPUTYPE", description = "QEMU vCPU model (EPYC, EPYC-v1..v4, EPYC-Rome, EPYC-Milan, EPYC-Genoa, EPYC-Turin, ...)")
  String vcpuType;

  @Option(names = "--vcpu-sig", paramLabel = "VALUE", description = "Guest vCPU signature (decimal or 0x-hex)")
  String vcpuSig;

  @Option(names = "--vcpu-family", paramLabel = "FAMILY", description = "Guest vCPU family")
  String vcpuFamily;

  @Option(names = "--vcpu-model", paramLabel = "MODEL", description = "Guest vCPU model")
  String vcpuModel;

  @Option(names = "--vcpu-stepping", paramLabel = "STEPPING", description = "Guest vCPU stepping")
  String vcpuStepping;

  @Option(names = "--vmm-type", paramLabel = "VMMTYPE", description = "VMM type: QEMU (default), ec2 or gce (any case)")
  String vmmType;

  @Option(names = "--ovmf", paramLabel = "PATH", description = "OVMF firmware image")
  String ovmf;

  @Option(names = "--kernel", paramLabel = "PATH", description = "Kernel (measured direct boot)")
  String kernel;

  @Option(names = "--initrd", paramLabel = "PATH", description = "Initrd (with --kernel)")
  String initrd;

  @Option(names = "--append", paramLabel = "CMDLINE", description = "Kernel command line (with --kernel); hashed as given, not trimmed")
  String append;

  @Option(names = "--guest-features", paramLabel = "VALUE", description = "VMSA SEV_FEATURES, decimal or 0x-hex (default 0x1)")
  String guestFeatures;

  @Option(names = "--output-format", paramLabel = "FORMAT", description = "hex (default) or base64")
  String outputFormat;

  @Option(names = "--snp-ovmf-hash", paramLabel = "HASH", description = "Precalculated firmware digest (hex, 48 bytes); the firmware pages are not hashed")
  String snpOvmfHash;

  @Option(names = "--dump-vmsa", description = "Write the measured VMSA pages to vmsa<N>.bin in the current directory (seves, snp, snp:svsm)")
  boolean dumpVmsa;

  @Option(names = "--svsm", paramLabel = "PATH", description = "SVSM image (snp:svsm)")
  String svsm;

  @Option(names = "--vars-size", paramLabel = "SIZE", description = "OVMF_VARS size in bytes (snp:svsm; conflicts with --vars-file)")
  String varsSize;

  @Option(names = "--vars-file", paramLabel = "PATH", description = "OVMF_VARS file (snp:svsm; conflicts with --vars-size)")
  String varsFile;

  @Option(names = "--page-log", paramLabel = "FILE", description = "Also write the page-by-page log to FILE ('-' for stderr)")
  String pageLog;

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Override
  public Integer call() {
    return MeasureRun.run(options(), spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The options as picocli read them (MeasureFastPathTest compares them with the fast path's). */
  MeasureOptions options() {
    MeasureOptions o = new MeasureOptions();
    o.verbose = verbose;
    o.mode = mode;
    o.vcpus = vcpus;
    o.vcpuType = vcpuType;
    o.vcpuSig = vcpuSig;
    o.vcpuFamily = vcpuFamily;
    o.vcpuModel = vcpuModel;
    o.vcpuStepping = vcpuStepping;
    o.vmmType = vmmType;
    o.ovmf = ovmf;
    o.kernel = kernel;
    o.initrd = initrd;
    o.append = append;
    o.guestFeatures = guestFeatures;
    o.outputFormat = outputFormat;
    o.snpOvmfHash = snpOvmfHash;
    o.dumpVmsa = dumpVmsa;
    o.svsm = svsm;
    o.varsSize = varsSize;
    o.varsFile = varsFile;
    o.pageLog = pageLog;
    o.unmatched = new ArrayList<>(unmatched);
    return o;
  }

  /** Prints a usage error and returns exit status 2 (independent of the top-level exit-code mapper). */
  static int usageError(CommandSpec spec, ParameterException e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": error: " + e.getMessage());
    err.println("(see '" + spec.qualifiedName() + " --help')");
    err.flush();
    return Main.EXIT_USAGE;
  }

  /** Prints "Error: MESSAGE" on the command's stderr and returns the refusal exit code. */
  static int refused(CommandSpec spec, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("Error: " + message);
    err.flush();
    return Main.EXIT_REFUSED;
  }

  /** Prints the exception's message and qualified reason code on stderr; returns the refusal exit code. */
  static int refused(CommandSpec spec, AttestationException e) {
    return refused(spec, e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
  }

  /** A refusal: exit 1 with the message. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  static OvmfImage readImage(String file, String what) throws Refused {
    return MeasureRun.readImage(file, what);
  }

  static Artifact readArtifact(String file, String what) throws Refused {
    return MeasureRun.readArtifact(file, what);
  }
}
