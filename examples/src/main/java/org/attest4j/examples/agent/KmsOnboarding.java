package org.attest4j.examples.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.RootCaCertificate;
import org.attest4j.kms.proto.GetKmsKeyRequest;
import org.attest4j.kms.proto.GetTempCaCertResponse;
import org.attest4j.kms.proto.KmsKeyResponse;
import org.attest4j.ratls.PlatformVerifier;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsKeyManager;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.VersionedAttestation;

/**
 * A KMS replica's onboarding from a running KMS (dstack's {@code Keys::onboard}, spec dstack-ratls
 * §5.6), with <strong>both sides attested</strong>. Upstream checks the source's attestation on the
 * {@code GetTempCaCert} connection only and then fetches the root keys on a second connection that
 * checks nothing about the server (pitfall 17). Here:
 *
 * <ol>
 *   <li>{@code GetTempCaCert}: the source's server certificate must carry an attestation that
 *       passes {@link RatlsVerifier} ({@code ratls-only}: binding and evidence) <em>with</em> the
 *       vendor signatures of the given platform verifier;
 *   <li>that same certificate must then pass mode {@code kms-server} under the root CA just
 *       received: signed by it, special usage {@code kms:rpc};
 *   <li>{@code GetKmsKey} on a mutual connection that requires {@code kms-server} again, with the
 *       attestation and vendor signatures, and the <em>same server key</em> as step 1 (pinned
 *       across the connections). The replica presents its own RA-TLS client certificate (from the
 *       source's temp CA) whose attestation binds a fresh key; in TLS 1.3 the client sends it only
 *       after the server's certificate passed;
 *   <li>the answer must be exactly one key set, certified by the source's root CA certificate,
 *       which is kept (so both replicas hand guests the same {@code ca_cert});
 *   <li>the optional {@linkplain #withSourcePolicy source policy} (upstream's {@code
 *       ensure_kms_allowed}): the replica's own decision whether the source KMS, by its verified
 *       attestation, is a KMS it may take keys from;
 *   <li>only then the keys are written with {@link KmsRootKeys#store}, which never replaces a file.
 * </ol>
 *
 * A refusal of the source's certificate is {@link AgentException} reason {@value #SOURCE_REFUSED}
 * naming the stage; a refusal by the source policy is {@value #SOURCE_NOT_ALLOWED}. Immutable; one
 * {@link #onboard} at a time per key directory.
 */
public final class KmsOnboarding {
  /** The reason of a source whose server certificate does not pass (attestation, chain, kms:rpc). */
  public static final String SOURCE_REFUSED = "SOURCE_REFUSED";
  /** The reason of a source that the replica's own policy does not allow. */
  public static final String SOURCE_NOT_ALLOWED = "SOURCE_NOT_ALLOWED";

  /**
   * The replica's own decision about the source KMS (dstack's {@code ensure_kms_allowed}), taken
   * after the source's certificate passed and its keys arrived, before anything is stored.
   */
  @FunctionalInterface
  public interface SourcePolicy {
    /**
     * Accepts the source or throws.
     *
     * @param sourceCertificate the source's RA-TLS server certificate (DER), already verified
     * @param keys the root keys the source released (not stored yet; secret)
     * @throws AttestationException when the source is not allowed (the message says why)
     */
    void check(byte[] sourceCertificate, KmsRootKeys keys) throws AttestationException;
  }

  private final URI source;
  private final PlatformVerifier sourcePlatform;
  private final BiFunction<Bytes, Bytes, VersionedAttestation> ownAttestation;
  private final String vmConfig;
  private final SourcePolicy policy;

  private KmsOnboarding(URI source, PlatformVerifier sourcePlatform,
      BiFunction<Bytes, Bytes, VersionedAttestation> ownAttestation, String vmConfig,
      SourcePolicy policy) {
    this.source = Objects.requireNonNull(source, "source");
    this.sourcePlatform = Objects.requireNonNull(sourcePlatform, "sourcePlatform");
    this.ownAttestation = Objects.requireNonNull(ownAttestation, "ownAttestation");
    this.vmConfig = Objects.requireNonNull(vmConfig, "vmConfig");
    this.policy = policy;
  }

  /**
   * An onboarding from {@code source}, without a source policy.
   *
   * @param source the source KMS's base URL ({@code https://...})
   * @param sourcePlatform checks the vendor signatures of the source's attestation (for example
   *     {@code DstackPlatformVerifier.of(..)})
   * @param ownAttestation makes this replica's attestation for a report_data (64 bytes)
   * @param vmConfig this replica's dstack {@code vm_config} (its launch shape)
   * @return the onboarding
   */
  public static KmsOnboarding create(URI source, PlatformVerifier sourcePlatform,
      Function<Bytes, VersionedAttestation> ownAttestation, String vmConfig) {
    Objects.requireNonNull(ownAttestation, "ownAttestation");
    return new KmsOnboarding(source, sourcePlatform, (rd, root) -> ownAttestation.apply(rd),
        vmConfig, null);
  }

