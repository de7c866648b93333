package org.attest4j.tdx.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.tdx.DstackEventLog;
import org.attest4j.tdx.DstackRuntimeEvent;
import org.attest4j.tdx.Rtmrs;
import org.attest4j.tdx.TcbStatus;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxTrustAnchor;
import org.attest4j.tdx.TdxVerifier;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A simulated Intel TDX platform, <strong>for tests only</strong>: it generates its own
 * Intel-shaped DCAP PKI (a root CA, a PCK Platform CA, a PCK certificate with Intel's SGX extensions
 * for a chosen FMSPC, PCE id, CPUSVN and PCESVN, a TCB signing certificate; every key ECDSA P-256,
 * generated in milliseconds), signs collateral (TDX TCB info v3, TD_QE identity, root CA and PCK
 * CRLs) with it, and builds v4 and v5 quotes (TD 1.0 and TD 1.5 bodies, every field settable,
 * RTMRs from an event log) signed exactly as a TD quoting enclave signs them.
 *
 * <p>Its certificates keep Intel's common names (the verifier checks them) but their organization is
 * {@value #ORGANIZATION}, and its root is never trusted implicitly: pass {@link #trustAnchor()} to
 * {@link TdxVerifier.Builder#trustAnchor}, or use {@link #verifier(Clock)}. A verifier with the
 * default (Intel) anchor refuses every quote of this platform with {@code UNTRUSTED_ROOT}.
 *
 * <pre>{@code
 * SimulatedTdxPlatform platform = SimulatedTdxPlatform.create();
 * byte[] quote = platform.quoteBuilder().mrTd(mrTd).reportData(nonce).build();
 * TdxVerdict v = platform.verifier(platform.clockInsideValidity())
 *     .verify(quote, platform.collateral());
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; the builders they hand out are not.
 */
public final class SimulatedTdxPlatform {
  /** The organization name every certificate of a simulated platform carries. */
  public static final String ORGANIZATION = "attest4j SimulatedTdxPlatform (NOT Intel)";

  private static final String DN_SUFFIX = ", O=" + ORGANIZATION + ", C=US";
  private static final String ROOT_DN = "CN=Intel SGX Root CA" + DN_SUFFIX;
  private static final String PCK_CA_DN = "CN=Intel SGX PCK Platform CA" + DN_SUFFIX;
  private static final String PCK_DN = "CN=Intel SGX PCK Certificate" + DN_SUFFIX;
  private static final String TCB_DN = "CN=Intel SGX TCB Signing" + DN_SUFFIX;
  private static final String SGX_OID = "1.2.840.113741.1.13.1";
  private static final byte[] QE_MRSIGNER =
      HexFormat.of().parseHex("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");
  private static final byte[] QE_ATTRIBUTES = HexFormat.of().parseHex("11000000000000000000000000000000");
  private static final int QE_ISVPRODID = 2;
  private static final int QE_ISVSVN = 8;

  private final Instant now;
  private final Bytes fmspc;
  private final Bytes pceId;
  private final byte[] cpuSvn;
  private final int pceSvn;
  private final byte[] teeTcbSvn;
  private final KeyPair rootKey;
  private final KeyPair pckCaKey;
  private final KeyPair pckKey;
  private final KeyPair tcbKey;
  private final KeyPair attestationKey;
  private final X509CertificateHolder root;
  private final X509CertificateHolder pckCa;
  private final X509CertificateHolder pck;
  private final X509CertificateHolder tcb;
  private final TdxTrustAnchor anchor;
  private final BigInteger pckSerial;
  private final BigInteger pckCaSerial;
  private final BigInteger tcbSerial;

  private SimulatedTdxPlatform(Builder b) {
    this.now = b.now.truncatedTo(ChronoUnit.SECONDS);
    this.fmspc = b.fmspc;
    this.pceId = b.pceId;
    this.cpuSvn = b.cpuSvn.clone();
    this.pceSvn = b.pceSvn;
    this.teeTcbSvn = b.teeTcbSvn.clone();
    SecureRandom rnd = b.random;
    this.rootKey = b.testOnlyRoot ? TestOnlyTdxRoot.root() : ec(rnd);
    this.pckCaKey = b.testOnlyRoot ? TestOnlyTdxRoot.pckCa() : ec(rnd);
    this.pckKey = ec(rnd);
    this.tcbKey = b.testOnlyRoot ? TestOnlyTdxRoot.tcbSigning() : ec(rnd);
    this.attestationKey = ec(rnd);
    this.pckCaSerial = new BigInteger(64, rnd).setBit(63);
    this.pckSerial = new BigInteger(64, rnd).setBit(62);
    this.tcbSerial = new BigInteger(64, rnd).setBit(61);
    Instant caFrom = now.minus(1, ChronoUnit.DAYS);
    Instant caTo = now.plus(Duration.ofDays(20 * 365));
    this.root = cert(ROOT_DN, rootKey, ROOT_DN, rootKey, BigInteger.ONE, caFrom, caTo, true, null);
    this.pckCa = cert(PCK_CA_DN, pckCaKey, ROOT_DN, rootKey, pckCaSerial, caFrom, caTo, true, null);
    this.pck = cert(PCK_DN, pckKey, PCK_CA_DN, pckCaKey, pckSerial, caFrom, now.plus(b.pckValidity), false,
        sgxExtension(rnd));
    this.tcb = cert(TCB_DN, tcbKey, ROOT_DN, rootKey, tcbSerial, caFrom, caTo, false, null);
    this.anchor = TdxTrustAnchor.ofSpkiSha256(
        Bytes.of(sha256(rootKey.getPublic().getEncoded())), "SimulatedTdxPlatform root (NOT Intel)");
  }

  /**
   * A platform for FMSPC {@code 90C06F000000} with a typical TCB, whose certificates and collateral
   * are valid around the current time.
   *
   * @return a new platform with fresh keys
   */
  public static SimulatedTdxPlatform create() {
    return builder().build();
  }

  /**
   * A builder for a platform.
   *
   * @return a new builder with the defaults of {@link #create()}
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures a {@link SimulatedTdxPlatform}. Not thread-safe. */
  public static final class Builder {
    private Instant now = Instant.now();
    private Bytes fmspc = Bytes.of(HexFormat.of().parseHex("90c06f000000"));
    private Bytes pceId = Bytes.of(new byte[2]);
    private byte[] cpuSvn = {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
    private int pceSvn = 13;
    private byte[] teeTcbSvn = HexFormat.of().parseHex("0b010400000000000000000000000000");
    private Duration pckValidity = Duration.ofDays(7 * 365);
    private SecureRandom random = new SecureRandom();
    private boolean testOnlyRoot;

    private Builder() {}

    /**
     * Uses the fixed, public, <strong>test-only</strong> root CA, PCK Platform CA and TCB signing
     * keys that ship in this jar instead of fresh ones, so that separate processes share one
     * simulated PKI: a KMS that trusts this root ({@link #rootCertificatePem()} of any such platform)
     * with collateral signed by it accepts the quotes of every test-only platform of the same FMSPC
     * and TCB. The PCK and attestation keys stay fresh. Anyone can sign with these keys: trust
     * them in examples and tests only.
     *
     * @return this builder
     */
    public Builder testOnlyRoot() {
      this.testOnlyRoot = true;
      return this;
    }

    /**
     * The instant the platform's certificates and default collateral are centred on (default: now).
     * Certificates are valid from one day before it; collateral is issued one day before it and
     * expires 30 days after it.
     *
     * @param now the reference instant
     * @return this builder
     */
    public Builder now(Instant now) {
      this.now = Objects.requireNonNull(now, "now");
      return this;
    }

    /**
     * The FMSPC the PCK certificate carries and the default TCB info is for.
     *
     * @param fmspc 6 bytes
     * @return this builder
     * @throws IllegalArgumentException if not 6 bytes
     */
    public Builder fmspc(Bytes fmspc) {
      this.fmspc = exact(fmspc, 6, "FMSPC");
      return this;
    }

    /**
     * The PCE id the PCK certificate carries (default {@code 0000}).
     *
     * @param pceId 2 bytes
     * @return this builder
     * @throws IllegalArgumentException if not 2 bytes
     */
    public Builder pceId(Bytes pceId) {
      this.pceId = exact(pceId, 2, "PCE id");
      return this;
    }

    /**
     * The CPUSVN (16 components) the PCK certificate is issued for; the default TCB info's
     * UpToDate level requires {@code 03 03 02 02 04 01 00 05 00..}.
     *
     * @param cpuSvn 16 bytes
     * @return this builder
     * @throws IllegalArgumentException if not 16 bytes
     */
    public Builder cpuSvn(byte[] cpuSvn) {
      this.cpuSvn = exact(Bytes.of(cpuSvn), 16, "CPUSVN").toByteArray();
      return this;
    }

    /**
     * The PCESVN the PCK certificate is issued for (default 13, the UpToDate level's).
     *
     * @param pceSvn 0..65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder pceSvn(int pceSvn) {
      if (pceSvn < 0 || pceSvn > 0xffff) {
        throw new IllegalArgumentException("PCESVN is 16 bits");
      }
      this.pceSvn = pceSvn;
      return this;
    }

    /**
     * The tee_tcb_svn quotes carry by default (byte 0 the TDX module SVN, byte 1 its major version).
     *
     * @param teeTcbSvn 16 bytes
     * @return this builder
     * @throws IllegalArgumentException if not 16 bytes
     */
    public Builder teeTcbSvn(byte[] teeTcbSvn) {
      this.teeTcbSvn = exact(Bytes.of(teeTcbSvn), 16, "tee_tcb_svn").toByteArray();
      return this;
    }

    /**
     * How long the PCK certificate is valid after {@link #now(Instant)} (default 7 years).
     *
     * @param validity a positive duration
     * @return this builder
     */
    public Builder pckValidity(Duration validity) {
      if (validity.isNegative() || validity.isZero()) {
        throw new IllegalArgumentException("validity must be positive");
      }
      this.pckValidity = validity;
      return this;
    }

    /**
     * The randomness for keys and serial numbers.
     *
     * @param random a random source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Generates the keys and certificates.
     *
     * @return the platform
     */
    public SimulatedTdxPlatform build() {
      return new SimulatedTdxPlatform(this);
    }
  }

  // ------------------------------------------------------------------------------------------
  // accessors

  /**
   * The reference instant (certificates and default collateral are valid at it).
   *
   * @return the instant
   */
  public Instant now() {
    return now;
  }

  /**
   * A clock fixed at {@link #now()}.
   *
   * @return a fixed UTC clock inside every validity window
   */
  public Clock clockInsideValidity() {
    return Clock.fixed(now, ZoneOffset.UTC);
  }

  /**
   * The FMSPC of the PCK certificate.
   *
   * @return 6 bytes
   */
  public Bytes fmspc() {
    return fmspc;
  }

  /**
   * The trust anchor for this platform's root; verifiers trust the platform only when given it.
   *
   * @return the anchor
   */
  public TdxTrustAnchor trustAnchor() {
    return anchor;
  }

  /**
   * A verifier builder that trusts only this platform's root (not Intel's).
   *
   * @return a builder with {@link #trustAnchor()} set
   */
  public TdxVerifier.Builder verifierBuilder() {
    return TdxVerifier.builder().trustAnchor(anchor);
  }

  /**
   * A verifier that trusts only this platform's root (not Intel's), at {@code clock}.
   *
   * @param clock the verifier's clock
   * @return the verifier
   */
  public TdxVerifier verifier(Clock clock) {
    return verifierBuilder().clock(clock).build();
  }

  /**
   * The root certificate, DER.
   *
   * @return a fresh copy
   */
  public byte[] rootCertificateDer() {
    return encoded(root);
  }

  /**
   * The root certificate, PEM (for a CLI's {@code --trust-root}).
   *
   * @return PEM text
   */
  public String rootCertificatePem() {
    return pem(root);
  }

  /**
   * The PCK certificate chain as it appears in a quote: PEM PCK certificate, PCK Platform CA, root.
   *
   * @return PEM text
   */
  public String pckCertChainPem() {
    return pem(pck, pckCa, root);
  }

  /**
   * The PCK certificate's serial number (for revocation tests).
   *
   * @return the serial
   */
  public BigInteger pckSerial() {
    return pckSerial;
  }

  /**
   * The PCK Platform CA certificate's serial number (for revocation tests).
   *
   * @return the serial
   */
  public BigInteger pckCaSerial() {
    return pckCaSerial;
  }

  /**
   * Collateral for this platform with the defaults of {@link #collateralBuilder()}: every status
   * UpToDate, issued one day before {@link #now()} and expiring 30 days after it.
   *
   * @return signed collateral
   */
  public TdxCollateral collateral() {
    return collateralBuilder().build();
  }

  /**
   * Starts collateral signed by this platform's TCB signing key and CAs.
   *
   * @return a new builder
   */
  public CollateralBuilder collateralBuilder() {
    return new CollateralBuilder();
  }

  /**
   * Starts a quote; defaults match this platform (v4, TD 1.0 body, the platform's tee_tcb_svn,
   * SEPT_VE_DISABLE set, zero measurements and report_data).
   *
   * @return a new builder
   */
  public QuoteBuilder quoteBuilder() {
    return new QuoteBuilder();
  }

  // ------------------------------------------------------------------------------------------
  // collateral

  /** Builds signed collateral for the platform. Not thread-safe. */
  public final class CollateralBuilder {
    private TcbStatus platformStatus = TcbStatus.UP_TO_DATE;
    private TcbStatus tdxModuleStatus = TcbStatus.UP_TO_DATE;
    private TcbStatus qeStatus = TcbStatus.UP_TO_DATE;
    private List<String> advisoryIds = List.of();
    private Instant issueDate = now.minus(1, ChronoUnit.DAYS);
    private Instant nextUpdate = now.plus(30, ChronoUnit.DAYS);
    private Bytes tcbFmspc = fmspc;
    private int tcbEvaluationDataNumber = 17;
    private final List<BigInteger> revokedByPckCa = new ArrayList<>();
    private final List<BigInteger> revokedByRoot = new ArrayList<>();

    private CollateralBuilder() {}

    /**
     * The status of the TCB level the platform's PCK SVNs match (default UpToDate).
     *
     * @param status the platform TCB level status
     * @return this builder
     */
    public CollateralBuilder platformStatus(TcbStatus status) {
      this.platformStatus = Objects.requireNonNull(status, "status");
      return this;
    }

    /**
     * The status of the TDX module level the quotes' module SVN matches (default UpToDate).
     *
     * @param status the TDX module status
     * @return this builder
     */
    public CollateralBuilder tdxModuleStatus(TcbStatus status) {
      this.tdxModuleStatus = Objects.requireNonNull(status, "status");
      return this;
    }

    /**
     * The status of the QE identity level the quoting enclave matches (default UpToDate).
     *
     * @param status the QE TCB status
     * @return this builder
     */
    public CollateralBuilder qeStatus(TcbStatus status) {
      this.qeStatus = Objects.requireNonNull(status, "status");
      return this;
    }

    /**
     * Advisory ids on the platform's TCB level.
     *
     * @param ids advisory ids such as {@code INTEL-SA-00837}
     * @return this builder
     */
    public CollateralBuilder advisoryIds(String... ids) {
      this.advisoryIds = List.of(ids);
      return this;
    }

    /**
     * The validity of every item: TCB info and QE identity issueDate/nextUpdate, CRL
     * thisUpdate/nextUpdate.
     *
     * @param issueDate start of validity
     * @param nextUpdate end of validity
     * @return this builder
     */
    public CollateralBuilder validity(Instant issueDate, Instant nextUpdate) {
      this.issueDate = issueDate.truncatedTo(ChronoUnit.SECONDS);
      this.nextUpdate = nextUpdate.truncatedTo(ChronoUnit.SECONDS);
      return this;
    }

    /**
     * The FMSPC the TCB info is for (default the platform's; another value makes a mismatch).
     *
     * @param fmspc 6 bytes
     * @return this builder
     */
    public CollateralBuilder tcbInfoFmspc(Bytes fmspc) {
      this.tcbFmspc = exact(fmspc, 6, "FMSPC");
      return this;
    }

    /**
     * The tcbEvaluationDataNumber of TCB info and QE identity (default 17).
     *
     * @param n the number
     * @return this builder
     */
    public CollateralBuilder tcbEvaluationDataNumber(int n) {
      this.tcbEvaluationDataNumber = n;
      return this;
    }

    /**
     * Lists the platform's PCK certificate in the PCK CRL.
     *
     * @return this builder
     */
    public CollateralBuilder revokePck() {
      revokedByPckCa.add(pckSerial);
      return this;
    }

    /**
     * Lists the PCK Platform CA in the root CA CRL.
     *
     * @return this builder
     */
    public CollateralBuilder revokePckCa() {
      revokedByRoot.add(pckCaSerial);
      return this;
    }

    /**
     * Signs the collateral.
     *
     * @return collateral for {@link TdxVerifier#verify(TdxQuote, TdxCollateral)}
     */
    public TdxCollateral build() {
      byte[] tcbJson = tcbInfoJson().getBytes(StandardCharsets.UTF_8);
      byte[] qeJson = qeIdentityJson().getBytes(StandardCharsets.UTF_8);
      String tcbChain = pem(tcb, root);
      try {
        return TdxCollateral.builder()
            .rootCaCrl(crl(rootKey, ROOT_DN, revokedByRoot))
            .pckCrl(crl(pckCaKey, PCK_CA_DN, revokedByPckCa))
            .pckCrlIssuerChain(pem(pckCa, root))
            .tcbInfo(tcbJson, rawSign(tcbKey, tcbJson))
            .tcbInfoIssuerChain(tcbChain)
            .qeIdentity(qeJson, rawSign(tcbKey, qeJson))
            .qeIdentityIssuerChain(tcbChain)
            .build();
      } catch (MalformedEvidenceException e) {
        throw new IllegalStateException("simulated collateral does not parse: " + e.getMessage(), e);
      }
    }

    private byte[] crl(KeyPair issuerKey, String issuer, List<BigInteger> revoked) {
      X509v2CRLBuilder b = new X509v2CRLBuilder(new X500Name(issuer), Date.from(issueDate));
      b.setNextUpdate(Date.from(nextUpdate));
      for (BigInteger s : revoked) {
        b.addCRLEntry(s, Date.from(issueDate), CRLReason.keyCompromise);
      }
      try {
        return b.build(signer(issuerKey)).getEncoded();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private String tcbInfoJson() {
      int[] up = new int[16];
      for (int i = 0; i < 16; i++) {
        up[i] = cpuSvn[i] & 0xff;
      }
      int[] old = up.clone();
      int[] revoked = new int[16];
      int[] tdxComps = new int[16];
      tdxComps[0] = Math.min(teeTcbSvn[0] & 0xff, 5);
      tdxComps[2] = Math.min(teeTcbSvn[2] & 0xff, 3);
      int[] tdxOld = tdxComps.clone();
      // a lower OutOfDate level below the platform's, and a Revoked floor
      boolean lowered = false;
      for (int i = 0; i < 16 && !lowered; i++) {
        if (old[i] > 0) {
          old[i]--;
          lowered = true;
        }
      }
      String issue = issueDate.toString();
      String next = nextUpdate.toString();
      String moduleMajor = String.format("TDX_%02X", teeTcbSvn[1] & 0xff);
      int moduleSvn = teeTcbSvn[0] & 0xff;
      StringBuilder sb = new StringBuilder();
      sb.append("{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"").append(issue)
          .append("\",\"nextUpdate\":\"").append(next)
          .append("\",\"fmspc\":\"").append(upper(tcbFmspc))
          .append("\",\"pceId\":\"").append(upper(pceId))
          .append("\",\"tcbType\":0,\"tcbEvaluationDataNumber\":").append(tcbEvaluationDataNumber)
          .append(",\"tdxModule\":{\"mrsigner\":\"").append("00".repeat(48))
          .append("\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"}")
          .append(",\"tdxModuleIdentities\":[{\"id\":\"").append(moduleMajor)
          .append("\",\"mrsigner\":\"").append("00".repeat(48))
          .append("\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":[")
          .append(moduleLevel(moduleSvn, "2024-11-13T00:00:00Z", tdxModuleStatus, "INTEL-SA-SIM-MODULE"));
      if (moduleSvn > 0) {
        sb.append(',').append(moduleLevel(0, "2023-08-09T00:00:00Z", TcbStatus.OUT_OF_DATE, "INTEL-SA-SIM-MODULE"));
      }
      sb.append("]}],\"tcbLevels\":[")
          .append(level(up, pceSvn, tdxComps, "2024-11-13T00:00:00Z", platformStatus, advisoryIds))
          .append(',')
          .append(level(old, pceSvn, tdxOld, "2024-03-13T00:00:00Z", TcbStatus.OUT_OF_DATE,
              List.of("INTEL-SA-00960", "INTEL-SA-00982")))
          .append(',')
          .append(level(revoked, 0, new int[16], "2018-01-04T00:00:00Z", TcbStatus.REVOKED,
              List.of("INTEL-SA-00106")))
          .append("]}");
      return sb.toString();
    }

    private String moduleLevel(int isvSvn, String date, TcbStatus status, String advisory) {
      return "{\"tcb\":{\"isvsvn\":" + isvSvn + "},\"tcbDate\":\"" + date + "\",\"tcbStatus\":\""
          + status.intelName() + "\""
          + (status == TcbStatus.UP_TO_DATE ? "" : ",\"advisoryIDs\":[\"" + advisory + "\"]") + "}";
    }

    private String level(int[] sgx, int pcesvn, int[] tdx, String date, TcbStatus status, List<String> advisories) {
      StringBuilder sb = new StringBuilder("{\"tcb\":{\"sgxtcbcomponents\":").append(components(sgx))
          .append(",\"pcesvn\":").append(pcesvn)
          .append(",\"tdxtcbcomponents\":").append(components(tdx))
          .append("},\"tcbDate\":\"").append(date).append("\",\"tcbStatus\":\"").append(status.intelName()).append('"');
      if (!advisories.isEmpty()) {
        sb.append(",\"advisoryIDs\":[");
        for (int i = 0; i < advisories.size(); i++) {
          sb.append(i == 0 ? "" : ",").append('"').append(advisories.get(i).replace("\"", "")).append('"');
        }
        sb.append(']');
      }
      return sb.append('}').toString();
    }

    private String components(int[] svns) {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < svns.length; i++) {
        sb.append(i == 0 ? "" : ",").append("{\"svn\":").append(svns[i]).append('}');
      }
      return sb.append(']').toString();
    }

    private String qeIdentityJson() {
      return "{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"" + issueDate + "\",\"nextUpdate\":\""
          + nextUpdate + "\",\"tcbEvaluationDataNumber\":" + tcbEvaluationDataNumber
          + ",\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\",\"attributes\":\""
          + HexFormat.of().withUpperCase().formatHex(QE_ATTRIBUTES)
          + "\",\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\""
          + HexFormat.of().withUpperCase().formatHex(QE_MRSIGNER) + "\",\"isvprodid\":" + QE_ISVPRODID
          + ",\"tcbLevels\":["
          + "{\"tcb\":{\"isvsvn\":" + QE_ISVSVN + "},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\""
          + qeStatus.intelName() + "\""
          + (qeStatus == TcbStatus.UP_TO_DATE ? "" : ",\"advisoryIDs\":[\"INTEL-SA-SIM-QE\"]") + "},"
          + "{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
          + "\"advisoryIDs\":[\"INTEL-SA-00837\"]}]}";
    }
  }

  // ------------------------------------------------------------------------------------------
  // quotes

  /** Builds one signed quote. Not thread-safe. */
  public final class QuoteBuilder {
    private int version = 4;
    private boolean td15;
    private int qeSvn;
    private int headerPceSvn = pceSvn;
    private byte[] userData = new byte[20];
    private byte[] teeTcbSvn = SimulatedTdxPlatform.this.teeTcbSvn.clone();
    private byte[] mrSeam = new byte[48];
    private byte[] mrSignerSeam = new byte[48];
    private long seamAttributes;
    private long tdAttributes = 1L << 28; // SEPT_VE_DISABLE
    private long xfam = 0x0000_0000_0006_02e7L;
    private byte[] mrTd = new byte[48];
    private byte[] mrConfigId = new byte[48];
    private byte[] mrOwner = new byte[48];
    private byte[] mrOwnerConfig = new byte[48];
    private final byte[][] rtmrs = {new byte[48], new byte[48], new byte[48], new byte[48]};
    private byte[] reportData = new byte[64];
    private byte[] teeTcbSvn2 = new byte[16];
    private byte[] mrServiceTd = new byte[48];
    private byte[] qeAuthData = new byte[32];

    private QuoteBuilder() {}

    /**
     * The quote version: 4 (default) or 5.
     *
     * @param version 4 or 5
     * @return this builder
     * @throws IllegalArgumentException for another version
     */
    public QuoteBuilder version(int version) {
      if (version != 4 && version != 5) {
        throw new IllegalArgumentException("TDX quotes are version 4 or 5");
      }
      this.version = version;
      return this;
    }

    /**
     * A TD 1.5 body (v5 body type 3, with tee_tcb_svn2 and mr_servicetd); sets version 5.
     *
     * @param td15 true for TD 1.5, false for TD 1.0 (default)
     * @return this builder
     */
    public QuoteBuilder td15(boolean td15) {
      this.td15 = td15;
      if (td15) {
        this.version = 5;
      }
      return this;
    }

    /**
     * The header's qe_svn.
     *
     * @param qeSvn 0..65535
     * @return this builder
     */
    public QuoteBuilder qeSvn(int qeSvn) {
      this.qeSvn = qeSvn & 0xffff;
      return this;
    }

    /**
     * The header's pce_svn (default the platform's PCESVN).
     *
     * @param pceSvn 0..65535
     * @return this builder
     */
    public QuoteBuilder headerPceSvn(int pceSvn) {
      this.headerPceSvn = pceSvn & 0xffff;
      return this;
    }

    /**
     * The header's user_data (20 bytes; shorter input is zero-padded).
     *
     * @param userData up to 20 bytes
     * @return this builder
     */
    public QuoteBuilder userData(byte[] userData) {
      this.userData = padded(userData, 20, "user_data");
      return this;
    }

    /**
     * tee_tcb_svn (byte 0 the TDX module SVN, byte 1 its major version).
     *
     * @param svn 16 bytes
     * @return this builder
     */
    public QuoteBuilder teeTcbSvn(byte[] svn) {
      this.teeTcbSvn = exact(Bytes.of(svn), 16, "tee_tcb_svn").toByteArray();
      return this;
    }

    /**
     * mr_seam.
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrSeam(byte[] v) {
      this.mrSeam = exact(Bytes.of(v), 48, "mr_seam").toByteArray();
      return this;
    }

    /**
     * mr_signer_seam (zero for Intel's TDX module; anything else is refused by the default policy).
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrSignerSeam(byte[] v) {
      this.mrSignerSeam = exact(Bytes.of(v), 48, "mr_signer_seam").toByteArray();
      return this;
    }

    /**
     * seam_attributes as the little-endian 64-bit value.
     *
     * @param v the attributes
     * @return this builder
     */
    public QuoteBuilder seamAttributes(long v) {
      this.seamAttributes = v;
      return this;
    }

    /**
     * td_attributes as the little-endian 64-bit value (default: SEPT_VE_DISABLE, bit 28; bit 0 is
     * DEBUG).
     *
     * @param v the attributes
     * @return this builder
     */
    public QuoteBuilder tdAttributes(long v) {
      this.tdAttributes = v;
      return this;
    }

    /**
     * xfam as the little-endian 64-bit value.
     *
     * @param v the XFAM
     * @return this builder
     */
    public QuoteBuilder xfam(long v) {
      this.xfam = v;
      return this;
    }

    /**
     * mr_td (MRTD).
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrTd(byte[] v) {
      this.mrTd = exact(Bytes.of(v), 48, "mr_td").toByteArray();
      return this;
    }

    /**
     * mr_config_id.
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrConfigId(byte[] v) {
      this.mrConfigId = exact(Bytes.of(v), 48, "mr_config_id").toByteArray();
      return this;
    }

    /**
     * mr_owner.
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrOwner(byte[] v) {
      this.mrOwner = exact(Bytes.of(v), 48, "mr_owner").toByteArray();
      return this;
    }

    /**
     * mr_owner_config.
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrOwnerConfig(byte[] v) {
      this.mrOwnerConfig = exact(Bytes.of(v), 48, "mr_owner_config").toByteArray();
      return this;
    }

    /**
     * One RTMR.
     *
     * @param index 0..3
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder rtmr(int index, byte[] v) {
      Objects.checkIndex(index, 4);
      this.rtmrs[index] = exact(Bytes.of(v), 48, "rtmr" + index).toByteArray();
      return this;
    }

    /**
     * All four RTMRs.
     *
     * @param r the register values
     * @return this builder
     */
    public QuoteBuilder rtmrs(Rtmrs r) {
      for (int i = 0; i < 4; i++) {
        rtmr(i, r.get(i).toByteArray());
      }
      return this;
    }

    /**
     * RTMR0..3 replayed from a dstack JSON event log, so the log verifies against the quote.
     *
     * @param log the event log
     * @return this builder
     */
    public QuoteBuilder rtmrsFrom(DstackEventLog log) {
      return rtmrs(log.replay());
    }

    /**
     * RTMR3 replayed from dstack runtime events (RTMR0..2 unchanged).
     *
     * @param events the runtime events, in order
     * @return this builder
     */
    public QuoteBuilder rtmr3From(List<DstackRuntimeEvent> events) {
      return rtmr(3, DstackRuntimeEvent.replay(events).toByteArray());
    }

    /**
     * report_data (64 bytes; shorter input is zero-padded on the right).
     *
     * @param v up to 64 bytes
     * @return this builder
     */
    public QuoteBuilder reportData(byte[] v) {
      this.reportData = padded(v, 64, "report_data");
      return this;
    }

    /**
     * tee_tcb_svn2 (TD 1.5 bodies only).
     *
     * @param v 16 bytes
     * @return this builder
     */
    public QuoteBuilder teeTcbSvn2(byte[] v) {
      this.teeTcbSvn2 = exact(Bytes.of(v), 16, "tee_tcb_svn2").toByteArray();
      return this;
    }

    /**
     * mr_servicetd (TD 1.5 bodies only; non-zero is refused by the default policy).
     *
     * @param v 48 bytes
     * @return this builder
     */
    public QuoteBuilder mrServiceTd(byte[] v) {
      this.mrServiceTd = exact(Bytes.of(v), 48, "mr_servicetd").toByteArray();
      return this;
    }

    /**
     * The QE authentication data (default 32 zero bytes); it is bound into the QE report.
     *
     * @param v up to 65535 bytes
     * @return this builder
     */
    public QuoteBuilder qeAuthData(byte[] v) {
      if (v.length > 0xffff) {
        throw new IllegalArgumentException("QE auth data is at most 65535 bytes");
      }
      this.qeAuthData = v.clone();
      return this;
    }

    /**
     * Encodes the quote and signs it: the QE report by the PCK key (binding the attestation key and
     * QE auth data), the header and body by the attestation key.
     *
     * @return the quote bytes
     */
    public byte[] build() {
      ByteBuffer q = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
      q.putShort((short) version).putShort((short) TdxQuote.AK_TYPE_ECDSA_P256).putInt((int) TdxQuote.TEE_TYPE_TDX);
      q.putShort((short) qeSvn).putShort((short) headerPceSvn);
      q.put(TdxQuote.INTEL_QE_VENDOR_ID.toByteArray()).put(userData);
      if (version == 5) {
        q.putShort((short) (td15 ? 3 : 2)).putInt(td15 ? 648 : 584);
      }
      q.put(teeTcbSvn).put(mrSeam).put(mrSignerSeam).putLong(seamAttributes).putLong(tdAttributes).putLong(xfam);
      q.put(mrTd).put(mrConfigId).put(mrOwner).put(mrOwnerConfig);
      for (byte[] r : rtmrs) {
        q.put(r);
      }
      q.put(reportData);
      if (td15) {
        q.put(teeTcbSvn2).put(mrServiceTd);
      }
      int signed = q.position();
      byte[] signedRegion = Arrays.copyOf(q.array(), signed);

      byte[] akXy = xy((ECPublicKey) attestationKey.getPublic());
      byte[] qeReport = qeReport(akXy);
      byte[] chain = (pckCertChainPem() + "\0").getBytes(StandardCharsets.US_ASCII);
      ByteBuffer cert = ByteBuffer.allocate(384 + 64 + 2 + qeAuthData.length + 6 + chain.length).order(ByteOrder.LITTLE_ENDIAN);
      cert.put(qeReport).put(rawSign(pckKey, qeReport)).putShort((short) qeAuthData.length).put(qeAuthData);
      cert.putShort((short) TdxQuote.CERT_TYPE_PCK_CHAIN).putInt(chain.length).put(chain);
      byte[] certData = cert.array();

      ByteBuffer out = ByteBuffer.allocate(signed + 4 + 64 + 64 + 6 + certData.length).order(ByteOrder.LITTLE_ENDIAN);
      out.put(signedRegion).putInt(64 + 64 + 6 + certData.length);
      out.put(rawSign(attestationKey, signedRegion)).put(akXy);
      out.putShort((short) TdxQuote.CERT_TYPE_QE_REPORT).putInt(certData.length).put(certData);
      return out.array();
    }

    private byte[] qeReport(byte[] akXy) {
      ByteBuffer qe = ByteBuffer.allocate(384).order(ByteOrder.LITTLE_ENDIAN);
      qe.put(cpuSvn).putInt(0).put(new byte[28]).put(QE_ATTRIBUTES);
      qe.put(filled(32, 0x33)).put(new byte[32]).put(QE_MRSIGNER).put(new byte[96]);
      qe.putShort((short) QE_ISVPRODID).putShort((short) QE_ISVSVN).put(new byte[60]);
      MessageDigest md = sha256Digest();
      md.update(akXy);
      md.update(qeAuthData);
      qe.put(md.digest()).put(new byte[32]);
      return qe.array();
    }
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  private byte[] sgxExtension(SecureRandom rnd) {
    ASN1EncodableVector tcbv = new ASN1EncodableVector();
    for (int i = 0; i < 16; i++) {
      tcbv.add(kv(SGX_OID + ".2." + (i + 1), new ASN1Integer(cpuSvn[i] & 0xff)));
    }
    tcbv.add(kv(SGX_OID + ".2.17", new ASN1Integer(pceSvn)));
    tcbv.add(kv(SGX_OID + ".2.18", new DEROctetString(cpuSvn)));
    byte[] ppid = new byte[16];
    rnd.nextBytes(ppid);
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(kv(SGX_OID + ".1", new DEROctetString(ppid)));
    v.add(kv(SGX_OID + ".2", new DERSequence(tcbv)));
    v.add(kv(SGX_OID + ".3", new DEROctetString(pceId.toByteArray())));
    v.add(kv(SGX_OID + ".4", new DEROctetString(fmspc.toByteArray())));
    v.add(kv(SGX_OID + ".5", new ASN1Enumerated(1)));
    try {
      return new DERSequence(v).getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DERSequence kv(String oid, ASN1Encodable value) {
    return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
  }

  private static X509CertificateHolder cert(String subject, KeyPair subjectKey, String issuer, KeyPair issuerKey,
      BigInteger serial, Instant nb, Instant na, boolean ca, byte[] sgxExt) {
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), serial,
          Date.from(nb), Date.from(na), new X500Name(subject), subjectKey.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
      }
      if (sgxExt != null) {
        b.addExtension(new ASN1ObjectIdentifier(SGX_OID), false, sgxExt);
      }
      return b.build(signer(issuerKey));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ContentSigner signer(KeyPair k) {
    try {
      return new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate());
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ec(SecureRandom rnd) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), rnd);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 key generation is unavailable", e);
    }
  }

  private static byte[] rawSign(KeyPair k, byte[] msg) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(k.getPrivate());
      s.update(msg);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 signing is unavailable", e);
    }
  }

  private static byte[] xy(ECPublicKey k) {
    byte[] out = new byte[64];
    put32(out, 0, k.getW().getAffineX());
    put32(out, 32, k.getW().getAffineY());
    return out;
  }

  private static void put32(byte[] out, int off, BigInteger v) {
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, off + 32 - n, n);
  }

  private static byte[] encoded(X509CertificateHolder h) {
    try {
      return h.getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pem(X509CertificateHolder... certs) {
    StringWriter sw = new StringWriter();
    for (X509CertificateHolder c : certs) {
      sw.append("-----BEGIN CERTIFICATE-----\n")
          .append(java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(encoded(c)))
          .append("\n-----END CERTIFICATE-----\n");
    }
    return sw.toString();
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(byte[] b) {
    return sha256Digest().digest(b);
  }

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  private static String upper(Bytes b) {
    return HexFormat.of().withUpperCase().formatHex(b.toByteArray());
  }

  private static Bytes exact(Bytes b, int len, String what) {
    Objects.requireNonNull(b, what);
    if (b.length() != len) {
      throw new IllegalArgumentException(what + " is " + len + " bytes, got " + b.length());
    }
    return b;
  }

  private static byte[] padded(byte[] v, int len, String what) {
    Objects.requireNonNull(v, what);
    if (v.length > len) {
      throw new IllegalArgumentException(what + " is at most " + len + " bytes, got " + v.length);
    }
    return Arrays.copyOf(v, len);
  }

  @Override
  public String toString() {
    return "SimulatedTdxPlatform[FMSPC " + upper(fmspc) + ", now " + now + ", NOT Intel]";
  }
}
