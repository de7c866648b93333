package org.attest4j.ratls;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.VcekChain;
import org.attest4j.snp.kds.EndorsementOrigin;
import org.attest4j.snp.kds.EndorsementQuery;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.Endorsements;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxVerifier;

/**
 * The vendor checks for dstack attestations: SEV-SNP reports through {@link SnpVerifier} (the VCEK
 * and ASK from the attestation's {@code cert_chain} when present, anything missing from an {@link
 * EndorsementSource} such as a {@code KdsClient}), TDX quotes through {@link TdxVerifier} (with
 * collateral when a collateral function is configured, else the quote, QE report and PCK chain to the
 * pinned Intel root only). Other platforms are refused. Immutable and thread-safe when its parts are.
 */
public final class DstackPlatformVerifier implements PlatformVerifier {
  private final SnpVerifier snp;
  private final EndorsementSource endorsements;
  private final TdxVerifier tdx;
  private final Function<TdxQuote, Optional<TdxCollateral>> collateral;

  private DstackPlatformVerifier(
      SnpVerifier snp, EndorsementSource endorsements, TdxVerifier tdx,
      Function<TdxQuote, Optional<TdxCollateral>> collateral) {
    this.snp = snp;
    this.endorsements = endorsements;
    this.tdx = tdx;
    this.collateral = collateral;
  }

  /**
   * A verifier over the given parts.
   *
   * @param snp the SEV-SNP verifier (pinned AMD roots)
   * @param endorsements where to find the VCEK/ASK/ARK the attestation does not carry
   * @param tdx the TDX verifier (pinned Intel root)
   * @param collateral collateral for a quote, or empty for a signature-only check
   * @return the platform verifier
   */
  public static DstackPlatformVerifier of(
      SnpVerifier snp, EndorsementSource endorsements, TdxVerifier tdx,
      Function<TdxQuote, Optional<TdxCollateral>> collateral) {
    return new DstackPlatformVerifier(
        Objects.requireNonNull(snp, "snp"), Objects.requireNonNull(endorsements, "endorsements"),
        Objects.requireNonNull(tdx, "tdx"), Objects.requireNonNull(collateral, "collateral"));
  }

  @Override
  public void verify(Attestation attestation) throws AttestationException {
    PlatformEvidence p = attestation.platform();
    if (p instanceof PlatformEvidence.Tdx) {
      TdxQuote q = TdxQuote.parse(((PlatformEvidence.Tdx) p).quote().toByteArray());
      Optional<TdxCollateral> c = collateral.apply(q);
      if (c.isPresent()) {
        tdx.verify(q, c.get());
      } else {
        tdx.verifySignaturesOnly(q);
      }
      return;
    }
    if (p instanceof PlatformEvidence.SevSnp) {
      snp((PlatformEvidence.SevSnp) p);
      return;
    }
    throw new org.attest4j.core.VerificationException(
        RatlsReason.UNSUPPORTED_PLATFORM,
        "platform " + p.kind() + " cannot be verified by attest4j (TDX and SEV-SNP can)");
  }

  private void snp(PlatformEvidence.SevSnp s) throws AttestationException {
    SnpReport report = SnpReport.parse(s.report().toByteArray());
    EndorsementQuery query = EndorsementQuery.forReport(report);
    X509Certificate vek = null;
    for (Bytes c : s.certChain()) {
      X509Certificate x = certificate(c.toByteArray());
      String cn = x.getSubjectX500Principal().getName();
      if (cn.contains("CN=SEV-VCEK") || cn.contains("CN=SEV-VLEK")) {
        vek = x;
      }
    }
    Endorsements have = Endorsements.of(EndorsementOrigin.REQUEST, vek, List.of(), null);
    Endorsements e = endorsements.find(query, have);
    if (e.vek().isEmpty() || e.chain().size() != 2) {
      throw new EndorsementUnavailableException(
          RatlsReason.UNSUPPORTED_PLATFORM,
          "no VCEK/VLEK and ASK/ARK chain for this report: the attestation carried "
              + s.certChain().size() + " certificates and the endorsement source supplied " + e);
    }
    try {
      snp.verify(report, VcekChain.of(
          e.vek().get().getEncoded(), e.chain().get(0).getEncoded(), e.chain().get(1).getEncoded()));
    } catch (CertificateEncodingException x) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "cannot encode a certificate", x);
    }
  }

  private static X509Certificate certificate(byte[] pemOrDer) throws MalformedEvidenceException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pemOrDer));
    } catch (CertificateException | RuntimeException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "a cert_chain entry is not a PEM or DER certificate");
    }
  }
}