  /**
   * An onboarding whose own attestation depends on the cluster it joins: {@code ownAttestation}
   * gets the report_data and the source's root CA key (DER SubjectPublicKeyInfo), for a simulated
   * replica "launched" with an MrConfigV3 naming that root as its {@code key_provider_id}. A real
   * replica's launch is fixed: use {@link #create} (the source refuses a replica whose MrConfigV3
   * names another root).
   *
   * @param source the source KMS's base URL ({@code https://...})
   * @param sourcePlatform checks the vendor signatures of the source's attestation
   * @param ownAttestation makes this replica's attestation for (report_data, source root CA key)
   * @param vmConfig this replica's dstack {@code vm_config}
   * @return the onboarding
   */
  public static KmsOnboarding forCluster(URI source, PlatformVerifier sourcePlatform,
      BiFunction<Bytes, Bytes, VersionedAttestation> ownAttestation, String vmConfig) {
    return new KmsOnboarding(source, sourcePlatform, ownAttestation, vmConfig, null);
  }

  /**
   * This onboarding with a source policy (dstack's {@code ensure_kms_allowed}).
   *
   * @param sourcePolicy decides whether the verified source KMS may give this replica its keys
   * @return a new onboarding
   */
  public KmsOnboarding withSourcePolicy(SourcePolicy sourcePolicy) {
    return new KmsOnboarding(source, sourcePlatform, ownAttestation, vmConfig,
        Objects.requireNonNull(sourcePolicy, "sourcePolicy"));
  }

