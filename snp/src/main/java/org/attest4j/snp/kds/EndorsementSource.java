package org.attest4j.snp.kds;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpCertTable;

/**
 * The one way a verifier obtains the certificates for a report, whatever their origin: the request
 * itself ({@link #fromRequest}), the extended-report certificate table, a KDS client's cache, or the
 * AMD KDS ({@link KdsClient} is a source). Sources compose with {@link #firstOf}: each source is
 * asked only for the parts still missing.
 *
 * <p>A source returns what it has, possibly nothing; it throws {@link
 * EndorsementUnavailableException} when it should have had something but could not get it (network
 * failure, throttling). Nothing a source returns is trusted: the verifier checks the chain against
 * the pinned AMD roots and the certificate against the report. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface EndorsementSource {
  /**
   * Returns {@code already} with every missing part this source can supply filled in.
   *
   * @param query what the report needs
   * @param already what earlier sources supplied (never null; {@link Endorsements#empty()} at first)
   * @return {@code already} with every missing part this source can supply filled in
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  Endorsements find(EndorsementQuery query, Endorsements already) throws AttestationException;

  /**
   * {@link #find(EndorsementQuery, Endorsements)} starting from nothing.
   *
   * @param query the query
   * @return what this source supplies
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  default Endorsements find(EndorsementQuery query) throws AttestationException {
    return find(query, Endorsements.empty());
  }

  /**
   * Like {@link #find(EndorsementQuery)} but fails unless the VEK and the chain (and the CRL when
   * asked) were all found.
   *
   * @param query the query
   * @return the complete endorsements
   * @throws AttestationException if the request is refused or the endorsement cannot be obtained (the reason
   *     code says which)
   */
  default Endorsements require(EndorsementQuery query) throws AttestationException {
    Endorsements e = find(query);
    if (!e.satisfies(query)) {
      throw new EndorsementUnavailableException(
          KdsReason.INCOMPLETE,
          "no source supplied every endorsement for " + query + ": have " + e
              + (query.signingKey() == SigningKey.VLEK
                  ? "; a VLEK comes from the host's certificate table (SNP_GET_EXT_REPORT or the"
                      + " configfs-tsm auxblob), not from the public KDS"
                  : ""));
    }
    return e;
  }

  /**
   * Certificates sent with the report by the caller (for example inside an attestation request).
   *
   * @param vek the VCEK or VLEK, or null
   * @param chain the ASK (or ASVK) then the ARK, or empty
   * @param crl the ARK-signed CRL, or null
   * @return the source
   */
  static EndorsementSource fromRequest(X509Certificate vek, List<X509Certificate> chain, X509CRL crl) {
    Endorsements mine = Endorsements.of(EndorsementOrigin.REQUEST, vek, chain, crl);
    return (query, already) -> already.fillFrom(mine);
  }

  /**
   * The certificates in an extended-report certificate table (from {@code SNP_GET_EXT_REPORT} or the
   * configfs-tsm {@code auxblob}): the VCEK or VLEK entry matching the report's signing key, the ASK
   * (which holds the ASVK for a VLEK) and ARK entries, and a CRL entry when present.
   *
   * @param table the table
   * @return the certificates in an extended-report certificate table (from {@code SNP_GET_EXT_REPORT} or the
   *     configfs-tsm {@code auxblob}): the VCEK or VLEK entry matching the report's signing key, the ASK
   *     (which holds the ASVK for a VLEK) and ARK entries, and a CRL entry when present
   */
  static EndorsementSource fromCertificateTable(SnpCertTable table) {
    Objects.requireNonNull(table, "table");
    return (query, already) -> {
      X509Certificate vek = null;
      if (already.vek().isEmpty()) {
        Optional<SnpCertTable.Entry> v = table.entry(
            query.signingKey() == SigningKey.VLEK ? SnpCertTable.EntryType.VLEK : SnpCertTable.EntryType.VCEK);
        vek = v.isPresent() ? CertificateTables.cert(v.get(), query.signingKey() + " entry") : null;
      }
      List<X509Certificate> chain = List.of();
      if (already.chain().isEmpty() && table.ask().isPresent() && table.ark().isPresent()) {
        chain =
            List.of(
                CertificateTables.cert(table.entry(SnpCertTable.EntryType.ASK).get(), "ASK entry"),
                CertificateTables.cert(table.entry(SnpCertTable.EntryType.ARK).get(), "ARK entry"));
      }
      X509CRL crl = null;
      if (already.crl().isEmpty() && table.crl().isPresent()) {
        crl = CertificateTables.crl(table.entry(SnpCertTable.EntryType.CRL).get());
      }
      return already.fillFrom(Endorsements.of(EndorsementOrigin.CERTIFICATE_TABLE, vek, chain, crl));
    };
  }

  /**
   * Fixed endorsements, each part labelled with its origin.
   *
   * @param endorsements the endorsements
   * @return fixed endorsements, each part labelled with its origin
   */
  static EndorsementSource of(Endorsements endorsements) {
    Objects.requireNonNull(endorsements, "endorsements");
    return (query, already) -> already.fillFrom(endorsements);
  }

  /**
   * Asks each source in order for what is still missing, stopping once the query is satisfied. A
   * source failing with {@link EndorsementUnavailableException} is skipped; if the result is still
   * incomplete, the first such failure is rethrown. Any other exception propagates at once.
   *
   * @param sources the sources
   * @return the source
   */
  static EndorsementSource firstOf(EndorsementSource... sources) {
    List<EndorsementSource> list = List.of(sources);
    return (query, already) -> {
      Endorsements acc = already;
      List<EndorsementUnavailableException> failures = new ArrayList<>();
      for (EndorsementSource s : list) {
        if (acc.satisfies(query)) {
          break;
        }
        try {
          acc = s.find(query, acc);
        } catch (EndorsementUnavailableException e) {
          failures.add(e);
        }
      }
      if (!acc.satisfies(query) && !failures.isEmpty()) {
        throw failures.get(0);
      }
      return acc;
    };
  }
}
