package org.attest4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.attest4j.azure.AzurePlatform;
import org.attest4j.azure.AzureVerification;
import org.attest4j.azure.AzureVerifier;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.SnpVerifier;
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
 * Azure SEV-SNP evidence verification end to end (trustee JSON decode, HCL report, claims, VCEK chain,
 * SNP signature, binding, RSA quote signature, nonce, PCR digest) on trustee's real evidence from
 * {@code shared/vectors/azure} (folder from system property {@code attest4j.shared}, default {@code
 * /work/shared}).
 *
 * <ul>
 *   <li>{@code verifyCachedChain}: a warm verifier; the VCEK chain's RSA-PSS signatures come from
 *       {@link SnpVerifier}'s cache, the SNP report's P-384 and the quote's RSA-2048 are verified;
 *   <li>{@code verifyColdChain}: a fresh verifier each time (ARK, ASK and VCEK RSA-PSS as well).
 * </ul>
 *
 * Run: {@code java -jar bench/target/benchmarks.jar Azure -f 1 -wi 2 -i 3}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AzureBenchmark {
  @Param({"snp-trustee-v1"})
  public String vector;

  private byte[] evidence;
  private byte[] chain;
  private Clock clock;
  private AzureVerifier warm;
  private static final byte[] NONCE = "challenge".getBytes(StandardCharsets.US_ASCII);

  @Setup(Level.Trial)
  public void setUp() throws IOException, AttestationException {
    Path shared = Paths.get(System.getProperty("attest4j.shared", "/work/shared"));
    Path d = shared.resolve("vectors/azure").resolve(vector);
    try (var s = Files.list(d)) {
      evidence = Files.readAllBytes(s.filter(p -> p.getFileName().toString().startsWith("evidence-")).findFirst()
          .orElseThrow());
    }
    chain = Files.readAllBytes(shared.resolve("amd-roots/milan_vcek_cert_chain.pem"));
    clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
    warm = verifier(SnpVerifier.builder().clock(clock).build());
    if (!warm.verify(evidence, NONCE).valid()) {
      throw new IllegalStateException("benchmark evidence does not verify");
    }
  }

  private AzureVerifier verifier(SnpVerifier snp) throws AttestationException {
    return AzureVerifier.builder(AzurePlatform.SNP).clock(clock).snpVerifier(snp).snpCertChain(chain).build();
  }

  @Benchmark
  public AzureVerification verifyCachedChain() {
    return warm.verify(evidence, NONCE);
  }

  @Benchmark
  public AzureVerification verifyColdChain() throws AttestationException {
    return verifier(SnpVerifier.builder().clock(clock).chainCacheSize(0).build()).verify(evidence, NONCE);
  }
}
