package org.attest4j.kms;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.core.PolicyViolationException.Violation;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.VcekChain;
import org.attest4j.snp.VerifiedSnpReport;
import org.attest4j.snp.kds.EndorsementOrigin;
import org.attest4j.snp.kds.EndorsementQuery;
import org.attest4j.snp.kds.EndorsementSource;
import org.attest4j.snp.kds.Endorsements;

/**
 * Steps 1-3 for SEV-SNP over the snp module: {@link SnpReport#parse}, endorsements (the VCEK from
 * the request when it sends one, the rest from the KMS's {@link EndorsementSource}), {@link
 * SnpVerifier} (pinned roots, chain cache, report signature, VCEK-to-report binding) and the policy.
 *
 * <p>The TCB floor: with per-product minimum TCBs ({@code floors}), step 3 refuses a report whose
 * REPORTED_TCB or LAUNCH_TCB is below its product's floor ({@link SnpPolicy.Builder#minimumTcb} and
 * {@link SnpPolicy.Builder#minimumLaunchTcb}, in addition to the caller's policy), and refuses a
 * report of a product that has no floor. {@code tcbStatus} is {@code "UpToDate"} only when the
 * current, reported, committed and launch TCBs agree and REPORTED_TCB is at or above the floor in
 * every component; otherwise {@code "OutOfDate"}. Without floors (the operator's explicit {@code
 * allowAnyTcb()}), consistent TCBs are {@link BootInfo#TCB_STATUS_NOT_EVALUATED} (dstack's value
 * when no TCB evaluation was done), never {@code "UpToDate"}.
 *
 * <p>Immutable and thread-safe. Internal.
 */
final class SnpEvidence implements Ports.EvidencePort {

  private final SnpVerifier verifier;
  private final EndorsementSource endorsements;
  private final SnpPolicy policy;
  /** Minimum TCB per product; empty when the operator opted out with allowAnyTcb(). */
  private final Map<Product, TcbVersion> floors;
  /** The floors as an SnpPolicy that checks nothing else; null when the floors are in {@code policy}. */
  private final SnpPolicy floorPolicy;
  private final BoundedCache<Bytes, X509Certificate> requestCerts = new BoundedCache<>(256);
  /** Chains built from a request's VEK and the source's ASK/ARK, so each release skips re-encoding them. */
  private final BoundedCache<Bytes, ChainMemo> chains = new BoundedCache<>(256);
  private final boolean requireVek;

  /** A chain and the ASK/ARK objects it was built from (reused only while the source still returns them). */
  private record ChainMemo(VcekChain chain, X509Certificate ask, X509Certificate ark) {}
  private final boolean allowMaskedChipId;

  /**
   * @param policy the step-3 policy
   * @param floors minimum TCB per product (empty: no floor, status never "UpToDate")
   * @param floorsInPolicy whether {@code policy} already carries {@code floors} as its minimum TCBs
   */
  SnpEvidence(
      SnpVerifier verifier,
      EndorsementSource endorsements,
      SnpPolicy policy,
      Map<Product, TcbVersion> floors,
      boolean floorsInPolicy) {
    this(verifier, endorsements, policy, floors, floorsInPolicy, false, false);
  }

  /**
   * @param requireVek whether a request must carry its VCEK/VLEK (no KDS lookup for the VEK)
   * @param allowMaskedChipId whether an all-zero CHIP_ID is served (device_id from the VEK)
   */
  SnpEvidence(
      SnpVerifier verifier,
      EndorsementSource endorsements,
      SnpPolicy policy,
      Map<Product, TcbVersion> floors,
      boolean floorsInPolicy,
      boolean requireVek,
      boolean allowMaskedChipId) {
    this.requireVek = requireVek;
    this.allowMaskedChipId = allowMaskedChipId;
    this.verifier = Objects.requireNonNull(verifier);
    this.endorsements = Objects.requireNonNull(endorsements);
    this.policy = Objects.requireNonNull(policy);
    this.floors = Map.copyOf(floors);
    this.floorPolicy = floorsInPolicy || this.floors.isEmpty() ? null : floorOnly(this.floors);
  }

