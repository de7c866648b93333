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
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsRootKeys;
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
 * §5.6), with <strong>both sides attested</strong>: unlike upstream, whose onboarding connection
 * checks nothing about the source, every connection here requires the source's server certificate
 * to carry an attestation that passes {@link RatlsVerifier} with the given platform verifier (the
 * vendor signatures): {@code GetTempCaCert} in mode {@code ratls-only}, then {@code GetKmsKey} in
 * mode {@code kms-server} under the root CA just received (chain, {@code kms:rpc}, attestation).
 * The replica's own client certificate, from the source's temp CA, carries the replica's
 * attestation bound to its key. The released keys must be exactly one set whose root CA key is the
 * source's root CA; they are written into the key directory with {@link KmsRootKeys#store}, which
 * never replaces a file. Not thread-safe (one onboarding at a time).
 */
public final class KmsOnboarding {
  private final URI source;
  private final PlatformVerifier sourcePlatform;
  private final Function<Bytes, VersionedAttestation> ownAttestation;
  private final String vmConfig;

  private KmsOnboarding(URI source, PlatformVerifier sourcePlatform,
      Function<Bytes, VersionedAttestation> ownAttestation, String vmConfig) {
    this.source = source;
    this.sourcePlatform = sourcePlatform;
    this.ownAttestation = ownAttestation;
    this.vmConfig = vmConfig;
  }

  /**
   * An onboarding from {@code source}.
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
    return new KmsOnboarding(Objects.requireNonNull(source, "source"),
        Objects.requireNonNull(sourcePlatform, "sourcePlatform"),
        Objects.requireNonNull(ownAttestation, "ownAttestation"),
        Objects.requireNonNull(vmConfig, "vmConfig"));
  }

  /**
   * Fetches the source's root keys and stores them in {@code keyDir}.
   *
   * @param keyDir the replica's key directory (must not hold root keys yet)
   * @return the stored keys
   * @throws AgentException {@code SOURCE_NOT_ATTESTED} / {@code UNREACHABLE} when the source's
   *     certificate does not pass, the source's refusal, {@code MALFORMED_RESPONSE} for an answer
   *     that is not one key set of the source's root, {@code KEY_DIR} when writing fails
   */
  public KmsRootKeys onboard(Path keyDir) throws AgentException {
    Objects.requireNonNull(keyDir, "keyDir");
    try {
      HttpClient first = RatlsGuest.client(new KeyManager[0], new TrustManager[] {
          new AttestedServer(RatlsVerifier.builder(RatlsVerifier.Mode.RATLS_ONLY)
              .platformVerifier(sourcePlatform).build())});
      GetTempCaCertResponse temp = GuestAgent.call(first, source, "GetTempCaCert", new byte[0],
          GetTempCaCertResponse.getDefaultInstance());
      byte[] rootCa = temp.getCaCert().getBytes(StandardCharsets.US_ASCII);
      Bytes rootSpki = RatlsCertificate.parse(rootCa).subjectPublicKeyInfo();

      KeyPair key = RatlsGuest.p256();
      VersionedAttestation own =
          ownAttestation.apply(RatlsReportData.forCertificateKey(key.getPublic().getEncoded()));
      byte[] cert = RatlsCertificateBuilder.forKey(key)
          .issuer(temp.getTempCaCert().getBytes(StandardCharsets.US_ASCII),
              RatlsGuest.pkcs8(temp.getTempCaKey()))
          .attestation(own)
          .buildDer();
      HttpClient mutual = RatlsGuest.client(
          new KeyManager[] {RatlsKeyManager.of(key.getPrivate(), cert)},
          new TrustManager[] {new AttestedServer(RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
              .trustedCa(rootCa).platformVerifier(sourcePlatform).build())});
      KmsKeyResponse resp = GuestAgent.call(mutual, source, "GetKmsKey",
          GetKmsKeyRequest.newBuilder().setVmConfig(vmConfig).build().toByteArray(),
          KmsKeyResponse.getDefaultInstance());
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
      if (!rootSpki.equals(keys.rootCaPublicKeySpki())) {
        throw new AgentException(0, "MALFORMED_RESPONSE", -1,
            "GetKmsKey's root CA key is not the key of the source's root CA certificate", null);
      }
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

  /** Accepts a server only when its certificate passes the verifier and carries an attestation. */
  private static final class AttestedServer extends X509ExtendedTrustManager {
    private final RatlsVerifier verifier;

    AttestedServer(RatlsVerifier verifier) {
      this.verifier = verifier;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
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
        throw new CertificateException("the source KMS's certificate is refused at "
            + v.rejectStage().map(RatlsVerifier.Stage::label).orElse("?") + ": "
            + v.message().orElse(""));
      }
      if (v.attestation().isEmpty() || !v.vendorChecked()) {
        throw new CertificateException("the source KMS's certificate carries no verified"
            + " attestation; onboarding requires an attested source");
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
    return "KmsOnboarding[from " + source + "]";
  }
}
