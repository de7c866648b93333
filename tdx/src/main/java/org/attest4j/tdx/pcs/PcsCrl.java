package org.attest4j.tdx.pcs;

import java.security.cert.X509CRL;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A CRL from the PCS: the PCK CRL (issued by the Intel SGX PCK Platform or Processor CA, with its
 * issuer chain) or the root CA CRL (issued by the Intel SGX Root CA). Immutable and thread-safe.
 */
public final class PcsCrl {
  private final byte[] der;
  private final String issuerChainPem;
  private final X509CRL crl;

  PcsCrl(byte[] der, String issuerChainPem, X509CRL crl) {
    this.der = der.clone();
    this.issuerChainPem = issuerChainPem;
    this.crl = Objects.requireNonNull(crl);
  }

  /**
   * The CRL, DER.
   *
   * @return the CRL, DER
   */
  public byte[] der() {
    return der.clone();
  }

  /**
   * The issuer chain (PCK CRL only): the PCK CA, then the root, PEM.
   *
   * @return the issuer chain (PCK CRL only): the PCK CA, then the root, PEM
   */
  public Optional<String> issuerChainPem() {
    return Optional.ofNullable(issuerChainPem);
  }

  /**
   * When the CRL was issued.
   *
   * @return when the CRL was issued
   */
  public Instant thisUpdate() {
    return crl.getThisUpdate().toInstant();
  }

  /**
   * When the next CRL is due; the CRL is stale afterwards.
   *
   * @return when the next CRL is due; the CRL is stale afterwards
   */
  public Instant nextUpdate() {
    return crl.getNextUpdate().toInstant();
  }

  /**
   * The parsed CRL.
   *
   * @return the parsed CRL
   */
  public X509CRL crl() {
    return crl;
  }

  @Override
  public String toString() {
    return "PcsCrl[" + crl.getIssuerX500Principal().getName() + ", next update " + nextUpdate() + "]";
  }
}
