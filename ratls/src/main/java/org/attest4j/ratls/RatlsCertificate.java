package org.attest4j.ratls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * An X.509 certificate read for RA-TLS (spec dstack-ratls §2): its signed TBS bytes, validity, the
 * SubjectPublicKeyInfo exactly as encoded, and every extension by OID, with dstack's custom
 * extensions unwrapped from their double OCTET STRING. The structure is read with Bouncy Castle's
 * ASN.1 parser without the JDK's certificate factory, so a certificate that a strict X.509 parser
 * refuses for an RA-TLS reason (a duplicated .8, say) still reaches the stage that names the reason.
 * Nothing here is verified: {@link RatlsVerifier} does that.
 *
 * <p>Immutable and thread-safe.
 */
public final class RatlsCertificate {
  /** OID arc of dstack's RA-TLS extensions (Phala's PEN 62397). */
  public static final String ARC = "1.3.6.1.4.1.62397.1";
  /** Legacy: raw TDX quote (dstack ≤ v0.5.8). */
  public static final String OID_TDX_QUOTE = ARC + ".1";
  /** Legacy: TDX event log JSON (dstack ≤ v0.5.8). */
  public static final String OID_EVENT_LOG = ARC + ".2";
  /** Issuer claim: app_id, 20 raw bytes. */
  public static final String OID_APP_ID = ARC + ".3";
  /** Issuer claim: special usage ({@code kms:rpc}, {@code app:ca}, {@code app:custom}). */
  public static final String OID_SPECIAL_USAGE = ARC + ".4";
  /** The {@link VersionedAttestation} (current). */
  public static final String OID_ATTESTATION = ARC + ".8";
  /** Issuer claim: AppInfo, MessagePack. */
  public static final String OID_APP_INFO = ARC + ".9";

  static final String OID_KEY_USAGE = "2.5.29.15";
  static final String OID_EXT_KEY_USAGE = "2.5.29.37";
  static final String OID_SUBJECT_ALT_NAME = "2.5.29.17";
  static final String OID_BASIC_CONSTRAINTS = "2.5.29.19";

  private final byte[] der;
  private final byte[] tbs;
  private final AlgorithmIdentifier signatureAlgorithm;
  private final byte[] signature;
  private final String issuer;
  private final String subject;
  private final byte[] subjectDer;
  private final Instant notBefore;
  private final Instant notAfter;
  private final byte[] spki;
  private final Map<String, Extension> extensions;
  private final List<String> duplicated;

  /**
   * One extension: its criticality and the contents of its extnValue OCTET STRING.
   *
   * @param oid the extension OID
   * @param critical the critical flag
   * @param value the extnValue contents
   */
  public record Extension(String oid, boolean critical, Bytes value) {
    /**
     * Checks the components.
     *
     * @param oid OID
     * @param critical critical flag
     * @param value extnValue contents
     */
    public Extension {
      Objects.requireNonNull(oid, "oid");
      Objects.requireNonNull(value, "value");
    }
  }

  private RatlsCertificate(
      byte[] der, byte[] tbs, AlgorithmIdentifier sigAlg, byte[] signature, String issuer,
      String subject, byte[] subjectDer, Instant notBefore, Instant notAfter, byte[] spki,
      Map<String, Extension> extensions, List<String> duplicated) {
    this.der = der;
    this.tbs = tbs;
    this.signatureAlgorithm = sigAlg;
    this.signature = signature;
    this.issuer = issuer;
    this.subject = subject;
    this.subjectDer = subjectDer;
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    this.spki = spki;
    this.extensions = extensions;
    this.duplicated = duplicated;
  }

