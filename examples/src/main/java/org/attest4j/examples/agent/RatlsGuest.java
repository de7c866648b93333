package org.attest4j.examples.agent;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.GetAppKeyRequest;
import org.attest4j.kms.proto.GetTempCaCertResponse;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsKeyManager;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsTrustManager;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.guest.SnpGuestReport;
import org.attest4j.snp.guest.SnpReportProvider;

/**
 * A dstack guest's key request over RA-TLS (spec dstack-ratls §5.2), for a SEV-SNP guest (or, with
 * {@link #requestKeys(Bytes, String, Attester)}, any guest whose attestation the caller makes,
 * such as a {@link SimulatedTdxGuest}): {@code
 * GetTempCaCert} on a connection that checks nothing about the server, then a fresh P-256 key whose
 * SubjectPublicKeyInfo the report binds (report_data = SHA-512("ratls-cert:" ‖ SPKI)), a client
 * certificate carrying that attestation signed by the temp CA, and {@code GetAppKey} on a mutually
 * authenticated connection that trusts only the root CA from step 1 and requires the {@code
 * kms:rpc} usage on the server certificate. Unlike upstream, the root CA from the unauthenticated
 * step 1 is checked at once against the KMS key the guest's own MrConfigV3 names (its {@code
 * key_provider_id}, which HOST_DATA measures; a TDX guest's measured key-provider event), so a fake
 * KMS is refused before any evidence is sent.
 * Not thread-safe (one request at a time).
 */
public final class RatlsGuest {
  private final URI kms;
  private final SnpReportProvider reports;

  private RatlsGuest(URI kms, SnpReportProvider reports) {
    this.kms = kms;
    this.reports = reports;
  }

  /**
   * A guest of {@code kms} taking reports from {@code reports}.
   *
   * @param kms the KMS base URL ({@code https://...})
   * @param reports where reports come from (hardware or a simulated guest)
   * @return the guest
   */
  public static RatlsGuest create(URI kms, SnpReportProvider reports) {
    return new RatlsGuest(kms, java.util.Objects.requireNonNull(reports, "reports"));
  }

  /**
   * A guest of {@code kms} whose attestations the caller makes ({@link #requestKeys(Bytes, String,
   * Attester)}); {@link #attest} is then unavailable.
   *
   * @param kms the KMS base URL ({@code https://...})
   * @return the guest
   */
  public static RatlsGuest create(URI kms) {
    return new RatlsGuest(kms, null);
  }

  /** Makes the attestation for a report_data (a TDX quote with its runtime events, ...). */
  @FunctionalInterface
  public interface Attester {
    /**
     * The attestation whose evidence carries {@code reportData}.
     *
     * @param reportData 64 bytes
     * @return the attestation
     * @throws AgentException when the platform gives no evidence
     */
    Attestation attest(Bytes reportData) throws AgentException;
  }

  /**
   * Runs GetTempCaCert (the root CA must be {@code kmsRootSpki}), then GetAppKey over mutual RA-TLS
   * with a client certificate carrying {@code attester}'s attestation for the certificate key.
   *
   * @param kmsRootSpki the KMS root CA key the guest was deployed for (DER SubjectPublicKeyInfo)
   * @param vmConfig dstack's {@code vm_config} sent in GetAppKey
   * @param attester makes the attestation
   * @return the released keys
   * @throws AgentException when a step fails or the KMS refuses
   */
  public ReleasedKeys requestKeys(Bytes kmsRootSpki, String vmConfig, Attester attester)
      throws AgentException {
    TempCa ca = tempCa(kmsRootSpki);
    KeyPair key = newKey();
    Attestation a = attester.attest(RatlsReportData.forCertificateKey(key.getPublic().getEncoded()));
    return getAppKey(ca, key, certificate(ca, key, a), vmConfig);
  }

  /**
   * Runs GetTempCaCert, then GetAppKey over mutual RA-TLS.
   *
   * @param mrConfigDocument the MrConfigV3 document the guest was launched with
   * @param vcpus the launch's vCPU count (sent in {@code vm_config})
   * @param vcpuType the launch's vCPU type (sent in {@code vm_config})
   * @return the released keys
   * @throws AgentException when a step fails or the KMS refuses
   */
  public ReleasedKeys requestKeys(byte[] mrConfigDocument, int vcpus, String vcpuType)
      throws AgentException {
    String vmConfig = vmConfig(vcpus, vcpuType);
    return requestKeys(keyProviderId(mrConfigDocument), vmConfig,
        rd -> attest(rd, mrConfigDocument, vmConfig));
  }

