package org.attest4j.ratls;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;
import org.attest4j.core.internal.LogSafe;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentVerifierProviderBuilder;

/**
 * Verifies a dstack RA-TLS certificate in one of the five roles of spec dstack-ratls §2.8–2.9 and
 * §5, stage by stage, and names the first stage that fails:
 *
 * <ul>
 *   <li>{@link Mode#KMS_CLIENT}: a guest's mTLS client certificate at the KMS: chain to the temp CA
 *       (signature, validity, no unknown critical extension), then the attestation;
 *   <li>{@link Mode#KMS_SERVER}: the KMS RPC certificate at a guest: chain to the KMS root, special
 *       usage {@code kms:rpc}, then the attestation if one is present;
 *   <li>{@link Mode#APP_LEAF}: a SignCert leaf: chain to the app CA, then the attestation;
 *   <li>{@link Mode#VERIFIER_ONESHOT}: dstack-verifier {@code --verify-cert}: the #938 profile
 *       (self-signed, valid now, digitalSignature, serverAuth or clientAuth, a SAN), then the
 *       attestation;
 *   <li>{@link Mode#RATLS_ONLY}: only the attestation.
 * </ul>
 *
 * "The attestation" is: find it (OID .8, else legacy .1 + .2), decode it, check the binding
 * (stack.report_data = SHA-512("ratls-cert:" ‖ SPKI)), run {@link EvidenceConsistency}, and, when a
 * {@link PlatformVerifier} is configured, the vendor signatures. Immutable and thread-safe.
 */
public final class RatlsVerifier {
  private static final Set<String> UNDERSTOOD_CRITICAL =
      Set.of(
          RatlsCertificate.OID_KEY_USAGE,
          RatlsCertificate.OID_BASIC_CONSTRAINTS,
          RatlsCertificate.OID_EXT_KEY_USAGE,
          RatlsCertificate.OID_SUBJECT_ALT_NAME);

  /** The role in which a certificate is checked. */
  public enum Mode {
    /** A guest's client certificate, checked by the KMS. */
    KMS_CLIENT,
    /** The KMS's RPC server certificate, checked by a guest. */
    KMS_SERVER,
    /** An application leaf issued by SignCert. */
    APP_LEAF,
    /** dstack-verifier's one-shot check of a self-signed certificate. */
    VERIFIER_ONESHOT,
    /** The RA-TLS extension and binding only. */
    RATLS_ONLY;

    /**
     * The CLI and vector name.
     *
     * @return for example {@code "kms-client"}
     */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Reads a label.
     *
     * @param label for example {@code "kms-client"}
     * @return the mode
     * @throws IllegalArgumentException for an unknown label
     */
    public static Mode fromLabel(String label) {
      for (Mode m : values()) {
        if (m.label().equals(label)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "unknown mode '" + label + "' (kms-client, kms-server, app-leaf, verifier-oneshot, ratls-only)");
    }

    boolean needsCa() {
      return this == KMS_CLIENT || this == KMS_SERVER || this == APP_LEAF;
    }
  }

  /** A verification stage; its {@link #label()} is the name the vectors use. */
  public enum Stage {
    /** The certificate is not well-formed X.509. */
    X509("x509"),
    /** Signature by the trusted CA, validity, critical extensions. */
    CHAIN("chain"),
    /** The special usage claim (.4). */
    SPECIAL_USAGE("special-usage"),
    /** #938: the certificate must be self-signed. */
    PROFILE_SELF_SIGNATURE("profile:self-signature"),
    /** #938: the certificate must be valid now. */
    PROFILE_VALIDITY("profile:validity"),
    /** #938: keyUsage with digitalSignature. */
    PROFILE_KEY_USAGE("profile:key-usage"),
    /** #938: extendedKeyUsage with serverAuth or clientAuth. */
    PROFILE_EKU("profile:eku"),
    /** #938: a subjectAltName with at least one name. */
    PROFILE_SAN("profile:san"),
    /** No attestation extension. */
    ATTESTATION_ABSENT("attestation-absent"),
    /** The attestation extension cannot be read or decoded. */
    ATTESTATION_DECODE("attestation-decode"),
    /** stack.report_data does not bind the certificate key. */
    BINDING("binding"),
    /** The evidence does not support the stack ({@link EvidenceConsistency}). */
    EVIDENCE("evidence"),
    /** The vendor signatures ({@link PlatformVerifier}). */
    VENDOR("vendor");

    private final String label;

