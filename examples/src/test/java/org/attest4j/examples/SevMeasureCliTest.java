package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.attest4j.core.Bytes;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchDigest;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.SevLaunchDigest;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest4j measure --mode sev|seves} against every case of sev-vectors.jsonl (the argv the
 * reference tool was given), plus the small launch-measurement fixes of issue 11.
 */
class SevMeasureCliTest {
  private static final String DIR = "vectors/snp-measure/";
  private static final java.util.Set<String> FILE_FLAGS = java.util.Set.of("--ovmf", "--kernel", "--initrd");

  private static MeasureCommandTest.Run run(List<String> args) {
    return MeasureCommandTest.run(args.toArray(String[]::new));
  }

  private static String path(String name) {
    return SharedData.path(DIR + name).toString();
  }

  /** The case's argv with file names resolved in the shared folder. */
  private static List<String> argv(JsonObject v) {
    List<String> a = new ArrayList<>(List.of("measure"));
    var argv = v.getAsJsonArray("argv");
    for (int i = 0; i < argv.size(); i++) {
      String s = argv.get(i).getAsString();
      a.add(i > 0 && FILE_FLAGS.contains(argv.get(i - 1).getAsString()) ? path(s) : s);
    }
    return a;
  }

  @TestFactory
  Stream<DynamicTest> everySevVectorThroughTheCli() {
    return SharedData.vectorTests(DIR + "sev-vectors.jsonl", 60, v -> {
      MeasureCommandTest.Run r = run(argv(v));
      if (v.has("expected_error")) {
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith(v.get("expected_error").getAsString()), r.err());
        assertEquals("", r.out());
      } else {
        assertEquals(0, r.code(), r.err());
        assertEquals(v.get("expected_measurement").getAsString() + System.lineSeparator(), r.out());
      }
    });
  }

  @Test
  void verboseAndBase64NameTheMode() {
    List<String> a = new ArrayList<>(List.of("measure", "--mode", "seves", "--ovmf", path("OVMF.fd"), "--vcpus", "1",
        "--vcpu-type", "EPYC-v4", "-v"));
    MeasureCommandTest.Run r = run(a);
    assertEquals(0, r.code(), r.err());
    assertEquals(
        "Calculated SEV_ES guest measurement: 5bcbb5a45e7a9fa4699b6cc8f775382a810ff5a0186d3b90069ba28b1840b38f",
        r.out().strip());
    MeasureCommandTest.Run b =
        run(List.of("measure", "--mode", "sev", "--ovmf", path("OVMF.fd"), "--output-format", "base64", "-v"));
    assertEquals(0, b.code(), b.err());
    String sha = "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773";
    assertEquals(
        "Calculated SEV guest measurement: "
            + java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(sha)),
        b.out().strip());
  }

  @Test
  void usageAndRefusals() {
    // sev-snp-measure: seves needs --vcpus and a vCPU model; --dump-vmsa is not for sev; no OVMF hash seed
    assertEquals(2, run(List.of("measure", "--mode", "seves", "--ovmf", path("OVMF.fd"), "--vcpu-type", "EPYC"))
        .code());
    assertEquals(2, run(List.of("measure", "--mode", "seves", "--ovmf", path("OVMF.fd"), "--vcpus", "1")).code());
    assertEquals(2, run(List.of("measure", "--mode", "sev", "--ovmf", path("OVMF.fd"), "--dump-vmsa")).code());
    assertEquals(2, run(List.of("measure", "--mode", "sev", "--ovmf", path("OVMF.fd"), "--append", "x")).code());
    MeasureCommandTest.Run seed = run(List.of("measure", "--mode", "seves", "--ovmf", path("OVMF.fd"), "--vcpus", "1",
        "--vcpu-type", "EPYC", "--snp-ovmf-hash", "00".repeat(48)));
    assertEquals(1, seed.code());
    assertTrue(seed.err().contains("SNP OVMF hash only works with SNP"), seed.err());
    // the Debian 4M build has a reset block but SEV-ES with 2 vCPUs still works; a page of zeros does not
    assertEquals(1, run(List.of("measure", "--mode", "seves", "--ovmf", path("kernel-b.bin"), "--vcpus", "1",
        "--vcpu-type", "EPYC")).code());
  }

  @Test
  void sevEsDumpVmsaWritesEveryPage() throws Exception {
    List<String> a = List.of("measure", "--mode", "seves", "--ovmf", path("synth-ovmf-a.fd"), "--vcpus", "3",
        "--vcpu-type", "EPYC-Milan", "--dump-vmsa");
    try {
      MeasureCommandTest.Run r = run(a);
      assertEquals(0, r.code(), r.err());
      OvmfImage fw = OvmfImage.parse(Path.of(path("synth-ovmf-a.fd")));
      List<Bytes> pages =
          SevLaunchDigest.sevEsVmsaPages(fw, LaunchFeatures.builder().vcpus(3).vcpuType("EPYC-Milan").build());
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(pages.get(i).toByteArray(), Files.readAllBytes(Path.of("vmsa" + i + ".bin")));
      }
      assertTrue(Files.notExists(Path.of("vmsa3.bin")));
    } finally {
      for (int i = 0; i < 4; i++) {
        Files.deleteIfExists(Path.of("vmsa" + i + ".bin"));
      }
    }
  }

  @Test
  void zeroSignatureWinsOverTheType() throws Exception {
    // sev-snp-measure since PR #67 tests "is not None": a given family (even 0) wins, then a given
    // signature (even 0), then the type
    OvmfImage fw = OvmfImage.parse(Path.of(path("synth-ovmf-a.fd")));
    String zero = LaunchDigest.compute(fw, BootArtifacts.none(),
        LaunchFeatures.builder().vcpus(2).vcpuSignature(0).build()).toHex();
    String typed = LaunchDigest.compute(fw, BootArtifacts.none(),
        LaunchFeatures.builder().vcpus(2).vcpuType("EPYC-Milan").build()).toHex();
    List<String> base = List.of("measure", "--mode", "snp", "--ovmf", path("synth-ovmf-a.fd"), "--vcpus", "2",
        "--vcpu-type", "EPYC-Milan");
    List<String> sig0 = new ArrayList<>(base);
    sig0.addAll(List.of("--vcpu-sig", "0"));
    assertEquals(zero, run(sig0).out().strip());
    List<String> fms0 = new ArrayList<>(sig0);
    fms0.addAll(List.of("--vcpu-family", "0", "--vcpu-model", "0", "--vcpu-stepping", "0"));
    assertEquals(zero, run(fms0).out().strip());
    List<String> fmsOnly = new ArrayList<>(base);
    fmsOnly.addAll(List.of("--vcpu-family", "0", "--vcpu-model", "0", "--vcpu-stepping", "0"));
    assertEquals(zero, run(fmsOnly).out().strip());
    assertEquals(typed, run(base).out().strip());
    // the same precedence in SEV-ES mode
    List<String> es = new ArrayList<>(List.of("measure", "--mode", "seves", "--ovmf", path("synth-ovmf-a.fd"),
        "--vcpus", "2", "--vcpu-type", "EPYC-Milan", "--vcpu-sig", "0"));
    assertEquals(
        SevLaunchDigest.sevEs(fw, BootArtifacts.none(), LaunchFeatures.builder().vcpus(2).vcpuSignature(0).build())
            .toHex(),
        run(es).out().strip());
  }

  @Test
  void explainSearchesSvsmShapes() {
    JsonObject v = SharedData.jsonLines(DIR + "vectors.jsonl").stream()
        .filter(o -> o.get("id").getAsString().equals("snp-shared-123")).findFirst().orElseThrow();
    // OVMF_CODE.fd + synth-svsm.bin, vars 131072, EPYC-Genoa, 2 vCPUs
    MeasureCommandTest.Run r = run(List.of("measure", "explain", "--ovmf", path("OVMF_CODE.fd"), "--svsm",
        path("synth-svsm.bin"), "--vars-size", "131072", "--max-vcpus", "8", "--measurement",
        v.get("expected_measurement").getAsString(), "--json"));
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("\"flags\": \"--mode snp:svsm --vcpus 2 --vcpu-type EPYC-Genoa\""), r.out());
    MeasureCommandTest.Run wrongVars = run(List.of("measure", "explain", "--ovmf", path("OVMF_CODE.fd"), "--svsm",
        path("synth-svsm.bin"), "--vars-size", "0", "--max-vcpus", "8", "--measurement",
        v.get("expected_measurement").getAsString()));
    assertEquals(1, wrongVars.code(), wrongVars.out());
    assertEquals(2, run(List.of("measure", "explain", "--ovmf", path("OVMF_CODE.fd"), "--svsm",
        path("synth-svsm.bin"), "--measurement", v.get("expected_measurement").getAsString())).code());
  }

  /**
   * {@code --append} with bytes that are not UTF-8 hashes the raw bytes under a UTF-8 locale and
   * under the C locale: runs the CLI in a child JVM whose argv holds byte 0xFF.
   */
  @Test
  void appendHashesRawBytesInEveryLocale(@TempDir Path tmp) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path sh = Path.of("/bin/sh");
    if (!Files.isExecutable(sh) || !Files.isReadable(Path.of("/proc/self/cmdline"))) {
      return; // Linux only; elsewhere the CLI refuses damaged values (see the refusal below)
    }
    byte[] raw = {'c', 'o', 'n', 's', 'o', 'l', 'e', '=', (byte) 0xFF, (byte) 0xC3, '(', ' ', 'x'};
    OvmfImage fw = OvmfImage.parse(Path.of(path("synth-ovmf-a.fd")));
    Artifact kernel = Artifact.of(Path.of(path("kernel-b.bin")));
    String expected = LaunchDigest.compute(fw, BootArtifacts.of(kernel, null, raw),
        LaunchFeatures.builder().vcpus(1).vcpuType("EPYC-v4").build()).toHex();
    String replaced = LaunchDigest.compute(fw, BootArtifacts.of(kernel, null,
        new String(raw, StandardCharsets.UTF_8)), LaunchFeatures.builder().vcpus(1).vcpuType("EPYC-v4").build())
        .toHex();
    assertTrue(!expected.equals(replaced));
    Path script = tmp.resolve("run.sh");
    Files.writeString(script, "exec \"$JAVA\" -cp \"$CP\" org.attest4j.examples.Main measure --mode snp --ovmf \"$OVMF\" "
        + "--vcpus 1 --vcpu-type EPYC-v4 --kernel \"$KERNEL\" --append \"$(printf 'console=\\377\\303( x')\"\n");
    for (String locale : List.of("C.UTF-8", "C")) {
      ProcessBuilder pb = new ProcessBuilder(sh.toString(), script.toString());
      pb.environment().put("JAVA", java.toString());
      pb.environment().put("CP", System.getProperty("java.class.path"));
      pb.environment().put("OVMF", path("synth-ovmf-a.fd"));
      pb.environment().put("KERNEL", path("kernel-b.bin"));
      pb.environment().put("LC_ALL", locale);
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      pb.redirectErrorStream(true);
      Process p = pb.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      p.getInputStream().transferTo(out);
      assertEquals(0, p.waitFor(), locale + ": " + out);
      assertEquals(expected, out.toString(StandardCharsets.UTF_8).strip(), locale);
    }
    // in-process there is no argv to recover the bytes from: a damaged value is refused, not hashed
    MeasureCommandTest.Run r = run(List.of("measure", "--mode", "snp", "--ovmf", path("synth-ovmf-a.fd"), "--vcpus",
        "1", "--vcpu-type", "EPYC-v4", "--kernel", path("kernel-b.bin"), "--append", "console=\uFFFD("));
    assertEquals(1, r.code(), r.out());
    assertTrue(r.err().contains("--append"), r.err());
    // valid non-ASCII text is hashed as UTF-8
    MeasureCommandTest.Run ok = run(List.of("measure", "--mode", "snp", "--ovmf", path("synth-ovmf-a.fd"), "--vcpus",
        "1", "--vcpu-type", "EPYC-v4", "--kernel", path("kernel-b.bin"), "--append", "é"));
    assertEquals(0, ok.code(), ok.err());
  }
}
