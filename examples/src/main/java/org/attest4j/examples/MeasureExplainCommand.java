package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.attest4j.core.Bytes;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchDigest;
import org.attest4j.ovmf.LaunchShape;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.SearchResult;
import org.attest4j.ovmf.SearchSpace;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.ovmf.VmmType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j measure explain}: given the firmware, the boot artifacts and an observed
 * MEASUREMENT, tries the plausible launch shapes (vCPU counts, VMM types, vCPU models, guest
 * features, with and without the kernel) and prints those that reproduce it. Exit 0 when one
 * matches, 1 when none does.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Find the launch shape (vCPU count, VMM type, vCPU model, guest features) that reproduces an observed "
          + "SEV-SNP MEASUREMENT (with --svsm: the snp:svsm shapes).",
      "Default space: 1..512 vCPUs, QEMU/ec2/gce, EPYC/Rome/Milan/Genoa/Turin, common guest-feature values, "
          + "with and without the kernel."
    })
final class MeasureExplainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--measurement", required = true, paramLabel = "HEX|BASE64", description = "The observed MEASUREMENT (96 hex digits or base64)")
  String measurement;

  @Option(names = "--ovmf", required = true, paramLabel = "PATH", description = "OVMF firmware image")
  String ovmf;

  @Option(names = "--kernel", paramLabel = "PATH", description = "Kernel (measured direct boot)")
  String kernel;

  @Option(names = "--initrd", paramLabel = "PATH", description = "Initrd (with --kernel)")
  String initrd;

  @Option(names = "--append", paramLabel = "CMDLINE", description = "Kernel command line (with --kernel)")
  String append;

  @Option(names = "--snp-ovmf-hash", paramLabel = "HASH", description = "Precalculated firmware digest (hex) to start from instead of hashing the firmware")
  String snpOvmfHash;

  @Option(names = "--svsm", paramLabel = "PATH", description = "SVSM image: search the snp:svsm shapes (vCPU counts and signatures; needs --vars-size or --vars-file)")
  String svsm;

  @Option(names = "--vars-size", paramLabel = "SIZE", description = "OVMF_VARS size in bytes (with --svsm)")
  String varsSize;

  @Option(names = "--vars-file", paramLabel = "PATH", description = "OVMF_VARS file (with --svsm)")
  String varsFile;

  @Option(names = "--min-vcpus", paramLabel = "N", description = "Smallest vCPU count tried (default 1)")
  int minVcpus = 1;

  @Option(names = "--max-vcpus", paramLabel = "N", description = "Largest vCPU count tried (default 512)")
  int maxVcpus = 512;

  @Option(names = "--vmm-type", paramLabel = "VMMTYPE", description = "Only this VMM type (repeatable)")
  List<String> vmmTypes = new ArrayList<>();

  @Option(names = "--vcpu-sig", paramLabel = "VALUE", description = "Also try this vCPU signature (repeatable)")
  List<String> extraSigs = new ArrayList<>();

  @Option(names = "--guest-features", paramLabel = "VALUE", description = "Also try this guest-features value (repeatable)")
  List<String> extraFeatures = new ArrayList<>();

  @Option(names = "--json", description = "Print the result as JSON")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      Bytes observed = parseMeasurement(measurement);
      SearchSpace.Builder sb = SearchSpace.builder();
      try {
        sb.vcpus(minVcpus, maxVcpus);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      if (!vmmTypes.isEmpty()) {
        EnumSet<VmmType> set = EnumSet.noneOf(VmmType.class);
        for (String v : vmmTypes) {
          try {
            set.add(VmmType.parse(v));
          } catch (MalformedEvidenceException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
          }
        }
        sb.vmmTypes(set);
      }
      for (String s : extraSigs) {
        sb.addVcpuSignature(CliUsage.autoInt("--vcpu-sig", s, spec));
      }
      for (String s : extraFeatures) {
        sb.addGuestFeatures(CliUsage.autoInt("--guest-features", s, spec));
      }
      SearchSpace space = sb.build();
      if (kernel == null && ((initrd != null && !initrd.isEmpty()) || (append != null && !append.isEmpty()))) {
        throw new ParameterException(spec.commandLine(), "--kernel required when using --initrd or --append");
      }
      OvmfImage image = MeasureCommand.readImage(ovmf, "OVMF");
      PreparedFirmware fw;
      SearchResult svsmResult = null;
      if (svsm != null) {
        if (kernel != null || snpOvmfHash != null || !vmmTypes.isEmpty() || !extraFeatures.isEmpty()) {
          throw new ParameterException(
              spec.commandLine(),
              "--svsm searches mode snp:svsm (QEMU, guest features 0x1, no kernel): --kernel, --snp-ovmf-hash, "
                  + "--vmm-type and --guest-features do not apply");
        }
        svsmResult = LaunchDigest.prepare(image).searchSvsm(observed, MeasureCommand.readImage(svsm, "SVSM"),
            svsmVarsSize(), space);
      } else if (varsSize != null || varsFile != null) {
        throw new ParameterException(spec.commandLine(), "--vars-size and --vars-file need --svsm");
      }
      if (svsmResult != null) {
        fw = null;
      } else if (snpOvmfHash != null) {
        if (image.apResetEip().isEmpty()) {
          throw new MeasureCommand.Refused(
              "the firmware has no SEV-ES reset block (AP reset EIP); mode snp cannot measure it");
        }
        fw =
            PreparedFirmware.fromLayout(
                Bytes.fromHex(snpOvmfHash), image.sections(), image.apResetEip().orElse(0),
                image.hashTableGpa().orElse(0));
      } else {
        fw = LaunchDigest.prepare(image);
      }
      BootArtifacts boot = BootArtifacts.none();
      if (kernel != null) {
        Artifact k = MeasureCommand.readArtifact(kernel, "kernel");
        Artifact i = initrd == null || initrd.isEmpty() ? null : MeasureCommand.readArtifact(initrd, "initrd");
        boot = BootArtifacts.of(k, i, MeasureArgs.cmdlineBytes(append));
      }
      long t0 = System.nanoTime();
      SearchResult r = svsmResult != null ? svsmResult : fw.search(observed, boot, space);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (json) {
        Json.print(out, observed, r, ms);
      } else {
        out.println(r.found() ? "MATCH " + r.matches().size() + " launch shape(s) reproduce " + observed : "NO MATCH for " + observed);
        for (LaunchShape s : r.matches()) {
          out.println("  " + s);
        }
        out.println("searched " + r.candidatesTried() + " candidates (" + space + ") in " + ms + " ms");
        for (String n : r.notes()) {
          out.println("note: " + n);
        }
        if (!r.found()) {
          out.println("Other causes: a different firmware build or variant (compare --mode snp:ovmf-hash), other "
              + "kernel/initrd/cmdline bytes (whitespace counts), or a VMM not modelled here.");
        }
      }
      out.flush();
      return r.found() ? 0 : Main.EXIT_REFUSED;
    } catch (ParameterException e) {
      return MeasureCommand.usageError(spec, e);
    } catch (MeasureCommand.Refused e) {
      return MeasureCommand.refused(spec, e.getMessage());
    } catch (MalformedEvidenceException e) {
      return MeasureCommand.refused(spec, e);
    } catch (InvalidConfigurationException e) {
      return MeasureCommand.refused(spec, e.getMessage() + " [" + e.reason().qualifiedCode() + "]");
    }
  }

  private long svsmVarsSize() throws MeasureCommand.Refused {
    if (varsSize != null && varsFile != null) {
      throw new ParameterException(spec.commandLine(), "argument --vars-file: not allowed with argument --vars-size");
    }
    if (varsFile != null) {
      try {
        return java.nio.file.Files.size(java.nio.file.Path.of(varsFile));
      } catch (java.io.IOException | RuntimeException e) {
        throw new MeasureCommand.Refused("cannot read the OVMF_VARS file " + varsFile + ": " + e.getMessage());
      }
    }
    if (varsSize == null) {
      throw new ParameterException(spec.commandLine(), "--svsm requires --vars-size or --vars-file");
    }
    return CliUsage.decimalLong("--vars-size", varsSize, spec);
  }

  private Bytes parseMeasurement(String s) throws MalformedEvidenceException {
    String t = s.strip();
    if (t.length() == 96 || t.startsWith("0x")) {
      return Bytes.fromHex(t);
    }
    try {
      return Bytes.of(Base64.getDecoder().decode(t));
    } catch (IllegalArgumentException e) {
      return Bytes.fromHex(t);
    }
  }

  /**
   * The {@code --json} output. Its own class so that gson is loaded only when JSON is asked for
   * ({@code attest4j measure} starts without touching gson: MeasureLazyLoadingTest).
   */
  private static final class Json {
    private Json() {}

    static void print(PrintWriter out, Bytes observed, SearchResult r, long ms) {
      JsonObject o = new JsonObject();
      o.addProperty("observed", observed.toHex());
      o.addProperty("found", r.found());
      o.addProperty("candidates_tried", r.candidatesTried());
      o.addProperty("millis", ms);
      JsonArray a = new JsonArray();
      for (LaunchShape s : r.matches()) {
        JsonObject m = new JsonObject();
        m.addProperty("vcpus", s.vcpus());
        m.addProperty("vmm_type", s.vmmType().cliName());
        if (s.vcpuSignature().isPresent()) {
          m.addProperty("vcpu_sig", s.vcpuSignature().getAsLong());
          VcpuType.ofSignature(s.vcpuSignature().getAsLong())
              .ifPresent(t -> m.addProperty("vcpu_type", t.qemuNames().get(0)));
        }
        m.addProperty("guest_features", s.guestFeatures());
        m.addProperty("kernel_measured", s.kernelMeasured());
        m.addProperty("flags", s.toFlags());
        m.addProperty("mode", s.mode().cliName());
        a.add(m);
      }
      o.add("matches", a);
      JsonArray notes = new JsonArray();
      r.notes().forEach(notes::add);
      o.add("notes", notes);
      out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
    }
  }
}
