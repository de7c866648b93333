package org.attest4j.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The KMS root CA certificate, dstack's {@code root-ca.crt}: a self-signed X.509 v3 certificate
 * for the P-256 root CA key of {@link KmsRootKeys}, returned as {@code ca_cert} by GetMeta and
 * GetAppKey.
 *
 * <p>Generated certificates carry the subject {@value #SUBJECT}, basicConstraints CA:true with
 * pathLenConstraint 1 (dstack's {@code ca_level 1}; critical), keyUsage keyCertSign and cRLSign
 * (critical), a subject key identifier (SHA-1 of the public key, RFC 5280 method 1), a random
 * positive 127-bit serial, and an ECDSA-SHA256 signature. {@code notBefore} is the given instant
 * truncated to seconds; {@code notAfter} is {@link #NOT_AFTER} (99991231235959Z, RFC 5280's "no
 * well-defined expiration date"), because a KMS root is never rotated: dstack's rcgen defaults are
 * likewise effectively unbounded (4096-01-01).
 *
 * <p>Immutable and thread-safe. The certificate holds only public values.
 */
public final class RootCaCertificate {
  /** The subject (and issuer) of generated root CA certificates. */
  public static final String SUBJECT = "CN=Dstack KMS CA, O=Dstack";

  /** The {@code notAfter} of generated certificates: 9999-12-31T23:59:59Z. */
  public static final Instant NOT_AFTER = Instant.parse("9999-12-31T23:59:59Z");

  /** dstack's {@code ca_level} of the root CA: the basicConstraints pathLenConstraint. */
  public static final int PATH_LENGTH = 1;

  private static final int MAX_PEM = 64 * 1024;
  private static final java.security.Provider BC = new BouncyCastleProvider();

  private final byte[] der;
  private final X509Certificate cert;
  private final byte[] spki;

  private RootCaCertificate(byte[] der, X509Certificate cert, byte[] spki) {
    this.der = der;
    this.cert = cert;
    this.spki = spki;
  }

  /**
   * A fresh self-signed certificate for the root CA key of {@code keys}.
   *
   * @param keys the root keys whose CA key is certified and signs
   * @param notBefore the start of validity (truncated to whole seconds)
   * @param random the source of the serial number
   * @return the new certificate
   */
  public static RootCaCertificate generate(KmsRootKeys keys, Instant notBefore, SecureRandom random) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(random, "random");
    Instant nb = notBefore.truncatedTo(ChronoUnit.SECONDS);
    if (!nb.isBefore(NOT_AFTER)) {
      throw new IllegalArgumentException("notBefore " + nb + " is not before " + NOT_AFTER);
    }
    try {
      var pair = keys.rootCaKeyPair();
      X500Name name = new X500Name(SUBJECT);
      BigInteger serial = new BigInteger(127, random).setBit(126);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          name, serial, Date.from(nb), Date.from(NOT_AFTER), name, pair.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(PATH_LENGTH));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA")
          .setProvider(BC).setSecureRandom(random).build(pair.getPrivate());
      byte[] der = b.build(signer).getEncoded();
      return new RootCaCertificate(der, x509(der), keys.rootCaPublicKeySpki().toByteArray());
    } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot build the root CA certificate", e);
    }
  }

  /**
   * A fresh certificate whose {@code notBefore} is {@code clock.instant()}.
   *
   * @param keys the root keys whose CA key is certified and signs
   * @param clock gives the start of validity
   * @return the new certificate
   */
  public static RootCaCertificate generate(KmsRootKeys keys, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return generate(keys, clock.instant(), new SecureRandom());
  }

  /**
   * Parses a PEM {@code CERTIFICATE} and checks that it is the root CA certificate of {@code keys}:
   * its public key equals the root CA public key and its signature verifies under that key.
   *
   * @param pem the PEM text of one certificate
   * @param keys the root keys the certificate must belong to
   * @return the checked certificate
   * @throws MalformedEvidenceException {@link CoreReason#BAD_ENCODING} if it is not a PEM X.509
   *     certificate, {@link CryptoReason#SIGNER_MISMATCH} if it belongs to another key, {@link
   *     CryptoReason#BAD_SIGNATURE} if it is not self-signed by the root CA key
   */
  public static RootCaCertificate parsePem(String pem, KmsRootKeys keys) throws MalformedEvidenceException {
    Objects.requireNonNull(pem, "pem");
    Objects.requireNonNull(keys, "keys");
    if (pem.length() > MAX_PEM) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING,
          "root-ca.crt is " + pem.length() + " characters; too large for a certificate");
    }
    PemObject obj;
    try (PemReader r = new PemReader(new StringReader(pem))) {
      obj = r.readPemObject();
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "root-ca.crt is not valid PEM: " + e.getMessage());
    }
    if (obj == null || !obj.getType().equals("CERTIFICATE")) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING,
          "root-ca.crt holds no PEM CERTIFICATE block" + (obj == null ? "" : " (found '" + obj.getType() + "')"));
    }
    return parseDer(obj.getContent(), keys);
  }

  /**
   * Parses a DER certificate with the same checks as {@link #parsePem}.
   *
   * @param der the DER encoding of one certificate
   * @param keys the root keys the certificate must belong to
   * @return the checked certificate
   * @throws MalformedEvidenceException as {@link #parsePem}
   */
  public static RootCaCertificate parseDer(byte[] der, KmsRootKeys keys) throws MalformedEvidenceException {
    Objects.requireNonNull(der, "der");
    Objects.requireNonNull(keys, "keys");
    byte[] copy = der.clone();
    X509CertificateHolder holder;
    try {
      holder = new X509CertificateHolder(copy);
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "root-ca.crt is not an X.509 certificate: " + e.getMessage());
    }
    byte[] spki;
    try {
      spki = holder.getSubjectPublicKeyInfo().getEncoded("DER");
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "root-ca.crt has an unreadable public key");
    }
    byte[] expected = keys.rootCaPublicKeySpki().toByteArray();
    if (!MessageDigest.isEqual(spki, expected)) {
      HexFormat h = HexFormat.of();
      throw new MalformedEvidenceException(CryptoReason.SIGNER_MISMATCH,
          "root-ca.crt certifies public key id " + h.formatHex(Kdf.sha256(spki))
              + " but root-ca.key has key id " + h.formatHex(Kdf.sha256(expected))
              + ": the certificate belongs to another KMS; remove or replace it");
    }
    boolean ok;
    try {
      ok = holder.isSignatureValid(new JcaContentVerifierProviderBuilder()
          .setProvider(BC).build(keys.rootCaKeyPair().getPublic()));
    } catch (Exception e) {
      ok = false;
    }
    if (!ok) {
      throw new MalformedEvidenceException(CryptoReason.BAD_SIGNATURE,
          "root-ca.crt is not self-signed by the root CA key (its signature does not verify)");
    }
    try {
      return new RootCaCertificate(copy, x509(copy), spki);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, "root-ca.crt is not an X.509 certificate: " + e.getMessage());
    }
  }

  private static X509Certificate x509(byte[] der) throws GeneralSecurityException {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }

  /**
   * The certified public key as SubjectPublicKeyInfo DER.
   *
   * @return the SPKI DER
   */
  public Bytes publicKeySpki() {
    return Bytes.of(spki);
  }

  /**
   * Whether this certificate certifies the root CA key of {@code keys}.
   *
   * @param keys the root keys to compare with
   * @return {@code true} if the certified key is their root CA public key
   */
  public boolean certifies(KmsRootKeys keys) {
    return keys.rootCaPublicKeySpki().equalsBytes(spki);
  }

  /**
   * The DER encoding (a copy).
   *
   * @return a copy of the certificate's DER encoding
   */
  public byte[] der() {
    return der.clone();
  }

  /**
   * The PEM encoding ({@code -----BEGIN CERTIFICATE-----}, 64-column lines, trailing newline).
   *
   * @return the PEM text
   */
  public String pem() {
    return Pem.certificate(der);
  }

  /**
   * The certificate as a JCA object.
   *
   * @return a newly decoded {@link X509Certificate} of the same DER
   */
  public X509Certificate x509Certificate() {
    try {
      return x509(der);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The start of validity.
   *
   * @return the certificate's {@code notBefore}
   */
  public Instant notBefore() {
    return cert.getNotBefore().toInstant();
  }

  /**
   * The end of validity.
   *
   * @return the certificate's {@code notAfter}
   */
  public Instant notAfter() {
    return cert.getNotAfter().toInstant();
  }

  /**
   * The subject distinguished name (RFC 2253 form).
   *
   * @return the subject name, for example {@code CN=...}
   */
  public String subject() {
    return cert.getSubjectX500Principal().getName();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RootCaCertificate other && MessageDigest.isEqual(der, other.der);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(der);
  }

  @Override
  public String toString() {
    return "RootCaCertificate[subject=" + subject() + ", notBefore=" + notBefore() + ", notAfter=" + notAfter()
        + ", sha256=" + HexFormat.of().formatHex(Kdf.sha256(der)) + "]";
  }
}
