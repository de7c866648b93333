package org.attest4j.snp;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.bouncycastle.crypto.params.RSAKeyParameters;

/**
 * Verifies SEV-SNP reports offline: ARK pinned to a trusted root and self-signed, ARK -> ASK (or
 * ASVK) -> VCEK (or VLEK) RSASSA-PSS signatures, names and validity at the clock's instant, the
 * optional ARK-signed CRLs, the VCEK's AMD extensions against the report (hwID vs CHIP_ID, SPLs vs
 * REPORTED_TCB), the report's signer kind, and the report's ECDSA P-384 signature.
 *
 * <p>The product comes from the report's signed CPUID fields (v3+), else from the certificate chain
 * (v2), else from {@link Builder#product}; an unknown or inconsistent product fails closed.
 *
 * <p>Verified chains are cached by the SHA-256 of their certificates (LRU, {@link
 * Builder#chainCacheSize}), so many reports under one VCEK cost one P-384 verification each; the
 * validity window, CRLs and binding are still checked per report. Verification does not apply a
 * policy: pass the result to {@link SnpPolicy#validate}.
 *
 * <p>Instances are immutable in configuration and thread-safe; the internal cache is synchronized.
 */
public final class SnpVerifier {
  private static final Logger LOG = System.getLogger(SnpVerifier.class.getName());

  private final Clock clock;
  private final List<SnpTrustAnchor> anchors;
  private final List<SnpCrl> crls;
  private final boolean requireCrl;
  private final Product callerProduct;
  private final Map<Bytes, VerifiedChain> chainCache;
  private final Map<Bytes, VerifiedChain> intermediateCache;

  private SnpVerifier(Builder b) {
    this.clock = b.clock;
    List<SnpTrustAnchor> a = new ArrayList<>();
    if (b.amdRoots) {
      a.addAll(SnpTrustAnchor.amdRoots());
    }
    a.addAll(b.anchors);
    this.anchors = List.copyOf(a);
    this.crls = List.copyOf(b.crls);
    this.requireCrl = b.requireCrl;
    this.callerProduct = b.product;
    this.chainCache = lru(b.cacheSize);
    this.intermediateCache = lru(Math.min(b.cacheSize, 64));
  }

  /**
   * A bounded concurrent map: lock-free reads on the release path (a synchronized LRU serialized
   * every verification on one lock). When full it is emptied; entries are recomputable.
   */
  private static Map<Bytes, VerifiedChain> lru(int size) {
    if (size <= 0) {
      return null;
    }
    return new java.util.concurrent.ConcurrentHashMap<>(Math.min(size, 1024) * 2) {
      private static final long serialVersionUID = 1L;

      @Override
      public VerifiedChain put(Bytes key, VerifiedChain value) {
        if (size() >= size) {
          clear();
        }
        return super.put(key, value);
      }
    };
  }

  /**
   * A verifier trusting only AMD's pinned roots, with the system UTC clock.
   *
   * @return a verifier trusting only AMD's pinned roots, with the system UTC clock
   */
  public static SnpVerifier withAmdRoots() {
    return builder().build();
  }

  /**
   * A builder: AMD roots trusted, system UTC clock, no CRL, cache of 1024 chains.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The trusted roots.
   *
   * @return the trusted roots
   */
  public List<SnpTrustAnchor> trustAnchors() {
    return anchors;
  }

  /**
   * Parses and verifies {@code report} with its VCEK/VLEK (DER or PEM) and KDS {@code cert_chain}
   * (PEM: ASK or ASVK, then ARK).
   *
   * @param report the report
   * @param vek the VEK
   * @param chainPem the chain PEM
   * @return the verified report
   * @throws MalformedEvidenceException if an input cannot be decoded
   * @throws VerificationException if any check fails (the reason names it)
   */
  public VerifiedSnpReport verify(byte[] report, byte[] vek, byte[] chainPem)
      throws MalformedEvidenceException, VerificationException {
    return verify(SnpReport.parse(report), VcekChain.parse(vek, chainPem));
  }

