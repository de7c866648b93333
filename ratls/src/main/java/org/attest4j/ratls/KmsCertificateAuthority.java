package org.attest4j.ratls;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.internal.Pem;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.KmsRootKeys;

/**
 * The certificates a dstack KMS issues (spec dstack-ratls §2.6), from its root keys: the client
 * temp CA that {@code GetTempCaCert} hands out (its key is public by design: the attestation in
 * each client certificate, not the signature, is what the KMS trusts), the KMS's own RPC server
 * certificate (special usage {@code kms:rpc}, optionally with its own attestation), and for
 * {@code SignCert} the per-app CA ({@code app:ca}, key derived from the root as dstack does) and the
 * leaves it signs ({@code app:custom}). Immutable and thread-safe; the temp CA certificate is made
 * once.
 */
public final class KmsCertificateAuthority {
  /** The temp CA's subject organisation. */
  public static final String ORGANIZATION = "Dstack";
  /** The temp CA's common name. */
  public static final String TEMP_CA_NAME = "Dstack Client Temp CA";
  /** The app CA's common name. */
  public static final String APP_CA_NAME = "Dstack App CA";

  private final KmsRootKeys roots;
  private final Clock clock;
  private final KeyPair tempCa;
  private final byte[] tempCaDer;

  private KmsCertificateAuthority(KmsRootKeys roots, Clock clock) {
    this.roots = roots;
    this.clock = clock;
    this.tempCa = roots.tempCaKeyPair();
    this.tempCaDer = RatlsCertificateBuilder.forKey(tempCa)
        .subject(ORGANIZATION, TEMP_CA_NAME)
        .ca(0)
        .validity(RatlsCertificateBuilder.RCGEN_NOT_BEFORE, tenYears())
        .buildDer();
  }

  /**
   * A certificate authority over a KMS's root keys (which must carry their root CA certificate).
   *
   * @param roots the KMS root keys
   * @param clock the time source for validity periods
   * @return the authority
   */
  public static KmsCertificateAuthority of(KmsRootKeys roots, Clock clock) {
    return new KmsCertificateAuthority(Objects.requireNonNull(roots, "roots"),
        Objects.requireNonNull(clock, "clock"));
  }

