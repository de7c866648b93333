package org.attest4j.examples;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
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

/**
 * Runs {@code attest4j measure} on parsed {@link MeasureOptions}: the measurement on {@code out},
 * refusals and usage errors on {@code err}, the exit status returned. Reached by both parsers
 * (picocli's {@link MeasureCommand} and {@link MeasureFastPath}), and free of picocli, Bouncy
 * Castle, gson and JNA, so that {@code measure} loads none of them (MeasureLazyLoadingTest).
 * One instance per run.
 */
final class MeasureRun {
  /** The command's name in usage errors. */
  static final String NAME = "attest4j measure";

  private final MeasureOptions o;
  private final PrintWriter err;

  private MeasureRun(MeasureOptions o, PrintWriter err) {
    this.o = o;
    this.err = err;
  }

  /**
   * Measures, prints, and returns the exit status: 0 with the measurement on {@code out}; 1 with
   * "Error: ..." on {@code err}; 2 with sev-snp-measure's usage error on {@code err}.
   */
  static int run(MeasureOptions o, PrintWriter out, PrintWriter err) {
    try {
      if (!o.unmatched.isEmpty()) {
        throw new MeasureArgs.UsageError("unrecognized arguments: " + String.join(" ", o.unmatched));
      }
      String result = new MeasureRun(o, err).measure();
      out.println(result);
      out.flush();
      return 0;
    } catch (MeasureArgs.UsageError e) {
      err.println(NAME + ": error: " + e.getMessage());
      err.println("(see '" + NAME + " --help')");
      err.flush();
      return Main.EXIT_USAGE;
    } catch (MeasureCommand.Refused r) {
      err.println("Error: " + r.getMessage());
      err.flush();
      return Main.EXIT_REFUSED;
    }
  }