  /**
   * Verifies {@code report} with the certificates of an extended-report certificate table (from
   * {@code SNP_GET_EXT_REPORT} or the configfs-tsm {@code auxblob}): the VCEK or VLEK entry the
   * report's KEY_INFO names, the ASK and the ARK. Entries may be DER or PEM, under GUIDs in either
   * byte order.
   *
   * @param report the parsed report
   * @param table the certificate table
   * @return the verified report
   * @throws MalformedEvidenceException if an input cannot be decoded or the table lacks an entry
   * @throws VerificationException if any check fails
   */
  public VerifiedSnpReport verify(SnpReport report, SnpCertTable table)
      throws MalformedEvidenceException, VerificationException {
    return verify(report, table, null);
  }

  /**
   * Like {@link #verify(SnpReport, SnpCertTable)}, completing a table that holds only the VCEK or
   * VLEK with {@code chainPem} (the KDS {@code cert_chain}: ASK or ASVK, then ARK).
   *
   * @param report the parsed report
   * @param table the certificate table
   * @param chainPem the chain to use when the table lacks the ASK or ARK; may be null
   * @return the verified report
   * @throws MalformedEvidenceException if an input cannot be decoded or a certificate is missing
   * @throws VerificationException if any check fails
   */
  public VerifiedSnpReport verify(SnpReport report, SnpCertTable table, byte[] chainPem)
      throws MalformedEvidenceException, VerificationException {
    Objects.requireNonNull(report, "report");
    return verify(report, VcekChain.fromCertTable(table, report.keyInfo().signingKey(), chainPem));
  }

  /**
   * Verifies {@code report} against {@code chain}.
   *
   * @param report the report
   * @param chain the chain
   * @return the verified report
   * @throws MalformedEvidenceException if a certificate cannot be decoded
   * @throws VerificationException if any check fails
   */
  public VerifiedSnpReport verify(SnpReport report, VcekChain chain)
      throws MalformedEvidenceException, VerificationException {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(chain, "chain");
    Instant now = clock.instant();
    boolean cached = true;
    VerifiedChain vc = chainCache == null ? null : chainCache.get(chain.fingerprint());
    if (vc == null) {
      cached = false;
      vc = verifyChain(chain);
      if (chainCache != null) {
        chainCache.put(chain.fingerprint(), vc);
      }
    }
    // validity and revocation are per verification time, never cached
    vc.ark.checkValidity(now);
    vc.ask.checkValidity(now);
    vc.vek.cert.checkValidity(now);
    checkCrls(vc, now);

    Product chainProduct = vc.anchor.product();
    ProductSource source;
    SnpReport bound;
    boolean cpuidZero = report.cpuid().map(c -> (c.familyId() | c.modelId() | c.stepping()) == 0).orElse(true);
    if (report.version() >= 3 && !cpuidZero) {
      if (report.cpuidProduct().isPresent()) {
        source = ProductSource.CPUID;
      } else if (callerProduct != null) {
        source = ProductSource.CALLER;
        if (callerProduct != chainProduct) {
          throw new VerificationException(
              SnpReason.PRODUCT_MISMATCH,
              "configured product " + callerProduct + " but the certificate chain is " + chainProduct + "'s");
        }
      } else {
        throw new VerificationException(
            SnpReason.UNKNOWN_PRODUCT,
            "report CPUID (" + report.cpuid().orElseThrow() + ") names no supported product (Milan, Genoa, Turin);"
                + " configure the product explicitly if this chip is known to be one of them");
      }
      if (report.cpuidProduct().isPresent() && report.cpuidProduct().get() != chainProduct) {
        throw new VerificationException(
            SnpReason.PRODUCT_MISMATCH,
            "report CPUID says " + report.cpuidProduct().get() + " but the certificate chain is anchored in "
                + vc.anchor.name() + " (" + chainProduct + ")");
      }
    } else {
      source = ProductSource.CERTIFICATE;
      if (callerProduct != null && callerProduct != chainProduct) {
        throw new VerificationException(
            SnpReason.PRODUCT_MISMATCH,
            "configured product " + callerProduct + " but the certificate chain is " + chainProduct + "'s");
      }
    }
    bound = report.withProduct(chainProduct);

    // signer kind
    KeyInfo ki = report.keyInfo();
    if (ki.signingKey() == SigningKey.NONE) {
      throw new VerificationException(SnpReason.UNSIGNED_REPORT, "report KEY_INFO says it is not signed (SIGNING_KEY=none)");
    }
    if (ki.maskChipKey()) {
      throw new VerificationException(
          SnpReason.UNSIGNED_REPORT, "report KEY_INFO has MASK_CHIP_KEY set: the firmware did not sign it with the VCEK");
    }
    if (ki.signingKey() != vc.vek.kind()) {
      throw new VerificationException(
          SnpReason.SIGNING_KEY_MISMATCH,
          "report KEY_INFO says it is signed by the " + ki.signingKey() + " but the certificate is a " + vc.vek.kind());
    }

    // the VCEK is for this chip: checked first, so a wrong chip's VCEK is named as such rather than
    // as a bad signature (CHIP_ID is not yet authenticated here, but a mismatch refuses either way)
    if (vc.vek.kind() == SigningKey.VCEK) {
      checkHwId(bound, vc.vek, chainProduct);
    }

    // the report signature: the authenticity of every field below
    byte[] raw = bound.rawUnsafe();
    if (!Crypto.verifyEcdsaP384Le(vc.vek.verifier(), raw, SnpReport.SIGNED_LENGTH, raw, 0x2A0)) {
      throw new VerificationException(
          SnpReason.BAD_REPORT_SIGNATURE,
          "report ECDSA P-384 signature does not verify under the " + vc.vek.kind() + " (" + vc.vek.issuerCn()
              + ", serial " + vc.vek.serialNumber() + ")");
    }

    // certificate-to-report binding
    checkTcb(bound, vc.vek, chainProduct);
    if (!cached) {
      LOG.log(Level.DEBUG, "verified SEV-SNP chain {0} for {1}", vc.anchor.name(), vc.vek);
    }
    return new VerifiedSnpReport(
        bound, source, vc.vek, CertificateInfo.of(vc.ask), CertificateInfo.of(vc.ark), vc.anchor, now, cached);
  }