  /**
   * Reads one certificate, PEM ({@code -----BEGIN CERTIFICATE-----}) or DER.
   *
   * @param pemOrDer the certificate
   * @return the certificate
   * @throws MalformedEvidenceException when the bytes are not an X.509 certificate
   */
  public static RatlsCertificate parse(byte[] pemOrDer) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(pemOrDer, "certificate");
    byte[] der = pemOrDer;
    if (pemOrDer.length > 0 && pemOrDer[0] != 0x30) {
      der = fromPem(pemOrDer);
    }
    try {
      ASN1Sequence cert = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
      if (cert.size() != 3) {
        throw bad("a certificate is SEQUENCE { tbsCertificate, signatureAlgorithm, signature }");
      }
      ASN1Sequence tbs = ASN1Sequence.getInstance(cert.getObjectAt(0));
      AlgorithmIdentifier sigAlg = AlgorithmIdentifier.getInstance(cert.getObjectAt(1));
      byte[] sig = org.bouncycastle.asn1.ASN1BitString.getInstance(cert.getObjectAt(2)).getOctets();
      int i = 0;
      if (tbs.getObjectAt(0) instanceof ASN1TaggedObject) {
        i++; // [0] version
      }
      if (tbs.size() < i + 6) {
        throw bad("tbsCertificate has " + tbs.size() + " fields");
      }
      String issuer = X500Name.getInstance(tbs.getObjectAt(i + 2)).toString();
      ASN1Sequence validity = ASN1Sequence.getInstance(tbs.getObjectAt(i + 3));
      Instant notBefore = Time.getInstance(validity.getObjectAt(0)).getDate().toInstant();
      Instant notAfter = Time.getInstance(validity.getObjectAt(1)).getDate().toInstant();
      X500Name subjectName = X500Name.getInstance(tbs.getObjectAt(i + 4));
      String subject = subjectName.toString();
      byte[] spki = tbs.getObjectAt(i + 5).toASN1Primitive().getEncoded(ASN1Encoding.DER);
      Map<String, Extension> exts = new LinkedHashMap<>();
      List<String> dup = new ArrayList<>();
      for (int j = i + 6; j < tbs.size(); j++) {
        ASN1Encodable e = tbs.getObjectAt(j);
        if (e instanceof ASN1TaggedObject && ((ASN1TaggedObject) e).getTagNo() == 3) {
          readExtensions(ASN1Sequence.getInstance((ASN1TaggedObject) e, true), exts, dup);
        }
      }
      return new RatlsCertificate(
          der, tbs.getEncoded(ASN1Encoding.DER), sigAlg, sig, issuer, subject,
          subjectName.getEncoded(ASN1Encoding.DER), notBefore, notAfter,
          spki, Collections.unmodifiableMap(exts), List.copyOf(dup));
    } catch (IOException | RuntimeException e) {
      if (e instanceof MalformedCertificate) {
        throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, e.getMessage());
      }
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING,
          "not a well-formed X.509 certificate (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static byte[] fromPem(byte[] pem) throws MalformedEvidenceException {
    try (PemReader r = new PemReader(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      PemObject o = r.readPemObject();
      if (o == null || !o.getType().equals("CERTIFICATE")) {
        throw new MalformedEvidenceException(
            CoreReason.BAD_ENCODING,
            "expected a DER certificate or a PEM block 'CERTIFICATE'"
                + (o == null ? "" : ", found '" + o.getType() + "'"));
      }
      return o.getContent();
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "unreadable PEM certificate");
    }
  }

  private static void readExtensions(ASN1Sequence seq, Map<String, Extension> out, List<String> dup)
      throws IOException {
    for (ASN1Encodable e : seq) {
      ASN1Sequence ext = ASN1Sequence.getInstance(e);
      ASN1ObjectIdentifier oid = ASN1ObjectIdentifier.getInstance(ext.getObjectAt(0));
      byte[] enc = oid.getEncoded(ASN1Encoding.DER);
      if (!java.util.Arrays.equals(enc, new ASN1ObjectIdentifier(oid.getId()).getEncoded())) {
        throw new MalformedCertificate("extension OID " + oid.getId() + " is not minimally encoded");
      }
      boolean critical = false;
      int k = 1;
      if (ext.size() == 3) {
        critical = ASN1Boolean.getInstance(ext.getObjectAt(1)).isTrue();
        k = 2;
      }
      byte[] value = ASN1OctetString.getInstance(ext.getObjectAt(k)).getOctets();
      Extension x = new Extension(oid.getId(), critical, Bytes.of(value));
      if (out.putIfAbsent(oid.getId(), x) != null) {
        dup.add(oid.getId());
      }
    }
  }

  private static MalformedCertificate bad(String what) {
    return new MalformedCertificate(what);
  }

  /** Internal: a structural refusal with its own message. */
  private static final class MalformedCertificate extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedCertificate(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A dstack custom extension's payload: the extnValue must hold exactly one DER OCTET STRING (the
   * double wrapping of spec §2.2), whose contents are returned.
   *
   * @param oid the extension OID
   * @return the payload, or empty when the certificate has no such extension
   * @throws MalformedEvidenceException with {@link RatlsReason#EXTENSION_NOT_WRAPPED} when the
   *     extnValue is not one DER OCTET STRING, or {@link RatlsReason#DUPLICATE_EXTENSION}
   */
  public Optional<Bytes> customExtension(String oid) throws MalformedEvidenceException {
    if (duplicated.contains(oid)) {
      throw new MalformedEvidenceException(
          RatlsReason.DUPLICATE_EXTENSION, "the certificate carries extension " + oid + " twice");
    }
    Extension e = extensions.get(oid);
    if (e == null) {
      return Optional.empty();
    }
    byte[] v = e.value().toByteArray();
    try {
      ASN1Primitive p = ASN1Primitive.fromByteArray(v);
      if (p instanceof ASN1OctetString) {
        byte[] inner = ((ASN1OctetString) p).getOctets();
        if (java.util.Arrays.equals(new DEROctetString(inner).getEncoded(), v)) {
          return Optional.of(Bytes.of(inner));
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // reported below
    }
    throw new MalformedEvidenceException(
        RatlsReason.EXTENSION_NOT_WRAPPED,
        "extension " + oid + " does not hold exactly one DER OCTET STRING inside its extnValue");
  }

  /**
   * The DER encoding.
   *
   * @return the certificate bytes
   */
  public Bytes der() {
    return Bytes.of(der);
  }

  /**
   * The signed part.
   *
   * @return tbsCertificate DER
   */
  public Bytes tbsCertificate() {
    return Bytes.of(tbs);
  }

  /**
   * The signature algorithm OID.
   *
   * @return for example {@code 1.2.840.10045.4.3.2}
   */
  public String signatureAlgorithmOid() {
    return signatureAlgorithm.getAlgorithm().getId();
  }

  AlgorithmIdentifier signatureAlgorithm() {
    return signatureAlgorithm;
  }

  byte[] signatureBytes() {
    return signature.clone();
  }

  /**
   * The issuer name (RFC 4519 style).
   *
   * @return the issuer
   */
  public String issuer() {
    return issuer;
  }

  /**
   * The subject name (RFC 4519 style).
   *
   * @return the subject
   */
  public String subject() {
    return subject;
  }

  /**
   * The subject name's DER encoding.
   *
   * @return the subject Name DER
   */
  public Bytes subjectDer() {
    return Bytes.of(subjectDer);
  }

  /**
   * Start of validity.
   *
   * @return notBefore
   */
  public Instant notBefore() {
    return notBefore;
  }

  /**
   * End of validity.
   *
   * @return notAfter
   */
  public Instant notAfter() {
    return notAfter;
  }

  /**
   * The SubjectPublicKeyInfo DER exactly as in the certificate (the RA-TLS binding's input).
   *
   * @return SPKI DER
   */
  public Bytes subjectPublicKeyInfo() {
    return Bytes.of(spki);
  }

  /**
   * Every extension by OID (the first occurrence of a duplicated one).
   *
   * @return an unmodifiable map in certificate order
   */
  public Map<String, Extension> extensions() {
    return extensions;
  }

  /**
   * OIDs that occur more than once.
   *
   * @return the duplicated OIDs
   */
  public List<String> duplicatedExtensions() {
    return duplicated;
  }

  /**
   * The special usage claim (.4).
   *
   * @return the UTF-8 string, if present
   * @throws MalformedEvidenceException when the extension is malformed
   */
  public Optional<String> specialUsage() throws MalformedEvidenceException {
    Optional<Bytes> b = customExtension(OID_SPECIAL_USAGE);
    if (b.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(org.attest4j.ratls.internal.Scale.utf8(b.get().toByteArray(), "special usage"));
  }

  /**
   * The app_id claim (.3).
   *
   * @return the raw bytes, if present
   * @throws MalformedEvidenceException when the extension is malformed
   */
  public Optional<Bytes> appId() throws MalformedEvidenceException {
    return customExtension(OID_APP_ID);
  }

  @Override
  public String toString() {
    return "RatlsCertificate[subject=" + subject + ", issuer=" + issuer + "]";
  }
}