  /**
   * Fetches the source's root keys and stores them in {@code keyDir}.
   *
   * @param keyDir the replica's key directory (must not hold root keys yet)
   * @return the stored keys (secret)
   * @throws AgentException {@value #SOURCE_REFUSED} when the source's certificate does not pass,
   *     {@value #SOURCE_NOT_ALLOWED} when the source policy refuses it, {@code UNREACHABLE} or the
   *     source's refusal, {@code MALFORMED_RESPONSE} for an answer that is not one key set of the
   *     source's root, {@code KEY_DIR} when writing fails
   */
  public KmsRootKeys onboard(Path keyDir) throws AgentException {
    Objects.requireNonNull(keyDir, "keyDir");
    try {
      // 1. GetTempCaCert from an attested server (vendor signatures checked)
      AttestedServer first = new AttestedServer(RatlsVerifier.builder(RatlsVerifier.Mode.RATLS_ONLY)
          .platformVerifier(sourcePlatform).build(), null);
      GetTempCaCertResponse temp = checked(first, () -> GuestAgent.call(
          RatlsGuest.client(new KeyManager[0], new TrustManager[] {first}), source,
          "GetTempCaCert", new byte[0], GetTempCaCertResponse.getDefaultInstance()));
      byte[] rootCa = temp.getCaCert().getBytes(StandardCharsets.US_ASCII);
      Bytes rootSpki = RatlsCertificate.parse(rootCa).subjectPublicKeyInfo();
      byte[] sourceCert = first.accepted.get();
      if (sourceCert == null) {
        throw new AgentException(0, SOURCE_REFUSED, -1, "the source KMS " + source
            + " was not reached over TLS; onboarding needs its https:// URL", null);
      }

      // 2. that certificate is the root's kms:rpc certificate
      RatlsVerdict rpc = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER).trustedCa(rootCa)
          .build().verify(sourceCert);
      if (!rpc.accepted()) {
        throw new AgentException(0, SOURCE_REFUSED, -1, "the source KMS's certificate is refused"
            + " under the root CA it sent, at " + stage(rpc), null);
      }

      // 3. GetKmsKey: our attested client certificate, the same attested server key required
      KeyPair key = RatlsGuest.p256();
      VersionedAttestation own = ownAttestation.apply(
          RatlsReportData.forCertificateKey(key.getPublic().getEncoded()), rootSpki);
      byte[] cert = RatlsCertificateBuilder.forKey(key)
          .issuer(temp.getTempCaCert().getBytes(StandardCharsets.US_ASCII),
              RatlsGuest.pkcs8(temp.getTempCaKey()))
          .attestation(own)
          .buildDer();
      AttestedServer second = new AttestedServer(RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
          .trustedCa(rootCa).platformVerifier(sourcePlatform).build(),
          RatlsCertificate.parse(sourceCert).subjectPublicKeyInfo());
      KmsKeyResponse resp = checked(second, () -> GuestAgent.call(
          RatlsGuest.client(new KeyManager[] {RatlsKeyManager.of(key.getPrivate(), cert)},
              new TrustManager[] {second}),
          source, "GetKmsKey", GetKmsKeyRequest.newBuilder().setVmConfig(vmConfig).build().toByteArray(),
          KmsKeyResponse.getDefaultInstance()));

      // 4. exactly one key set, certified by the source's root CA certificate (kept)
      KmsRootKeys keys = rootKeys(resp, temp.getCaCert());

      // 5. the replica's own decision about the source
      if (policy != null) {
        try {
          policy.check(sourceCert, keys);
        } catch (AttestationException e) {
          throw new AgentException(0, SOURCE_NOT_ALLOWED, -1, "this replica's policy does not allow"
              + " the source KMS (" + e.reason().qualifiedCode() + "): " + e.getMessage(), e);
        }
      }

      // 6. store, never replacing a file
      try {
        keys.store(keyDir);
      } catch (IOException e) {
        throw new AgentException(0, "KEY_DIR", -1,
            "cannot store the onboarded keys in " + keyDir + ": " + e.getMessage(), e);
      }
      return keys;
    } catch (AttestationException e) {
      throw new AgentException(0, e.reason().qualifiedCode(), -1, e.getMessage(), e);
    } catch (java.security.GeneralSecurityException e) {
      throw new AgentException(0, "TLS_SETUP", -1, "cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static KmsRootKeys rootKeys(KmsKeyResponse resp, String rootCaPem) throws AgentException {
    if (resp.getKeysCount() != 1) {
      throw new AgentException(0, "MALFORMED_RESPONSE", -1,
          "GetKmsKey answered " + resp.getKeysCount() + " key sets; exactly one is required", null);
    }
    KmsRootKeys keys;
    try {
      keys = KmsRootKeys.fromEncoded(resp.getKeys(0).getCaKey(),
          resp.getKeys(0).getK256Key().toByteArray());
    } catch (RuntimeException e) {
      throw new AgentException(0, "MALFORMED_RESPONSE", -1,
          "GetKmsKey's keys are not a root CA key and a 32-byte k256 key", null);
    }
    try {
      return keys.withRootCaCertificate(RootCaCertificate.parsePem(rootCaPem, keys));
    } catch (AttestationException | RuntimeException e) {
      throw new AgentException(0, "MALFORMED_RESPONSE", -1,
          "GetKmsKey's root CA key is not the key of the source's root CA certificate", null);
    }
  }

  /** A call whose TLS failure is reported with the trust manager's reason, when it refused. */
  private static <T> T checked(AttestedServer tm, Call<T> call)
      throws AgentException, java.security.GeneralSecurityException {
    try {
      return call.run();
    } catch (AgentException e) {
      String refusal = tm.refusal.get();
      if (refusal != null) {
        throw new AgentException(0, SOURCE_REFUSED, -1, refusal, e);
      }
      throw e;
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws AgentException, java.security.GeneralSecurityException;
  }

  private static String stage(RatlsVerdict v) {
    return v.rejectStage().map(RatlsVerifier.Stage::label).orElse("?") + ": " + v.message().orElse("");
  }

  /**
   * Accepts a server only when its certificate passes the verifier with a vendor-checked
   * attestation (and, when pinned, has the pinned key); remembers what it accepted or refused.
   */
  private static final class AttestedServer extends X509ExtendedTrustManager {
    private final RatlsVerifier verifier;
    private final Bytes pinnedSpki;
    final AtomicReference<byte[]> accepted = new AtomicReference<>();
    final AtomicReference<String> refusal = new AtomicReference<>();

    AttestedServer(RatlsVerifier verifier, Bytes pinnedSpki) {
      this.verifier = verifier;
      this.pinnedSpki = pinnedSpki;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      try {
        accepted.set(check(chain));
      } catch (CertificateException e) {
        refusal.compareAndSet(null, e.getMessage());
        throw e;
      }
    }

    private byte[] check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0) {
        throw new CertificateException("the source KMS sent no certificate");
      }
      byte[] der;
      try {
        der = chain[0].getEncoded();
      } catch (CertificateEncodingException e) {
        throw new CertificateException("the source KMS's certificate cannot be encoded", e);
      }
      RatlsVerdict v = verifier.verify(der);
      if (!v.accepted()) {
        throw new CertificateException("the source KMS's certificate is refused at " + stage(v));
      }
      if (v.attestation().isEmpty() || !v.vendorChecked()) {
        throw new CertificateException("the source KMS's certificate carries no verified"
            + " attestation; onboarding requires an attested source");
      }
      if (pinnedSpki != null && !pinnedSpki.equals(spki(der))) {
        throw new CertificateException("the source KMS's key changed between GetTempCaCert and"
            + " GetKmsKey; refusing to fetch keys from another server");
      }
      return der;
    }

    private static Bytes spki(byte[] der) throws CertificateException {
      try {
        return RatlsCertificate.parse(der).subjectPublicKeyInfo();
      } catch (AttestationException e) {
        throw new CertificateException("the source KMS's certificate cannot be parsed", e);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a client-side trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s)
        throws CertificateException {
      checkServerTrusted(c, a);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e)
        throws CertificateException {
      checkServerTrusted(c, a);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s)
        throws CertificateException {
      checkClientTrusted(c, a);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e)
        throws CertificateException {
      checkClientTrusted(c, a);
    }
  }

  @Override
  public String toString() {
    return "KmsOnboarding[from " + source + (policy != null ? ", with a source policy" : "") + "]";
  }
}