  private static void checkHwId(SnpReport report, VekCertificate vek, Product product) throws VerificationException {
    byte[] hw = vek.hwIdUnsafe();
    if (hw == null) {
      throw new VerificationException(SnpReason.CHIP_ID_MISMATCH, "VCEK has no hwID extension");
    }
    Bytes chip = report.chipId();
    if (chip.isZero()) {
      return; // MASK_CHIP_ID: CHIP_ID is zeroed; the signature alone binds the report to the VCEK
    }
    byte[] c = chip.toByteArray();
    int n = product.hwIdLength();
    if (hw.length != n) {
      throw new VerificationException(
          SnpReason.CHIP_ID_MISMATCH, product + " VCEK hwID must be " + n + " bytes, found " + hw.length);
    }
    boolean tailZero = true;
    for (int i = n; i < c.length; i++) {
      tailZero &= c[i] == 0;
    }
    if (!org.attest4j.core.ConstantTime.equals(hw, java.util.Arrays.copyOf(c, n)) || !tailZero) {
      throw new VerificationException(
          SnpReason.CHIP_ID_MISMATCH,
          "VCEK hwID " + Bytes.of(hw).toHex() + " does not match report CHIP_ID " + chip.toHex()
              + (n == 8 ? " (Turin: CHIP_ID[0..8] must equal hwID and the rest be zero)" : ""));
    }
  }

