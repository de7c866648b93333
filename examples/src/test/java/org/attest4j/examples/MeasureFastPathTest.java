package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code attest4j measure}'s hand-written parser against picocli's: whatever it takes, picocli parses
 * to the same options; whatever picocli might read differently (help, {@code explain}, repeats,
 * unknown options, values that look like options, missing values) it leaves to picocli.
 * MeasureCommandTest runs both parsers over every command line of the measure tests.
 */
class MeasureFastPathTest {
  private static MeasureOptions fast(String... args) {
    return MeasureFastPath.parse(args);
  }

  @Test
  void takesWellFormedCommandLinesAsPicocliDoes() {
    List<String[]> lines =
        List.of(
            new String[] {"measure", "--mode", "snp", "--vcpus", "1", "--vcpu-type", "EPYC-v4", "--ovmf", "o.fd"},
            new String[] {"measure", "--mode=snp", "--vcpus=4", "--vcpu-sig=0x800f12", "--ovmf=o.fd", "-v"},
            new String[] {"measure", "--mode", "sev", "--ovmf", "o.fd", "--append", "", "--kernel", "k", "--verbose"},
            new String[] {"measure", "--append=a=b c", "--mode", "snp", "--ovmf", "o", "--page-log", "-", "--dump-vmsa"},
            new String[] {"measure", "--mode", "snp:svsm", "--svsm", "s", "--vars-size", "1", "--vars-file", "v",
              "--vcpu-family", "25", "--vcpu-model", "1", "--vcpu-stepping", "1", "--vmm-type", "ec2",
              "--guest-features", "0x21", "--output-format", "base64", "--snp-ovmf-hash", "aa", "--initrd", "i"});
    for (String[] line : lines) {
      MeasureOptions o = fast(line);
      assertNotNull(o, List.of(line).toString());
      assertEquals(MeasureCommandTest.picocliOptions(line), o, List.of(line).toString());
    }
    MeasureOptions o = fast("measure", "--append=x=y", "-v", "--page-log", "-");
    assertEquals("x=y", o.append);
    assertEquals(true, o.verbose);
    assertEquals("-", o.pageLog);
  }

  @Test
  void leavesEverythingElseToPicocli() {
    List<String[]> lines =
        List.of(
            new String[] {"measure"},
            new String[] {"snp", "--mode", "snp"},
            new String[] {"measure", "--help"},
            new String[] {"measure", "-h"},
            new String[] {"measure", "-V"},
            new String[] {"measure", "--mode", "snp", "--version"},
            new String[] {"measure", "explain", "--ovmf", "o.fd"},
            new String[] {"measure", "--mode", "snp", "--mode", "sev"},
            new String[] {"measure", "-v", "--verbose"},
            new String[] {"measure", "--mode", "snp", "--bogus"},
            new String[] {"measure", "--mode", "snp", "positional"},
            new String[] {"measure", "--mode"},
            new String[] {"measure", "--mode", "--ovmf", "x"},
            new String[] {"measure", "--append", "-x"},
            new String[] {"measure", "--mode", "explain"},
            new String[] {"measure", "--mode="},
            new String[] {"measure", "--verbose=true"},
            new String[] {"measure", "-vh"},
            new String[] {"measure", "--", "--mode", "snp"});
    for (String[] line : lines) {
      assertNull(fast(line), List.of(line).toString());
    }
  }

  /** Random command lines over the options and awkward values: taken means parsed as picocli parses. */
  @Property(tries = 300)
  void whatTheFastPathTakesPicocliParsesAlike(@ForAll("commandLines") List<String> tail) {
    List<String> args = new ArrayList<>(List.of("measure"));
    args.addAll(tail);
    String[] a = args.toArray(String[]::new);
    MeasureOptions o = fast(a);
    if (o != null) {
      assertEquals(MeasureCommandTest.picocliOptions(a), o, args.toString());
    }
  }

  @Provide
  Arbitrary<List<String>> commandLines() {
    Arbitrary<String> token =
        Arbitraries.of(
            "--mode", "--vcpus", "--vcpu-type", "--vcpu-sig", "--ovmf", "--kernel", "--append", "--page-log",
            "--vars-size", "-v", "--verbose", "--dump-vmsa", "--mode=snp", "--append=-x", "--append==",
            "snp", "1", "", "-", "-1", "0x10", "x y", "explain", "--", "-h", "--nope", "@file", "'q'", "\"q\"");
    return token.list().ofMaxSize(8);
  }

  @Test
  void picocliRefusesWhatTheFastPathLeavesToIt() {
    // sanity for the property above: a repeated option is an error in picocli, so it must not be taken
    CommandLine cl = Main.commandLineFor(new String[] {"measure"});
    org.junit.jupiter.api.Assertions.assertThrows(
        CommandLine.ParameterException.class, () -> cl.parseArgs("measure", "--mode", "a", "--mode", "b"));
  }
}
