package org.attest4j.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KeyProviderKind;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.X25519KeyPair;
import org.attest4j.kms.AllowListAuthorizer;
import org.attest4j.kms.CmdlineTemplate;
import org.attest4j.kms.KeyRelease;
import org.attest4j.kms.KeyReleaseRequest;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.kms.NonceStore;
import org.attest4j.kms.PinnedLaunch;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.MetadataSection;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.SectionType;
import org.attest4j.ovmf.VcpuType;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole in-process key release ({@link KeyReleaseService#release}: parse, chain and signature
 * with a cached chain, strict policy, measurement on a prepared firmware, HOST_DATA identity,
 * nonce freshness, allow-list authorization, app keys, HPKE sealing) on the simulated SEV-SNP
 * platform. Every operation is a distinct, validly signed report with its own single-use nonce:
 * the reports are generated before measuring, and each iteration gets a fresh nonce store with
 * the same secret (a deterministic random source), which accepts the pool's stateless nonces once
 * each, so nothing is replayed and no step is skipped.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar KmsBenchmark -f 1 -wi 10 -w 2 -i 8 -r 2}
 * (shorter warm-ups leave the C2 compiler running while measuring)
 * (add {@code -t 2} for two threads). Mode SampleTime gives p50/p99, Throughput gives operations
 * per second. On a shared machine add {@code -bm thrpt -prof gc -prof
 * org.attest4j.bench.CpuTimeProfiler}: allocation per release ({@code gc.alloc.rate.norm}) and
 * process CPU time per release ({@code cpu.time.norm}) hardly depend on the load, throughput does;
 * a flat {@code cpu.time.norm} from {@code -t 1} to {@code -t 2} means the threads do not contend.
 * Commands and figures: docs/kms.md, "Benchmarks".
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KmsBenchmark {
  /** Reports per iteration (an iteration must not release more than this). */
  static final int POOL = 24_000;

  private KeyReleaseService.Builder builder;
  private KeyReleaseRequest[] pool;
  private KeyReleaseService service;
  private final AtomicInteger next = new AtomicInteger();

  /** Deterministic "random" source so each iteration's nonce store has the same secret. */
  static final class Sequence extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private long counter;

    @Override
    public synchronized void nextBytes(byte[] out) {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (int off = 0; off < out.length; off += 32) {
          byte[] d = md.digest(ByteBuffer.allocate(8).putLong(counter++).array());
          System.arraycopy(d, 0, out, off, Math.min(32, out.length - off));
        }
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static NonceStore nonceStore() {
    return NonceStore.builder().random(new Sequence()).capacity(2 * POOL).lifetime(Duration.ofHours(1)).build();
  }

  @Setup(Level.Trial)
  public void trial() throws Exception {
    SimulatedSnpPlatform platform = SimulatedSnpPlatform.create(Product.GENOA);
    KmsRootKeys roots = KmsRootKeys.generate(new SecureRandom());
    byte[] seed = MessageDigest.getInstance("SHA-384").digest("bench firmware".getBytes(StandardCharsets.UTF_8));
    PreparedFirmware fw =
        PreparedFirmware.fromLayout(
            Bytes.of(seed),
            List.of(
                new MetadataSection(0x800000, 0x9000, SectionType.SNP_SEC_MEM),
                new MetadataSection(0x80a000, 0x3000, SectionType.SNP_SEC_MEM),
                new MetadataSection(0x80d000, 0x1000, SectionType.SNP_SECRETS),
                new MetadataSection(0x80e000, 0x1000, SectionType.CPUID),
                new MetadataSection(0x810000, 0x1000, SectionType.SNP_KERNEL_HASHES),
                new MetadataSection(0x811000, 0xf000, SectionType.SNP_SEC_MEM)),
            0x80b004L,
            0x810c00L);
    byte[] kernel = "bench kernel".getBytes(StandardCharsets.UTF_8);
    byte[] initrd = "bench initrd".getBytes(StandardCharsets.UTF_8);
    String cmdline = "console=ttyS0 dstack.rootfs_hash=" + "33".repeat(32);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    PinnedLaunch launch =
        PinnedLaunch.builder()
            .firmware(fw)
            .kernelDigest(Bytes.of(sha.digest(kernel)))
            .initrdDigest(Bytes.of(sha.digest(initrd)))
            .cmdline(CmdlineTemplate.of(cmdline))
            .allowVcpuCounts(4)
            .allowVcpuTypes("EPYC-v4")
            .build();
    byte[] appId = new byte[20];
    appId[0] = 0x11;
    byte[] compose = new byte[32];
    compose[0] = 0x22;
    byte[] instance = new byte[20];
    instance[0] = 0x33;
    MrConfigV3 mr =
        MrConfigV3.builder().appId(Bytes.of(appId)).composeHash(Bytes.of(compose)).instanceId(Bytes.of(instance))
            .keyProvider(KeyProviderKind.KMS)
            .keyProviderId(roots.rootCaPublicKeySpki()).build();
    SnpVerifier verifier = platform.verifier(platform.clockInsideValidity());
    EndorsementSource endorsements = KmsEndorsements.certChain(platform.certChainPem());
    builder =
        KeyReleaseService.builder()
            .snp(verifier, endorsements)
            .minimumTcb(platform.tcb())
            .launch(launch)
            .rootKeys(roots)
            .clock(platform.clockInsideValidity())
            .authorization(
                AllowListAuthorizer.builder().allowOsImage(launch.osImageHash()).allowApp(Bytes.of(appId), Bytes.of(compose))
                    .build());

    Bytes measurement =
        fw.measure(
            BootArtifacts.of(Artifact.of(kernel), Artifact.of(initrd), cmdline),
            LaunchFeatures.builder().vcpus(4).vcpuType(VcpuType.parse("EPYC-v4")).build());
    NonceStore issuer = nonceStore();
    byte[][] nonces = new byte[POOL][];
    for (int i = 0; i < POOL; i++) {
      nonces[i] = issuer.issue().nonce().toByteArray();
    }
    X25519KeyPair guest = X25519KeyPair.generate();
    Bytes vek = Bytes.of(platform.vekPem());
    Bytes doc = Bytes.of(mr.documentBytes());
    pool = new KeyReleaseRequest[POOL];
    IntStream.range(0, POOL).parallel().forEach(i -> {
      try {
        byte[] rd = ReportData.withNonce(guest.publicKey(), Bytes.of(nonces[i])).toBytes();
        byte[] report = platform.reportBuilder().measurement(measurement.toByteArray()).hostData(mr.hostData().toByteArray())
            .reportData(rd).sign();
        pool[i] = KeyReleaseRequest.builder().report(report).vcekCert(vek).mrConfig(doc).vcpus(4).vcpuType("EPYC-v4")
            .nonce(Bytes.of(nonces[i])).build();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Setup(Level.Iteration)
  public void iteration() throws Exception {
    // a fresh store forgets the used nonces; its secret comes from the same deterministic source,
    // so it accepts the pool's nonces (stateless MACs) without issuing anything, and nothing but
    // the releases is counted in the iteration's allocation
    service = builder.nonceStore(nonceStore()).build();
    next.set(0);
  }

  /** One complete key release. */
  @Benchmark
  public KeyRelease release() throws Exception {
    int i = next.getAndIncrement();
    if (i >= POOL) {
      throw new IllegalStateException("more than " + POOL + " releases in one iteration; shorten -r");
    }
    return service.release(pool[i]);
  }
}
