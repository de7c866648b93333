package org.attest4j.ratls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

/**
 * Builds dstack-profile RA-TLS certificates (spec dstack-ratls §2.4, §2.6): the guest's client
 * certificate (an attestation in OID .8 whose report_data binds this certificate's key, signed by
 * the temp CA), the KMS RPC certificate (special usage {@code kms:rpc}), app leaves and CAs. Layout
 * as rcgen writes it: serial = SHA-256(raw public point)[0..20] with the top bit cleared, notBefore
 * 1975-01-01 unless set, notAfter now + 3650 days unless set, {@code O} then {@code CN}, extensions
 * SAN · keyUsage (critical) · EKU · [CA: SKI, basicConstraints (critical)] · .3 · .4 · .8, custom
 * extensions non-critical and double-wrapped. Keys are ECDSA P-256, signatures ecdsa-with-SHA256.
 *
 * <p>The caller computes the attestation for {@link RatlsReportData#forCertificateKey(byte[])} of
 * {@code keyPair.getPublic().getEncoded()} before building. Not thread-safe; build one per certificate.
 */
public final class RatlsCertificateBuilder {
  /** rcgen's default notBefore, which dstack keeps for most of its certificates. */
  public static final Instant RCGEN_NOT_BEFORE = Instant.parse("1975-01-01T00:00:00Z");

  private final KeyPair keyPair;
  private final byte[] publicKeySpki;
  private String organization;
  private String commonName = "RA-TLS TEMP Cert";
  private final List<String> subjectAltNames = new ArrayList<>();
  private boolean serverAuth;
  private boolean clientAuth;
  private Integer caPathLen;
  private byte[] appId;
  private byte[] appInfo;
  private String specialUsage;
  private byte[] attestation;
  private Instant notBefore = RCGEN_NOT_BEFORE;
  private Instant notAfter;
  private RatlsCertificate issuer;
  private PrivateKey issuerKey;

  private RatlsCertificateBuilder(KeyPair keyPair) {
    this.keyPair = Objects.requireNonNull(keyPair, "keyPair");
    if (!(keyPair.getPublic() instanceof ECPublicKey)) {
      throw new IllegalArgumentException("RA-TLS certificate keys are ECDSA P-256");
    }
    this.publicKeySpki = keyPair.getPublic().getEncoded();
  }

  private RatlsCertificateBuilder(byte[] spki) {
    this.keyPair = null;
    SubjectPublicKeyInfo info;
    try {
      info = SubjectPublicKeyInfo.getInstance(spki);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a DER SubjectPublicKeyInfo", e);
    }
    if (!org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey.equals(
            info.getAlgorithm().getAlgorithm())
        || !org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1.equals(
            info.getAlgorithm().getParameters())) {
      throw new IllegalArgumentException("RA-TLS certificate keys are ECDSA P-256");
    }
    this.publicKeySpki = spki.clone();
  }

  /**
   * Starts a certificate for someone else's public key (a CSR's); it must be signed by an {@link
   * #issuer}.
   *
   * @param spkiDer the P-256 public key as SubjectPublicKeyInfo DER
   * @return a builder
   * @throws IllegalArgumentException when the key is not a P-256 SubjectPublicKeyInfo
   */
  public static RatlsCertificateBuilder forPublicKey(byte[] spkiDer) {
    return new RatlsCertificateBuilder(Objects.requireNonNull(spkiDer, "spkiDer"));
  }

  /**
   * Starts a certificate for a key pair (ECDSA P-256).
   *
   * @param keyPair the certificate's key pair
   * @return a builder (self-signed, {@code CN=RA-TLS TEMP Cert}, no attestation)
   */
  public static RatlsCertificateBuilder forKey(KeyPair keyPair) {
    return new RatlsCertificateBuilder(keyPair);
  }

  /**
   * The subject: an optional organization and a common name.
   *
   * @param organization O, or null
   * @param commonName CN
   * @return this builder
   */
  public RatlsCertificateBuilder subject(String organization, String commonName) {
    this.organization = organization;
    this.commonName = Objects.requireNonNull(commonName, "commonName");
    return this;
  }

  /**
   * Adds subjectAltNames: an IP address when the name parses as one, else a DNS name.
   *
   * @param names the names
   * @return this builder
   */
  public RatlsCertificateBuilder subjectAltNames(String... names) {
    subjectAltNames.addAll(Arrays.asList(names));
    return this;
  }

  /**
   * Adds the extended key usages.
   *
   * @param server serverAuth
   * @param client clientAuth
   * @return this builder
   */
  public RatlsCertificateBuilder extendedKeyUsage(boolean server, boolean client) {
    this.serverAuth = server;
    this.clientAuth = client;
    return this;
  }

  /**
   * Makes this a CA certificate.
   *
   * @param pathLen the basicConstraints path length
   * @return this builder
   */
  public RatlsCertificateBuilder ca(int pathLen) {
    this.caPathLen = pathLen;
    return this;
  }

  /**
   * The app_id issuer claim (.3).
   *
   * @param appId the app id (20 bytes in dstack)
   * @return this builder
   */
  public RatlsCertificateBuilder appId(Bytes appId) {
    this.appId = appId.toByteArray();
    return this;
  }

  /**
   * The app info issuer claim (.9), written in its {@link AppInfo#encoding()}.
   *
   * @param info the app info
   * @return this builder
   */
  public RatlsCertificateBuilder appInfo(AppInfo info) {
    this.appInfo = info.encode();
    return this;
  }