  private Instant tenYears() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(3650, ChronoUnit.DAYS);
  }

  /**
   * The KMS root CA certificate, {@code ca_cert} in every response.
   *
   * @return PEM
   */
  public String rootCaCertificatePem() {
    return roots.rootCaCertificatePem();
  }

  /**
   * The client temp CA certificate, {@code temp_ca_cert} of {@code GetTempCaCert}.
   *
   * @return PEM
   */
  public String tempCaCertificatePem() {
    return Pem.certificate(tempCaDer);
  }

  /**
   * The client temp CA key, {@code temp_ca_key} of {@code GetTempCaCert}: public by design.
   *
   * @return PKCS#8 PEM
   */
  public String tempCaKeyPem() {
    return Pem.encode("PRIVATE KEY", tempCa.getPrivate().getEncoded());
  }

  /**
   * The client temp CA key pair, to sign guest certificates in tests and simulated guests.
   *
   * @return the key pair
   */
  public KeyPair tempCaKeyPair() {
    return tempCa;
  }

  /**
   * The KMS's RPC server certificate: {@code CN=domain}, SAN {@code domain}, special usage {@code
   * kms:rpc}, signed by the root CA, with the KMS's own attestation when it has one.
   *
   * @param rpcKey the server's TLS key pair (P-256)
   * @param domain the name clients connect to (a DNS name or an IP address)
   * @param ownAttestation the KMS's attestation bound to {@code rpcKey}, if it runs in a TEE
   * @return the certificate chain: the server certificate and the root CA certificate, DER
   */
  public List<byte[]> rpcCertificateChain(KeyPair rpcKey, String domain,
      Optional<VersionedAttestation> ownAttestation) {
    RatlsCertificateBuilder b = RatlsCertificateBuilder.forKey(rpcKey)
        .subject(null, domain)
        .subjectAltNames(domain)
        .extendedKeyUsage(true, false)
        .specialUsage("kms:rpc")
        .validity(RatlsCertificateBuilder.RCGEN_NOT_BEFORE, tenYears())
        .issuer(roots.rootCaCertificateDer(), roots.rootCaKeyPair().getPrivate());
    ownAttestation.ifPresent(b::attestation);
    return List.of(b.buildDer(), roots.rootCaCertificateDer());
  }

  /**
   * The app CA certificate for an app (dstack rebuilds it on every SignCert: same key, new
   * signature): {@code O=Dstack, CN=Dstack App CA}, CA with path length 0, .3 app_id, .4 {@code
   * app:ca}, signed by the root CA.
   *
   * @param keys the app's derived keys (their app CA key)
   * @return DER
   */
  public byte[] appCaCertificate(AppKeys keys) {
    return RatlsCertificateBuilder.forKey(keys.appCaKeyPair())
        .subject(ORGANIZATION, APP_CA_NAME)
        .ca(0)
        .appId(keys.appId())
        .specialUsage("app:ca")
        .validity(RatlsCertificateBuilder.RCGEN_NOT_BEFORE, tenYears())
        .issuer(roots.rootCaCertificateDer(), roots.rootCaKeyPair().getPrivate())
        .buildDer();
  }

  /**
   * Signs a verified CSR as dstack's {@code CaCert::sign_csr} does (§5.8 step 5): subject, SANs,
   * extended key usages and validity from the CSR; .3 = the authorized app id; .9 = {@code appInfo}
   * when the CSR asks for it; .4 {@code app:custom}; .8 = the CSR's attestation, stripped, when the
   * CSR asks for it. The caller has verified the CSR ({@link CertSigningRequest#verify}), its
   * platform evidence and the app's authorization.
   *
   * @param csr the verified request
   * @param keys the authorized app's derived keys
   * @param appInfo the app info to embed when {@code ext_app_info} is set
   * @return {@code certificate_chain}: leaf, app CA and root CA, PEM
   * @throws IllegalArgumentException when the CSR key is not P-256 or its validity is inverted
   */
  public List<String> signCert(CertSigningRequest csr, AppKeys keys, Optional<AppInfo> appInfo) {
    CertConfig c = csr.config();
    Instant notBefore = c.notBefore().isPresent()
        ? Instant.ofEpochSecond(c.notBefore().getAsLong()) : RatlsCertificateBuilder.RCGEN_NOT_BEFORE;
    Instant notAfter = c.notAfter().isPresent()
        ? Instant.ofEpochSecond(c.notAfter().getAsLong()) : tenYears();
    if (notAfter.isBefore(notBefore)) {
      throw new IllegalArgumentException("the CSR's not_after precedes its not_before");
    }
    byte[] appCa = appCaCertificate(keys);
    RatlsCertificateBuilder b = RatlsCertificateBuilder.forPublicKey(csr.publicKey().toByteArray())
        .subject(c.orgName().orElse(null), c.subject())
        .subjectAltNames(c.subjectAltNames().toArray(String[]::new))
        .extendedKeyUsage(c.usageServerAuth(), c.usageClientAuth())
        .appId(keys.appId())
        .specialUsage("app:custom")
        .validity(notBefore, notAfter)
        .issuer(appCa, keys.appCaKeyPair().getPrivate());
    if (c.extAppInfo()) {
      appInfo.ifPresent(b::appInfo);
    }
    if (c.extQuote()) {
      VersionedAttestation a = csr.attestation();
      b.attestation(VersionedAttestation.of(a.wireFormat(), a.attestation().stripped()));
    }
    return List.of(Pem.certificate(b.buildDer()), Pem.certificate(appCa), rootCaCertificatePem());
  }

  /**
   * The root CA public key as dstack's {@code key_provider_id}.
   *
   * @return SubjectPublicKeyInfo DER
   */
  public Bytes keyProviderId() {
    return roots.rootCaPublicKeySpki();
  }

  @Override
  public String toString() {
    return "KmsCertificateAuthority{temp CA " + TEMP_CA_NAME + "}";
  }
}
