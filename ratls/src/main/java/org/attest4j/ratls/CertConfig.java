package org.attest4j.ratls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a guest asks a KMS to put in the certificate it signs (dstack's {@code CertConfigV2}, spec
 * dstack-ratls §4): subject, organisation, SANs, extended key usages, whether to embed the CSR's
 * attestation (.8) and the app info (.9), and an optional validity window in unix seconds. The KMS
 * does not constrain the names; a relying party must not trust them without its own rule.
 * Immutable and thread-safe.
 *
 * @param orgName the organisation (O=), if any
 * @param subject the common name (CN=)
 * @param subjectAltNames the DNS names for the SAN extension
 * @param usageServerAuth whether to add the serverAuth extended key usage
 * @param usageClientAuth whether to add the clientAuth extended key usage
 * @param extQuote whether the certificate carries the CSR's attestation (.8)
 * @param extAppInfo whether the certificate carries the app info (.9); always false in api_version 1
 * @param notBefore the start of validity in unix seconds, if requested (api_version 2 only)
 * @param notAfter the end of validity in unix seconds, if requested (api_version 2 only)
 */
public record CertConfig(
    Optional<String> orgName,
    String subject,
    List<String> subjectAltNames,
    boolean usageServerAuth,
    boolean usageClientAuth,
    boolean extQuote,
    boolean extAppInfo,
    OptionalLong notBefore,
    OptionalLong notAfter) {

  /**
   * Checks and copies the components.
   *
   * @param orgName the organisation
   * @param subject the common name
   * @param subjectAltNames the SANs
   * @param usageServerAuth serverAuth EKU
   * @param usageClientAuth clientAuth EKU
   * @param extQuote embed the attestation
   * @param extAppInfo embed the app info
   * @param notBefore validity start
   * @param notAfter validity end
   */
  public CertConfig {
    Objects.requireNonNull(orgName, "orgName");
    Objects.requireNonNull(subject, "subject");
    subjectAltNames = List.copyOf(subjectAltNames);
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
  }

  /**
   * A configuration with only a subject and the server-auth usage, as dstack's tests write it.
   *
   * @param subject the common name
   * @return the configuration
   */
  public static CertConfig serverCert(String subject) {
    return new CertConfig(Optional.empty(), subject, List.of(), true, false, false, false,
        OptionalLong.empty(), OptionalLong.empty());
  }
}