    Stage(String label) {
      this.label = label;
    }

    /**
     * The vector name of the stage.
     *
     * @return for example {@code "attestation-decode"}
     */
    public String label() {
      return label;
    }
  }

  private final Mode mode;
  private final RatlsCertificate ca;
  private final Clock clock;
  private final PlatformVerifier platformVerifier;

  private RatlsVerifier(Builder b) {
    this.mode = b.mode;
    this.ca = b.ca;
    this.clock = b.clock;
    this.platformVerifier = b.platformVerifier;
  }

  /**
   * Starts a verifier for a mode.
   *
   * @param mode the role
   * @return a builder
   */
  public static Builder builder(Mode mode) {
    return new Builder(mode);
  }

  /** Configures a {@link RatlsVerifier}. Not thread-safe; the verifier it builds is. */
  public static final class Builder {
    private final Mode mode;
    private RatlsCertificate ca;
    private Clock clock = Clock.systemUTC();
    private PlatformVerifier platformVerifier;

    private Builder(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
    }

    /**
     * The CA the certificate must chain to (temp CA, KMS root or app CA by mode).
     *
     * @param pemOrDer the CA certificate
     * @return this builder
     * @throws IllegalArgumentException when it is not a certificate
     */
    public Builder trustedCa(byte[] pemOrDer) {
      try {
        this.ca = RatlsCertificate.parse(pemOrDer);
      } catch (MalformedEvidenceException e) {
        throw new IllegalArgumentException("trusted CA: " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * The clock for validity periods (default: the system clock).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Checks the vendor signatures too (without one, verification is offline).
     *
     * @param verifier the platform verifier
     * @return this builder
     */
    public Builder platformVerifier(PlatformVerifier verifier) {
      this.platformVerifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @return the verifier
     * @throws IllegalStateException when the mode needs a CA and none was given
     */
    public RatlsVerifier build() {
      if (mode.needsCa() && ca == null) {
        throw new IllegalStateException("mode " + mode.label() + " needs trustedCa(...)");
      }
      return new RatlsVerifier(this);
    }
  }

  /**
   * Verifies a certificate.
   *
   * @param pemOrDer the certificate, PEM or DER
   * @return the verdict (never throws for a bad certificate: the verdict names the stage)
   */
  public RatlsVerdict verify(byte[] pemOrDer) {
    RatlsCertificate cert;
    try {
      cert = RatlsCertificate.parse(pemOrDer);
    } catch (MalformedEvidenceException e) {
      return reject(Stage.X509, e.reason(), e.getMessage(), null, null, null, List.of());
    }
    return verify(cert);
  }

  /**
   * Verifies a parsed certificate.
   *
   * @param cert the certificate
   * @return the verdict
   */
  public RatlsVerdict verify(RatlsCertificate cert) {
    Objects.requireNonNull(cert, "cert");
    Bytes expected = RatlsReportData.forCertificateKey(cert.subjectPublicKeyInfo().toByteArray());
    Instant now = clock.instant();
    try {
      if (mode.needsCa()) {
        chain(cert, now);
      }
      if (mode == Mode.KMS_SERVER) {
        Optional<String> usage = cert.specialUsage();
        if (usage.isEmpty() || !usage.get().equals("kms:rpc")) {
          throw new Refusal(Stage.SPECIAL_USAGE, RatlsReason.WRONG_SPECIAL_USAGE,
              "the KMS certificate's special usage is "
                  + usage.map(u -> "'" + LogSafe.of(u) + "'").orElse("missing")
                  + "; it must be 'kms:rpc'");
        }
      }
      if (mode == Mode.VERIFIER_ONESHOT) {
        profile(cert, now);
      }
    } catch (Refusal r) {
      return reject(r.stage, r.reason, r.getMessage(), null, null, expected, List.of());
    } catch (MalformedEvidenceException e) {
      return reject(Stage.SPECIAL_USAGE, e.reason(), e.getMessage(), null, null, expected, List.of());
    }
    return attestation(cert, expected);
  }

  private RatlsVerdict attestation(RatlsCertificate cert, Bytes expected) {
    VersionedAttestation va;
    String source;
    try {
      Optional<Bytes> ext = cert.customExtension(RatlsCertificate.OID_ATTESTATION);
      if (ext.isPresent()) {
        va = VersionedAttestation.parse(ext.get().toByteArray());
        source = "oid-1.8";
      } else {
        Optional<Bytes> quote = cert.customExtension(RatlsCertificate.OID_TDX_QUOTE);
        if (quote.isEmpty()) {
          if (mode == Mode.KMS_SERVER) {
            return new RatlsVerdict(true, null, null, null, null, null, expected, List.of(), false);
          }
          return reject(Stage.ATTESTATION_ABSENT, RatlsReason.ATTESTATION_ABSENT,
              "RA-TLS attestation extension missing (neither OID " + RatlsCertificate.OID_ATTESTATION
                  + " nor the legacy " + RatlsCertificate.OID_TDX_QUOTE + ")",
              null, null, expected, List.of());
        }
        Optional<Bytes> log = cert.customExtension(RatlsCertificate.OID_EVENT_LOG);
        if (log.isEmpty()) {
          return reject(Stage.ATTESTATION_DECODE, RatlsReason.LEGACY_EVENT_LOG_MISSING,
              "TDX event log missing: a legacy certificate with OID .1 needs OID .2",
              null, null, expected, List.of());
        }
        Attestation a =
            LegacyTdxAttestation.fromTdxQuote(quote.get().toByteArray(), log.get().toByteArray());
        va = VersionedAttestation.of(WireFormat.V1_MSGPACK, a);
        source = "legacy-oid-1.1+1.2";
      }
    } catch (MalformedEvidenceException e) {
      return reject(Stage.ATTESTATION_DECODE, e.reason(), e.getMessage(), null, null, expected,
          List.of());
    }
    Attestation a = va.attestation();
    if (!expected.equals(a.stack().reportData())) {
      return reject(Stage.BINDING, RatlsReason.REPORT_DATA_MISMATCH,
          "report data mismatch: stack.report_data is not SHA-512(\"ratls-cert:\" || the"
              + " certificate's SubjectPublicKeyInfo)", va, source, expected, List.of());
    }
    List<String> checks;
    try {
      checks = new ArrayList<>(EvidenceConsistency.check(a));
    } catch (AttestationException e) {
      return reject(Stage.EVIDENCE, e.reason(), e.getMessage(), va, source, expected, List.of());
    }
    if (platformVerifier == null) {
      return new RatlsVerdict(true, null, null, null, va, source, expected, checks, false);
    }
    try {
      platformVerifier.verify(a);
    } catch (AttestationException e) {
      return reject(Stage.VENDOR, e.reason(), e.getMessage(), va, source, expected, checks);
    }
    return new RatlsVerdict(true, null, null, null, va, source, expected, checks, true);
  }

  private void chain(RatlsCertificate cert, Instant now) throws Refusal {
    if (!cert.issuer().equals(ca.subject())) {
      throw new Refusal(Stage.CHAIN, RatlsReason.BAD_CERTIFICATE_SIGNATURE,
          "issuer '" + LogSafe.of(cert.issuer()) + "' is not the trusted CA '"
              + LogSafe.of(ca.subject()) + "'");
    }
    if (!signedBy(cert, ca.subjectPublicKeyInfo())) {
      throw new Refusal(Stage.CHAIN, RatlsReason.BAD_CERTIFICATE_SIGNATURE,
          "signature does not verify with the CA key");
    }
    validity(cert, now, Stage.CHAIN);
    validity(ca, now, Stage.CHAIN);
    for (RatlsCertificate.Extension e : cert.extensions().values()) {
      if (e.critical() && !UNDERSTOOD_CRITICAL.contains(e.oid())) {
        throw new Refusal(Stage.CHAIN, RatlsReason.UNKNOWN_CRITICAL_EXTENSION,
            "unrecognized critical extension " + e.oid());
      }
    }
    if (!isCa(ca)) {
      throw new Refusal(Stage.CHAIN, RatlsReason.BAD_CERTIFICATE_SIGNATURE,
          "the trusted certificate is not a CA (basicConstraints cA)");
    }
  }

  private static boolean isCa(RatlsCertificate c) {
    RatlsCertificate.Extension bc = c.extensions().get(RatlsCertificate.OID_BASIC_CONSTRAINTS);
    try {
      return bc != null
          && BasicConstraints.getInstance(ASN1Primitive.fromByteArray(bc.value().toByteArray())).isCA();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void validity(RatlsCertificate c, Instant now, Stage stage) throws Refusal {
    if (now.isBefore(c.notBefore())) {
      throw new Refusal(stage, RatlsReason.CERTIFICATE_NOT_YET_VALID,
          "certificate '" + LogSafe.of(c.subject()) + "' is not valid before " + c.notBefore());
    }
    if (now.isAfter(c.notAfter())) {
      throw new Refusal(stage, RatlsReason.CERTIFICATE_EXPIRED,
          "certificate '" + LogSafe.of(c.subject()) + "' expired at " + c.notAfter());
    }
  }

  private static void profile(RatlsCertificate cert, Instant now) throws Refusal {
    if (!signedBy(cert, cert.subjectPublicKeyInfo())) {
      throw new Refusal(Stage.PROFILE_SELF_SIGNATURE, RatlsReason.BAD_CERTIFICATE_SIGNATURE,
          "certificate self-signature verification failed");
    }
    if (now.isBefore(cert.notBefore()) || now.isAfter(cert.notAfter())) {
      throw new Refusal(Stage.PROFILE_VALIDITY,
          now.isBefore(cert.notBefore()) ? RatlsReason.CERTIFICATE_NOT_YET_VALID
              : RatlsReason.CERTIFICATE_EXPIRED,
          "certificate is outside its validity period [" + cert.notBefore() + ", "
              + cert.notAfter() + "]");
    }
    try {
      RatlsCertificate.Extension ku = cert.extensions().get(RatlsCertificate.OID_KEY_USAGE);
      if (ku == null || !KeyUsage.getInstance(der(ku)).hasUsages(KeyUsage.digitalSignature)) {
        throw new Refusal(Stage.PROFILE_KEY_USAGE, RatlsReason.PROFILE_VIOLATION,
            "certificate key usage extension missing or without digitalSignature");
      }
      RatlsCertificate.Extension eku = cert.extensions().get(RatlsCertificate.OID_EXT_KEY_USAGE);
      if (eku == null) {
        throw new Refusal(Stage.PROFILE_EKU, RatlsReason.PROFILE_VIOLATION,
            "certificate extended key usage extension missing");
      }
      ExtendedKeyUsage e = ExtendedKeyUsage.getInstance(der(eku));
      if (!e.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth)
          && !e.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth)) {
        throw new Refusal(Stage.PROFILE_EKU, RatlsReason.PROFILE_VIOLATION,
            "certificate extended key usage has neither serverAuth nor clientAuth");
      }
      RatlsCertificate.Extension san = cert.extensions().get(RatlsCertificate.OID_SUBJECT_ALT_NAME);
      if (san == null || GeneralNames.getInstance(der(san)).getNames().length == 0) {
        throw new Refusal(Stage.PROFILE_SAN, RatlsReason.PROFILE_VIOLATION,
            "certificate subject alternative name missing or empty");
      }
    } catch (IOException | RuntimeException x) {
      throw new Refusal(Stage.X509, RatlsReason.PROFILE_VIOLATION,
          "a standard extension cannot be decoded");
    }
  }

  private static ASN1Primitive der(RatlsCertificate.Extension e) throws IOException {
    return ASN1Primitive.fromByteArray(e.value().toByteArray());
  }

  /** ECDSA signature of {@code cert} by the key {@code spki}, through Bouncy Castle. */
  private static boolean signedBy(RatlsCertificate cert, Bytes spki) {
    try {
      AsymmetricKeyParameter key =
          PublicKeyFactory.createKey(SubjectPublicKeyInfo.getInstance(spki.toByteArray()));
      ContentVerifier v =
          new BcECContentVerifierProviderBuilder(new DefaultDigestAlgorithmIdentifierFinder())
              .build(key)
              .get(cert.signatureAlgorithm());
      try (OutputStream out = v.getOutputStream()) {
        out.write(cert.tbsCertificate().toByteArray());
      }
      return v.verify(cert.signatureBytes());
    } catch (IOException | OperatorCreationException | RuntimeException e) {
      return false;
    }
  }

  private static RatlsVerdict reject(
      Stage stage, ReasonCode reason, String message, VersionedAttestation va, String source,
      Bytes expected, List<String> checks) {
    return new RatlsVerdict(false, stage, reason, message, va, source, expected, checks, false);
  }

  /** A stage failure inside {@link #verify(RatlsCertificate)}. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Stage stage;
    private final transient ReasonCode reason;

    Refusal(Stage stage, ReasonCode reason, String message) {
      super(message, null, false, false);
      this.stage = stage;
      this.reason = reason;
    }
  }

  /**
   * The mode.
   *
   * @return the mode
   */
  public Mode mode() {
    return mode;
  }
}
