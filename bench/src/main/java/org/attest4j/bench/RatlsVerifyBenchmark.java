package org.attest4j.bench;

import java.util.concurrent.TimeUnit;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * RA-TLS certificate verification of a SEV-SNP guest's client certificate ({@link RatlsFixture}) in
 * mode {@code kms-client}, from DER bytes to verdict:
 *
 * <ul>
 *   <li>{@code offline}: parse, chain to the temp CA (signature, validity, critical extensions),
 *       find and decode the V0 attestation, report_data binding (SHA-512 over the SPKI), evidence
 *       consistency (REPORT_DATA and HOST_DATA); every check except the vendor signatures, as
 *       {@code attest4j ratls check --offline} runs them;
 *   <li>{@code full}: the same plus the vendor signatures: the VCEK from the attestation's {@code
 *       cert_chain}, ASK/ARK from the endorsement source, the chain under the trust anchor (cached
 *       by the {@code SnpVerifier} after the first call, as in a running KMS) and the report's
 *       P-384 signature.
 * </ul>
 *
 * Run: {@code java -jar bench/target/benchmarks.jar RatlsVerify -f 1 -wi 3 -w 1 -i 5 -r 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RatlsVerifyBenchmark {
  private byte[] certificate;
  private RatlsVerifier offline;
  private RatlsVerifier full;

  /**
   * Builds the certificate and both verifiers, and checks that they accept it.
   *
   * @throws Exception if the fixture cannot be built
   */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    RatlsFixture f = new RatlsFixture();
    certificate = f.guestCertificate;
    offline = f.clientVerifier(false);
    full = f.clientVerifier(true);
    RatlsFixture.accepted(offline.verify(certificate), false);
    RatlsFixture.accepted(full.verify(certificate), true);
  }

  /**
   * Every check except the vendor signatures.
   *
   * @return the verdict
   */
  @Benchmark
  public RatlsVerdict offline() {
    return offline.verify(certificate);
  }

  /**
   * Every check including the vendor signatures.
   *
   * @return the verdict
   */
  @Benchmark
  public RatlsVerdict full() {
    return full.verify(certificate);
  }
}
