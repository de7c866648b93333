package org.attest4j.azure;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpReason;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.VcekChain;
import org.attest4j.snp.VekCertificate;
import org.attest4j.snp.VerifiedSnpReport;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Step 4 for SEV-SNP: authenticates the hardware report with {@link SnpVerifier} and names the
 * outcome by the spec's checks ({@code snp.vek_chain}, {@code snp.report_signature}, {@code
 * snp.vek_matches_report}, {@code snp.vmpl0}). Immutable and thread-safe.
 */
final class SnpStep {
  private static final Set<SnpReason> SIGNATURE_REASONS =
      Set.of(SnpReason.BAD_REPORT_SIGNATURE, SnpReason.UNSIGNED_REPORT, SnpReason.SIGNING_KEY_MISMATCH);
  private static final Set<SnpReason> BINDING_REASONS = Set.of(SnpReason.CHIP_ID_MISMATCH, SnpReason.TCB_MISMATCH);

  /** A configured KDS cert_chain: ASK (or ASVK) and ARK, with the ASK's subject CN. */
  record Chain(String askCn, byte[] askDer, byte[] arkDer) {}

  private final SnpVerifier verifier;
  private final List<Chain> chains;

  SnpStep(SnpVerifier verifier, List<Chain> chains) {
    this.verifier = verifier;
    this.chains = List.copyOf(chains);
  }

  /** Parses a PEM cert_chain (ASK or ASVK, then ARK). */
  static Chain chain(byte[] pem) throws MalformedEvidenceException {
    List<Bytes> certs = AzureEvidence.pemCertificates(new String(pem, java.nio.charset.StandardCharsets.US_ASCII));
    if (certs.size() != 2) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CERTIFICATE,
          "cert_chain must hold 2 certificates (ASK or ASVK, then ARK), found " + certs.size());
    }
    return new Chain(subjectCn(certs.get(0).toByteArray()), certs.get(0).toByteArray(), certs.get(1).toByteArray());
  }

  static String subjectCn(byte[] der) throws MalformedEvidenceException {
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      RDN[] cn = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
      return cn.length == 0 ? "" : IETFUtils.valueToString(cn[0].getFirst().getValue());
    } catch (CertificateException | RuntimeException e) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CERTIFICATE, "certificate does not decode");
    }
  }

  /** Runs the SNP checks; returns the report's REPORT_DATA, or null when the report does not parse. */
  byte[] run(HclReport hcl, List<Bytes> vcekCerts, AzureVerification.Builder out) {
    SnpReport report;
    try {
      report = SnpReport.parse(hcl.hardwareReport());
    } catch (MalformedEvidenceException e) {
      out.fail(AzureCheck.SNP_REPORT_SIGNATURE, "the hardware report is not an SEV-SNP report: " + e.getMessage());
      return null;
    }
    authenticate(report, vcekCerts, out);
    return report.reportData().toByteArray();
  }

  private void authenticate(SnpReport report, List<Bytes> vcekCerts, AzureVerification.Builder out) {
    out.outcome(AzureCheck.SNP_VMPL0, report.vmpl() == 0,
        "the SNP report is from VMPL " + report.vmpl() + ", not VMPL 0 (the paravisor)");
    VcekChain chain;
    VekCertificate vek;
    try {
      if (vcekCerts.isEmpty()) {
        throw new MalformedEvidenceException(SnpReason.MALFORMED_CERTIFICATE, "the evidence carries no VCEK");
      }
      vek = VekCertificate.parse(vcekCerts.get(0).toByteArray());
      chain = chainFor(vek, vcekCerts);
    } catch (MalformedEvidenceException e) {
      out.fail(AzureCheck.SNP_VEK_CHAIN, e.getMessage());
      return;
    }
    try {
      VerifiedSnpReport v = verifier.verify(report, chain);
      out.pass(AzureCheck.SNP_VEK_CHAIN);
      out.pass(AzureCheck.SNP_REPORT_SIGNATURE);
      out.pass(AzureCheck.SNP_VEK_MATCHES_REPORT);
      out.snp = v;
    } catch (AttestationException e) {
      ReasonCode r = e.reason();
      if (SIGNATURE_REASONS.contains(r)) {
        out.pass(AzureCheck.SNP_VEK_CHAIN);
        out.fail(AzureCheck.SNP_REPORT_SIGNATURE, e.getMessage());
        String mismatch = vekMismatch(report, vek);
        out.outcome(AzureCheck.SNP_VEK_MATCHES_REPORT, mismatch == null, mismatch);
      } else if (BINDING_REASONS.contains(r)) {
        out.pass(AzureCheck.SNP_VEK_CHAIN);
        out.pass(AzureCheck.SNP_REPORT_SIGNATURE);
        out.fail(AzureCheck.SNP_VEK_MATCHES_REPORT, e.getMessage());
      } else {
        out.fail(AzureCheck.SNP_VEK_CHAIN, e.getMessage());
      }
    }
  }

  private VcekChain chainFor(VekCertificate vek, List<Bytes> certs) throws MalformedEvidenceException {
    for (Chain c : chains) {
      if (c.askCn().equals(vek.issuerCn())) {
        return VcekChain.of(vek.encoded(), c.askDer(), c.arkDer());
      }
    }
    if (certs.size() >= 3) { // a VCEK file that also holds ASK and ARK; the ARK is still pinned
      return VcekChain.of(vek.encoded(), certs.get(1).toByteArray(), certs.get(2).toByteArray());
    }
    throw new MalformedEvidenceException(SnpReason.MALFORMED_CERTIFICATE,
        "no cert_chain (ASK + ARK) for a VCEK issued by " + vek.issuerCn()
            + ": configure AMD KDS's cert_chain for this product");
  }

  /** The VCEK-to-report binding evaluated on its own (when the signature failed first). */
  private static String vekMismatch(SnpReport report, VekCertificate vek) {
    try {
      Product p = vek.product().orElse(null);
      if (p == null) {
        return "the VCEK names no product";
      }
      byte[] hw = vek.hwId().map(Bytes::toByteArray).orElse(null);
      byte[] chip = report.chipId().toByteArray();
      if (hw == null || (!report.chipId().isZero()
          && !ConstantTime.equals(hw, Arrays.copyOf(chip, Math.min(chip.length, hw.length))))) {
        return "the VCEK's hwID is not the report's CHIP_ID";
      }
      TcbVersion c = vek.tcb(p);
      TcbVersion r = report.withProduct(p).reportedTcb();
      if (c.bootloader() != r.bootloader() || c.tee() != r.tee() || c.snp() != r.snp()
          || c.microcode() != r.microcode()) {
        return "the VCEK's TCB " + c + " is not the report's REPORTED_TCB " + r;
      }
      return null;
    } catch (AttestationException e) {
      return e.getMessage();
    }
  }
}