  private static Bytes keyProviderId(byte[] mrConfigDocument) throws AgentException {
    try {
      return MrConfigV3.parse(mrConfigDocument).keyProviderId();
    } catch (AttestationException e) {
      throw new AgentException(0, e.reason().qualifiedCode(), -1, e.getMessage(), e);
    }
  }

  /**
   * Step 1: {@code GetTempCaCert} on a connection that checks nothing about the server, then the
   * returned root CA must be the {@code key_provider_id} of the guest's MrConfigV3.
   *
   * @param mrConfigDocument the MrConfigV3 document the guest was launched with
   * @return the temp CA and the KMS root CA
   * @throws AgentException when the call fails or the KMS is not the one the guest was launched for
   */
  public TempCa tempCa(byte[] mrConfigDocument) throws AgentException {
    return tempCa(keyProviderId(mrConfigDocument));
  }

  /**
   * Step 1: {@code GetTempCaCert} on a connection that checks nothing about the server, then the
   * returned root CA's key must be {@code pinned}.
   *
   * @param pinned the KMS root CA key the guest was deployed for (DER SubjectPublicKeyInfo)
   * @return the temp CA and the KMS root CA
   * @throws AgentException when the call fails or the KMS is not the pinned one
   */
  public TempCa tempCa(Bytes pinned) throws AgentException {
    try {
      GetTempCaCertResponse temp = GuestAgent.call(uncheckedClient(), kms, "GetTempCaCert",
          new byte[0], GetTempCaCertResponse.getDefaultInstance());
      byte[] rootCa = temp.getCaCert().getBytes(StandardCharsets.US_ASCII);
      if (pinned.length() == 0
          || !pinned.equals(RatlsCertificate.parse(rootCa).subjectPublicKeyInfo())) {
        throw new AgentException(0, "KMS_NOT_PINNED", -1, "the KMS's root CA key is not the"
            + " key provider this guest was deployed for (its MrConfigV3 key_provider_id or"
            + " measured key-provider event); refusing to send evidence to it", null);
      }
      return new TempCa(rootCa, temp.getTempCaCert().getBytes(StandardCharsets.US_ASCII),
          pkcs8(temp.getTempCaKey()));
    } catch (AttestationException e) {
      throw new AgentException(0, e.reason().qualifiedCode(), -1, e.getMessage(), e);
    }
  }

  /**
   * Step 2: the attestation for {@code reportData} (normally {@link
   * RatlsReportData#forCertificateKey} of the certificate key): a report from the platform, its
   * VCEK from the certificate table, the MrConfigV3 document and {@code vm_config}.
   *
   * @param reportData the report_data to request
   * @param mrConfigDocument the MrConfigV3 document the attestation carries
   * @param vmConfig dstack's {@code vm_config}
   * @return the attestation
   * @throws AgentException when the platform gives no report
   */
  public Attestation attest(Bytes reportData, byte[] mrConfigDocument, String vmConfig)
      throws AgentException {
    if (reports == null) {
      throw new AgentException(0, "NO_SNP_PLATFORM", -1, "this guest was created without a SEV-SNP"
          + " report provider; pass an Attester to requestKeys", null);
    }
    try {
      SnpGuestReport r = reports.getReport(reportData.toByteArray());
      List<Bytes> chain = r.parseCertificateTable().flatMap(SnpCertTable::vcek)
          .map(List::of).orElse(List.of());
      String mrText = new String(mrConfigDocument, StandardCharsets.UTF_8);
      return new Attestation(
          new PlatformEvidence.SevSnp(Bytes.of(r.report()), chain, mrText),
          new StackEvidence.Dstack(reportData, List.of(), vmConfig));
    } catch (AttestationException e) {
      throw new AgentException(0, e.reason().qualifiedCode(), -1, e.getMessage(), e);
    }
  }

  /**
   * Step 3: the RA-TLS client certificate for {@code key} carrying {@code attestation}, signed by
   * the temp CA.
   *
   * @param ca the temp CA from {@link #tempCa}
   * @param key the certificate key
   * @param attestation the attestation the certificate carries
   * @return the certificate, DER
   */
  public static byte[] certificate(TempCa ca, KeyPair key, Attestation attestation) {
    return RatlsCertificateBuilder.forKey(key)
        .issuer(ca.tempCaCertificate(), ca.tempCaKey())
        .attestation(VersionedAttestation.of(WireFormat.V0_SCALE, attestation))
        .buildDer();
  }