  private static void checkTcb(SnpReport report, VekCertificate vek, Product product)
      throws VerificationException, MalformedEvidenceException {
    TcbVersion cert = vek.tcb(product);
    TcbVersion rep = report.reportedTcb();
    List<String> diffs = new ArrayList<>();
    if (product.hasFmc() && cert.fmc().getAsInt() != rep.fmc().getAsInt()) {
      diffs.add("fmc=" + cert.fmc().getAsInt() + " vs " + rep.fmc().getAsInt());
    }
    if (cert.bootloader() != rep.bootloader()) {
      diffs.add("bootloader=" + cert.bootloader() + " vs " + rep.bootloader());
    }
    if (cert.tee() != rep.tee()) {
      diffs.add("tee=" + cert.tee() + " vs " + rep.tee());
    }
    if (cert.snp() != rep.snp()) {
      diffs.add("snp=" + cert.snp() + " vs " + rep.snp());
    }
    if (cert.microcode() != rep.microcode()) {
      diffs.add("microcode=" + cert.microcode() + " vs " + rep.microcode());
    }
    if (!product.hasFmc()) {
      for (int i = 2; i <= 5; i++) {
        if (cert.byteAt(i) != rep.byteAt(i)) {
          diffs.add("spl_" + (i + 2) + "=" + cert.byteAt(i) + " vs " + rep.byteAt(i));
        }
      }
    }
    if (!diffs.isEmpty()) {
      throw new VerificationException(
          SnpReason.TCB_MISMATCH,
          vek.kind() + " TCB does not match report REPORTED_TCB (certificate vs report): " + String.join(", ", diffs)
              + "; fetch the " + vek.kind() + " for REPORTED_TCB " + rep);
    }
  }

  private void checkCrls(VerifiedChain vc, Instant now) throws VerificationException {
    boolean applied = false;
    for (SnpCrl crl : crls) {
      if (!crl.issuer.equals(vc.ark.subject)) {
        continue;
      }
      applied = true;
      crl.check(vc.ark, vc.arkKey, now, List.of(
          new SnpCrl.CertificateRef(vc.ask.subjectCn.startsWith("SEV-VLEK") ? "ASVK" : "ASK", vc.ask.subjectCn, vc.ask.serial),
          new SnpCrl.CertificateRef(vc.vek.kind().name(), vc.vek.subjectCn(), vc.vek.serialNumber())));
    }
    if (requireCrl && !applied) {
      throw new VerificationException(
          SnpReason.CRL_INVALID, "a CRL is required but none issued by " + vc.ark.subjectCn + " was supplied");
    }
  }

  // ------------------------------------------------------------------ chain

  /** The outcome of verifying a chain (signatures, names, root, product); immutable. */
  private static final class VerifiedChain {
    final AmdCert ark;
    final RSAKeyParameters arkKey;
    final AmdCert ask;
    final RSAKeyParameters askKey;
    final VekCertificate vek;
    final SnpTrustAnchor anchor;

    VerifiedChain(AmdCert ark, RSAKeyParameters arkKey, AmdCert ask, RSAKeyParameters askKey, VekCertificate vek,
        SnpTrustAnchor anchor) {
      this.ark = ark;
      this.arkKey = arkKey;
      this.ask = ask;
      this.askKey = askKey;
      this.vek = vek;
      this.anchor = anchor;
    }
  }

