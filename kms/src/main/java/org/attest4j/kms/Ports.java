package org.attest4j.kms;

import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.EnvelopeMode;

/**
 * The seams between the key-release flow and the capability modules (snp, ovmf-measure, crypto,
 * later tdx). The SEV-SNP step classes ({@link SnpEvidenceStep}, {@link SnpPolicyStep}, ...) run
 * over these; the adapters in this package implement them with the real modules. Internal.
 */
final class Ports {
  private Ports() {}

  /**
   * TEE-neutral view of a parsed (and later verified) report.
   *
   * @param handle the module's own report object
   * @param measurement the launch measurement
   * @param hostData HOST_DATA (SNP) or the config id (zero when unused)
   * @param reportData the 64-byte report_data
   * @param chipId the chip id hashed into device_id (for an allowed masked CHIP_ID: the verified
   *     VCEK's hwID in CHIP_ID form, or the VLEK's SHA-256 fingerprint)
   * @param tcbStatus "UpToDate" or "OutOfDate"
   */
  record Evidence(
      Object handle, Bytes measurement, Bytes hostData, Bytes reportData, Bytes chipId, String tcbStatus) {}

  /** Steps 1-3. Implementations are immutable and thread-safe. */
  interface EvidencePort {
    /** Step 1. */
    Evidence parse(Bytes raw) throws AttestationException;

    /**
     * The checks of steps 2-3 that need no endorsement (so no network call): run before the
     * measurement, identity and freshness checks, and before {@link #verify}.
     */
    void precheck(Evidence parsed, KeyReleaseRequest request) throws AttestationException;

    /** Step 2: endorsements from {@code request} or elsewhere; returns the verified evidence. */
    Evidence verify(Evidence parsed, KeyReleaseRequest request) throws AttestationException;

    /** Step 3. */
    void applyPolicy(Evidence verified) throws AttestationException;

    /** The dstack TEE variant name for BootInfo. */
    String teeVariant();
  }

  /** Step 4: the measurement from the pinned artifacts, a rendered command line and a launch shape. */
  interface MeasurementPort {
    Bytes expected(String cmdline, int vcpus, String vcpuType) throws AttestationException;
  }

  /**
   * A parsed MrConfigV3 document.
   *
   * @param appId 20 bytes or empty when absent
   * @param composeHash 32 bytes
   * @param instanceId 20 bytes or empty
   * @param keyProvider "none", "kms", "local" or "tpm"
   * @param keyProviderId the key provider id or empty
   * @param hostData SHA-256("dstack-mr-config-v3:" || 0x00 || document)
   */
  record IdentityDocument(
      Bytes appId, Bytes composeHash, Bytes instanceId, String keyProvider, Bytes keyProviderId, Bytes hostData) {}

  /** Step 5 (HOST_DATA binding): parses the MrConfigV3 document. */
  interface IdentityDocumentPort {
    IdentityDocument parse(Bytes document) throws MalformedEvidenceException;
  }

  /** Step 6: report_data[32..64] checks. */
  interface ReportDataPort {
    /** Parses report_data (refusing unusable X25519 keys in [0..32)). */
    Object parse(Bytes reportData) throws AttestationException;

    void checkNonce(Object reportData, Bytes nonce) throws AttestationException;

    void checkRequestDigest(Object reportData, Bytes digest) throws AttestationException;
  }

  /**
   * What step 9 needs besides the keys.
   *
   * @param reportData the parsed report_data (handle of {@link ReportDataPort#parse})
   * @param report the raw report the guest sent (bound into the HPKE envelope)
   * @param gatewayAppId from the authorization decision
   * @param osImageHash the pinned OS image hash
   * @param caCertPem the root CA certificate (may be empty)
   */
  record SealContext(Object reportData, Bytes report, String gatewayAppId, Bytes osImageHash, String caCertPem) {}

  /** Steps 8 and 9, and the other key-dependent RPCs. */
  interface KeyPort {
    /** Step 8: derives the app keys (an opaque handle; secrets never leave the port). */
    Object derive(Bytes appId, Bytes instanceId) throws AttestationException;

    /** Step 9: seals the keys into a response. */
    org.attest4j.kms.proto.AppKeyAmdResponse seal(Object keys, EnvelopeMode mode, SealContext context)
        throws AttestationException;

    org.attest4j.kms.proto.AppKeyResponse plain(Object keys, SealContext context);

    /** SignCert's step 9: the leaf from the app CA of the derived keys, the app CA and the root. */
    java.util.List<String> signCert(Object keys, org.attest4j.ratls.KmsCertificateAuthority ca,
        org.attest4j.ratls.CertSigningRequest csr, org.attest4j.ratls.AppInfo appInfo);

    /** GetKmsKey's step 9: the root secret (temp CA key, root CA key PEM, raw k256 scalar). */
    org.attest4j.kms.proto.KmsKeyResponse kmsKeys(String tempCaKeyPem);

    /** GetAppEnvEncryptPubKey. */
    org.attest4j.kms.proto.PublicKeyResponse envEncryptPublicKey(Bytes appId, long timestampSeconds)
        throws AttestationException;

    /** The root CA SubjectPublicKeyInfo DER (key_provider_id and envelope signing key). */
    Bytes rootCaSpki();

    /** The secp256k1 root public key, compressed. */
    Bytes rootK256PublicKey();
  }
}
