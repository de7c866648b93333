package org.attest4j.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.CoreReason;
import org.attest4j.core.InvalidConfigurationException;
import org.attest4j.core.MalformedEvidenceException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The root key material of a dstack-compatible KMS: the P-256 root CA key ({@code root-ca.key},
 * PEM PKCS#8) and the secp256k1 root key ({@code root-k256.key}, the raw 32-byte scalar). All app
 * keys are derived from these two (see {@link AppKeyDeriver}).
 *
 * <p>The keys also carry the self-signed root CA certificate ({@code root-ca.crt}, see {@link
 * RootCaCertificate}); {@link #equals} compares the key material only.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only public values (the CA key id and the
 * k256 public key), never a private key.
 */
public final class KmsRootKeys {
  private static final System.Logger LOG = System.getLogger(KmsRootKeys.class.getName());

  /** dstack's file name of the root CA private key (PEM PKCS#8). */
  public static final String ROOT_CA_KEY_FILE = "root-ca.key";

  /** dstack's file name of the self-signed root CA certificate (PEM), see {@link RootCaCertificate}. */
  public static final String ROOT_CA_CERT_FILE = "root-ca.crt";

  /** dstack's file name of the secp256k1 root key (raw 32 bytes). */
  public static final String ROOT_K256_KEY_FILE = "root-k256.key";

  private final byte[] caScalar;
  private final BigInteger caD;
  private final byte[] caPublic;
  private final byte[] k256Scalar;
  private final BigInteger k256D;
  private final byte[] k256PublicCompressed;
  private final Object certLock = new Object();
  private RootCaCertificate rootCaCert; // guarded by certLock; null until needed when not given

  private KmsRootKeys(byte[] caScalar, BigInteger caD, byte[] k256Scalar, BigInteger k256D) {
    this.caScalar = caScalar;
    this.caD = caD;
    this.caPublic = Ec.P256.publicKey(caD, false);
    this.k256Scalar = k256Scalar;
    this.k256D = k256D;
    this.k256PublicCompressed = Ec.K256.publicKey(k256D, true);
  }

  private KmsRootKeys(KmsRootKeys keys, RootCaCertificate cert) {
    this.caScalar = keys.caScalar;
    this.caD = keys.caD;
    this.caPublic = keys.caPublic;
    this.k256Scalar = keys.k256Scalar;
    this.k256D = keys.k256D;
    this.k256PublicCompressed = keys.k256PublicCompressed;
    this.rootCaCert = cert;
  }

  /**
   * Fresh root keys, as dstack's {@code Keys::generate} makes them, with a root CA certificate
   * whose {@code notBefore} is now (system clock).
   */
  public static KmsRootKeys generate(SecureRandom random) {
    return generate(random, Clock.systemUTC());
  }

  /**
   * Fresh root keys with a root CA certificate whose {@code notBefore} is {@code clock.instant()}.
   */
  public static KmsRootKeys generate(SecureRandom random, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    KmsRootKeys keys = generateKeys(random);
    return new KmsRootKeys(keys, RootCaCertificate.generate(keys, clock.instant(), random));
  }

  private static KmsRootKeys generateKeys(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    while (true) {
      byte[] ca = new byte[32];
      byte[] k = new byte[32];
      random.nextBytes(ca);
      random.nextBytes(k);
      BigInteger caD = Ec.P256.scalarOrNull(ca);
      BigInteger kD = Ec.K256.scalarOrNull(k);
      if (caD != null && kD != null) {
        return new KmsRootKeys(ca, caD, k, kD);
      }
    }
  }

  /** Fresh root keys from a new {@link SecureRandom}. */
  public static KmsRootKeys generate() {
    return generate(new SecureRandom());
  }

  /**
   * Root keys from raw big-endian scalars (copied).
   *
   * @param rootCaScalar the 32-byte P-256 private scalar of the root CA key
   * @param rootK256Key the 32-byte secp256k1 private scalar ({@code root-k256.key})
   * @return the keys
   * @throws InvalidConfigurationException if a scalar is not 32 bytes or not in [1, n-1]
   */
  public static KmsRootKeys of(byte[] rootCaScalar, byte[] rootK256Key) {
    try {
      return of0(rootCaScalar, rootK256Key);
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
  }

  private static KmsRootKeys of0(byte[] rootCaScalar, byte[] rootK256Key) throws MalformedEvidenceException {
    Objects.requireNonNull(rootCaScalar, "rootCaScalar");
    Objects.requireNonNull(rootK256Key, "rootK256Key");
    BigInteger caD = Ec.P256.scalarOrNull(rootCaScalar);
    if (caD == null) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_KEY,
          "the root CA key must be a 32-byte P-256 scalar in [1, n-1] (got " + rootCaScalar.length + " bytes)");
    }
    BigInteger kD = Ec.K256.scalarOrNull(rootK256Key);
    if (kD == null) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_KEY,
          "root-k256.key must hold a raw 32-byte secp256k1 scalar in [1, n-1] (got "
              + rootK256Key.length + " bytes)");
    }
    return new KmsRootKeys(rootCaScalar.clone(), caD, rootK256Key.clone(), kD);
  }

  /**
   * Root keys from the two files in dstack's formats: {@code root-ca.key} as PEM (PKCS#8
   * {@code PRIVATE KEY}, or SEC1 {@code EC PRIVATE KEY}) and {@code root-k256.key} as the raw 32
   * bytes.
   *
   * @param rootCaKeyPem the path of {@code root-ca.key}
   * @param rootK256Key the path of {@code root-k256.key}
   * @return the keys
   * @throws InvalidConfigurationException if a file cannot be read ({@link CoreReason#IO_ERROR}) or
   *     is not a valid key
   */
  public static KmsRootKeys load(Path rootCaKeyPem, Path rootK256Key) {
    try {
      return load0(rootCaKeyPem, rootK256Key);
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
  }

  private static KmsRootKeys load0(Path rootCaKeyPem, Path rootK256Key) throws MalformedEvidenceException {
    Objects.requireNonNull(rootCaKeyPem, "rootCaKeyPem");
    Objects.requireNonNull(rootK256Key, "rootK256Key");
    String pem = readString(rootCaKeyPem);
    byte[] k = readBytes(rootK256Key);
    try {
      return fromEncoded0(pem, k);
    } finally {
      Ec.wipe(k);
    }
  }

  /**
   * Root keys from a dstack {@code cert_dir}; same as {@link #loadDirectory(Path, Clock)} with the
   * system clock.
   *
   * @param certDir the directory
   * @return the keys with their root CA certificate
   * @throws InvalidConfigurationException if a file cannot be read or is not valid
   */
  public static KmsRootKeys loadDirectory(Path certDir) {
    return loadDirectory(certDir, Clock.systemUTC());
  }

  /**
   * Root keys from a dstack {@code cert_dir} holding {@value #ROOT_CA_KEY_FILE}, {@value
   * #ROOT_K256_KEY_FILE} and usually {@value #ROOT_CA_CERT_FILE}. When the certificate is present
   * it must certify the root CA key (see {@link RootCaCertificate#parsePem}). When it is absent, a
   * new one (notBefore = {@code clock.instant()}) is generated and written to {@value
   * #ROOT_CA_CERT_FILE} unless that file appeared meanwhile (an existing file is never
   * overwritten; if it appeared, it is read and checked instead). If the directory is not
   * writable, a warning is logged and the in-memory certificate is used.
   *
   * @param certDir the directory
   * @param clock the notBefore of a certificate generated here
   * @return the keys with their root CA certificate
   * @throws InvalidConfigurationException if a file cannot be read or is not valid, or the
   *     certificate belongs to another key ({@link CryptoReason#SIGNER_MISMATCH})
   */
  public static KmsRootKeys loadDirectory(Path certDir, Clock clock) {
    try {
      return loadDirectory0(certDir, clock);
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
  }

  private static KmsRootKeys loadDirectory0(Path certDir, Clock clock) throws MalformedEvidenceException {
    Objects.requireNonNull(certDir, "certDir");
    Objects.requireNonNull(clock, "clock");
    KmsRootKeys keys = load0(certDir.resolve(ROOT_CA_KEY_FILE), certDir.resolve(ROOT_K256_KEY_FILE));
    Path crt = certDir.resolve(ROOT_CA_CERT_FILE);
    if (Files.exists(crt)) {
      return keys.withRootCaCertificate0(RootCaCertificate.parsePem(readString(crt), keys));
    }
    RootCaCertificate cert = RootCaCertificate.generate(keys, clock);
    try {
      writePublic(crt, cert.pem().getBytes(StandardCharsets.US_ASCII));
    } catch (FileAlreadyExistsException e) {
      return keys.withRootCaCertificate0(RootCaCertificate.parsePem(readString(crt), keys));
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING,
          "cannot write " + crt + " (" + e + "); serving an in-memory root CA certificate that changes on restart");
    }
    return keys.withRootCaCertificate0(cert);
  }

  /**
   * These keys with the given root CA certificate.
   *
   * @param cert the certificate
   * @return keys carrying the certificate
   * @throws InvalidConfigurationException {@link CryptoReason#SIGNER_MISMATCH} if the certificate
   *     does not certify this root CA key
   */
  public KmsRootKeys withRootCaCertificate(RootCaCertificate cert) {
    try {
      return withRootCaCertificate0(cert);
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
  }

  private KmsRootKeys withRootCaCertificate0(RootCaCertificate cert) throws MalformedEvidenceException {
    Objects.requireNonNull(cert, "cert");
    if (!cert.certifies(this)) {
      throw new MalformedEvidenceException(CryptoReason.SIGNER_MISMATCH,
          "the root CA certificate certifies another key than this root CA key");
    }
    return new KmsRootKeys(this, cert);
  }

  /**
   * The root CA certificate (dstack's {@value #ROOT_CA_CERT_FILE}). Keys made by {@link
   * #generate}, {@link #loadDirectory} or {@link #withRootCaCertificate} carry theirs; keys made
   * from bare key material ({@link #of}, {@link #load}, {@link #fromEncoded}) get one generated on
   * first use with the system clock, the same one on every later call.
   */
  public RootCaCertificate rootCaCertificate() {
    synchronized (certLock) {
      if (rootCaCert == null) {
        rootCaCert = RootCaCertificate.generate(this, Clock.systemUTC());
      }
      return rootCaCert;
    }
  }

  /** The root CA certificate as PEM: GetMeta's and AppKeyResponse's {@code ca_cert}. */
  public String rootCaCertificatePem() {
    return rootCaCertificate().pem();
  }

  /** The root CA certificate as DER. */
  public byte[] rootCaCertificateDer() {
    return rootCaCertificate().der();
  }

  /**
   * Root keys from the file contents: the PEM text of {@code root-ca.key} and the raw bytes of
   * {@code root-k256.key}.
   *
   * @param rootCaKeyPem the PEM text of {@code root-ca.key}
   * @param rootK256Key the raw 32 bytes of {@code root-k256.key}
   * @return the keys
   * @throws InvalidConfigurationException if either is not a valid key
   */
  public static KmsRootKeys fromEncoded(String rootCaKeyPem, byte[] rootK256Key) {
    try {
      return fromEncoded0(rootCaKeyPem, rootK256Key);
    } catch (MalformedEvidenceException e) {
      throw InvalidConfigurationException.from(e);
    }
  }

  private static KmsRootKeys fromEncoded0(String rootCaKeyPem, byte[] rootK256Key)
      throws MalformedEvidenceException {
    Objects.requireNonNull(rootCaKeyPem, "rootCaKeyPem");
    Objects.requireNonNull(rootK256Key, "rootK256Key");
    if (rootK256Key.length != 32) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_KEY,
          "root-k256.key must hold exactly 32 raw bytes, found " + rootK256Key.length
              + " (it is not hex or PEM)");
    }
    byte[] ca = parseCaPem(rootCaKeyPem);
    try {
      return of0(ca, rootK256Key);
    } finally {
      Ec.wipe(ca);
    }
  }

  private static byte[] parseCaPem(String pem) throws MalformedEvidenceException {
    PemObject obj;
    try (PemReader r = new PemReader(new StringReader(pem))) {
      obj = r.readPemObject();
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "root-ca.key is not valid PEM: " + e.getMessage());
    }
    if (obj == null) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, "root-ca.key holds no PEM block (expected BEGIN PRIVATE KEY)");
    }
    switch (obj.getType()) {
      case "PRIVATE KEY":
        return P256Keys.parsePrivateKeyDer(obj.getContent(), true);
      case "EC PRIVATE KEY":
        return P256Keys.parsePrivateKeyDer(obj.getContent(), false);
      default:
        throw new MalformedEvidenceException(
            CryptoReason.BAD_KEY,
            "root-ca.key holds a PEM block of type '" + obj.getType()
                + "'; expected 'PRIVATE KEY' (PKCS#8) or 'EC PRIVATE KEY'");
    }
  }

  /**
   * Writes {@value #ROOT_CA_KEY_FILE} (PEM PKCS#8, the 138-byte layout dstack writes), {@value
   * #ROOT_K256_KEY_FILE} (raw 32 bytes) and {@value #ROOT_CA_CERT_FILE} (PEM, {@link
   * #rootCaCertificate()}) into {@code certDir}, creating it if needed. Files are written to a
   * temporary name first, the keys readable only by the owner where the file system supports POSIX
   * permissions, and then moved into place; existing files are not overwritten.
   *
   * @throws FileAlreadyExistsException if any of the three files already exists
   * @throws IOException if writing fails
   */
  public void store(Path certDir) throws IOException {
    Files.createDirectories(certDir);
    Path ca = certDir.resolve(ROOT_CA_KEY_FILE);
    Path k = certDir.resolve(ROOT_K256_KEY_FILE);
    Path crt = certDir.resolve(ROOT_CA_CERT_FILE);
    for (Path p : new Path[] {ca, k, crt}) {
      if (Files.exists(p)) {
        throw new FileAlreadyExistsException(p.toString(), null, "refusing to overwrite a KMS root key or certificate");
      }
    }
    writePrivate(ca, rootCaKeyPem().getBytes(StandardCharsets.US_ASCII));
    writePrivate(k, k256Scalar);
    writePublic(crt, rootCaCertificatePem().getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes via a temporary file and a non-replacing move (FileAlreadyExistsException if present). */
  private static void writePublic(Path target, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.write(tmp, content);
      Files.move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writePrivate(Path target, byte[] content) throws IOException {
    Path tmp;
    try {
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    }
    try {
      Files.write(tmp, content);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The root CA key as dstack's {@code root-ca.key}: PEM PKCS#8. Secret: never log it. */
  public String rootCaKeyPem() {
    byte[] der = rootCaPkcs8Der();
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    Ec.wipe(der);
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  /** The 138-byte PKCS#8 DER of the root CA key. Secret: never log it. */
  public byte[] rootCaPkcs8Der() {
    return P256Keys.pkcs8(caScalar, caPublic);
  }

  /** The 32-byte P-256 private scalar of the root CA key (a copy). Secret: never log it. */
  public byte[] rootCaScalar() {
    return caScalar.clone();
  }

  /** The raw 32 bytes of {@code root-k256.key} (a copy). Secret: never log it. */
  public byte[] rootK256Key() {
    return k256Scalar.clone();
  }

  /**
   * The root CA public key as SubjectPublicKeyInfo DER (91 bytes). This is the KMS
   * {@code key_provider_id} in MrConfigV3 and in BootInfo's {@code keyProviderInfo}.
   */
  public byte[] rootCaPublicKeySpki() {
    return P256Keys.spki(caPublic);
  }

  /** The root CA public key as an uncompressed SEC1 point (65 bytes). */
  public byte[] rootCaPublicKey() {
    return caPublic.clone();
  }

  /** The secp256k1 root public key, SEC1-compressed (33 bytes), as GetMeta's {@code k256_pubkey}. */
  public byte[] rootK256PublicKey() {
    return k256PublicCompressed.clone();
  }

  /** The root CA key as a JCA key pair (algorithm "EC"), for building certificates. */
  public KeyPair rootCaKeyPair() {
    try {
      KeyFactory kf = KeyFactory.getInstance("EC");
      byte[] der = rootCaPkcs8Der();
      try {
        return new KeyPair(
            kf.generatePublic(new X509EncodedKeySpec(rootCaPublicKeySpki())),
            kf.generatePrivate(new PKCS8EncodedKeySpec(der)));
      } finally {
        Ec.wipe(der);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JCA cannot load a P-256 key", e);
    }
  }

  /** The root CA key as the identity that signs sealed responses (see {@link SealedResponse}). */
  public KmsIdentity sealingIdentity() {
    return KmsIdentity.fromScalarUnchecked(caScalar, caD, caPublic);
  }

  BigInteger caScalarInt() {
    return caD;
  }

  byte[] caScalarUnsafe() {
    return caScalar;
  }

  BigInteger k256Int() {
    return k256D;
  }

  byte[] k256ScalarUnsafe() {
    return k256Scalar;
  }

  byte[] k256PublicUnsafe() {
    return k256PublicCompressed;
  }

  private static String readString(Path p) throws MalformedEvidenceException {
    return new String(readBytes(p), StandardCharsets.US_ASCII);
  }

  private static byte[] readBytes(Path p) throws MalformedEvidenceException {
    try {
      long size = Files.size(p);
      if (size > 1 << 20) {
        throw new MalformedEvidenceException(
            CryptoReason.BAD_KEY, "key file " + p + " is " + size + " bytes; too large for a key");
      }
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new MalformedEvidenceException(CoreReason.IO_ERROR, "cannot read key file " + p + ": " + e);
    }
  }

  /** Equality of the key material, in constant time. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KmsRootKeys other
        && java.security.MessageDigest.isEqual(caScalar, other.caScalar)
        && java.security.MessageDigest.isEqual(k256Scalar, other.k256Scalar);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(caPublic) * 31 + java.util.Arrays.hashCode(k256PublicCompressed);
  }

  @Override
  public String toString() {
    HexFormat h = HexFormat.of();
    return "KmsRootKeys[ca_key_id=" + h.formatHex(Kdf.sha256(rootCaPublicKeySpki()))
        + ", k256_pubkey=" + h.formatHex(k256PublicCompressed) + "]";
  }
}