  private String measure() throws MeasureCommand.Refused, MeasureArgs.UsageError {
    String mode = o.mode;
    String ovmf = o.ovmf;
    String vcpuType = o.vcpuType;
    String outputFormat = o.outputFormat;
    String vmmType = o.vmmType;
    String kernel = o.kernel;
    String initrd = o.initrd;
    String append = o.append;
    String snpOvmfHash = o.snpOvmfHash;
    String svsm = o.svsm;
    String varsFile = o.varsFile;
    String varsSize = o.varsSize;
    String pageLog = o.pageLog;
    boolean dumpVmsa = o.dumpVmsa;
    if (mode == null || ovmf == null) {
      throw new MeasureArgs.UsageError(
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
        throw new MeasureArgs.UsageError(
            "argument --mode: invalid choice: '" + mode + "' (choose from 'sev', 'seves', 'snp', 'snp:ovmf-hash', "
                + "'snp:svsm')");
      }
    }
    if (vcpuType != null && VcpuType.fromQemuName(vcpuType).isEmpty()) {
      throw new MeasureArgs.UsageError("argument --vcpu-type: invalid choice: '" + vcpuType + "' (choose from the QEMU EPYC models: "
          + java.util.Arrays.stream(VcpuType.values()).flatMap(t -> t.qemuNames().stream())
              .collect(java.util.stream.Collectors.joining(", ")) + ")");
    }
    if (outputFormat != null && !outputFormat.equals("hex") && !outputFormat.equals("base64")) {
      throw new MeasureArgs.UsageError("argument --output-format: invalid choice: '" + outputFormat + "' (choose from 'hex', 'base64')");
    }
    Long gf = o.guestFeatures == null ? Long.valueOf(LaunchFeatures.DEFAULT_GUEST_FEATURES) : MeasureArgs.autoInt("--guest-features", o.guestFeatures);
    Long sigArg = o.vcpuSig == null ? null : MeasureArgs.autoInt("--vcpu-sig", o.vcpuSig);
    Integer n = o.vcpus == null ? null : MeasureArgs.decimalInt("--vcpus", o.vcpus);
    Integer fam = o.vcpuFamily == null ? null : MeasureArgs.decimalInt("--vcpu-family", o.vcpuFamily);
    Integer mod = o.vcpuModel == null ? null : MeasureArgs.decimalInt("--vcpu-model", o.vcpuModel);
    Integer step = o.vcpuStepping == null ? null : MeasureArgs.decimalInt("--vcpu-stepping", o.vcpuStepping);
    if (varsSize != null && varsFile != null) {
      throw new MeasureArgs.UsageError("argument --vars-file: not allowed with argument --vars-size");
    }
    Long vars = varsSize == null ? null : MeasureArgs.decimalLong("--vars-size", o.varsSize);

    OvmfImage image = readImage(ovmf, "OVMF");
    if (m == SnpMode.SNP_OVMF_HASH) {
      // sev-snp-measure prints the hex firmware digest here whatever --output-format says
      return LaunchDigest.firmwareDigest(image).toHex();
    }
    if (initrd != null && !initrd.isEmpty() && kernel == null) {
      throw new MeasureArgs.UsageError("--kernel required when using --initrd");
    }
    if (append != null && !append.isEmpty() && kernel == null) {
      throw new MeasureArgs.UsageError("--kernel required when using --append");
    }
    if (sev) {
      if (dumpVmsa) {
        throw new MeasureArgs.UsageError("--dump-vmsa is not available in the selected mode");
      }
      return sevMeasure(image, null);
    }
    if (n == null) {
      throw new MeasureArgs.UsageError("missing --vcpus N in guest mode '" + mode + "'");
    }
    VmmType vmm;
    try {
      vmm = VmmType.parse(vmmType == null ? "QEMU" : vmmType);
    } catch (MalformedEvidenceException e) {
      throw new MeasureArgs.UsageError("unknown VMM type '" + vmmType + "' (choose from QEMU, ec2, gce)");
    }
    LaunchFeatures.Builder fb = LaunchFeatures.builder().mode(m).vcpus(n).vmmType(vmm).guestFeatures(gf);
    // sev-snp-measure's precedence since its PR #67 ("is not None", so 0 counts): the family/model/stepping,
    // then the signature, then the type
    if (fam != null) {
      if (mod == null || step == null) {
        throw new MeasureArgs.UsageError("--vcpu-family requires --vcpu-model and --vcpu-stepping");
      }
      fb.vcpuFamilyModelStepping(fam, mod, step);
    } else if (sigArg != null) {
      fb.vcpuSignature(sigArg);
    } else if (vcpuType != null) {
      fb.vcpuType(vcpuType);
    } else if (vmm == VmmType.QEMU) {
      throw new MeasureArgs.UsageError("missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '" + mode + "'");
    }
    if (seves) {
      if (snpOvmfHash != null && !snpOvmfHash.isEmpty()) {
        throw new MeasureCommand.Refused("SNP OVMF hash only works with SNP");
      }
      try {
        return sevMeasure(image, fb.build());
      } catch (InvalidConfigurationException e) {
        throw new MeasureCommand.Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
      }
    }
    if (snpOvmfHash != null && !snpOvmfHash.isEmpty()) { // sev-snp-measure ignores an empty value
      try {
        fb.firmwareDigest(Bytes.fromHex(snpOvmfHash.replace(" ", "")));
      } catch (InvalidConfigurationException e) {
        throw new MeasureCommand.Refused("--snp-ovmf-hash is not hex: " + e.getMessage());
      }
    }
    if (m == SnpMode.SNP_SVSM) {
      if (svsm == null || svsm.isEmpty()) {
        throw new MeasureArgs.UsageError("snp:svsm mode requires --svsm PATH");
      }
      long vs;
      if (varsFile != null && !varsFile.isEmpty()) {
        try {
          vs = Files.size(Path.of(varsFile));
        } catch (IOException | RuntimeException e) {
          throw new MeasureCommand.Refused("cannot read the OVMF_VARS file " + varsFile + ": " + e.getMessage());
        }
      } else if (vars != null) {
        vs = vars;
      } else {
        throw new MeasureArgs.UsageError("snp:svsm mode requires --vars-size or --vars-file");
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
            err.println(log);
            err.flush();
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
      return o.verbose ? "Calculated " + m.referenceName() + " guest measurement: " + text : text;
    } catch (MalformedEvidenceException e) {
      throw new MeasureCommand.Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (InvalidConfigurationException e) {
      throw new MeasureCommand.Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (IOException e) {
      throw new MeasureCommand.Refused("cannot write: " + e.getMessage());
    }
  }

  /** Modes sev ({@code features} null) and seves: the SHA-256 launch digest. */
  private String sevMeasure(OvmfImage image, LaunchFeatures features) throws MeasureCommand.Refused {
    String snpOvmfHash = o.snpOvmfHash;
    String kernel = o.kernel;
    String initrd = o.initrd;
    String append = o.append;
    String outputFormat = o.outputFormat;
    boolean dumpVmsa = o.dumpVmsa;
    if (snpOvmfHash != null && !snpOvmfHash.isEmpty()) {
      throw new MeasureCommand.Refused("SNP OVMF hash only works with SNP");
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
      return o.verbose ? "Calculated " + (features == null ? "SEV" : "SEV_ES") + " guest measurement: " + text : text;
    } catch (MalformedEvidenceException e) {
      throw new MeasureCommand.Refused(e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (IOException e) {
      throw new MeasureCommand.Refused("cannot write: " + e.getMessage());
    }
  }

  static OvmfImage readImage(String file, String what) throws MeasureCommand.Refused {
    try {
      return OvmfImage.parse(Path.of(file));
    } catch (MalformedEvidenceException e) {
      throw new MeasureCommand.Refused(what + " image " + file + " is refused: " + e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    } catch (IOException | RuntimeException e) {
      throw new MeasureCommand.Refused("cannot read the " + what + " image " + file + ": " + e);
    }
  }

  static Artifact readArtifact(String file, String what) throws MeasureCommand.Refused {
    try {
      return Artifact.of(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new MeasureCommand.Refused("cannot read the " + what + " " + file + ": " + e);
    }
  }
}