  /**
   * The special usage issuer claim (.4): {@code kms:rpc}, {@code app:ca} or {@code app:custom}.
   *
   * @param usage the usage
   * @return this builder
   */
  public RatlsCertificateBuilder specialUsage(String usage) {
    this.specialUsage = Objects.requireNonNull(usage, "usage");
    return this;
  }

  /**
   * The attestation to embed (.8).
   *
   * @param attestation the attestation, written in its wire format
   * @return this builder
   */
  public RatlsCertificateBuilder attestation(VersionedAttestation attestation) {
    this.attestation = attestation.encode();
    return this;
  }

  /**
   * The validity period (default: 1975-01-01 to now + 3650 days).
   *
   * @param notBefore start
   * @param notAfter end
   * @return this builder
   */
  public RatlsCertificateBuilder validity(Instant notBefore, Instant notAfter) {
    this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
    this.notAfter = Objects.requireNonNull(notAfter, "notAfter");
    return this;
  }

  /**
   * Signs with a CA instead of self-signing.
   *
   * @param caCertificatePemOrDer the CA certificate (its subject becomes the issuer)
   * @param caKey the CA's private key (ECDSA P-256)
   * @return this builder
   * @throws IllegalArgumentException when the CA certificate cannot be read
   */
  public RatlsCertificateBuilder issuer(byte[] caCertificatePemOrDer, PrivateKey caKey) {
    try {
      this.issuer = RatlsCertificate.parse(caCertificatePemOrDer);
    } catch (org.attest4j.core.MalformedEvidenceException e) {
      throw new IllegalArgumentException("CA certificate: " + e.getMessage(), e);
    }
    this.issuerKey = Objects.requireNonNull(caKey, "caKey");
    return this;
  }

  /**
   * Builds and signs the certificate.
   *
   * @return the DER encoding
   */
  public byte[] buildDer() {
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(publicKeySpki);
      X500Name subject = name(organization, commonName);
      X500Name issuerName =
          issuer != null ? X500Name.getInstance(issuer.subjectDer().toByteArray()) : subject;
      Instant end = notAfter != null ? notAfter
          : Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(3650, ChronoUnit.DAYS);
      X509v3CertificateBuilder b = new X509v3CertificateBuilder(
          issuerName, serial(spki), Date.from(notBefore), Date.from(end), subject, spki);
      if (!subjectAltNames.isEmpty()) {
        GeneralName[] names = new GeneralName[subjectAltNames.size()];
        for (int i = 0; i < names.length; i++) {
          String n = subjectAltNames.get(i);
          names[i] = isIp(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      int usage = KeyUsage.digitalSignature | (caPathLen != null ? KeyUsage.keyCertSign | KeyUsage.cRLSign : 0);
      b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      if (serverAuth || clientAuth) {
        List<KeyPurposeId> eku = new ArrayList<>();
        if (serverAuth) {
          eku.add(KeyPurposeId.id_kp_serverAuth);
        }
        if (clientAuth) {
          eku.add(KeyPurposeId.id_kp_clientAuth);
        }
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku.toArray(KeyPurposeId[]::new)));
      }
      if (caPathLen != null) {
        byte[] ski = Arrays.copyOf(sha256(spki.getEncoded()), 20);
        b.addExtension(Extension.subjectKeyIdentifier, false, new DEROctetString(ski));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(caPathLen));
      }
      if (appId != null) {
        custom(b, RatlsCertificate.OID_APP_ID, appId);
      }
      if (appInfo != null) {
        custom(b, RatlsCertificate.OID_APP_INFO, appInfo);
      }
      if (specialUsage != null) {
        custom(b, RatlsCertificate.OID_SPECIAL_USAGE, specialUsage.getBytes(StandardCharsets.UTF_8));
      }
      if (attestation != null) {
        custom(b, RatlsCertificate.OID_ATTESTATION, attestation);
      }
      if (issuerKey == null && keyPair == null) {
        throw new IllegalStateException("a certificate for a public key alone needs an issuer");
      }
      PrivateKey signer = issuerKey != null ? issuerKey : keyPair.getPrivate();
      var sigAlg = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      var contentSigner =
          new BcECContentSignerBuilder(sigAlg, new DefaultDigestAlgorithmIdentifierFinder().find(sigAlg))
              .build(PrivateKeyFactory.createKey(signer.getEncoded()));
      return b.build(contentSigner).getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build the RA-TLS certificate: " + e.getMessage(), e);
    }
  }

  private static void custom(X509v3CertificateBuilder b, String oid, byte[] payload) throws IOException {
    b.addExtension(new ASN1ObjectIdentifier(oid), false, new DEROctetString(payload));
  }

  private static X500Name name(String o, String cn) {
    X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE);
    if (o != null) {
      n.addRDN(BCStyle.O, new org.bouncycastle.asn1.DERUTF8String(o));
    }
    n.addRDN(BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(cn));
    return n.build();
  }

  /** rcgen: SHA-256 of the raw public point, first 20 bytes, top bit cleared. */
  private static BigInteger serial(SubjectPublicKeyInfo spki) {
    byte[] h = Arrays.copyOf(sha256(spki.getPublicKeyData().getBytes()), 20);
    h[0] &= 0x7f;
    return new BigInteger(1, h);
  }

  private static boolean isIp(String n) {
    if (!n.matches("[0-9.]+") && !n.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(n);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
