package org.attest4j.examples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchDigest;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.MeasurementLog;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.SevLaunchDigest;
import org.attest4j.ovmf.SnpMode;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.ovmf.VmmType;
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
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (!unmatched.isEmpty()) {
        throw usage("unrecognized arguments: " + String.join(" ", unmatched));
      }
      String result = measure();
      out.println(result);
      out.flush();
      return 0;
    } catch (ParameterException e) {
      return usageError(spec, e);
    } catch (Refused r) {
      err.println("Error: " + r.getMessage());
      err.flush();
      return Main.EXIT_REFUSED;
    }
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

  private ParameterException usage(String msg) {
    return new ParameterException(spec.commandLine(), msg);
  }

  private String measure() throws Refused {
    if (mode == null || ovmf == null) {
      throw usage(
          "the following arguments are required: "
              + (mode == null ? "--mode" + (ovmf == null ? ", " : "") : "")
              + (ovmf == null ? "--ovmf" : ""));
    }
    boolean sev = mode.equals("sev");
    boolean seves = mode.equals("seves");
    SnpMode m = SnpMode.SNP;
    if (!sev && !seves) {
      try {
        m = SnpMode.parse(mode);
      } catch (MalformedEvidenceException e) {
        throw usage(
            "argument --mode: invalid choice: '" + mode + "' (choose from 'sev', 'seves', 'snp', 'snp:ovmf-hash', "
                + "'snp:svsm')");
      }
    }
    if (vcpuType != null && VcpuType.fromQemuName(vcpuType).isEmpty()) {
      throw usage("argument --vcpu-type: invalid choice: '" + vcpuType + "' (choose from the QEMU EPYC models: "
          + java.util.Arrays.stream(VcpuType.values()).flatMap(t -> t.qemuNames().stream())
              .collect(java.util.stream.Collectors.joining(", ")) + ")");
    }
    if (outputFormat != null && !outputFormat.equals("hex") && !outputFormat.equals("base64")) {
      throw usage("argument --output-format: invalid choice: '" + outputFormat + "' (choose from 'hex', 'base64')");
    }
    Long gf = guestFeatures == null ? Long.valueOf(LaunchFeatures.DEFAULT_GUEST_FEATURES) : MeasureArgs.autoInt("--guest-features", guestFeatures, spec);
    Long sigArg = vcpuSig == null ? null : MeasureArgs.autoInt("--vcpu-sig", vcpuSig, spec);
    Integer n = vcpus == null ? null : MeasureArgs.decimalInt("--vcpus", vcpus, spec);
    Integer fam = vcpuFamily == null ? null : MeasureArgs.decimalInt("--vcpu-family", vcpuFamily, spec);
    Integer mod = vcpuModel == null ? null : MeasureArgs.decimalInt("--vcpu-model", vcpuModel, spec);
    Integer step = vcpuStepping == null ? null : MeasureArgs.decimalInt("--vcpu-stepping", vcpuStepping, spec);
    if (varsSize != null && varsFile != null) {
      throw usage("argument --vars-file: not allowed with argument --vars-size");
    }
    Long vars = varsSize == null ? null : MeasureArgs.decimalLong("--vars-size", varsSize, spec);

    OvmfImage image = readImage(ovmf, "OVMF");
    if (m == SnpMode.SNP_OVMF_HASH) {
      // sev-snp-measure prints the hex firmware digest here whatever --output-format says
      return LaunchDigest.firmwareDigest(image).toHex();
    }
    if (initrd != null && !initrd.isEmpty() && kernel == null) {
      throw usage("--kernel required when using --initrd");
    }
    if (append != null && !append.isEmpty() && kernel == null) {
      throw usage("--kernel required when using --append");
    }
    if (sev) {
      if (dumpVmsa) {
        throw usage("--dump-vmsa is not available in the selected mode");
      }
      return sevMeasure(image, null);
    }
    if (n == null) {
      throw usage("missing --vcpus N in guest mode '" + mode + "'");
    }
    VmmType vmm;
    try {
      vmm = VmmType.parse(vmmType == null ? "QEMU" : vmmType);
    } catch (MalformedEvidenceException e) {
      throw usage("unknown VMM type '" + vmmType + "' (choose from QEMU, ec2, gce)");
    }
    LaunchFeatures.Builder fb = LaunchFeatures.builder().mode(m).vcpus(n).vmmType(vmm).guestFeatures(gf);
    // sev-snp-measure's precedence since its PR #67 ("is not None", so 0 counts): the family/model/stepping,
    // then the signature, then the type
    if (fam != null) {
      if (mod == null || step == null) {
        throw usage("--vcpu-family requires --vcpu-model and --vcpu-stepping");
      }
      fb.vcpuFamilyModelStepping(fam, mod, step);
    } else if (sigArg != null) {
      fb.vcpuSignature(sigArg);
    } else if (vcpuType != null) {
      fb.vcpuType(vcpuType);
    } else if (vmm == VmmType.QEMU) {
      throw usage("missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '" + mode + "'");
    }
    if (seves) {
      if (snpOvmfHash != null && !snpOvmfHash.isEmpty()) {
        throw new Refused("SNP OVMF hash only works with SNP");
      }
      try {
        return sevMeasure(image, fb.build());
      } catch (InvalidConfigurationException e) {
        throw new Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
      }
    }
    if (snpOvmfHash != null && !snpOvmfHash.isEmpty()) { // sev-snp-measure ignores an empty value
      try {
        fb.firmwareDigest(Bytes.fromHex(snpOvmfHash.replace(" ", "")));
      } catch (InvalidConfigurationException e) {
        throw new Refused("--snp-ovmf-hash is not hex: " + e.getMessage());
      }
    }
    if (m == SnpMode.SNP_SVSM) {
      if (svsm == null || svsm.isEmpty()) {
        throw usage("snp:svsm mode requires --svsm PATH");
      }
      long vs;
      if (varsFile != null && !varsFile.isEmpty()) {
        try {
          vs = Files.size(Path.of(varsFile));
        } catch (IOException | RuntimeException e) {
          throw new Refused("cannot read the OVMF_VARS file " + varsFile + ": " + e.getMessage());
        }
      } else if (vars != null) {
        vs = vars;
      } else {
        throw usage("snp:svsm mode requires --vars-size or --vars-file");
      }
      fb.svsm(readImage(svsm, "SVSM"), vs);
    }
    BootArtifacts boot = BootArtifacts.none();
    if (kernel != null && !kernel.isEmpty()) { // sev-snp-measure: an empty --kernel means none
      Artifact k = readArtifact(kernel, "kernel");
      Artifact i = initrd == null || initrd.isEmpty() ? null : readArtifact(initrd, "initrd");
      boot = BootArtifacts.of(k, i, MeasureArgs.cmdlineBytes(append));
    }
    try {
      LaunchFeatures f = fb.build();
      Bytes result;
      if (dumpVmsa || pageLog != null) {
        MeasurementLog log = LaunchDigest.explain(image, boot, f);
        result = log.measurement();
        if (dumpVmsa) {
          for (int i = 0; i < f.vcpus(); i++) {
            Files.write(Path.of("vmsa" + i + ".bin"), log.vmsaPage(i).toByteArray());
          }
        }
        if (pageLog != null) {
          if (pageLog.equals("-")) {
            spec.commandLine().getErr().println(log);
            spec.commandLine().getErr().flush();
          } else {
            Files.writeString(Path.of(pageLog), log + "\n");
          }
        }
      } else {
        result = LaunchDigest.compute(image, boot, f);
      }
      String text =
          "base64".equals(outputFormat)
              ? Base64.getEncoder().encodeToString(result.toByteArray())
              : result.toHex();
      return verbose ? "Calculated " + m.referenceName() + " guest measurement: " + text : text;
    } catch (MalformedEvidenceException e) {
      throw new Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (InvalidConfigurationException e) {
      throw new Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (IOException e) {
      throw new Refused("cannot write: " + e.getMessage());
    }
  }

  /** Modes sev ({@code features} null) and seves: the SHA-256 launch digest. */
  private String sevMeasure(OvmfImage image, LaunchFeatures features) throws Refused {
    if (snpOvmfHash != null && !snpOvmfHash.isEmpty()) {
      throw new Refused("SNP OVMF hash only works with SNP");
    }
    BootArtifacts boot = BootArtifacts.none();
    if (kernel != null && !kernel.isEmpty()) {
      Artifact k = readArtifact(kernel, "kernel");
      Artifact i = initrd == null || initrd.isEmpty() ? null : readArtifact(initrd, "initrd");
      boot = BootArtifacts.of(k, i, MeasureArgs.cmdlineBytes(append));
    }
    try {
      Bytes result;
      if (features == null) {
        result = SevLaunchDigest.sev(image, boot);
      } else {
        result = SevLaunchDigest.sevEs(image, boot, features);
        if (dumpVmsa) {
          List<Bytes> pages = SevLaunchDigest.sevEsVmsaPages(image, features);
          for (int i = 0; i < pages.size(); i++) {
            Files.write(Path.of("vmsa" + i + ".bin"), pages.get(i).toByteArray());
          }
        }
      }
      String text =
          "base64".equals(outputFormat)
              ? Base64.getEncoder().encodeToString(result.toByteArray())
              : result.toHex();
      return verbose ? "Calculated " + (features == null ? "SEV" : "SEV_ES") + " guest measurement: " + text : text;
    } catch (MalformedEvidenceException e) {
      throw new Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (IOException e) {
      throw new Refused("cannot write: " + e.getMessage());
    }
  }

  static OvmfImage readImage(String file, String what) throws Refused {
    try {
      return OvmfImage.parse(Path.of(file));
    } catch (MalformedEvidenceException e) {
      throw new Refused(what + " image " + file + " is refused: " + e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (IOException | RuntimeException e) {
      throw new Refused("cannot read the " + what + " image " + file + ": " + e);
    }
  }

  static Artifact readArtifact(String file, String what) throws Refused {
    try {
      return Artifact.of(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new Refused("cannot read the " + what + " " + file + ": " + e);
    }
  }
}
