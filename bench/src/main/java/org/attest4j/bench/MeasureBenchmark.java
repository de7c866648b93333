package org.attest4j.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import org.attest4j.core.Bytes;
import org.attest4j.ovmf.Artifact;
import org.attest4j.ovmf.BootArtifacts;
import org.attest4j.ovmf.LaunchDigest;
import org.attest4j.ovmf.LaunchFeatures;
import org.attest4j.ovmf.OvmfImage;
import org.attest4j.ovmf.PreparedFirmware;
import org.attest4j.ovmf.SearchResult;
import org.attest4j.ovmf.SearchSpace;
import org.attest4j.ovmf.VcpuType;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SEV-SNP launch measurement costs (ovmf-measure):
 *
 * <ul>
 *   <li>(a) {@code oneShotOvmfCode4m}: one-shot {@code LaunchDigest.compute} for Debian
 *       OVMF_CODE_4M.fd with 4 vCPUs, against {@code plainSha384OvmfCode4m}, one SHA-384 over the
 *       same 3.65 MB in the same run (target ratio ≤ 1.15);
 *   <li>(b) {@code preparedRequest4Vcpus}: a KMS request on prepared firmware (AmdSev layout with a
 *       kernel-hashes section): new kernel/initrd SHA-256 digests and command line, 4 vCPUs (target
 *       ≤ 20 µs);
 *   <li>(c) {@code preparedRequest64Vcpus}: the same with 64 vCPUs;
 *   <li>(d) {@code mismatchSearchWholeSpace}: the mismatch search over the default space (1..512
 *       vCPUs × QEMU with 5 EPYC signatures, EC2, GCE × 27 guest-feature values, with and without
 *       the kernel) for a measurement that matches nothing, so the whole space is tried;
 *   <li>{@code sha384PageJdk} / {@code sha384PageBc}: one 4 KiB page through the JDK and Bouncy
 *       Castle SHA-384, to justify the choice of the JDK digest.
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar MeasureBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1}.
 * Shared data is read from {@code -Dattest4j.shared} (default /work/shared).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MeasureBenchmark {
  private OvmfImage ovmf4m;
  private byte[] ovmf4mBytes;
  private LaunchFeatures four;
  private LaunchFeatures sixtyFour;
  private PreparedFirmware amdSev;
  private byte[][] kernelDigests;
  private byte[][] initrdDigests;
  private String[] cmdlines;
  private int next;
  private Bytes unmatched;
  private BootArtifacts boot;
  private byte[] page;

  @Setup
  public void setup() throws Exception {
    Path dir = Path.of(System.getProperty("attest4j.shared", "/work/shared"), "vectors", "snp-measure");
    ovmf4m = OvmfImage.parse(dir.resolve("OVMF_CODE_4M.fd"));
    ovmf4mBytes = ovmf4m.toByteArray();
    four = LaunchFeatures.builder().vcpus(4).vcpuType(VcpuType.EPYC_MILAN).build();
    sixtyFour = four.toBuilder().vcpus(64).build();
    amdSev = LaunchDigest.prepare(OvmfImage.parse(dir.resolve("synth-ovmf-a.fd")));
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    kernelDigests = new byte[64][];
    initrdDigests = new byte[64][];
    cmdlines = new String[64];
    for (int i = 0; i < 64; i++) {
      kernelDigests[i] = sha256.digest(("kernel " + i).getBytes(StandardCharsets.US_ASCII));
      initrdDigests[i] = sha256.digest(("initrd " + i).getBytes(StandardCharsets.US_ASCII));
      cmdlines[i] = "console=ttyS0 loglevel=7 dstack.rootfs_hash=" + Bytes.of(kernelDigests[i]).toHex() + " n=" + i;
    }
    boot = BootArtifacts.of(Artifact.ofSha256(kernelDigests[0]), Artifact.ofSha256(initrdDigests[0]), cmdlines[0]);
    unmatched = Bytes.of(new byte[48]);
    page = new byte[4096];
    page[17] = 1;
  }

  @Benchmark
  public Bytes oneShotOvmfCode4m() throws Exception {
    return LaunchDigest.compute(ovmf4m, BootArtifacts.none(), four);
  }

  @Benchmark
  public byte[] plainSha384OvmfCode4m() throws Exception {
    return MessageDigest.getInstance("SHA-384").digest(ovmf4mBytes);
  }

  private Bytes request(LaunchFeatures f) throws Exception {
    int i = next++ & 63;
    BootArtifacts b =
        BootArtifacts.of(Artifact.ofSha256(kernelDigests[i]), Artifact.ofSha256(initrdDigests[i]), cmdlines[i]);
    return amdSev.measure(b, f);
  }

  @Benchmark
  public Bytes preparedRequest4Vcpus() throws Exception {
    return request(four);
  }

  @Benchmark
  public Bytes preparedRequest64Vcpus() throws Exception {
    return request(sixtyFour);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public SearchResult mismatchSearchWholeSpace() throws Exception {
    return amdSev.search(unmatched, boot, SearchSpace.defaults());
  }

  @Benchmark
  public byte[] sha384PageJdk() throws Exception {
    return MessageDigest.getInstance("SHA-384").digest(page);
  }

  @Benchmark
  public byte[] sha384PageBc() {
    SHA384Digest d = new SHA384Digest();
    d.update(page, 0, page.length);
    byte[] out = new byte[48];
    d.doFinal(out, 0);
    return out;
  }
}