  private VerifiedChain verifyChain(VcekChain chain) throws MalformedEvidenceException, VerificationException {
    // an ARK/ASK pair verified before is found by the hashes of the chain's raw bytes, unparsed
    Bytes pairKey = Bytes.of(concat(Crypto.sha256(chain.first), Crypto.sha256(chain.second)));
    VerifiedChain inter = intermediateCache == null ? null : intermediateCache.get(pairKey);
    AmdCert ark = null;
    AmdCert ask = null;
    if (inter == null) {
      AmdCert c1 = AmdCert.parse(chain.first, "chain certificate 1");
      AmdCert c2 = AmdCert.parse(chain.second, "chain certificate 2");
      if (c2.selfIssued() && !c1.selfIssued()) {
        ark = c2;
        ask = c1;
      } else if (c1.selfIssued() && !c2.selfIssued()) {
        ark = c1;
        ask = c2;
      } else {
        throw new VerificationException(
            SnpReason.CERTIFICATE_NAME_MISMATCH,
            "certificate chain must hold the ASK/ASVK and the self-signed ARK; found CN=" + c1.subjectCn
                + " and CN=" + c2.subjectCn);
      }
    }
    VekCertificate vek = VekCertificate.of(AmdCert.parse(chain.vek, "VCEK/VLEK"));
    RSAKeyParameters arkKey;
    RSAKeyParameters askKey;
    SnpTrustAnchor anchor;
    if (inter != null) {
      ark = inter.ark;
      ask = inter.ask;
      arkKey = inter.arkKey;
      askKey = inter.askKey;
      anchor = inter.anchor;
    } else {
      // ARK: pinned, self-signed, named ARK-<P>
      ark.checkFormat();
      arkKey = ark.rsaKey();
      anchor = null;
      for (SnpTrustAnchor a : anchors) {
        if (a.matches(ark.spkiDer)) {
          anchor = a;
          break;
        }
      }
      if (anchor == null) {
        throw new VerificationException(
            SnpReason.UNTRUSTED_ROOT,
            "ARK (CN=" + ark.subjectCn + ") key, SPKI SHA-384 "
                + Bytes.of(Crypto.digest("SHA-384", ark.spkiDer, 0, ark.spkiDer.length)).toHex()
                + ", matches no trusted root (AMD's pinned ARKs" + (anchors.size() > 3 ? " or the configured roots" : "")
                + ")");
      }
      Product p = anchor.product();
      // AMD's own ARK certificate (byte-identical to the pinned one) is known to be self-signed;
      // any other certificate for a pinned key must prove it
      if (!anchor.isKnownSelfSignedCertificate(ark.sha256) && !ark.signedBy(arkKey)) {
        throw new VerificationException(
            SnpReason.BAD_CERTIFICATE_SIGNATURE, "ARK (CN=" + ark.subjectCn + ") self-signature does not verify");
      }
      if (!("ARK-" + p.kdsName()).equals(ark.subjectCn)) {
        throw new VerificationException(
            SnpReason.CERTIFICATE_NAME_MISMATCH,
            "ARK CN is \"" + ark.subjectCn + "\" but the root " + anchor.name() + " is ARK-" + p.kdsName());
      }
      ark.checkCa();
      // ASK or ASVK, signed by the ARK
      ask.checkFormat();
      if (!ask.issuer.equals(ark.subject)) {
        throw new VerificationException(
            SnpReason.CERTIFICATE_NAME_MISMATCH,
            "intermediate CN=" + ask.subjectCn + " is issued by CN=" + ask.issuerCn + ", not by the ARK CN=" + ark.subjectCn);
      }
      if (!ask.subjectCn.equals("SEV-" + p.kdsName()) && !ask.subjectCn.equals("SEV-VLEK-" + p.kdsName())) {
        throw new VerificationException(
            SnpReason.CERTIFICATE_NAME_MISMATCH,
            "intermediate CN is \"" + ask.subjectCn + "\", expected SEV-" + p.kdsName() + " (ASK) or SEV-VLEK-"
                + p.kdsName() + " (ASVK)");
      }
      askKey = ask.rsaKey();
      ask.checkCa();
      if (!ask.signedBy(arkKey)) {
        throw new VerificationException(
            SnpReason.BAD_CERTIFICATE_SIGNATURE,
            ask.subjectCn + " certificate signature does not verify under " + ark.subjectCn);
      }
      if (intermediateCache != null) {
        intermediateCache.put(pairKey,
            new VerifiedChain(ark, arkKey, ask, askKey, null, anchor));
      }
    }
    Product p = anchor.product();
    // VCEK or VLEK, signed by the ASK or ASVK
    boolean asvk = ask.subjectCn.startsWith("SEV-VLEK-");
    SigningKey expectedKind = asvk ? SigningKey.VLEK : SigningKey.VCEK;
    if (vek.kind() != expectedKind) {
      throw new VerificationException(
          SnpReason.SIGNING_KEY_MISMATCH,
          "a " + vek.kind() + " must chain through the " + (vek.kind() == SigningKey.VLEK ? "ASVK (SEV-VLEK-" : "ASK (SEV-")
              + p.kdsName() + "), but the chain's intermediate is " + ask.subjectCn);
    }
    vek.cert.checkFormat();
    if (!vek.cert.issuer.equals(ask.subject)) {
      throw new VerificationException(
          SnpReason.CERTIFICATE_NAME_MISMATCH,
          vek.kind() + " is issued by CN=" + vek.issuerCn() + ", not by the chain's CN=" + ask.subjectCn
              + " (is the cert_chain for the right product?)");
    }
    if (!vek.hasP384Key()) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_ALGORITHM, vek.kind() + " does not hold an EC P-384 public key");
    }
    if (!vek.cert.signedBy(askKey)) {
      throw new VerificationException(
          SnpReason.BAD_CERTIFICATE_SIGNATURE,
          vek.kind() + " certificate signature does not verify under " + ask.subjectCn);
    }
    if (vek.productName().isPresent()) {
      Product named = Product.fromName(vek.productName().get()).orElse(null);
      if (named != p) {
        throw new VerificationException(
            SnpReason.PRODUCT_MISMATCH,
            vek.kind() + " productName \"" + vek.productName().get() + "\" is not " + p);
      }
    }
    return new VerifiedChain(ark, arkKey, ask, askKey, vek, anchor);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ------------------------------------------------------------------ builder

  /** Configures a {@link SnpVerifier}; not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private boolean amdRoots = true;
    private final List<SnpTrustAnchor> anchors = new ArrayList<>();
    private final List<SnpCrl> crls = new ArrayList<>();
    private boolean requireCrl;
    private Product product;
    private int cacheSize = 1024;

    private Builder() {}

    /**
     * The clock whose instant certificate and CRL validity are checked at (default: system UTC).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether AMD's pinned Milan/Genoa/Turin ARKs are trusted (default true).
     *
     * @param trust true to enable, false to disable
     * @return this builder
     */
    public Builder trustAmdRoots(boolean trust) {
      this.amdRoots = trust;
      return this;
    }

    /**
     * Trusts an additional root (a private PKI, or a simulated platform's ARK).
     *
     * @param anchor the anchor
     * @return this builder
     */
    public Builder addTrustAnchor(SnpTrustAnchor anchor) {
      anchors.add(Objects.requireNonNull(anchor, "anchor"));
      return this;
    }

    /**
     * Adds an ARK-signed CRL (DER or PEM). It applies to chains whose ARK issued it; its signature and
     * thisUpdate/nextUpdate window are checked and the ASK/ASVK and VCEK/VLEK serials looked up.
     *
     * @param derOrPem the DER or PEM
     * @return this builder
     * @throws MalformedEvidenceException if it cannot be decoded
     */
    public Builder addCrl(byte[] derOrPem) throws MalformedEvidenceException {
      crls.add(SnpCrl.parse(derOrPem));
      return this;
    }

    /**
     * Whether every chain must be covered by a CRL from its ARK (default false).
     *
     * @param require true to require it
     * @return this builder
     */
    public Builder requireCrl(boolean require) {
      this.requireCrl = require;
      return this;
    }

    /**
     * The product to assume when a v3+ report's CPUID names none this library knows; also checked
     * against the chain for v2 reports. Default: none (unknown fails closed).
     *
     * @param product the product
     * @return this builder
     */
    public Builder product(Product product) {
      this.product = product;
      return this;
    }

    /**
     * How many verified chains to keep (LRU); 0 disables caching. Default 1024.
     *
     * @param size the size
     * @return this builder
     */
    public Builder chainCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("cache size must be >= 0");
      }
      this.cacheSize = size;
      return this;
    }

    /**
     * The verifier.
     *
     * @return the verifier
     */
    public SnpVerifier build() {
      if (!amdRoots && anchors.isEmpty()) {
        throw new IllegalStateException("a verifier needs at least one trusted root");
      }
      return new SnpVerifier(this);
    }
  }
}
