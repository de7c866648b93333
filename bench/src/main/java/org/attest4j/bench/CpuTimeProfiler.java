package org.attest4j.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler for a shared machine: the benchmark JVM's CPU time per operation ({@code
 * cpu.time.norm}, µs/op, every thread of the process: benchmark threads, GC, JIT) and the cores it
 * got on average ({@code cpu.cores}, CPU time / wall time). Unlike throughput, CPU time per
 * operation hardly depends on what else runs: if it stays flat from {@code -t 1} to {@code -t 2}
 * the two threads do not contend (no lock, cache line or GC cost grows with the second thread),
 * and {@code cpu.cores} below the thread count says the machine, not the code, held the
 * throughput back.
 *
 * <p>Use: {@code java -jar bench/target/benchmarks.jar KmsBenchmark -prof
 * org.attest4j.bench.CpuTimeProfiler}. Needs the {@code com.sun.management} extension of the
 * operating-system MXBean (HotSpot); reports nothing without it. Not thread-safe: JMH calls it
 * from one thread.
 */
public final class CpuTimeProfiler implements InternalProfiler {
  private long cpuStart;
  private long wallStart;

  /** A profiler (JMH instantiates it by class name). */
  public CpuTimeProfiler() {}

  @Override
  public String getDescription() {
    return "process CPU time per operation and cores used (robust on a loaded machine)";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuStart = processCpuNanos();
    wallStart = System.nanoTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = processCpuNanos() - cpuStart;
    long wall = System.nanoTime() - wallStart;
    long ops = result.getMetadata().getAllOps();
    if (cpuStart < 0 || ops <= 0 || wall <= 0) {
      return List.of();
    }
    return List.of(
        new ScalarResult("cpu.time.norm", cpu / 1e3 / ops, "us/op", AggregationPolicy.AVG),
        new ScalarResult("cpu.cores", (double) cpu / wall, "cores", AggregationPolicy.AVG));
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }
}
