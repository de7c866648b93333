package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.attest4j.examples.agent.SyntheticImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest4j measure} as a whole process loads neither picocli, Bouncy Castle, gson, JNA nor
 * protobuf (the start-up cost of {@code bin/attest4j measure} is class loading; MeasureFastPath
 * parses its flags): a child JVM runs the CLI's main class with {@code -verbose:class} and the
 * loaded classes are checked.
 */
class MeasureLazyLoadingTest {
  @Test
  void measureTouchesNeitherPicocliBouncyCastleGsonNorJna(@TempDir Path dir) throws Exception {
    Path firmware = dir.resolve("ovmf.fd");
    Files.write(firmware, SyntheticImages.firmware());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java, "-Xshare:off", "-verbose:class",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(),
                "measure", "--mode", "snp", "--vcpus", "2", "--vcpu-type", "EPYC-v4",
                "--ovmf", firmware.toString())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    List<String> lines = out.lines().collect(Collectors.toList());
    assertTrue(lines.stream().anyMatch(l -> l.matches("[0-9a-f]{96}")), "the measurement is printed:\n" + tail(lines));
    List<String> loaded =
        lines.stream().filter(l -> l.contains("[class,load]")).map(l -> l.split("\\s+")[1]).collect(Collectors.toList());
    assertTrue(loaded.contains("org.attest4j.ovmf.PreparedFirmware"), "sanity: the measurement classes are seen loading");
    for (String prefix : List.of("picocli.", "org.bouncycastle.", "com.google.gson.", "com.sun.jna.", "com.google.protobuf.")) {
      List<String> bad = loaded.stream().filter(c -> c.startsWith(prefix)).collect(Collectors.toList());
      assertTrue(bad.isEmpty(), "measure loaded " + prefix + "*: " + bad);
    }
  }

  private static String tail(List<String> lines) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
