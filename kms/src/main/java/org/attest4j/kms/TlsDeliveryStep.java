package org.attest4j.kms;

import java.util.List;
import java.util.Optional;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.KmsKeyResponse;
import org.attest4j.ratls.AppInfo;
import org.attest4j.ratls.CertSigningRequest;
import org.attest4j.ratls.KmsCertificateAuthority;

/**
 * Step 9 over RA-TLS: what the attested TLS session carries back in plaintext (app keys, an app
 * certificate from the app's CA, or a replica's root keys). Immutable and thread-safe.
 */
final class TlsDeliveryStep {
  private final Ports.KeyPort keys;
  private final KmsCertificateAuthority certificateAuthority;
  private final String caCertPem;

  /**
   * @param certificateAuthority null when the KMS was built without its root keys (then it signs
   *     no certificates and releases no root keys)
   */
  TlsDeliveryStep(Ports.KeyPort keys, KmsCertificateAuthority certificateAuthority, String caCertPem) {
    this.keys = keys;
    this.certificateAuthority = certificateAuthority;
    this.caCertPem = caCertPem;
  }

  /** Whether this KMS holds the root keys that {@link #certificate} and {@link #rootKeys} need. */
  boolean hasRootKeys() {
    return certificateAuthority != null;
  }

  /** GetAppKey's answer: the app keys of step 8 for the TLS session. */
  AppKeyResponse appKeys(Object derived, VerifiedGuest guest) {
    return keys.plain(derived, new Ports.SealContext(guest.reportData(), guest.evidence(),
        guest.decision().gatewayAppId(), guest.osImageHash(), caCertPem));
  }

  /**
   * SignCert's answer: the leaf for the CSR's key from the app CA of the derived keys (.3 = the
   * authorized app_id, .9 when asked = the AppInfo of the verified {@code boot}), the app CA and the
   * root CA, PEM.
   */
  List<String> certificate(Object derived, CertSigningRequest csr, BootInfo boot) {
    AppInfo info = new AppInfo(boot.appId(), boot.composeHash(), boot.instanceId(), boot.deviceId(),
        boot.mrSystem(), boot.mrAggregated(), boot.osImageHash(), boot.keyProviderInfo(), Optional.empty(),
        AppInfo.Encoding.POSITIONAL_9);
    return keys.signCert(derived, certificateAuthority, csr, info);
  }

  /** GetKmsKey's answer: this KMS's whole root secret (temp CA key, root CA key, k256 key). */
  KmsKeyResponse rootKeys() {
    return keys.kmsKeys(certificateAuthority.tempCaKeyPem());
  }
}