  /** The strict default policy with the floors as minimum REPORTED_TCB and LAUNCH_TCB. */
  static SnpPolicy strictWithFloors(Map<Product, TcbVersion> floors) {
    SnpPolicy.Builder b = SnpPolicy.builder();
    for (TcbVersion min : floors.values()) {
      b.minimumTcb(min).minimumLaunchTcb(min);
    }
    return b.build();
  }

  /** A policy that checks only the floors (and the always-invalid TCB orderings). */
  private static SnpPolicy floorOnly(Map<Product, TcbVersion> floors) {
    SnpPolicy.Builder b =
        SnpPolicy.builder()
            .allowDebug(true)
            .allowMigrationAgent(true)
            .allowSmt(true)
            .allowCxl(true)
            .vmpl(null)
            .allowedSigners(EnumSet.allOf(SigningKey.class))
            .permitProvisionalFirmware(true);
    for (TcbVersion min : floors.values()) {
      b.minimumTcb(min).minimumLaunchTcb(min);
    }
    return b.build();
  }

  @Override
  public String teeVariant() {
    return BootInfo.TEE_VARIANT_SEV_SNP;
  }

  @Override
  public Ports.Evidence parse(Bytes raw) throws AttestationException {
    if (raw.length() == 0) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "the request has no SEV-SNP report (field snp_report)");
    }
    SnpReport r = SnpReport.parse(raw.toByteArray());
    return evidence(r, r);
  }

  private Ports.Evidence evidence(Object handle, SnpReport r) {
    return new Ports.Evidence(handle, r.measurement(), r.hostData(), r.reportData(), r.chipId(), tcbStatus(r));
  }

  /**
   * The verified evidence; for a masked (all-zero) CHIP_ID the device_id source is the verified
   * VCEK's hwID in CHIP_ID form (what the same chip reports unmasked), or for a VLEK its SHA-256
   * fingerprint (a VLEK names the cloud provider's key at a TCB, not one chip).
   */
  private Ports.Evidence verifiedEvidence(VerifiedSnpReport v, Ports.Evidence parsed) throws AttestationException {
    SnpReport r = v.report();
    // the values read from the very report object that was verified are not read again
    Ports.Evidence read = r == parsed.handle() ? parsed : evidence(r, r);
    Bytes device = read.chipId();
    if (device.isZero()) {
      if (v.signingKey() == SigningKey.VCEK) {
        Bytes hw =
            v.vek()
                .hwId()
                .orElseThrow(
                    () ->
                        new org.attest4j.core.VerificationException(
                            KmsReason.MASKED_CHIP_ID, "the VCEK of a masked-CHIP_ID report has no hwID extension"));
        device = Bytes.of(java.util.Arrays.copyOf(hw.toByteArray(), 64));
      } else {
        device = v.vek().sha256Fingerprint();
      }
    }
    return new Ports.Evidence(v, read.measurement(), read.hostData(), read.reportData(), device, read.tcbStatus());
  }

  @Override
  public void precheck(Ports.Evidence parsed, KeyReleaseRequest request) throws AttestationException {
    SnpReport r = (SnpReport) parsed.handle();
    if (r.signingKey() == SigningKey.NONE) {
      throw new org.attest4j.core.VerificationException(
          KmsReason.NO_ENDORSEMENT, "the report is not signed (SIGNING_KEY=NONE)");
    }
    if (requireVek && request.vcekCert().length() == 0) {
      throw new MalformedEvidenceException(
          KmsReason.VEK_REQUIRED,
          "this KMS requires the " + r.signingKey() + " certificate in the request (field vcek_pem, PEM or DER);"
              + " the guest gets it from the extended report's certificate table or from AMD's KDS");
    }
    if (r.chipId().isZero() && !allowMaskedChipId) {
      throw new org.attest4j.core.VerificationException(
          KmsReason.MASKED_CHIP_ID,
          "the report's CHIP_ID is all zero (the host set MASK_CHIP_ID): every masked host would get the same"
              + " device_id, so this KMS refuses them; an operator who accepts that enables allowMaskedChipId(),"
              + " which takes device_id from the verified VCEK's hwID instead");
    }
    if (r.product().isEmpty()) {
      return; // v2: the product (and with it the TCB rules) comes from the chain at step 2
    }
    // the same rules run again on the verified report at step 3; here they refuse cheap forgeries early
    policy.validateUnverified(r);
    if (floorPolicy != null) {
      floorPolicy.validateUnverified(r);
    }
    Set<Violation> all = new LinkedHashSet<>();
    noFloorFor(r.product().get(), all);
    if (!all.isEmpty()) {
      throw new PolicyViolationException(new ArrayList<>(all));
    }
  }

  private void noFloorFor(Product p, Set<Violation> all) {
    if (!floors.isEmpty() && (p == null || !floors.containsKey(p))) {
      all.add(
          new Violation(
              KmsReason.NO_TCB_FLOOR,
              "minimum_tcb",
              "this KMS has no minimum TCB for " + (p == null ? "the report's (unknown) product" : p)
                  + " (it has one for " + floors.keySet() + "); configure minimumTcb for that product"));
    }
  }

  /** See the class description. */
  String tcbStatus(SnpReport r) {
    boolean consistent =
        r.rawCurrentTcb() == r.rawReportedTcb()
            && r.rawReportedTcb() == r.rawCommittedTcb()
            && r.rawCommittedTcb() == r.rawLaunchTcb();
    if (!consistent) {
      return BootInfo.TCB_STATUS_OUT_OF_DATE;
    }
    if (floors.isEmpty()) {
      return BootInfo.TCB_STATUS_NOT_EVALUATED;
    }
    TcbVersion floor = r.product().map(floors::get).orElse(null);
    if (floor == null) {
      // refused at step 3; never claim UpToDate against no floor
      return BootInfo.TCB_STATUS_OUT_OF_DATE;
    }
    try {
      return r.reportedTcb().isAtLeast(floor) ? BootInfo.TCB_STATUS_UP_TO_DATE : BootInfo.TCB_STATUS_OUT_OF_DATE;
    } catch (IllegalArgumentException e) {
      return BootInfo.TCB_STATUS_OUT_OF_DATE;
    }
  }

  @Override
  public Ports.Evidence verify(Ports.Evidence parsed, KeyReleaseRequest request) throws AttestationException {
    SnpReport r = (SnpReport) parsed.handle();
    precheckSigned(r);
    Bytes sent = request.vcekCert();
    X509Certificate requestVek = sent.length() == 0 ? null : requestCerts.get(sent);
    byte[] vekDer = null;
    if (sent.length() != 0 && requestVek == null) {
      vekDer = derOrPem(sent.toByteArray(), "vcek_pem");
      requestVek = certificate(vekDer);
      requestCerts.put(sent, requestVek);
    }
    Product product = r.product().isPresent() ? r.product().get() : productFromChain(r, requestVek);
    EndorsementQuery q =
        EndorsementQuery.of(
            product, r.signingKey(), r.chipId().toByteArray(), TcbVersion.of(product, r.rawReportedTcb()));
    Endorsements already =
        requestVek == null
            ? Endorsements.empty()
            : Endorsements.of(EndorsementOrigin.REQUEST, requestVek, List.of(), null);
    Endorsements e = endorsements.find(q, already);
    if (e.vek().isEmpty() || e.chain().size() != 2) {
      throw new EndorsementUnavailableException(
          KmsReason.NO_ENDORSEMENT,
          "no " + q.signingKey() + " and ASK/ARK chain for this report: the request sent "
              + (requestVek == null ? "no VCEK" : "a VCEK") + " and the KMS endorsement source supplied " + e);
    }
    X509Certificate ask = e.chain().get(0);
    X509Certificate ark = e.chain().get(1);
    try {
      VcekChain chain;
      if (requestVek != null) {
        ChainMemo m = chains.get(sent);
        if (m == null || m.ask() != ask || m.ark() != ark) {
          byte[] der = vekDer != null ? vekDer : requestVek.getEncoded();
          m = new ChainMemo(VcekChain.of(der, ask.getEncoded(), ark.getEncoded()), ask, ark);
          chains.put(request.vcekCert(), m);
        }
        chain = m.chain();
      } else {
        chain = VcekChain.of(e.vek().get().getEncoded(), ask.getEncoded(), ark.getEncoded());
      }
      VerifiedSnpReport v = verifier.verify(r, chain);
      return verifiedEvidence(v, parsed);
    } catch (java.security.cert.CertificateEncodingException ex) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "cannot encode an endorsement certificate", ex);
    }
  }

  private static void precheckSigned(SnpReport r) throws AttestationException {
    if (r.signingKey() == SigningKey.NONE) {
      throw new org.attest4j.core.VerificationException(
          KmsReason.NO_ENDORSEMENT, "the report is not signed (SIGNING_KEY=NONE)");
    }
  }

  /**
   * The product of a v2 report (no CPUID fields): the request's VEK names it (productName
   * extension, else its issuer "SEV-Genoa"); without a VEK, the one product this KMS has a floor
   * for. SnpVerifier then checks the chain is anchored in that product's ARK.
   */
  private Product productFromChain(SnpReport r, X509Certificate requestVek) throws AttestationException {
    if (requestVek != null) {
      java.util.Optional<Product> p;
      try {
        p = org.attest4j.snp.VekCertificate.parse(requestVek.getEncoded()).product();
      } catch (java.security.cert.CertificateEncodingException ex) {
        p = java.util.Optional.empty();
      }
      if (p.isEmpty()) {
        String issuer = requestVek.getIssuerX500Principal().getName();
        for (Product candidate : Product.values()) {
          if (issuer.contains("SEV-" + candidate.kdsName()) || issuer.contains("SEV-VLEK-" + candidate.kdsName())) {
            p = java.util.Optional.of(candidate);
          }
        }
      }
      if (p.isPresent()) {
        return p.get();
      }
    }
    if (floors.size() == 1) {
      return floors.keySet().iterator().next();
    }
    throw new MalformedEvidenceException(
        KmsReason.BAD_REQUEST,
        "the report (version " + r.version() + ") does not name its product (no CPUID fields) and "
            + (requestVek == null ? "the request sent no VCEK" : "the request's VCEK names none")
            + "; send the VCEK (field vcek_pem) so the product comes from its chain");
  }

  @Override
  public void applyPolicy(Ports.Evidence verified) throws AttestationException {
    VerifiedSnpReport v = (VerifiedSnpReport) verified.handle();
    if (v.productSource() == org.attest4j.snp.ProductSource.CPUID) {
      // precheck ran the same rules on the same report bytes (its product from the same signed
      // CPUID fields, which the verifier checked against the chain); running them again adds nothing
      return;
    }
    Set<Violation> all = new LinkedHashSet<>(policy.check(v));
    if (floorPolicy != null) {
      all.addAll(floorPolicy.check(v));
    }
    noFloorFor(v.report().product().orElse(null), all);
    if (!all.isEmpty()) {
      throw new PolicyViolationException(new ArrayList<>(all));
    }
  }

  private static X509Certificate certificate(byte[] der) throws MalformedEvidenceException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "the request's VCEK is not an X.509 certificate: " + e.getMessage(), e);
    }
  }

  /** DER, or the first PEM CERTIFICATE block. */
  static byte[] derOrPem(byte[] in, String field) throws MalformedEvidenceException {
    if (in.length > 0 && in[0] == 0x30) {
      return in;
    }
    String s = new String(in, StandardCharsets.US_ASCII);
    int b = s.indexOf("-----BEGIN CERTIFICATE-----");
    int e = s.indexOf("-----END CERTIFICATE-----");
    if (b < 0 || e < b) {
      throw new MalformedEvidenceException(
          KmsReason.BAD_REQUEST, "field " + field + " is neither DER nor a PEM CERTIFICATE");
    }
    try {
      return Base64.getMimeDecoder().decode(s.substring(b + 27, e));
    } catch (IllegalArgumentException ex) {
      throw new MalformedEvidenceException(KmsReason.BAD_REQUEST, "field " + field + " has bad PEM base64");
    }
  }
}