  /**
   * Step 4: {@code GetAppKey} on a mutually authenticated connection presenting {@code
   * certificate} and trusting only the KMS root CA, with the {@code kms:rpc} usage required.
   *
   * @param ca the temp CA and root CA from {@link #tempCa}
   * @param key the certificate key
   * @param certificate the client certificate (DER)
   * @param vmConfig dstack's {@code vm_config}
   * @return the released keys
   * @throws AgentException when the handshake fails or the KMS refuses
   */
  public ReleasedKeys getAppKey(TempCa ca, KeyPair key, byte[] certificate, String vmConfig)
      throws AgentException {
    try {
      RatlsVerifier serverCheck = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
          .trustedCa(ca.rootCaCertificate()).build();
      HttpClient mutual = client(
          new KeyManager[] {RatlsKeyManager.of(key.getPrivate(), certificate)},
          new TrustManager[] {RatlsTrustManager.of(serverCheck)});
      GetAppKeyRequest req = GetAppKeyRequest.newBuilder().setApiVersion(1)
          .setVmConfig(vmConfig).build();
      AppKeyResponse resp = GuestAgent.call(mutual, kms, "GetAppKey", req.toByteArray(),
          AppKeyResponse.getDefaultInstance());
      return new ReleasedKeys(resp);
    } catch (java.security.GeneralSecurityException e) {
      throw new AgentException(0, "TLS_SETUP", -1, "cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /**
   * A fresh P-256 key for a client certificate.
   *
   * @return the key pair
   */
  public static KeyPair newKey() {
    try {
      return p256();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is not available", e);
    }
  }

  /**
   * What {@code GetTempCaCert} gave, after the root CA was checked against the guest's MrConfigV3:
   * the KMS root CA (PEM), the temp CA certificate (PEM) and its key (public by design: every
   * guest gets it). Immutable.
   */
  public static final class TempCa {
    private final byte[] rootCa;
    private final byte[] tempCa;
    private final PrivateKey tempCaKey;

    TempCa(byte[] rootCa, byte[] tempCa, PrivateKey tempCaKey) {
      this.rootCa = rootCa.clone();
      this.tempCa = tempCa.clone();
      this.tempCaKey = tempCaKey;
    }

    /**
     * The KMS root CA certificate.
     *
     * @return PEM bytes (a copy)
     */
    public byte[] rootCaCertificate() {
      return rootCa.clone();
    }

    /**
     * The temp CA certificate.
     *
     * @return PEM bytes (a copy)
     */
    public byte[] tempCaCertificate() {
      return tempCa.clone();
    }

    /**
     * The temp CA key (public by design).
     *
     * @return the key
     */
    public PrivateKey tempCaKey() {
      return tempCaKey;
    }

    @Override
    public String toString() {
      return "TempCa[root and temp CA certificates]";
    }
  }

  /**
   * dstack's vm_config with the launch shape as {@code sev_snp_measurement} (a JSON string).
   *
   * @param vcpus the vCPU count
   * @param vcpuType the vCPU type
   * @return the JSON text
   */
  public static String vmConfig(int vcpus, String vcpuType) {
    com.google.gson.JsonObject m = new com.google.gson.JsonObject();
    m.addProperty("vcpus", vcpus);
    m.addProperty("vcpu_type", vcpuType);
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("sev_snp_measurement", m.toString());
    return o.toString();
  }

  /**
   * A client that checks nothing about the server, as dstack's guest uses for {@code
   * GetTempCaCert}: only for calls whose answer is checked afterwards.
   *
   * @return the client
   * @throws AgentException if TLS cannot be set up
   */
  static HttpClient uncheckedClient() throws AgentException {
    try {
      return client(new KeyManager[0], new TrustManager[] {new TrustAny()});
    } catch (java.security.GeneralSecurityException e) {
      throw new AgentException(0, "TLS_SETUP", -1, "cannot set up TLS: " + e.getMessage(), e);
    }
  }

  static HttpClient client(KeyManager[] km, TrustManager[] tm)
      throws java.security.GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(km, tm, new SecureRandom());
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  static KeyPair p256() throws java.security.GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static PrivateKey pkcs8(String pem) throws AgentException {
    try {
      String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
      return KeyFactory.getInstance("EC")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
      throw new AgentException(0, "MALFORMED_RESPONSE", -1,
          "GetTempCaCert's temp_ca_key is not a PKCS#8 EC key", e);
    }
  }

  /** Step 1 checks nothing about the server, as dstack's guest does; the pin comes after. */
  private static final class TrustAny extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] c, String a) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}
  }

  @Override
  public String toString() {
    return "RatlsGuest[" + kms + "]";
  }
}
