package org.attest4j.examples;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * {@code attest4j measure ...} without picocli: a small parser for the well-formed command lines
 * (each known option at most once, {@code --opt value} or {@code --opt=value}) that fills the same
 * {@link MeasureOptions} picocli would and runs {@link MeasureRun}. picocli costs more start-up
 * than the measurement itself (its Java 5 classes are verified by the old verifier and cannot be
 * kept in a class-data-sharing archive, and it reflects over every option); Bouncy Castle, gson and
 * JNA are never reached either. Anything else (help, version, {@code explain}, a repeated or
 * unknown option, a value that looks like an option, a missing value) is left to picocli, so every
 * message and exit status stays picocli's. MeasureFastPathTest runs both over every command line
 * the measure tests use. Stateless; thread-safe.
 */
final class MeasureFastPath {
  private MeasureFastPath() {}

  /**
   * Runs {@code args} when this parser takes them, writing to {@code System.out} and
   * {@code System.err} with the encodings picocli would use.
   *
   * @param args the whole command line, {@code "measure"} first
   * @return the exit status, or null when the command line is left to picocli
   */
  static Integer execute(String[] args) {
    MeasureOptions o = parse(args);
    if (o == null) {
      return null;
    }
    PrintWriter out = writer(System.out, "sun.stdout.encoding");
    PrintWriter err = writer(System.err, "sun.stderr.encoding");
    try {
      return MeasureRun.run(o, out, err);
    } catch (RuntimeException e) {
      // a bug, not a refusal: picocli's execute() prints the trace and maps it to exit status 1 too
      e.printStackTrace(err);
      err.flush();
      return Main.EXIT_REFUSED;
    }
  }

  /**
   * Parses a {@code measure} command line.
   *
   * @param args the whole command line, {@code "measure"} first
   * @return its options, or null when picocli must parse it
   */
  static MeasureOptions parse(String[] args) {
    if (args.length < 2 || !"measure".equals(args[0])) {
      return null;
    }
    MeasureOptions o = new MeasureOptions();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 2) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
        if (value.isEmpty() || isFlag(name)) {
          return null;
        }
      }
      String key = canonical(name);
      if (key == null || !seen.add(key)) {
        return null; // unknown, help, version, explain, positional, or repeated
      }
      if (isFlag(name)) {
        if (key.equals("--verbose")) {
          o.verbose = true;
        } else {
          o.dumpVmsa = true;
        }
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          return null; // missing value: picocli's message
        }
        value = args[++i];
        if ((value.startsWith("-") && !value.equals("-")) || value.equals("explain") || value.equals("help")) {
          return null; // picocli decides whether that is a value or an option
        }
      }
      set(o, key, value);
    }
    return o;
  }

  private static boolean isFlag(String name) {
    return name.equals("-v") || name.equals("--verbose") || name.equals("--dump-vmsa");
  }

  /** The option's long name, or null for anything this parser does not take. */
  private static String canonical(String name) {
    switch (name) {
      case "-v":
      case "--verbose":
        return "--verbose";
      case "--dump-vmsa":
      case "--mode":
      case "--vcpus":
      case "--vcpu-type":
      case "--vcpu-sig":
      case "--vcpu-family":
      case "--vcpu-model":
      case "--vcpu-stepping":
      case "--vmm-type":
      case "--ovmf":
      case "--kernel":
      case "--initrd":
      case "--append":
      case "--guest-features":
      case "--output-format":
      case "--snp-ovmf-hash":
      case "--svsm":
      case "--vars-size":
      case "--vars-file":
      case "--page-log":
        return name;
      default:
        return null;
    }
  }

  private static void set(MeasureOptions o, String key, String value) {
    switch (key) {
      case "--mode": o.mode = value; break;
      case "--vcpus": o.vcpus = value; break;
      case "--vcpu-type": o.vcpuType = value; break;
      case "--vcpu-sig": o.vcpuSig = value; break;
      case "--vcpu-family": o.vcpuFamily = value; break;
      case "--vcpu-model": o.vcpuModel = value; break;
      case "--vcpu-stepping": o.vcpuStepping = value; break;
      case "--vmm-type": o.vmmType = value; break;
      case "--ovmf": o.ovmf = value; break;
      case "--kernel": o.kernel = value; break;
      case "--initrd": o.initrd = value; break;
      case "--append": o.append = value; break;
      case "--guest-features": o.guestFeatures = value; break;
      case "--output-format": o.outputFormat = value; break;
      case "--snp-ovmf-hash": o.snpOvmfHash = value; break;
      case "--svsm": o.svsm = value; break;
      case "--vars-size": o.varsSize = value; break;
      case "--vars-file": o.varsFile = value; break;
      case "--page-log": o.pageLog = value; break;
      default: throw new IllegalStateException(key);
    }
  }

  /** picocli's writer for a standard stream: the stream's {@code sun.*.encoding}, else the default. */
  private static PrintWriter writer(OutputStream stream, String encodingProperty) {
    Charset cs;
    String name = System.getProperty(encodingProperty);
    try {
      cs = name == null ? Charset.defaultCharset() : Charset.forName("cp65001".equalsIgnoreCase(name) ? "UTF-8" : name);
    } catch (RuntimeException e) {
      cs = Charset.defaultCharset();
    }
    return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, cs)), true);
  }
}
