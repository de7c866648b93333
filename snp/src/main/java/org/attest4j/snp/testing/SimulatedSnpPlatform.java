package org.attest4j.snp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.snp.FirmwareVersion;
import org.attest4j.snp.GuestPolicy;
import org.attest4j.snp.KeyInfo;
import org.attest4j.snp.PlatformInfo;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.SnpTrustAnchor;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.VcekChain;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A simulated AMD SEV-SNP platform, <strong>for tests only</strong>: it generates its own ARK and ASK
 * (RSA-4096, RSASSA-PSS SHA-384 / salt 48, as AMD's), a VCEK (EC P-384) carrying AMD's real
 * extensions (structVersion, productName, the SPLs for the product's TCB layout, hwID = CHIP_ID, 8
 * bytes on Turin), or an ASVK and a VLEK with csp_id, and signs reports with the VCEK/VLEK exactly as
 * the AMD firmware does (ECDSA P-384 over bytes [0, 0x2A0), r and s as 72-byte little-endian).
 *
 * <p>Its root is never trusted implicitly: pass {@link #trustAnchor()} to {@link
 * SnpVerifier.Builder#addTrustAnchor}, or use {@link #verifier(Clock)}.
 *
 * <pre>{@code
 * SimulatedSnpPlatform platform = SimulatedSnpPlatform.create(Product.GENOA);
 * byte[] report = platform.reportBuilder().measurement(m).reportData(nonce).sign();
 * VerifiedSnpReport v = platform.verifier(Clock.systemUTC())
 *     .verify(report, platform.vekDer(), platform.certChainPem());
 * }</pre>
 *
 * <p>Creating a platform generates two RSA-4096 keys (about a second) unless {@link
 * Builder#testOnlyRoot()} picks the fixed test-only root (milliseconds). Instances are immutable and
 * thread-safe; signing is deterministic (RFC 6979).
 */
public final class SimulatedSnpPlatform {
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static final String PSS = "SHA384WITHRSAANDMGF1";
  private static final String ORG = "attest4j SimulatedSnpPlatform (NOT AMD)";
  private static final ASN1ObjectIdentifier AMD = new ASN1ObjectIdentifier("1.3.6.1.4.1.3704.1");

  private final Product product;
  private final SigningKey signingKey;
  private final TcbVersion tcb;
  private final byte[] chipId;
  private final String cspId;
  private final FirmwareVersion firmware;
  private final Instant notBefore;
  private final Instant notAfter;
  private final KeyPair arkKeys;
  private final KeyPair askKeys;
  private final X509CertificateHolder ark;
  private final X509CertificateHolder ask;
  private final X509CertificateHolder vek;
  private final ECPrivateKeyParameters vekKey;

  private SimulatedSnpPlatform(Builder b, KeyPair arkKeys, KeyPair askKeys, X509CertificateHolder ark,
      X509CertificateHolder ask) {
    this.product = b.product;
    this.signingKey = b.signingKey;
    this.tcb = b.tcb != null ? b.tcb.decodedAs(b.product) : defaultTcb(b.product);
    this.chipId = b.chipId != null ? b.chipId.clone() : defaultChipId(b.product, b.random);
    this.cspId = b.cspId;
    this.firmware = b.firmware != null ? b.firmware : new FirmwareVersion(1, 55, 42);
    this.notBefore = b.notBefore.truncatedTo(ChronoUnit.SECONDS);
    this.notAfter = notBefore.plus(b.validity);
    try {
      if (arkKeys == null && b.testOnlyRoot) {
        arkKeys = TestOnlyRoot.ark();
        askKeys = TestOnlyRoot.ask();
      }
      this.arkKeys = arkKeys != null ? arkKeys : rsa4096(b.random);
      this.askKeys = askKeys != null ? askKeys : rsa4096(b.random);
      String p = product.kdsName();
      this.ark = ark != null ? ark : caCert(name("ARK-" + p), name("ARK-" + p), this.arkKeys, this.arkKeys,
          BigInteger.valueOf(0x10000L * (product.ordinal() + 1)), true);
      X500Name askName = name(signingKey == SigningKey.VLEK ? "SEV-VLEK-" + p : "SEV-" + p);
      this.ask = ask != null ? ask : caCert(askName, this.ark.getSubject(), this.askKeys, this.arkKeys,
          BigInteger.valueOf(0x10000L * (product.ordinal() + 1) + (signingKey == SigningKey.VLEK ? 0x101 : 1)), false);
      ECKeyPairGenerator g = new ECKeyPairGenerator();
      X9ECParameters x9 = CustomNamedCurves.getByOID(SECObjectIdentifiers.secp384r1);
      g.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp384r1, x9), b.random));
      AsymmetricCipherKeyPair kp = g.generateKeyPair();
      this.vekKey = (ECPrivateKeyParameters) kp.getPrivate();
      this.vek = vekCert((ECPublicKeyParameters) kp.getPublic());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot set up the simulated SEV-SNP platform: " + e.getMessage(), e);
    }
  }

  /**
   * A VCEK-signing platform for {@code product} with a random CHIP_ID and a typical TCB, valid from now for 7 years.
   *
   * @param product the product
   * @return a VCEK-signing platform for {@code product} with a random CHIP_ID and a typical TCB, valid from
   *     now for 7 years
   */
  public static SimulatedSnpPlatform create(Product product) {
    return builder(product).build();
  }

  /**
   * A builder for a platform of {@code product}.
   *
   * @param product the product
   * @return a new builder
   */
  public static Builder builder(Product product) {
    return new Builder(product);
  }

  private static TcbVersion defaultTcb(Product p) {
    return switch (p) {
      case MILAN -> TcbVersion.builder(p).bootloader(4).tee(0).snp(24).microcode(219).build();
      case GENOA -> TcbVersion.builder(p).bootloader(10).tee(0).snp(25).microcode(84).build();
      case TURIN -> TcbVersion.builder(p).fmc(1).bootloader(1).tee(1).snp(4).microcode(82).build();
    };
  }

  private static byte[] defaultChipId(Product p, SecureRandom random) {
    byte[] id = new byte[64];
    random.nextBytes(id);
    if (p.hwIdLength() == 8) {
      Arrays.fill(id, 8, 64, (byte) 0);
    }
    return id;
  }

  private static KeyPair rsa4096(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(new java.security.spec.RSAKeyGenParameterSpec(4096, java.security.spec.RSAKeyGenParameterSpec.F4), random);
    return g.generateKeyPair();
  }

  private static X500Name name(String cn) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.OU, "Engineering").addRDN(BCStyle.C, "US").addRDN(BCStyle.L, "Santa Clara")
        .addRDN(BCStyle.ST, "CA").addRDN(BCStyle.O, ORG).addRDN(BCStyle.CN, cn).build();
  }

  private ContentSigner signer(KeyPair issuer) throws OperatorCreationException {
    return new JcaContentSignerBuilder(PSS).setProvider(BC).build(issuer.getPrivate());
  }

  private X509CertificateHolder caCert(X500Name subject, X500Name issuer, KeyPair keys, KeyPair issuerKeys,
      BigInteger serial, boolean root) throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant from = notBefore.minus(Duration.ofDays(365));
    X509v3CertificateBuilder cb = new X509v3CertificateBuilder(issuer, serial, Date.from(from),
        Date.from(from.plus(Duration.ofDays(25 * 365))), subject,
        SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
    JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
    cb.addExtension(Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(keys.getPublic()));
    if (root) {
      cb.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      cb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      cb.addExtension(Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
      cb.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      cb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
    }
    return cb.build(signer(issuerKeys));
  }

  private X509CertificateHolder vekCert(ECPublicKeyParameters pub) throws IOException, OperatorCreationException {
    boolean vlek = signingKey == SigningKey.VLEK;
    X509v3CertificateBuilder cb = new X509v3CertificateBuilder(ask.getSubject(), BigInteger.ZERO,
        Date.from(notBefore), Date.from(notAfter), name(vlek ? "SEV-VLEK" : "SEV-VCEK"),
        SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub));
    cb.addExtension(AMD.branch("1"), false, new ASN1Integer(product.hasFmc() ? 1 : 0));
    String pn = vlek ? product.kdsName() : product == Product.MILAN ? "Milan-B0" : product.kdsName();
    cb.addExtension(AMD.branch("2"), false, new DERIA5String(pn));
    int[] spls = new int[10];
    spls[1] = tcb.bootloader();
    spls[2] = tcb.tee();
    spls[3] = tcb.snp();
    spls[8] = tcb.microcode();
    if (product.hasFmc()) {
      spls[9] = tcb.fmc().getAsInt();
    } else {
      for (int i = 4; i <= 7; i++) {
        spls[i] = tcb.byteAt(i - 2);
      }
    }
    for (int i = 1; i <= 9; i++) {
      boolean present = product.hasFmc() ? i != 4 : i != 9;
      if (present) {
        cb.addExtension(AMD.branch("3." + i), false, new ASN1Integer(spls[i]));
      }
    }
    if (vlek) {
      cb.addExtension(AMD.branch("5"), false, new DERIA5String(cspId));
    } else {
      cb.addExtension(AMD.branch("4"), false, Arrays.copyOf(chipId, product.hwIdLength()));
    }
    return cb.build(signer(askKeys));
  }

  // ------------------------------------------------------------------ accessors

  /**
   * The product.
   *
   * @return the product
   */
  public Product product() {
    return product;
  }

  /**
   * VCEK or VLEK.
   *
   * @return VCEK or VLEK
   */
  public SigningKey signingKey() {
    return signingKey;
  }

  /**
   * The TCB the VCEK/VLEK is issued for (reports default to it).
   *
   * @return the TCB the VCEK/VLEK is issued for (reports default to it)
   */
  public TcbVersion tcb() {
    return tcb;
  }

  /**
   * The CHIP_ID (64 bytes; on Turin only the first 8 are non-zero).
   *
   * @return the CHIP_ID (64 bytes; on Turin only the first 8 are non-zero)
   */
  public Bytes chipId() {
    return Bytes.of(chipId);
  }

  /**
   * The firmware version reports carry by default.
   *
   * @return the firmware version reports carry by default
   */
  public FirmwareVersion firmwareVersion() {
    return firmware;
  }

  /**
   * Start of the VCEK/VLEK validity.
   *
   * @return start of the VCEK/VLEK validity
   */
  public Instant notBefore() {
    return notBefore;
  }

  /**
   * End of the VCEK/VLEK validity.
   *
   * @return end of the VCEK/VLEK validity
   */
  public Instant notAfter() {
    return notAfter;
  }

  /**
   * The VCEK or VLEK certificate, DER.
   *
   * @return the VCEK or VLEK certificate, DER
   */
  public byte[] vekDer() {
    return encoded(vek);
  }

  /**
   * The VCEK certificate, DER (same as {@link #vekDer()}; fails for a VLEK platform).
   *
   * @return the VCEK certificate, DER (same as {@link #vekDer()}; fails for a VLEK platform)
   */
  public byte[] vcekDer() {
    if (signingKey != SigningKey.VCEK) {
      throw new IllegalStateException("this simulated platform signs with a VLEK");
    }
    return vekDer();
  }

  /**
   * The ASK (or ASVK) certificate, DER.
   *
   * @return the ASK (or ASVK) certificate, DER
   */
  public byte[] askDer() {
    return encoded(ask);
  }

  /**
   * The ARK certificate, DER.
   *
   * @return the ARK certificate, DER
   */
  public byte[] arkDer() {
    return encoded(ark);
  }

  /**
   * The ARK as a JCA certificate.
   *
   * @return the ARK as a JCA certificate
   */
  public X509Certificate arkCertificate() {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new java.io.ByteArrayInputStream(arkDer()));
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The VCEK/VLEK as PEM.
   *
   * @return the VCEK/VLEK as PEM
   */
  public byte[] vekPem() {
    return pem(vekDer()).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The cert_chain as AMD KDS serves it: PEM ASK (or ASVK) then ARK.
   *
   * @return the cert_chain as AMD KDS serves it: PEM ASK (or ASVK) then ARK
   */
  public byte[] certChainPem() {
    return (pem(askDer()) + pem(arkDer())).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The chain for {@link SnpVerifier#verify(SnpReport, VcekChain)}.
   *
   * @return the chain for {@link SnpVerifier#verify(SnpReport, VcekChain)}
   */
  public VcekChain chain() {
    return VcekChain.of(vekDer(), askDer(), arkDer());
  }

  /**
   * The extended-report certificate table (VCEK or VLEK, ASK, ARK) a guest would get from the host.
   *
   * @return the extended-report certificate table (VCEK or VLEK, ASK, ARK) a guest would get from the host
   */
  public byte[] certTable() {
    return SnpCertTable.of(List.of(
        SnpCertTable.Entry.of(signingKey == SigningKey.VLEK ? SnpCertTable.EntryType.VLEK : SnpCertTable.EntryType.VCEK, vekDer()),
        SnpCertTable.Entry.of(SnpCertTable.EntryType.ASK, askDer()),
        SnpCertTable.Entry.of(SnpCertTable.EntryType.ARK, arkDer()))).toByteArray();
  }

  /**
   * The trust anchor for this platform's ARK; verifiers trust the platform only when given it.
   *
   * @return the trust anchor for this platform's ARK; verifiers trust the platform only when given it
   */
  public SnpTrustAnchor trustAnchor() {
    try {
      return SnpTrustAnchor.ofCertificate(product, arkDer());
    } catch (MalformedEvidenceException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A verifier that trusts only this platform's root (not AMD's), at {@code clock}.
   *
   * @param clock the clock
   * @return a verifier that trusts only this platform's root (not AMD's), at {@code clock}
   */
  public SnpVerifier verifier(Clock clock) {
    return verifierBuilder().clock(clock).build();
  }

  /**
   * A verifier builder that trusts only this platform's root, for further configuration.
   *
   * @return this builder
   */
  public SnpVerifier.Builder verifierBuilder() {
    return SnpVerifier.builder().trustAmdRoots(false).addTrustAnchor(trustAnchor());
  }

  /**
   * A clock fixed one day into the VCEK/VLEK validity.
   *
   * @return a clock fixed one day into the VCEK/VLEK validity
   */
  public Clock clockInsideValidity() {
    return Clock.fixed(notBefore.plus(Duration.ofDays(1)), ZoneOffset.UTC);
  }

  /**
   * A CRL signed by this platform's ARK (DER), revoking {@code revokedSerials}.
   *
   * @param thisUpdate the CRL's thisUpdate
   * @param nextUpdate the CRL's nextUpdate
   * @param revokedSerials the revoked serials
   * @return a CRL signed by this platform's ARK (DER), revoking {@code revokedSerials}
   */
  public byte[] crlDer(Instant thisUpdate, Instant nextUpdate, BigInteger... revokedSerials) {
    try {
      X509v2CRLBuilder b = new X509v2CRLBuilder(ark.getSubject(), Date.from(thisUpdate));
      b.setNextUpdate(Date.from(nextUpdate));
      for (BigInteger s : revokedSerials) {
        b.addCRLEntry(s, Date.from(thisUpdate), CRLReason.keyCompromise);
      }
      return b.build(signer(arkKeys)).getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The ASK's (or ASVK's) serial number, for CRL tests.
   *
   * @return the ASK's (or ASVK's) serial number, for CRL tests
   */
  public BigInteger askSerial() {
    return ask.getSerialNumber();
  }

  /**
   * The same chip and roots with a VCEK/VLEK for another TCB (as after a firmware update); reuses the
   * ARK and ASK, so it is fast.
   *
   * @param newTcb the new TCB
   * @return the same chip and roots with a VCEK/VLEK for another TCB (as after a firmware update); reuses
   *     the ARK and ASK, so it is fast
   */
  public SimulatedSnpPlatform withTcb(TcbVersion newTcb) {
    Builder b = toBuilder();
    b.tcb = newTcb;
    return new SimulatedSnpPlatform(b, arkKeys, askKeys, ark, ask);
  }

  private Builder toBuilder() {
    Builder b = new Builder(product);
    b.signingKey = signingKey;
    b.tcb = tcb;
    b.chipId = chipId;
    b.cspId = cspId;
    b.firmware = firmware;
    b.notBefore = notBefore;
    b.validity = Duration.between(notBefore, notAfter);
    return b;
  }

  private static byte[] encoded(X509CertificateHolder h) {
    try {
      return h.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(byte[] der) {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END CERTIFICATE-----\n";
  }

  /**
   * Starts a report; defaults match this platform (product CPUID, TCB, CHIP_ID, firmware, signer).
   *
   * @return this builder
   */
  public ReportBuilder reportBuilder() {
    return new ReportBuilder();
  }

  BigInteger[] signDigestInput(byte[] tbs) {
    SHA384Digest d = new SHA384Digest();
    d.update(tbs, 0, tbs.length);
    byte[] h = new byte[48];
    d.doFinal(h, 0);
    ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA384Digest()));
    s.init(true, vekKey);
    return s.generateSignature(h);
  }

  // ------------------------------------------------------------------ builders

  /** Configures a {@link SimulatedSnpPlatform}; not thread-safe. */
  public static final class Builder {
    private final Product product;
    private SigningKey signingKey = SigningKey.VCEK;
    private TcbVersion tcb;
    private byte[] chipId;
    private String cspId = "CN=simulated-csp.attest4j.invalid";
    private FirmwareVersion firmware;
    private Instant notBefore = Instant.now().minus(Duration.ofDays(1));
    private Duration validity = Duration.ofDays(7 * 365);
    private SecureRandom random = new SecureRandom();
    private boolean testOnlyRoot;

    private Builder(Product product) {
      this.product = Objects.requireNonNull(product, "product");
    }

    /**
     * VCEK (default) or VLEK.
     *
     * @param key the key
     * @return this builder
     */
    public Builder signingKey(SigningKey key) {
      if (key == SigningKey.NONE) {
        throw new IllegalArgumentException("a simulated platform signs with a VCEK or a VLEK");
      }
      this.signingKey = key;
      return this;
    }

    /**
     * The TCB the VCEK/VLEK is issued for and reports carry.
     *
     * @param tcb the TCB
     * @return this builder
     */
    public Builder tcb(TcbVersion tcb) {
      this.tcb = tcb;
      return this;
    }

    /**
     * CHIP_ID (64 bytes; on Turin bytes 8..63 must be zero).
     *
     * @param chipId the chip ID
     * @return this builder
     */
    public Builder chipId(byte[] chipId) {
      if (chipId.length != 64) {
        throw new IllegalArgumentException("CHIP_ID is 64 bytes");
      }
      this.chipId = chipId.clone();
      return this;
    }

    /**
     * The VLEK csp_id.
     *
     * @param cspId the CSP ID
     * @return this builder
     */
    public Builder cspId(String cspId) {
      this.cspId = Objects.requireNonNull(cspId);
      return this;
    }

    /**
     * The firmware version reports carry.
     *
     * @param v the value
     * @return this builder
     */
    public Builder firmwareVersion(FirmwareVersion v) {
      this.firmware = v;
      return this;
    }

    /**
     * Start of the VCEK/VLEK validity (default: one day ago).
     *
     * @param t the instant
     * @return this builder
     */
    public Builder notBefore(Instant t) {
      this.notBefore = Objects.requireNonNull(t);
      return this;
    }

    /**
     * VCEK/VLEK validity (default 7 years).
     *
     * @param d the duration
     * @return this builder
     */
    public Builder validity(Duration d) {
      this.validity = Objects.requireNonNull(d);
      return this;
    }

    /**
     * The randomness for keys and CHIP_ID (a seeded source makes CHIP_ID reproducible).
     *
     * @param random the random
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random);
      return this;
    }

    /**
     * Uses the fixed, <strong>public, test-only</strong> ARK and ASK keys shipped in this package
     * (resources {@code TEST-ONLY-simulated-ark-key.pem} and {@code TEST-ONLY-simulated-ask-key.pem})
     * instead of generating two RSA-4096 keys, so the platform starts in milliseconds. The VCEK (or
     * VLEK) and CHIP_ID are still fresh per platform. Every platform built this way shares one root,
     * so a verifier trusting it (for example the example KMS configuration {@code
     * examples/kms.example.json}) trusts any report signed under it: demos and tests only.
     *
     * @return this builder
     */
    public Builder testOnlyRoot() {
      this.testOnlyRoot = true;
      return this;
    }

    /**
     * Generates keys and certificates.
     *
     * @return the platform
     */
    public SimulatedSnpPlatform build() {
      return new SimulatedSnpPlatform(this, null, null, null, null);
    }
  }

  /**
   * Builds and signs one report. Defaults: version 5 (3 for Milan), CPUID of the product, policy
   * 0x30000, VMPL 0, all four TCBs = the platform TCB, the platform CHIP_ID and firmware, REPORT_ID
   * random, REPORT_ID_MA all 0xFF, zero measurement/report_data/host_data. Not thread-safe.
   */
  public final class ReportBuilder {
    private final SnpReport.Builder b = SnpReport.builder();
    private int version;
    private GuestPolicy policy = GuestPolicy.defaults();
    private TcbVersion currentTcb = tcb;
    private TcbVersion reportedTcb = tcb;
    private TcbVersion committedTcb = tcb;
    private TcbVersion launchTcb = tcb;
    private boolean authorKey;
    private boolean maskChipKey;
    private FirmwareVersion committedFw = firmware;

    private ReportBuilder() {
      version = product == Product.MILAN ? 3 : 5;
      b.chipId(chipId).currentVersion(firmware).platformInfo(new PlatformInfo(PlatformInfo.SMT_EN | PlatformInfo.ECC_EN))
          .cpuid(product == Product.TURIN ? 0x1A : 0x19, product == Product.MILAN ? 0x01 : product == Product.GENOA ? 0x11 : 0x02, 1);
      byte[] id = new byte[32];
      new SecureRandom().nextBytes(id);
      b.reportId(id);
    }

    /**
     * VERSION: 2, 3, 4 or 5 (v2 has no CPUID fields; v5 adds mitigation vectors).
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder version(int v) {
      this.version = v;
      return this;
    }

    /**
     * MEASUREMENT (48 bytes).
     *
     * @param m the byte bytes
     * @return this builder
     */
    public ReportBuilder measurement(byte[] m) {
      b.measurement(m);
      return this;
    }

    /**
     * REPORT_DATA (64 bytes; shorter input is zero-padded on the right).
     *
     * @param d the byte bytes
     * @return this builder
     */
    public ReportBuilder reportData(byte[] d) {
      if (d.length > 64) {
        throw new IllegalArgumentException("REPORT_DATA is at most 64 bytes");
      }
      b.reportData(Arrays.copyOf(d, 64));
      return this;
    }

    /**
     * HOST_DATA (32 bytes).
     *
     * @param h the byte bytes
     * @return this builder
     */
    public ReportBuilder hostData(byte[] h) {
      b.hostData(h);
      return this;
    }

    /**
     * FAMILY_ID (16 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder familyId(byte[] v) {
      b.familyId(v);
      return this;
    }

    /**
     * IMAGE_ID (16 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder imageId(byte[] v) {
      b.imageId(v);
      return this;
    }

    /**
     * ID_KEY_DIGEST (48 bytes).
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder idKeyDigest(byte[] v) {
      b.idKeyDigest(v);
      return this;
    }

    /**
     * AUTHOR_KEY_DIGEST (48 bytes); also sets AUTHOR_KEY_EN.
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder authorKeyDigest(byte[] v) {
      b.authorKeyDigest(v);
      authorKey = true;
      return this;
    }

    /**
     * GUEST_POLICY.
     *
     * @param p the guest policy
     * @return this builder
     */
    public ReportBuilder policy(GuestPolicy p) {
      this.policy = Objects.requireNonNull(p);
      return this;
    }

    /**
     * Sets or clears GUEST_POLICY.DEBUG.
     *
     * @param on true to enable, false to disable
     * @return this builder
     */
    public ReportBuilder debug(boolean on) {
      policy = policy.with(GuestPolicy.DEBUG, on);
      return this;
    }

    /**
     * Sets or clears GUEST_POLICY.MIGRATE_MA.
     *
     * @param on true to enable, false to disable
     * @return this builder
     */
    public ReportBuilder migrateMa(boolean on) {
      policy = policy.with(GuestPolicy.MIGRATE_MA, on);
      return this;
    }

    /**
     * VMPL.
     *
     * @param vmpl the VMPL
     * @return this builder
     */
    public ReportBuilder vmpl(int vmpl) {
      b.vmpl(vmpl);
      return this;
    }

    /**
     * GUEST_SVN.
     *
     * @param svn the SVN
     * @return this builder
     */
    public ReportBuilder guestSvn(long svn) {
      b.guestSvn(svn);
      return this;
    }

    /**
     * PLATFORM_INFO.
     *
     * @param info the info
     * @return this builder
     */
    public ReportBuilder platformInfo(PlatformInfo info) {
      b.platformInfo(info);
      return this;
    }

    /**
     * CURRENT_TCB.
     *
     * @param t the TCB version
     * @return this builder
     */
    public ReportBuilder currentTcb(TcbVersion t) {
      currentTcb = t.decodedAs(product);
      return this;
    }

    /**
     * REPORTED_TCB (a value other than the platform TCB no longer matches the VCEK).
     *
     * @param t the TCB version
     * @return this builder
     */
    public ReportBuilder reportedTcb(TcbVersion t) {
      reportedTcb = t.decodedAs(product);
      return this;
    }

    /**
     * COMMITTED_TCB.
     *
     * @param t the TCB version
     * @return this builder
     */
    public ReportBuilder committedTcb(TcbVersion t) {
      committedTcb = t.decodedAs(product);
      return this;
    }

    /**
     * LAUNCH_TCB.
     *
     * @param t the TCB version
     * @return this builder
     */
    public ReportBuilder launchTcb(TcbVersion t) {
      launchTcb = t.decodedAs(product);
      return this;
    }

    /**
     * CURRENT firmware version (COMMITTED follows unless set).
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder currentVersion(FirmwareVersion v) {
      b.currentVersion(v);
      return this;
    }

    /**
     * COMMITTED firmware version.
     *
     * @param v the value
     * @return this builder
     */
    public ReportBuilder committedVersion(FirmwareVersion v) {
      committedFw = v;
      return this;
    }

    /**
     * CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP (v3+; default: the product's).
     *
     * @param familyId the family ID
     * @param modelId the model ID
     * @param stepping the stepping
     * @return this builder
     */
    public ReportBuilder cpuid(int familyId, int modelId, int stepping) {
      b.cpuid(familyId, modelId, stepping);
      return this;
    }

    /**
     * CHIP_ID (64 bytes; all zero simulates MASK_CHIP_ID).
     *
     * @param id the byte bytes
     * @return this builder
     */
    public ReportBuilder chipId(byte[] id) {
      b.chipId(id);
      return this;
    }

    /**
     * LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR (v5).
     *
     * @param launch the launch
     * @param current the current
     * @return this builder
     */
    public ReportBuilder mitigationVectors(long launch, long current) {
      b.launchMitigationVector(launch).currentMitigationVector(current);
      return this;
    }

    /**
     * Sets KEY_INFO.MASK_CHIP_KEY (the firmware then does not sign; the signature is left zero).
     *
     * @param on true to enable, false to disable
     * @return this builder
     */
    public ReportBuilder maskChipKey(boolean on) {
      maskChipKey = on;
      return this;
    }

    /**
     * The signed report.
     *
     * @return the signed report
     */
    public SnpReport signReport() {
      b.version(version).policy(policy).currentTcb(currentTcb).reportedTcb(reportedTcb)
          .committedTcb(committedTcb).launchTcb(launchTcb).committedVersion(committedFw)
          .keyInfo(KeyInfo.of(signingKey, authorKey, maskChipKey));
      if (version < 3) {
        b.cpuid(0, 0, 0);
      }
      if (version < 5) {
        b.launchMitigationVector(0).currentMitigationVector(0);
      }
      SnpReport unsigned = b.build();
      if (unsigned.product().isEmpty()) {
        try {
          unsigned = unsigned.withProduct(product); // v2 or unknown CPUID: bind to the platform's product
        } catch (org.attest4j.core.VerificationException e) {
          throw new IllegalStateException(e);
        }
      }
      if (maskChipKey) {
        return unsigned;
      }
      BigInteger[] rs = signDigestInput(unsigned.signedBytes());
      return unsigned.withSignature(rs[0], rs[1]);
    }

    /**
     * The signed report's 1184 bytes.
     *
     * @return the signed report's 1184 bytes
     */
    public byte[] sign() {
      return signReport().toByteArray();
    }
  }

  @Override
  public String toString() {
    return "SimulatedSnpPlatform[" + product + " " + signingKey + " tcb=" + tcb + " chip_id="
        + Bytes.of(chipId).toHex().substring(0, 16) + "...]";
  }
}
