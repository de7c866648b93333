package org.attest4j.examples.kms;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;
import org.attest4j.core.AttestationException;
import org.attest4j.kms.KeyReleaseException;
import org.attest4j.kms.KeyReleaseService;
import org.attest4j.kms.RatlsKeyRelease;
import org.attest4j.kms.RatlsRequest;
import org.attest4j.kms.proto.GetAppKeyRequest;
import org.attest4j.kms.proto.GetTempCaCertResponse;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.RatlsTrustManager;
import org.attest4j.ratls.RatlsVerifier;

/**
 * The RA-TLS side of the example server (spec dstack-ratls §5): the KMS's TLS identity (a fresh
 * P-256 key with a {@code kms:rpc} certificate from the root CA), the client-certificate check (the
 * chain to the temp CA, the attestation's binding to the key and the evidence's consistency, all
 * offline; the vendor signatures and everything else are steps of {@link
 * KeyReleaseService#releaseRatls}), and the RPCs {@code GetTempCaCert} and {@code GetAppKey}
 * ({@code SignCert} and {@code GetKmsKey} are served by {@link KmsServer} with the service).
 * Immutable and thread-safe.
 */
final class RatlsEndpoint {
  private static final char[] STORE_PASSWORD = "in-memory".toCharArray();

  private final KmsCertificateAuthority ca;
  private final TlsOptions tls;

  private RatlsEndpoint(KmsCertificateAuthority ca, TlsOptions tls) {
    this.ca = ca;
    this.tls = tls;
  }

  /**
   * The endpoint of a KMS whose clients reach it at {@code host}.
   *
   * @param ca the KMS's certificate authority
   * @param host the name in the server certificate (an IP address or DNS name)
   * @return the endpoint
   * @throws IOException if the TLS identity cannot be made
   */
  static RatlsEndpoint create(KmsCertificateAuthority ca, String host) throws IOException {
    return create(ca, host, null);
  }

  /**
   * The endpoint of a KMS that runs in a TEE: its certificate carries {@code ownAttestation}'s
   * answer for the report_data that binds the server key.
   *
   * @param ca the KMS's certificate authority
   * @param host the name in the server certificate
   * @param ownAttestation makes the KMS's attestation for a report_data, or null for none
   * @return the endpoint
   * @throws IOException if the TLS identity cannot be made
   */
  static RatlsEndpoint create(KmsCertificateAuthority ca, String host,
      java.util.function.Function<org.attest4j.core.Bytes, org.attest4j.ratls.VersionedAttestation> ownAttestation)
      throws IOException {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair rpc = g.generateKeyPair();
      Optional<org.attest4j.ratls.VersionedAttestation> own = ownAttestation == null ? Optional.empty()
          : Optional.of(ownAttestation.apply(
              org.attest4j.ratls.RatlsReportData.forCertificateKey(rpc.getPublic().getEncoded())));
      List<byte[]> chain = ca.rpcCertificateChain(rpc, host, own);
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      Certificate[] certs = new Certificate[chain.size()];
      for (int i = 0; i < certs.length; i++) {
        certs[i] = cf.generateCertificate(new java.io.ByteArrayInputStream(chain.get(i)));
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("kms-rpc", rpc.getPrivate(), STORE_PASSWORD, certs);
      RatlsVerifier clients = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
          .trustedCa(ca.tempCaCertificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII))
          .build();
      TlsOptions tls = TlsOptions.keyStore(ks, STORE_PASSWORD)
          .acceptClientCertificates(RatlsTrustManager.of(clients));
      return new RatlsEndpoint(ca, tls);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot make the KMS's RA-TLS identity: " + e.getMessage(), e);
    }
  }

  TlsOptions tls() {
    return tls;
  }

  GetTempCaCertResponse tempCaCert() {
    return GetTempCaCertResponse.newBuilder()
        .setTempCaCert(ca.tempCaCertificatePem())
        .setTempCaKey(ca.tempCaKeyPem())
        .setCaCert(ca.rootCaCertificatePem())
        .build();
  }

  RatlsKeyRelease getAppKey(KeyReleaseService service, byte[] clientCertificate,
      GetAppKeyRequest request) throws AttestationException, KeyReleaseException {
    return service.releaseRatls(RatlsRequest.decode(clientCertificate, request));
  }

  @Override
  public String toString() {
    return "RatlsEndpoint[" + ca + "]";
  }
}
