package org.attest4j.tdx;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * Verifies Intel TDX quotes (DCAP, ECDSA P-256) against Intel collateral at a given instant:
 *
 * <ol>
 *   <li>the PCK certificate chain from the quote up to the pinned Intel SGX Root CA (public-key
 *       fingerprint pinned, see {@link TdxTrustAnchor}; the root certificate in the input must
 *       carry that key and its self-signature must verify), each certificate valid at the instant;
 *   <li>the QE report signature by the PCK key, and the attestation-key binding {@code
 *       QE report_data = SHA-256(attestation key || QE auth data) || 0^32};
 *   <li>the quote signature by the attestation key over header and TD report;
 *   <li>with collateral: the root CA CRL and the PCK CRL (signatures, currency, revocation of every
 *       certificate), the TCB info (TDX, version 3, signature over its exact bytes, issuer chain),
 *       the QE identity (TD_QE, signature, issuer chain) and the QE report against it, TCB-level
 *       matching (PCK CPUSVN components and PCESVN, tee_tcb_svn), the TDX module identity, the QE
 *       TCB level, the merged status and advisory ids.
 * </ol>
 *
 * A returned {@link TdxVerdict} means the evidence is authentic; a Revoked TCB or a TCB that matches
 * no level is refused here. Whether an authentic quote is <em>acceptable</em> (OutOfDate, debug TD,
 * ...) is the job of a {@link TdxPolicy}.
 *
 * <p>Verified collateral and verified PCK chains are cached (bounded, per verifier instance) by the
 * SHA-256 of their bytes, so that a repeated verification costs two ECDSA P-256 verifications plus
 * cheap checks; the cached entries keep their validity window and are re-checked against each
 * request's instant.
 *
 * <p>Instances are immutable apart from the caches and thread-safe; share one per application.
 */
public final class TdxVerifier {
  private static final Logger LOG = System.getLogger(TdxVerifier.class.getName());

  private final Clock clock;
  private final TdxTrustAnchor anchor;
  private final LruCache<Bytes, VerifiedCollateral> collateralCache;
  private final LruCache<Bytes, VerifiedPck> pckCache;
  private final LruCache<Bytes, ECPublicKeyParameters> akCache;

  private TdxVerifier(Builder b) {
    this.clock = b.clock;
    this.anchor = b.anchor;
    this.collateralCache = new LruCache<>(b.cacheSize);
    this.pckCache = new LruCache<>(b.cacheSize);
    this.akCache = new LruCache<>(b.cacheSize);
  }

  /**
   * A verifier with the system UTC clock and default cache sizes.
   *
   * @return A verifier with the system UTC clock and default cache sizes
   */
  public static TdxVerifier create() {
    return builder().build();
  }

  /**
   * A builder.
   *
   * @return this builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link TdxVerifier}. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private int cacheSize = 256;
    private TdxTrustAnchor anchor = TdxTrustAnchor.intelSgxRootCa();

    private Builder() {}

    /** Pins another root key (SHA-256 of its SubjectPublicKeyInfo); for tests with a synthetic PKI only. */
    Builder trustAnchorSpkiSha256ForTesting(byte[] spkiSha256) {
      return trustAnchor(TdxTrustAnchor.ofSpkiSha256(Bytes.of(spkiSha256), "test root"));
    }

    /**
     * The root every chain must end at, instead of Intel's SGX Root CA. Only for a private PKI or a
     * simulated platform ({@code SimulatedTdxPlatform#trustAnchor()}); production verifiers keep
     * the default.
     *
     * @param anchor the root to trust (replaces Intel's)
     * @return this builder
     */
    public Builder trustAnchor(TdxTrustAnchor anchor) {
      this.anchor = Objects.requireNonNull(anchor, "anchor");
      return this;
    }

