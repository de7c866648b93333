package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** {@code attest4j measure} against every shared vector, with sev-snp-measure's flags. */
class MeasureCommandTest {
  private static final String DIR = "vectors/snp-measure/";

  record Run(int code, String out, String err) {}

  /**
   * Runs {@code args} the way {@code main} does and, for a {@code measure} command line, also through
   * the other parser: picocli and MeasureFastPath must give the same options, output and exit status
   * for every command line the measure tests use (MeasureFastPathTest covers the fallbacks).
   */
  static Run run(String... args) {
    Run picocli = runPicocli(args);
    MeasureOptions fast = MeasureFastPath.parse(args);
    if (fast != null) {
      assertEquals(picocliOptions(args), fast, "the fast path parses " + List.of(args) + " as picocli does");
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = MeasureRun.run(fast, new PrintWriter(out, true), new PrintWriter(err, true));
      assertEquals(picocli, new Run(code, out.toString(), err.toString()), "fast path and picocli agree on " + List.of(args));
    }
    return picocli;
  }

  /** Through picocli only (the root main() uses for measure: measure alone, lazy loading). */
  static Run runPicocli(String... args) {
    CommandLine cl = Main.commandLineFor(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The options picocli parses from a measure command line (without running it). */
  static MeasureOptions picocliOptions(String... args) {
    CommandLine.ParseResult pr = Main.commandLineFor(args).parseArgs(args);
    MeasureCommand m = (MeasureCommand) pr.subcommand().commandSpec().userObject();
    return m.options();
  }

  private static boolean isNull(JsonObject v, String k) {
    JsonElement e = v.get(k);
    return e == null || e.isJsonNull();
  }

  private static String file(JsonObject v, String k) {
    return SharedData.path(DIR + v.getAsJsonObject(k).get("file").getAsString()).toString();
  }

  /** The sev-snp-measure flags for a vector, the way a harness would build them. */
  static List<String> flags(JsonObject v, int variant) {
    List<String> a = new ArrayList<>();
    a.add("--mode");
    a.add(v.get("mode").getAsString());
    a.add("--ovmf");
    a.add(file(v, "ovmf"));
    if (v.get("mode").getAsString().equals("snp:ovmf-hash")) {
      return a;
    }
    a.add("--vcpus");
    a.add(v.get("vcpus").getAsString());
    if (!isNull(v, "vcpu_type")) {
      a.add("--vcpu-type");
      a.add(v.get("vcpu_type").getAsString());
    } else if (!isNull(v, "vcpu_family_model_stepping")) {
      var f = v.getAsJsonArray("vcpu_family_model_stepping");
      a.addAll(List.of("--vcpu-family", f.get(0).getAsString(), "--vcpu-model", f.get(1).getAsString(),
          "--vcpu-stepping", f.get(2).getAsString()));
    } else if (!isNull(v, "vcpu_sig")) {
      a.add("--vcpu-sig");
      a.add(variant % 2 == 0 ? v.get("vcpu_sig").getAsString() : "0x" + Long.toHexString(v.get("vcpu_sig").getAsLong()));
    }
    a.add("--vmm-type");
    a.add(v.get("vmm_type").getAsString());
    if (!isNull(v, "kernel")) {
      a.add("--kernel");
      a.add(file(v, "kernel"));
      if (!isNull(v, "initrd")) {
        a.add("--initrd");
        a.add(file(v, "initrd"));
      }
      if (!isNull(v, "cmdline")) {
        a.add(variant % 3 == 0 ? "--append=" + v.get("cmdline").getAsString() : "--append");
        if (variant % 3 != 0) {
          a.add(v.get("cmdline").getAsString());
        }
      }
    }
    if (!isNull(v, "guest_features")) {
      long gf = v.get("guest_features").getAsLong();
      a.add("--guest-features");
      a.add(variant % 2 == 0 ? "0x" + Long.toHexString(gf) : Long.toString(gf));
    }
    if (!isNull(v, "ovmf_hash")) {
      a.add("--snp-ovmf-hash");
      a.add(v.get("ovmf_hash").getAsString());
    }
    if (!isNull(v, "svsm")) {
      a.add("--svsm");
      a.add(file(v, "svsm"));
      a.add("--vars-size");
      a.add(v.get("ovmf_vars_size").getAsString());
    }
    return a;
  }

  @TestFactory
  Stream<DynamicTest> everyVectorThroughTheCommand() {
    return SharedData.vectorTests(DIR + "vectors.jsonl", 126, v -> {
      int variant = Integer.parseInt(v.get("id").getAsString().replaceAll("\\D", ""));
      List<String> args = new ArrayList<>(List.of("measure"));
      args.addAll(flags(v, variant));
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.code(), args + "\n" + r.err());
      assertEquals(v.get("expected_measurement").getAsString() + System.lineSeparator(), r.out(), args.toString());
      assertEquals("", r.err());
    });
  }

  @TestFactory
  Stream<DynamicTest> negativeVectorsExitOne() {
    return SharedData.jsonLines(DIR + "negative.jsonl").stream()
        .map(
            v ->
                DynamicTest.dynamicTest(
                    v.get("id").getAsString(),
                    () -> {
                      List<String> args = new ArrayList<>(List.of("measure"));
                      args.addAll(flags(v, 1));
                      Run r = run(args.toArray(String[]::new));
                      assertEquals(1, r.code());
                      assertEquals("", r.out());
                      assertTrue(r.err().contains(v.get("expected_error").getAsString()), r.err());
                    }));
  }

  private static JsonObject vector(String id) {
    return SharedData.jsonLines(DIR + "vectors.jsonl").stream()
        .filter(v -> v.get("id").getAsString().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void base64VerboseAndVmmCase() {
    JsonObject v = vector("snp-shared-043"); // ec2
    List<String> a = new ArrayList<>(List.of("measure"));
    a.addAll(flags(v, 0));
    a.set(a.indexOf("ec2"), "EC2");
    a.addAll(List.of("--output-format", "base64", "-v"));
    Run r = run(a.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v.get("expected_measurement").getAsString()));
    assertEquals("Calculated SEV_SNP guest measurement: " + b64 + System.lineSeparator(), r.out());
  }

  @Test
  void usageErrorsExitTwo() {
    String ovmf = SharedData.path(DIR + "OVMF_CODE.fd").toString();
    assertEquals(2, run("measure", "--ovmf", ovmf).code(), "no --mode");
    assertEquals(2, run("measure", "--mode", "snp").code(), "no --ovmf");
    assertEquals(2, run("measure", "--mode", "tdx", "--ovmf", ovmf).code());
    assertEquals(2, run("measure", "--mode", "snp", "--vcpu-type", "EPYC", "--ovmf", ovmf).code(), "no vcpus");
    assertEquals(2, run("measure", "--mode", "snp", "--vcpus", "1", "--ovmf", ovmf).code(), "no signature for QEMU");
    assertEquals(2, run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--vmm-type", "kvm",
        "--ovmf", ovmf).code());
    assertEquals(2, run("measure", "--mode", "snp", "--vcpus", "x", "--vcpu-type", "EPYC", "--ovmf", ovmf).code());
    assertEquals(2, run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf", ovmf,
        "--guest-features", "010").code(), "int('010', 0) is an error");
    assertEquals(2, run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf", ovmf,
        "--initrd", ovmf).code(), "initrd without kernel");
    assertEquals(2, run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf", ovmf,
        "--bogus").code());
    assertEquals(2, run("measure", "--mode", "snp:svsm", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf", ovmf,
        "--svsm", ovmf, "--vars-size", "4096", "--vars-file", ovmf).code());
  }

  @Test
  void refusalsExitOne() {
    String ovmf = SharedData.path(DIR + "OVMF_CODE.fd").toString();
    Run r = run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-Zen9", "--ovmf", ovmf);
    assertEquals(2, r.code(), "an unknown --vcpu-type is a usage error, as argparse choices");
    assertTrue(r.err().contains("invalid choice: 'EPYC-Zen9'"), r.err());
    r = run("measure", "--mode", "snp", "--vcpus", "0", "--vcpu-type", "EPYC", "--ovmf", ovmf);
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("vCPU count 0"), r.err());
    r = run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC", "--ovmf", ovmf + ".missing");
    assertEquals(1, r.code());
    r = run("measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC",
        "--ovmf", SharedData.path(DIR + "kernel-a.bin").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("IMAGE_NOT_PAGE_ALIGNED"), r.err());
  }

  @Test
  void dumpVmsaWritesThePages() throws Exception {
    JsonObject v = vector("snp-shared-044"); // OVMF_CODE.fd, ec2, 2 vCPUs
    List<String> a = new ArrayList<>(List.of("measure"));
    a.addAll(flags(v, 0));
    a.add("--dump-vmsa");
    try {
      Run r = run(a.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());
      assertEquals(v.get("expected_measurement").getAsString() + System.lineSeparator(), r.out());
      byte[] bsp = Files.readAllBytes(Path.of("vmsa0.bin"));
      byte[] ap = Files.readAllBytes(Path.of("vmsa1.bin"));
      assertEquals(4096, bsp.length);
      assertEquals((byte) 0xF0, bsp[0x178]); // BSP rip 0xfff0
      assertEquals((byte) 0x04, ap[0x178]); // AP rip 0xb004
      assertEquals((byte) 0x9A, bsp[0x12]); // EC2 BSP cs attribute
    } finally {
      Files.deleteIfExists(Path.of("vmsa0.bin"));
      Files.deleteIfExists(Path.of("vmsa1.bin"));
    }
  }

  @Test
  void explainFindsTheLaunchShape() {
    JsonObject v = vector("snp-shared-073"); // OVMF_CODE.fd, QEMU, family 25 model 160 stepping 2, 2 vCPUs
    String ovmf = SharedData.path(DIR + "OVMF_CODE.fd").toString();
    Run r = run("measure", "explain", "--ovmf", ovmf, "--measurement", v.get("expected_measurement").getAsString(),
        "--max-vcpus", "8", "--vcpu-sig", "0x" + Long.toHexString(v.get("vcpu_sig").getAsLong()), "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("\"vcpus\": 2"), r.out());
    JsonObject w = vector("snp-shared-010");
    Run none = run("measure", "explain", "--ovmf", ovmf, "--measurement", w.get("expected_measurement").getAsString()
        .replace('a', 'b'), "--max-vcpus", "4");
    assertEquals(1, none.code());
    assertTrue(none.out().startsWith("NO MATCH"), none.out());
  }
}
