package org.attest4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.attest4j.tdx.DstackEventLog;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.TdxVerifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * TDX quote verification with Intel collateral (vector dstack-v4-90c06f-eventlog-uptodate):
 *
 * <ul>
 *   <li>{@code verifyCachedCollateral}: parse the quote and verify it with a verifier whose
 *       collateral and PCK chain are already verified and cached (two ECDSA P-256 verifications,
 *       the binding hash, TCB matching);
 *   <li>{@code verifyFromScratch}: parse quote and collateral (JSON, CRLs) and verify everything
 *       with a fresh, cache-less verifier (3 chains + PCK chain, 2 CRLs, TCB info and QE identity
 *       signatures, QE report and quote signatures);
 *   <li>{@code parseQuote}, {@code replayDstackEventLog}: the pieces.
 * </ul>
 *
 * Reads shared data from {@code -Dattest4j.shared} (default /work/shared).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TdxBenchmark {
  private byte[] quote;
  private byte[] collateralJson;
  private byte[] eventLog;
  private Instant at;
  private TdxCollateral collateral;
  private TdxVerifier cached;
  private TdxVerifier uncached;

  @Setup
  public void setup() throws Exception {
    Path dir = Path.of(System.getProperty("attest4j.shared", "/work/shared"))
        .resolve("vectors/tdx/dstack-v4-90c06f-eventlog-uptodate");
    quote = Files.readAllBytes(dir.resolve("quote.bin"));
    collateralJson = Files.readAllBytes(dir.resolve("collateral.dcap-qvl.json"));
    eventLog = Files.readAllBytes(dir.resolve("event_log.json"));
    at = Instant.ofEpochSecond(1774003274L);
    collateral = TdxCollateral.fromQuoteCollateralJson(collateralJson);
    cached = TdxVerifier.create();
    cached.verify(TdxQuote.parse(quote), collateral, at);
    uncached = TdxVerifier.builder().cacheSize(0).build();
  }

  @Benchmark
  public TdxVerdict verifyCachedCollateral() throws Exception {
    return cached.verify(TdxQuote.parse(quote), collateral, at);
  }

  @Benchmark
  public TdxVerdict verifyFromScratch() throws Exception {
    TdxCollateral c = TdxCollateral.fromQuoteCollateralJson(collateralJson);
    return uncached.verify(TdxQuote.parse(quote), c, at);
  }

  @Benchmark
  public TdxQuote parseQuote() throws Exception {
    return TdxQuote.parse(quote);
  }

  @Benchmark
  public Object replayDstackEventLog() throws Exception {
    return DstackEventLog.parse(eventLog).replay();
  }
}