    /**
     * The clock used by the methods without an explicit instant.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Maximum number of verified collateral sets and of verified PCK chains kept (0 disables caching).
     *
     * @param entries the number of entries
     * @return this builder
     */
    public Builder cacheSize(int entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("cache size must be >= 0");
      }
      this.cacheSize = entries;
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @return the built object
     */
    public TdxVerifier build() {
      return new TdxVerifier(this);
    }
  }

  /**
   * Parses and verifies {@code quote} against {@code collateral} at the clock's current instant.
   *
   * @param quote the quote
   * @param collateral the collateral
   * @return the parsed value
   * @throws AttestationException (a {@link MalformedEvidenceException} or {@link
   *     VerificationException}) with a {@link TdxReason}
   */
  public TdxVerdict verify(byte[] quote, TdxCollateral collateral) throws AttestationException {
    return verify(TdxQuote.parse(quote), collateral, clock.instant());
  }

  /**
   * Verifies {@code quote} against {@code collateral} at the clock's current instant.
   *
   * @param quote the quote
   * @param collateral the collateral
   * @return the verdict
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxVerdict verify(TdxQuote quote, TdxCollateral collateral) throws AttestationException {
    return verify(quote, collateral, clock.instant());
  }

  /**
   * Verifies {@code quote} against {@code collateral} at {@code at}.
   *
   * @param quote the quote
   * @param collateral the collateral
   * @param at the verification instant
   * @return the verdict
   * @throws MalformedEvidenceException if collateral items are malformed
   * @throws VerificationException if a signature, chain, CRL, binding or TCB match fails, or the
   *     TCB
   *     is Revoked; the reason names the step
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxVerdict verify(TdxQuote quote, TdxCollateral collateral, Instant at)
      throws AttestationException {
    Objects.requireNonNull(quote, "quote");
    Objects.requireNonNull(collateral, "collateral");
    Objects.requireNonNull(at, "at");
    try {
      Pki.Memo memo = new Pki.Memo();
      VerifiedPck pck = verifyEvidence(quote, at, memo);
      VerifiedCollateral vc = verifiedCollateral(collateral, at, memo);
      return evaluate(quote, pck, vc, at);
    } catch (AttestationException e) {
      LOG.log(Level.DEBUG, "TDX quote refused: {0}", e);
      throw e;
    } catch (RuntimeException e) {
      throw new VerificationException(
          TdxReason.INTERNAL_ERROR, "unexpected failure while verifying (refused): " + e, e);
    }
  }

  /**
   * Verifies without collateral at the clock's instant: the quote signature, the QE report
   * signature, the attestation-key binding and the PCK chain to the Intel root (no CRLs, no TCB
   * status). See {@link #verifySignaturesOnly(TdxQuote, Instant)}.
   *
   * @param quote the quote
   * @return the verdict
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxVerdict verifySignaturesOnly(TdxQuote quote) throws AttestationException {
    return verifySignaturesOnly(quote, clock.instant());
  }

  /**
   * Verifies without collateral at {@code at}: the quote signature, the QE report signature, the
   * attestation-key binding and the PCK chain to the pinned Intel root with certificate validity at
   * {@code at}. Revocation and TCB status are <em>not</em> checked; the verdict says so ({@link
   * TdxVerdict#collateralVerified()} is false) and the default {@link TdxPolicy} refuses it.
   *
   * @param quote the quote
   * @param at the verification instant
   * @return the verdict
   * @throws AttestationException if it cannot be fetched, parsed or verified
   */
  public TdxVerdict verifySignaturesOnly(TdxQuote quote, Instant at) throws AttestationException {
    Objects.requireNonNull(quote, "quote");
    Objects.requireNonNull(at, "at");
    try {
      VerifiedPck pck = verifyEvidence(quote, at, new Pki.Memo());
      TdxVerdict.Builder b = new TdxVerdict.Builder();
      b.quote = quote;
      b.pck = pck.info;
      b.verifiedAt = at;
      b.collateralVerified = false;
      return new TdxVerdict(b);
    } catch (RuntimeException e) {
      throw new VerificationException(
          TdxReason.INTERNAL_ERROR, "unexpected failure while verifying (refused): " + e, e);
    }
  }

  // ------------------------------------------------------------------------------------------
  // evidence: PCK chain, QE report signature, binding, quote signature

  private VerifiedPck verifyEvidence(TdxQuote quote, Instant at, Pki.Memo memo) throws AttestationException {
    if (!quote.qeVendorId().equals(TdxQuote.INTEL_QE_VENDOR_ID)) {
      throw new VerificationException(
          TdxReason.UNKNOWN_QE_VENDOR,
          "QE vendor id " + quote.qeVendorId() + " is not Intel's " + TdxQuote.INTEL_QE_VENDOR_ID);
    }
    VerifiedPck pck = verifiedPck(quote, memo);
    pck.chain.requireValidAt(at, "PCK");

    byte[] qeReport = quote.qeReport().encoded().toByteArray();
    if (!EcdsaP256.verifyRaw(pck.chain.leaf().key, qeReport, 0, qeReport.length,
        quote.qeReportSignature().toByteArray())) {
      throw new VerificationException(
          TdxReason.QE_REPORT_SIGNATURE_INVALID,
          "QE report signature does not verify with the PCK certificate key");
    }
    byte[] ak = quote.attestationKey().toByteArray();
    byte[] auth = quote.qeAuthData().toByteArray();
    MessageDigest md = sha256();
    md.update(ak);
    md.update(auth);
    byte[] expected = new byte[64];
    System.arraycopy(md.digest(), 0, expected, 0, 32);
    if (!quote.qeReport().reportData().equalsBytes(expected)) {
      throw new VerificationException(
          TdxReason.ATTESTATION_KEY_BINDING_MISMATCH,
          "QE report_data " + quote.qeReport().reportData()
              + " is not SHA-256(attestation key || QE auth data) followed by 32 zero bytes ("
              + Bytes.of(expected) + ")");
    }
    Bytes akBytes = quote.attestationKey();
    ECPublicKeyParameters akKey = akCache.get(akBytes);
    if (akKey == null) {
      akKey = EcdsaP256.publicKeyFromRaw(ak);
      if (akKey != null) {
        akCache.put(akBytes, akKey);
      }
    }
    if (akKey == null) {
      throw new VerificationException(
          TdxReason.QUOTE_SIGNATURE_INVALID, "attestation key is not a valid P-256 point");
    }
    byte[] raw = quote.rawUnsafe();
    if (!EcdsaP256.verifyRaw(akKey, raw, 0, quote.signedLength(), quote.signature().toByteArray())) {
      throw new VerificationException(
          TdxReason.QUOTE_SIGNATURE_INVALID,
          "quote signature over the first " + quote.signedLength()
              + " bytes does not verify with the attestation key");
    }
    return pck;
  }

  private VerifiedPck verifiedPck(TdxQuote quote, Pki.Memo memo) throws VerificationException {
    Bytes key = Bytes.of(sha256().digest(quote.pckCertChainPem().toByteArray()));
    VerifiedPck cached = pckCache.get(key);
    if (cached != null) {
      return cached;
    }
    Pki.Chain chain = Pki.verifyChain(quote.pckCertificatesDer(), "PCK", anchor, memo);
    if (chain.certs.size() != 3) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID,
          "PCK chain has " + chain.certs.size() + " certificates; expected PCK, PCK CA and root");
    }
    String caCn = chain.leafIssuer().subjectCn();
    if (!caCn.equals("Intel SGX PCK Platform CA") && !caCn.equals("Intel SGX PCK Processor CA")) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID,
          "PCK certificate is issued by '" + caCn + "', not an Intel SGX PCK Platform/Processor CA");
    }
    if (!chain.leaf().subjectCn().equals("Intel SGX PCK Certificate")) {
      throw new VerificationException(
          TdxReason.CERT_CHAIN_INVALID,
          "PCK leaf subject is '" + chain.leaf().subjectCn() + "', not 'Intel SGX PCK Certificate'");
    }
    PckCertificateInfo info = PckCertificateInfo.of(chain.leaf());
    VerifiedPck v = new VerifiedPck(chain, info);
    pckCache.put(key, v);
    return v;
  }

  // ------------------------------------------------------------------------------------------
  // collateral

  private VerifiedCollateral verifiedCollateral(TdxCollateral c, Instant at, Pki.Memo memo)
      throws AttestationException {
    VerifiedCollateral vc = collateralCache.get(c.fingerprint());
    if (vc == null) {
      vc = VerifiedCollateral.verify(c, anchor, memo);
      collateralCache.put(c.fingerprint(), vc);
    }
    vc.requireCurrent(at);
    return vc;
  }

  /** Collateral whose signatures and chains verified; time checks are done per request. */
  static final class VerifiedCollateral {
    final TcbInfo tcbInfo;
    final QeIdentity qeIdentity;
    final Pki.Crl rootCrl;
    final Pki.Crl pckCrl;
    final Pki.Chain pckCrlIssuerChain;
    final Pki.Chain tcbChain;
    final Pki.Chain qeChain;
    final Instant notBefore;
    final Instant notAfter;

    private VerifiedCollateral(TdxCollateral c, TdxTrustAnchor pin, Pki.Memo memo) throws AttestationException {
      this.tcbInfo = c.tcbInfo();
      this.qeIdentity = c.qeIdentity();
      this.rootCrl = c.rootCrl();
      this.pckCrl = c.pckCrlParsed();
      this.pckCrlIssuerChain =
          Pki.verifyChain(Pki.pemCertificates(c.pckCrlIssuerChainPem(), "PCK CRL issuer"), "PCK CRL issuer", pin, memo);
      this.tcbChain =
          Pki.verifyChain(Pki.pemCertificates(c.tcbInfoIssuerChainPem(), "TCB info issuer"), "TCB info issuer", pin, memo);
      this.qeChain =
          Pki.verifyChain(Pki.pemCertificates(c.qeIdentityIssuerChainPem(), "QE identity issuer"), "QE identity issuer", pin, memo);
      requireSigner(pckCrlIssuerChain, "PCK CRL issuer", "Intel SGX PCK Platform CA", "Intel SGX PCK Processor CA");
      requireSigner(tcbChain, "TCB info issuer", "Intel SGX TCB Signing", null);
      requireSigner(qeChain, "QE identity issuer", "Intel SGX TCB Signing", null);

      rootCrl.requireSignedBy(pckCrlIssuerChain.root());
      pckCrl.requireSignedBy(pckCrlIssuerChain.leaf());
      for (Pki.Chain ch : List.of(pckCrlIssuerChain, tcbChain, qeChain)) {
        requireNotRevokedByRoot(ch.leaf(), rootCrl);
        requireNotRevokedByRoot(ch.root(), rootCrl);
      }

      if (!"TDX".equals(tcbInfo.id) || tcbInfo.version < 3) {
        throw new VerificationException(
            TdxReason.TCB_INFO_INVALID,
            "TCB info is id '" + tcbInfo.id + "' version " + tcbInfo.version
                + "; expected TDX TCB info version 3");
      }
      if (tcbInfo.tdxModule == null) {
        throw new VerificationException(TdxReason.TCB_INFO_INVALID, "TDX TCB info lacks tdxModule");
      }
      byte[] tcbBytes = c.tcbInfoJson().toByteArray();
      if (!EcdsaP256.verifyRaw(tcbChain.leaf().key, tcbBytes, 0, tcbBytes.length,
          c.tcbInfoSignature().toByteArray())) {
        throw new VerificationException(
            TdxReason.TCB_INFO_SIGNATURE_INVALID,
            "TCB info signature does not verify with the Intel SGX TCB Signing key over the exact tcbInfo bytes");
      }
      if (!"TD_QE".equals(qeIdentity.id) || (qeIdentity.version != 2 && qeIdentity.version != 3)) {
        throw new VerificationException(
            TdxReason.QE_IDENTITY_INVALID,
            "QE identity is id '" + qeIdentity.id + "' version " + qeIdentity.version
                + "; expected TD_QE version 2 or 3");
      }
      byte[] qeBytes = c.qeIdentityJson().toByteArray();
      if (!EcdsaP256.verifyRaw(qeChain.leaf().key, qeBytes, 0, qeBytes.length,
          c.qeIdentitySignature().toByteArray())) {
        throw new VerificationException(
            TdxReason.QE_IDENTITY_SIGNATURE_INVALID,
            "QE identity signature does not verify with the Intel SGX TCB Signing key");
      }
      Instant nb = max(tcbInfo.issueDate, qeIdentity.issueDate);
      nb = max(nb, max(rootCrl.thisUpdate, pckCrl.thisUpdate));
      Instant na = min(tcbInfo.nextUpdate, qeIdentity.nextUpdate);
      na = min(na, min(rootCrl.nextUpdate, pckCrl.nextUpdate));
      for (Pki.Chain ch : List.of(pckCrlIssuerChain, tcbChain, qeChain)) {
        nb = max(nb, ch.notBefore);
        na = min(na, ch.notAfter);
      }
      this.notBefore = nb;
      this.notAfter = na;
    }

    static VerifiedCollateral verify(TdxCollateral c, TdxTrustAnchor pin, Pki.Memo memo) throws AttestationException {
      return new VerifiedCollateral(c, pin, memo);
    }

    private static void requireSigner(Pki.Chain ch, String role, String cn1, String cn2)
        throws VerificationException {
      String cn = ch.leaf().subjectCn();
      if (ch.certs.size() != 2 || !(cn.equals(cn1) || cn.equals(cn2))) {
        throw new VerificationException(
            TdxReason.CERT_CHAIN_INVALID,
            role + " chain must be '" + cn1 + (cn2 == null ? "" : "' or '" + cn2)
                + "' directly under the Intel SGX Root CA; got '" + cn + "' in a chain of "
                + ch.certs.size());
      }
    }

    void requireCurrent(Instant at) throws VerificationException {
      if (!at.isBefore(notBefore) && !at.isAfter(notAfter)) {
        return;
      }
      // Outside the window: find the precise item.
      pckCrlIssuerChain.requireValidAt(at, "PCK CRL issuer");
      tcbChain.requireValidAt(at, "TCB info issuer");
      qeChain.requireValidAt(at, "QE identity issuer");
      rootCrl.requireCurrent(at);
      pckCrl.requireCurrent(at);
      requireCurrent("TCB info", tcbInfo.issueDate, tcbInfo.nextUpdate, at);
      requireCurrent("QE identity", qeIdentity.issueDate, qeIdentity.nextUpdate, at);
      throw new VerificationException(
          at.isBefore(notBefore) ? TdxReason.COLLATERAL_NOT_YET_VALID : TdxReason.COLLATERAL_EXPIRED,
          "collateral is not current at " + at + " (valid " + notBefore + " to " + notAfter + ")");
    }

    private static void requireCurrent(String what, Instant issued, Instant next, Instant at)
        throws VerificationException {
      if (at.isBefore(issued)) {
        throw new VerificationException(
            TdxReason.COLLATERAL_NOT_YET_VALID,
            what + " is not yet valid at " + at + " (issueDate " + issued + ", nextUpdate " + next
                + "); check the verifier's clock");
      }
      if (at.isAfter(next)) {
        throw new VerificationException(
            TdxReason.COLLATERAL_EXPIRED,
            what + " expired at " + next + " (verification time " + at + ", issueDate " + issued
                + "); fetch fresh collateral");
      }
    }
  }

  private static void requireNotRevokedByRoot(Pki.Cert c, Pki.Crl rootCrl) throws VerificationException {
    if (rootCrl.revoked.contains(c.serial)) {
      throw new VerificationException(
          TdxReason.CERT_REVOKED,
          "certificate '" + c.subjectCn() + "' serial " + c.serial.toString(16)
              + " is revoked by the root CA CRL");
    }
  }

  // ------------------------------------------------------------------------------------------
  // TCB evaluation

  private TdxVerdict evaluate(TdxQuote quote, VerifiedPck pck, VerifiedCollateral vc, Instant at)
      throws VerificationException {
    // Revocation of the quote's PCK chain.
    Pki.Cert leaf = pck.chain.leaf();
    Pki.Cert ca = pck.chain.leafIssuer();
    if (!vc.pckCrl.issuer.equals(leaf.issuer)
        || !MessageDigest.isEqual(vc.pckCrlIssuerChain.leaf().spkiDer, ca.spkiDer)) {
      throw new VerificationException(
          TdxReason.CRL_INVALID,
          "the PCK CRL is issued by '" + Pki.cn(vc.pckCrl.issuer) + "' but the PCK certificate by '"
              + leaf.issuerCn() + "' (ca=" + pck.info.caType() + "); fetch the PCK CRL for that CA");
    }
    if (vc.pckCrl.revoked.contains(leaf.serial)) {
      throw new VerificationException(
          TdxReason.CERT_REVOKED,
          "PCK certificate serial " + leaf.serial.toString(16) + " is revoked by the PCK CRL");
    }
    requireNotRevokedByRoot(ca, vc.rootCrl);
    requireNotRevokedByRoot(pck.chain.root(), vc.rootCrl);

    // QE identity.
    QeIdentity qi = vc.qeIdentity;
    EnclaveReport qe = quote.qeReport();
    List<String> bad = new ArrayList<>();
    if (!qe.mrSigner().equals(qi.mrSigner)) {
      bad.add("mrsigner " + qe.mrSigner() + " != " + qi.mrSigner);
    }
    if (qe.isvProdId() != qi.isvProdId) {
      bad.add("isvprodid " + qe.isvProdId() + " != " + qi.isvProdId);
    }
    if ((qe.miscSelect() & qi.miscSelectMask) != (qi.miscSelect & qi.miscSelectMask)) {
      bad.add("miscselect mismatch under mask");
    }
    byte[] attrs = qe.attributes().toByteArray();
    for (int i = 0; i < 16; i++) {
      if ((attrs[i] & qi.attributesMask[i]) != (qi.attributes[i] & qi.attributesMask[i])) {
        bad.add("attributes mismatch under mask at byte " + i);
        break;
      }
    }
    if (qe.isDebug()) {
      bad.add("QE is a debug enclave");
    }
    if (!bad.isEmpty()) {
      throw new VerificationException(
          TdxReason.QE_IDENTITY_MISMATCH, "QE report does not match the TD_QE identity: " + String.join("; ", bad));
    }
    QeIdentity.Level qeLevel = null;
    for (QeIdentity.Level l : qi.levels) {
      if (qe.isvSvn() >= l.isvSvn) {
        qeLevel = l;
        break;
      }
    }
    if (qeLevel == null) {
      throw new VerificationException(
          TdxReason.QE_TCB_LEVEL_NOT_SUPPORTED,
          "QE isvsvn " + qe.isvSvn() + " is below every QE identity TCB level");
    }
    TcbStatus qeStatus = status(qeLevel.status, TdxReason.QE_IDENTITY_INVALID, "QE identity");

    // Platform TCB level.
    TcbInfo ti = vc.tcbInfo;
    PckCertificateInfo info = pck.info;
    if (!info.fmspc().equals(ti.fmspc)) {
      throw new VerificationException(
          TdxReason.FMSPC_MISMATCH,
          "TCB info is for FMSPC " + ti.fmspc + " but the PCK certificate has FMSPC " + info.fmspc());
    }
    if (!info.pceId().equals(ti.pceId)) {
      throw new VerificationException(
          TdxReason.FMSPC_MISMATCH,
          "TCB info is for PCE id " + ti.pceId + " but the PCK certificate has PCE id " + info.pceId());
    }
    TdReport body = quote.body();
    byte[] teeTcbSvn = body.teeTcbSvn().toByteArray();
    TcbInfo.Level platform = null;
    for (TcbInfo.Level l : ti.levels) {
      if (matches(l, info, teeTcbSvn)) {
        platform = l;
        break;
      }
    }
    if (platform == null) {
      throw new VerificationException(
          TdxReason.TCB_LEVEL_NOT_SUPPORTED,
          "no TCB level of TCB info (FMSPC " + ti.fmspc + ") matches the platform: "
              + explainNoMatch(ti, info, teeTcbSvn));
    }
    TcbStatus platformStatus = status(platform.status, TdxReason.TCB_INFO_INVALID, "TCB info");

    // TDX module.
    TcbInfo.Module module = ti.tdxModule;
    TcbInfo.ModuleLevel moduleLevel = null;
    String moduleId = null;
    int major = teeTcbSvn[1] & 0xff;
    boolean useIdentity = major > 0 && !ti.moduleIdentities.isEmpty();
    if (useIdentity) {
      String want = String.format("TDX_%02X", major);
      TcbInfo.Module found = null;
      for (TcbInfo.Module m : ti.moduleIdentities) {
        if (want.equalsIgnoreCase(m.id)) {
          found = m;
          break;
        }
      }
      if (found == null) {
        throw new VerificationException(
            TdxReason.TDX_MODULE_MISMATCH,
            "TCB info has no TDX module identity " + want + " for TDX module major version " + major);
      }
      module = found;
      moduleId = found.id;
    }
    if (!body.mrSignerSeam().equals(module.mrSigner)) {
      throw new VerificationException(
          TdxReason.TDX_MODULE_MISMATCH,
          "mr_signer_seam " + body.mrSignerSeam() + " != TDX module mrsigner " + module.mrSigner);
    }
    long seam = body.seamAttributesValue();
    if ((seam & module.attributesMask) != (module.attributes & module.attributesMask)
        || (seam & ~module.attributesMask) != 0) {
      throw new VerificationException(
          TdxReason.TDX_MODULE_MISMATCH,
          String.format("seam_attributes %016x do not match TDX module attributes %016x under mask %016x",
              seam, module.attributes, module.attributesMask));
    }
    TcbStatus moduleStatus = null;
    if (useIdentity) {
      int isv = teeTcbSvn[0] & 0xff;
      for (TcbInfo.ModuleLevel l : module.levels) {
        if (isv >= l.isvSvn) {
          moduleLevel = l;
          break;
        }
      }
      if (moduleLevel == null) {
        throw new VerificationException(
            TdxReason.TCB_LEVEL_NOT_SUPPORTED,
            "TDX module " + moduleId + " SVN " + isv + " is below every level of its TCB info identity");
      }
      moduleStatus = status(moduleLevel.status, TdxReason.TCB_INFO_INVALID, "TDX module identity");
    }

    TcbStatus merged = platformStatus.merge(qeStatus);
    if (moduleStatus != null) {
      merged = merged.merge(moduleStatus);
    }
    Set<String> advisories = new LinkedHashSet<>(platform.advisoryIds);
    if (moduleLevel != null) {
      advisories.addAll(moduleLevel.advisoryIds);
    }
    advisories.addAll(qeLevel.advisoryIds);
    if (merged == TcbStatus.REVOKED) {
      throw new VerificationException(
          TdxReason.TCB_REVOKED,
          "TCB status is Revoked (platform " + platformStatus + ", QE " + qeStatus
              + (moduleStatus == null ? "" : ", TDX module " + moduleStatus) + ")");
    }
    Instant tcbDate = min(platform.tcbDate, qeLevel.tcbDate);
    if (moduleLevel != null) {
      tcbDate = min(tcbDate, moduleLevel.tcbDate);
    }

    TdxVerdict.Builder b = new TdxVerdict.Builder();
    b.quote = quote;
    b.pck = info;
    b.verifiedAt = at;
    b.collateralVerified = true;
    b.tcbStatus = merged;
    b.platformTcbStatus = platformStatus;
    b.tdxModuleStatus = moduleStatus;
    b.qeTcbStatus = qeStatus;
    b.advisoryIds = new ArrayList<>(advisories);
    b.tcbDate = tcbDate;
    b.platformTcbDate = platform.tcbDate;
    b.qeTcbDate = qeLevel.tcbDate;
    b.tdxModuleTcbDate = moduleLevel == null ? null : moduleLevel.tcbDate;
    b.tdxModuleIdentityId = moduleId;
    b.tcbEvaluationDataNumber = ti.tcbEvaluationDataNumber;
    Instant nb = max(vc.notBefore, pck.chain.notBefore);
    Instant na = min(vc.notAfter, pck.chain.notAfter);
    b.collateralNotBefore = nb;
    b.collateralNotAfter = na;
    return new TdxVerdict(b);
  }

  private static boolean matches(TcbInfo.Level l, PckCertificateInfo info, byte[] teeTcbSvn) {
    if (info.pceSvn() < l.pceSvn) {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      if (info.cpuSvnComponent(i) < l.sgx[i]) {
        return false;
      }
    }
    for (int i = 0; i < 16; i++) {
      if ((teeTcbSvn[i] & 0xff) < l.tdx[i]) {
        return false;
      }
    }
    return true;
  }

  /** Names what keeps the platform below the lowest-requirement level. */
  private static String explainNoMatch(TcbInfo ti, PckCertificateInfo info, byte[] teeTcbSvn) {
    if (ti.levels.isEmpty()) {
      return "TCB info has no TCB levels";
    }
    TcbInfo.Level l = ti.levels.get(ti.levels.size() - 1);
    List<String> why = new ArrayList<>();
    if (info.pceSvn() < l.pceSvn) {
      why.add("PCK PCESVN " + info.pceSvn() + " < " + l.pceSvn);
    }
    for (int i = 0; i < 16; i++) {
      if (info.cpuSvnComponent(i) < l.sgx[i]) {
        why.add("PCK CPUSVN component " + (i + 1) + " (=" + info.cpuSvnComponent(i) + ") < " + l.sgx[i]);
      }
    }
    for (int i = 0; i < 16; i++) {
      if ((teeTcbSvn[i] & 0xff) < l.tdx[i]) {
        why.add("tee_tcb_svn[" + i + "] (=" + (teeTcbSvn[i] & 0xff) + ") < " + l.tdx[i]);
      }
    }
    return (why.isEmpty() ? "no single level is met" : String.join(", ", why))
        + " at the lowest level (" + l.status + ")";
  }

  private static TcbStatus status(String s, TdxReason reason, String what) throws VerificationException {
    return TcbStatus.fromIntelName(s)
        .orElseThrow(() -> new VerificationException(reason, what + " has unknown tcbStatus '" + s + "'"));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** A verified PCK chain with its SGX extension values. */
  static final class VerifiedPck {
    final Pki.Chain chain;
    final PckCertificateInfo info;

    VerifiedPck(Pki.Chain chain, PckCertificateInfo info) {
      this.chain = chain;
      this.info = info;
    }
  }

  /** A small synchronized LRU map. */
  static final class LruCache<K, V> {
    private final int max;
    private final Map<K, V> map;

    LruCache(int max) {
      this.max = max;
      this.map = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<K, V> e) {
          return size() > LruCache.this.max;
        }
      };
    }

    synchronized V get(K k) {
      return max == 0 ? null : map.get(k);
    }

    synchronized void put(K k, V v) {
      if (max > 0) {
        map.put(k, v);
      }
    }
  }
}
