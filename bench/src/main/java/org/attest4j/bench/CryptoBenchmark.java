package org.attest4j.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsIdentity;
import org.attest4j.crypto.KmsPublicKey;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.Pr630Envelope;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.crypto.X25519KeyPair;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The crypto module's per-request costs on the KMS and guest side: deriving every app key of one
 * request (disk, env + X25519 public key, app CA, k256 + k256_signature), sealing a response of a
 * typical AppKeyResponse size (HPKE + ECDSA P-256 signature), opening it on the guest, the PR #630
 * envelope, and the report_data checks.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar CryptoBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CryptoBenchmark {
  private AppKeyDeriver deriver;
  private KmsIdentity identity;
  private KmsPublicKey trusted;
  private X25519KeyPair guest;
  private SealBinding binding;
  private Bytes appId;
  private Bytes instanceId;
  private byte[] payload;
  private byte[] sealed;
  private byte[] reportData;
  private Bytes nonce;
  private List<byte[]> fields;

  @Setup
  public void setup() throws Exception {
    SecureRandom rnd = new SecureRandom();
    KmsRootKeys roots = KmsRootKeys.generate(rnd);
    deriver = AppKeyDeriver.of(roots);
    identity = roots.sealingIdentity();
    trusted = KmsPublicKey.fromSpki(roots.rootCaPublicKeySpki().toByteArray());
    guest = X25519KeyPair.generate(rnd);
    appId = Bytes.fromHex("6076e023a904b639619fc368bd546fee7e738eea");
    instanceId = Bytes.fromHex("503c0011df0c3c50b7db7902665784e116aabbda");
    byte[] evidence = new byte[1184 + 600];
    rnd.nextBytes(evidence);
    binding = SealBinding.forEvidence(guest.publicKey(), evidence);
    // about the size of a serialized AppKeyResponse with a CA certificate
    payload = new byte[900];
    rnd.nextBytes(payload);
    sealed = SealedResponse.encrypt(identity, binding, payload).toBytes();
    nonce = Bytes.of("kms-nonce-0123456789".getBytes(StandardCharsets.US_ASCII));
    reportData = ReportData.withNonce(guest.publicKey(), nonce).toBytes();
    AppKeys k = deriver.derive(appId, instanceId);
    fields = List.of(k.diskCryptKey(), k.envCryptKey(), k.k256Key());
  }

  /** Every app key of one GetAppKey request, k256_signature included. */
  @Benchmark
  public AppKeys deriveAppKeys() throws Exception {
    return deriver.derive(appId, instanceId);
  }

  /** KMS side: HPKE seal to the guest plus the ECDSA P-256 envelope signature. */
  @Benchmark
  public byte[] seal() {
    return SealedResponse.encrypt(identity, binding, payload).toBytes();
  }

  /** Guest side: parse, check key id, signature, binding, then HPKE open. */
  @Benchmark
  public byte[] open() throws Exception {
    return SealedResponse.open(sealed, guest, binding, trusted);
  }

  /** KMS side, PR #630 compatibility: X25519 plus three AES-SIV fields. */
  @Benchmark
  public Pr630Envelope sealPr630() throws Exception {
    return SealedResponse.encryptPr630(guest.publicKey(), fields);
  }

  /** KMS side: parse report_data and check the nonce binding. */
  @Benchmark
  public ReportData checkReportData() throws Exception {
    ReportData rd = ReportData.parse(reportData);
    rd.checkNonce(nonce);
    return rd;
  }
}
