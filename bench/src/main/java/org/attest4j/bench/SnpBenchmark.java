package org.attest4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.VerifiedSnpReport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SEV-SNP report parsing and verification on real vectors from {@code shared/vectors/snp-reports}
 * (folder from system property {@code attest4j.shared}, default {@code /work/shared}).
 *
 * <ul>
 *   <li>{@code parse}: {@link SnpReport#parse} only;
 *   <li>{@code verifyCachedChain}: report bytes + VCEK + cert_chain PEM through a warm verifier (the
 *       chain's RSA signatures come from the cache; the report's P-384 signature is verified);
 *   <li>{@code verifyColdChain}: a fresh verifier each time: decode three certificates, ARK
 *       self-signature, ASK and VCEK RSA-PSS, report P-384 (nothing cached);
 *   <li>{@code verifyNewVcekKnownAsk}: a VCEK not in the cache under an ARK/ASK that is (a new chip
 *       of a known product): one RSA-PSS and one P-384. Alternates two real Milan VCEKs.
 * </ul>
 *
 * Run: {@code java -jar bench/target/benchmarks.jar Snp -f 1 -wi 3 -w 1 -i 5 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SnpBenchmark {
  @Param({"turin-v5-oak"})
  public String vector;

  private byte[] report;
  private byte[] vek;
  private byte[] chain;
  private Clock clock;
  private SnpVerifier warm;

  private byte[][] milanReports = new byte[2][];
  private byte[][] milanVeks = new byte[2][];
  private byte[][] milanChains = new byte[2][];
  private SnpVerifier oneSlot;
  private int flip;

  private static Path dir(String name) {
    return Paths.get(System.getProperty("attest4j.shared", "/work/shared"), "vectors", "snp-reports", name);
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException, AttestationException {
    Path d = dir(vector);
    report = Files.readAllBytes(d.resolve("report.bin"));
    vek = Files.readAllBytes(Files.exists(d.resolve("vlek.der")) ? d.resolve("vlek.der") : d.resolve("vcek.der"));
    chain = Files.readAllBytes(d.resolve("cert_chain.pem"));
    clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    if ("milan-v3-vlek-aws".equals(vector)) {
      clock = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    }
    warm = SnpVerifier.builder().clock(clock).build();
    warm.verify(report, vek, chain);
    String[] milan = {"milan-v3-oak-cb", "milan-v3-azure-a"};
    for (int i = 0; i < 2; i++) {
      Path m = dir(milan[i]);
      milanReports[i] = Files.readAllBytes(m.resolve("report.bin"));
      milanVeks[i] = Files.readAllBytes(m.resolve("vcek.der"));
      milanChains[i] = Files.readAllBytes(m.resolve("cert_chain.pem"));
    }
    oneSlot = SnpVerifier.builder().clock(clock).chainCacheSize(1).build();
    oneSlot.verify(milanReports[0], milanVeks[0], milanChains[0]);
  }

  @Benchmark
  public SnpReport parse() throws AttestationException {
    return SnpReport.parse(report);
  }

  @Benchmark
  public VerifiedSnpReport verifyCachedChain() throws AttestationException {
    return warm.verify(report, vek, chain);
  }

  @Benchmark
  public VerifiedSnpReport verifyColdChain() throws AttestationException {
    return SnpVerifier.builder().clock(clock).chainCacheSize(0).build().verify(report, vek, chain);
  }

  @Benchmark
  public VerifiedSnpReport verifyNewVcekKnownAsk() throws AttestationException {
    int i = flip ^= 1;
    return oneSlot.verify(milanReports[i], milanVeks[i], milanChains[i]);
  }
}
