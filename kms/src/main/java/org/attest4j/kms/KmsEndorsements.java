package org.attest4j.kms;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.kds.EndorsementOrigin;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.Endorsements;

/**
 * Endorsement sources a KMS typically configures, next to the VCEK a guest sends in its request
 * (the request's VCEK is always tried first; whatever is still missing comes from the configured
 * {@link EndorsementSource}, for example a {@code KdsClient} with its cache, or a fixed chain).
 * Nothing supplied here is trusted: the verifier checks the chain against the pinned roots.
 *
 * <p>Stateless; the sources returned are immutable and thread-safe.
 */
public final class KmsEndorsements {
  private KmsEndorsements() {}

  /**
   * A fixed ASK (or ASVK) and ARK, from a PEM {@code cert_chain} as AMD's KDS serves it for the
   * product the KMS serves.
   *
   * @param certChainPem the cert chain PEM
   * @return a fixed ASK (or ASVK) and ARK, from a PEM {@code cert_chain} as AMD's KDS serves it for the product the KMS serves
   * @throws MalformedEvidenceException if the PEM does not hold exactly two certificates
   */
  public static EndorsementSource certChain(byte[] certChainPem) throws MalformedEvidenceException {
    Objects.requireNonNull(certChainPem, "certChainPem");
    List<X509Certificate> certs = new ArrayList<>();
    try {
      Collection<? extends java.security.cert.Certificate> all =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(certChainPem));
      for (java.security.cert.Certificate c : all) {
        certs.add((X509Certificate) c);
      }
    } catch (CertificateException | RuntimeException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "the cert_chain is not PEM certificates: " + e.getMessage(), e);
    }
    if (certs.size() != 2) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_FIELD, "a cert_chain holds 2 certificates (ASK or ASVK, then ARK), found " + certs.size());
    }
    Endorsements fixed = Endorsements.of(EndorsementOrigin.CACHE, null, certs, null);
    RequestPathEndorsements.Local local = (query, already) -> already.fillFrom(fixed);
    return local;
  }
}
