package org.attest4j.snp.kds;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.snp.VcekChain;

/**
 * Certificates (and optionally the CRL) for one report: the VCEK or VLEK, the chain (ASK or ASVK,
 * then ARK) and the ARK-signed CRL, each possibly absent, each with its {@link EndorsementOrigin}.
 * Nothing here is trusted yet: the verifier checks everything. Immutable and thread-safe.
 */
public final class Endorsements {
  private static final Endorsements EMPTY = new Endorsements(null, null, List.of(), null, null, null);

  private final X509Certificate vek;
  private final EndorsementOrigin vekOrigin;
  private final List<X509Certificate> chain;
  private final EndorsementOrigin chainOrigin;
  private final X509CRL crl;
  private final EndorsementOrigin crlOrigin;

  private Endorsements(
      X509Certificate vek,
      EndorsementOrigin vekOrigin,
      List<X509Certificate> chain,
      EndorsementOrigin chainOrigin,
      X509CRL crl,
      EndorsementOrigin crlOrigin) {
    this.vek = vek;
    this.vekOrigin = vekOrigin;
    this.chain = List.copyOf(chain);
    this.chainOrigin = chainOrigin;
    this.crl = crl;
    this.crlOrigin = crlOrigin;
  }

  /**
   * Nothing.
   *
   * @return endorsements with no part present
   */
  public static Endorsements empty() {
    return EMPTY;
  }

  /**
   * Endorsements from one origin.
   *
   * @param vek the VCEK or VLEK, or null
   * @param chain the ASK (or ASVK) then the ARK; empty when absent
   * @param crl the ARK-signed CRL, or null
   * @param origin the origin
   * @return the endorsements
   */
  public static Endorsements of(
      EndorsementOrigin origin, X509Certificate vek, List<X509Certificate> chain, X509CRL crl) {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(chain, "chain");
    return new Endorsements(
        vek, vek == null ? null : origin, chain, chain.isEmpty() ? null : origin, crl, crl == null ? null : origin);
  }

  /**
   * The VCEK or VLEK.
   *
   * @return the VCEK or VLEK
   */
  public Optional<X509Certificate> vek() {
    return Optional.ofNullable(vek);
  }

  /**
   * Where the VEK came from.
   *
   * @return where the VEK came from
   */
  public Optional<EndorsementOrigin> vekOrigin() {
    return Optional.ofNullable(vekOrigin);
  }

  /**
   * The ASK (or ASVK) then the ARK; empty when absent.
   *
   * @return the ASK (or ASVK) then the ARK; empty when absent
   */
  public List<X509Certificate> chain() {
    return chain;
  }

  /**
   * Where the chain came from.
   *
   * @return where the chain came from
   */
  public Optional<EndorsementOrigin> chainOrigin() {
    return Optional.ofNullable(chainOrigin);
  }

  /**
   * The ARK-signed CRL.
   *
   * @return the ARK-signed CRL
   */
  public Optional<X509CRL> crl() {
    return Optional.ofNullable(crl);
  }

  /**
   * Where the CRL came from.
   *
   * @return where the CRL came from
   */
  public Optional<EndorsementOrigin> crlOrigin() {
    return Optional.ofNullable(crlOrigin);
  }

  /**
   * Whether the VEK and the chain are present, and the CRL too when {@code query} asks for it.
   *
   * @param query the query
   * @return whether the VEK and the chain are present, and the CRL too when {@code query} asks for it
   */
  public boolean satisfies(EndorsementQuery query) {
    return vek != null && chain.size() == 2 && (!query.includeCrl() || crl != null);
  }

  /**
   * This, with every part it lacks taken from {@code other}.
   *
   * @param other the other
   * @return the endorsements
   */
  public Endorsements fillFrom(Endorsements other) {
    boolean takeVek = vek == null && other.vek != null;
    boolean takeChain = chain.isEmpty() && !other.chain.isEmpty();
    boolean takeCrl = crl == null && other.crl != null;
    return new Endorsements(
        takeVek ? other.vek : vek,
        takeVek ? other.vekOrigin : vekOrigin,
        takeChain ? other.chain : chain,
        takeChain ? other.chainOrigin : chainOrigin,
        takeCrl ? other.crl : crl,
        takeCrl ? other.crlOrigin : crlOrigin);
  }

  /**
   * The VEK and chain as a {@link VcekChain} for {@link org.attest4j.snp.SnpVerifier}.
   *
   * @return the VEK and chain as a {@link VcekChain} for {@link org.attest4j.snp.SnpVerifier}
   * @throws EndorsementUnavailableException if the VEK or the chain is missing
   */
  public VcekChain toVcekChain() throws EndorsementUnavailableException {
    if (vek == null || chain.size() != 2) {
      throw new EndorsementUnavailableException(
          KdsReason.INCOMPLETE, "the VCEK/VLEK or its chain is missing: " + this);
    }
    try {
      return VcekChain.of(vek.getEncoded(), chain.get(0).getEncoded(), chain.get(1).getEncoded());
    } catch (CertificateEncodingException e) {
      throw new EndorsementUnavailableException(
          KdsReason.BAD_RESPONSE, "cannot encode a certificate: " + e.getMessage(), null, e);
    }
  }

  @Override
  public String toString() {
    return "Endorsements[vek=" + (vek == null ? "none" : vekOrigin)
        + ", chain=" + (chain.isEmpty() ? "none" : chainOrigin)
        + ", crl=" + (crl == null ? "none" : crlOrigin) + "]";
  }
}
