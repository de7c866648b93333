package org.attest4j.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
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
   *
   * @param random the source of both private keys
   * @return new root keys with a self-signed root CA certificate
   */
  public static KmsRootKeys generate(SecureRandom random) {
    return generate(random, Clock.systemUTC());
  }

  /**
   * Fresh root keys with a root CA certificate whose {@code notBefore} is {@code clock.instant()}.
   *
   * @param random the source of both private keys
   * @param clock gives the certificate's {@code notBefore}
   * @return new root keys with a self-signed root CA certificate
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

  /**
   * Fresh root keys from a new {@link SecureRandom}.
   *
   * @return new root keys with a root CA certificate valid from now
   */
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
    requireComplete(certDir);
    KmsRootKeys keys = load0(certDir.resolve(ROOT_CA_KEY_FILE), certDir.resolve(ROOT_K256_KEY_FILE));
    Path crt = certDir.resolve(ROOT_CA_CERT_FILE);
    if (Files.exists(crt)) {
      return keys.withRootCaCertificate0(RootCaCertificate.parsePem(readString(crt), keys));
    }
    RootCaCertificate cert = RootCaCertificate.generate(keys, clock);
    try (KeyDirectoryLock lock = KeyDirectoryLock.acquire(certDir)) {
      if (!Files.exists(crt)) {
        KeyFiles.writeNoReplace(crt, cert.pem().getBytes(StandardCharsets.US_ASCII), false);
      }
    } catch (FileAlreadyExistsException e) {
      // another writer won; read its certificate below
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING,
          "cannot write " + crt + " (" + e + "); serving an in-memory root CA certificate that changes on restart");
      return keys.withRootCaCertificate0(cert);
    }
    return keys.withRootCaCertificate0(RootCaCertificate.parsePem(readString(crt), keys));
  }

  /**
   * The root keys of the KMS whose key directory is {@code certDir}, created on its first start: the
   * one safe way for several instances (threads or processes, e.g. replicas sharing a volume) to
   * start on one directory. Under an exclusive lock on {@code .root-keys.lock} in the directory
   * ({@link java.nio.channels.FileChannel#lock()}, plus an in-process lock, since a JVM cannot hold
   * two file locks on one file):
   *
   * <ul>
   *   <li>a complete directory ({@value #ROOT_CA_KEY_FILE} and {@value #ROOT_K256_KEY_FILE}) is
   *       loaded as {@link #loadDirectory(Path, Clock)} does;
   *   <li>an empty one gets fresh keys, each file written completely under a temporary name and
   *       then linked into place without replacing anything (an existing file is never
   *       overwritten), and the directory is read back: the instance serves the keys only if what
   *       is on disk equals what it holds in memory;
   *   <li>a half-written one (one key file without the other, or {@value #ROOT_CA_CERT_FILE}
   *       without keys) is refused with {@link CryptoReason#KEY_DIRECTORY_INCOMPLETE} and a message
   *       saying what to do: nothing is generated over it.
   * </ul>
   *
   * @param certDir the key directory (created when missing)
   * @param random the randomness for new keys
   * @param clock the clock for a new root CA certificate's notBefore
   * @return the keys on disk, with their root CA certificate
   * @throws IOException if the directory or lock file cannot be created or written
   * @throws MalformedEvidenceException if the directory is half-written ({@link
   *     CryptoReason#KEY_DIRECTORY_INCOMPLETE}), holds invalid keys, or differs from what was just
   *     stored ({@link CryptoReason#KEY_DIRECTORY_INCONSISTENT})
   */
  public static KmsRootKeys loadOrCreate(Path certDir, SecureRandom random, Clock clock)
      throws IOException, MalformedEvidenceException {
    Objects.requireNonNull(certDir, "certDir");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(clock, "clock");
    Files.createDirectories(certDir);
    try (KeyDirectoryLock lock = KeyDirectoryLock.acquire(certDir)) {
      if (Files.exists(certDir.resolve(ROOT_CA_KEY_FILE)) || Files.exists(certDir.resolve(ROOT_K256_KEY_FILE))
          || Files.exists(certDir.resolve(ROOT_CA_CERT_FILE))) {
        return loadDirectory0(certDir, clock);
      }
      KmsRootKeys keys = generate(random, clock);
      keys.writeFiles(certDir);
      return keys.requireOnDisk(certDir);
    }
  }

  /** Refuses a half-written directory with what to do about it. */
  private static void requireComplete(Path certDir) throws MalformedEvidenceException {
    boolean ca = Files.exists(certDir.resolve(ROOT_CA_KEY_FILE));
    boolean k = Files.exists(certDir.resolve(ROOT_K256_KEY_FILE));
    boolean crt = Files.exists(certDir.resolve(ROOT_CA_CERT_FILE));
    if (ca && k) {
      return;
    }
    if (!ca && !k && !crt) {
      throw new MalformedEvidenceException(CoreReason.IO_ERROR,
          "the KMS key directory " + certDir + " holds no root keys (" + ROOT_CA_KEY_FILE + ", " + ROOT_K256_KEY_FILE
              + "); create them with KmsRootKeys.loadOrCreate or 'attest4j kms keys generate'");
    }
    String present = (ca ? ROOT_CA_KEY_FILE + " " : "") + (k ? ROOT_K256_KEY_FILE + " " : "")
        + (crt ? ROOT_CA_CERT_FILE : "");
    String missing = (ca ? "" : ROOT_CA_KEY_FILE + " ") + (k ? "" : ROOT_K256_KEY_FILE);
    throw new MalformedEvidenceException(CryptoReason.KEY_DIRECTORY_INCOMPLETE,
        "the KMS key directory " + certDir + " is half-written: it has " + present.trim() + " but not "
            + missing.trim() + ". Refusing to start rather than generate keys over it. If this KMS never released"
            + " a key (an interrupted first start), remove the root-* files and start again; otherwise restore the"
            + " directory from its backup: app keys derive from both root keys and cannot be recovered without them");
  }

  /** Writes the three files (each complete, never replacing one). */
  private void writeFiles(Path certDir) throws IOException {
    KeyFiles.writeNoReplace(certDir.resolve(ROOT_CA_KEY_FILE), rootCaKeyPem().getBytes(StandardCharsets.US_ASCII), true);
    KeyFiles.writeNoReplace(certDir.resolve(ROOT_K256_KEY_FILE), k256Scalar, true);
    KeyFiles.writeNoReplace(
        certDir.resolve(ROOT_CA_CERT_FILE), rootCaCertificatePem().getBytes(StandardCharsets.US_ASCII), false);
  }

  /** Reads the directory back; these keys only if it holds exactly them and their certificate. */
  private KmsRootKeys requireOnDisk(Path certDir) throws MalformedEvidenceException {
    KmsRootKeys disk = load0(certDir.resolve(ROOT_CA_KEY_FILE), certDir.resolve(ROOT_K256_KEY_FILE));
    String crt = readString(certDir.resolve(ROOT_CA_CERT_FILE));
    if (!equals(disk) || !crt.equals(rootCaCertificatePem())) {
      throw new MalformedEvidenceException(CryptoReason.KEY_DIRECTORY_INCONSISTENT,
          "the KMS key directory " + certDir + " does not hold the keys this instance just stored (another writer"
              + " bypassed the lock file?); refusing to serve keys that are not on disk. Stop every instance, check"
              + " the directory and start again");
    }
    return this;
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
   *
   * @return the root CA certificate; the same instance on every call
   */
  public RootCaCertificate rootCaCertificate() {
    synchronized (certLock) {
      if (rootCaCert == null) {
        rootCaCert = RootCaCertificate.generate(this, Clock.systemUTC());
      }
      return rootCaCert;
    }
  }

  /**
   * The root CA certificate as PEM: GetMeta's and AppKeyResponse's {@code ca_cert}.
   *
   * @return the PEM text of {@link #rootCaCertificate()}
   */
  public String rootCaCertificatePem() {
    return rootCaCertificate().pem();
  }

  /**
   * The root CA certificate as DER.
   *
   * @return a copy of the DER encoding of {@link #rootCaCertificate()}
   */
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
   * #rootCaCertificate()}) into {@code certDir}, creating it if needed, under the directory's lock
   * file (see {@link #loadOrCreate}). Each file is written completely to a temporary name first
   * (the keys readable only by the owner where the file system supports POSIX permissions) and then
   * linked into place without replacing anything; the directory is then read back and must hold
   * exactly these keys.
   *
   * @param certDir the key directory
   * @throws FileAlreadyExistsException if any of the three files already exists
   * @throws IOException if writing fails, or what is on disk afterwards differs from these keys
   */
  public void store(Path certDir) throws IOException {
    Files.createDirectories(certDir);
    try (KeyDirectoryLock lock = KeyDirectoryLock.acquire(certDir)) {
      for (String f : new String[] {ROOT_CA_KEY_FILE, ROOT_K256_KEY_FILE, ROOT_CA_CERT_FILE}) {
        Path p = certDir.resolve(f);
        if (Files.exists(p)) {
          throw new FileAlreadyExistsException(p.toString(), null, "refusing to overwrite a KMS root key or certificate");
        }
      }
      writeFiles(certDir);
      try {
        requireOnDisk(certDir);
      } catch (MalformedEvidenceException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }

  /**
   * The root CA key as dstack's {@code root-ca.key}: PEM PKCS#8. Secret: never log it.
   *
   * @return the PEM text ({@code PRIVATE KEY}); secret
   */
  public String rootCaKeyPem() {
    byte[] der = rootCaPkcs8Der();
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    Ec.wipe(der);
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * The 138-byte PKCS#8 DER of the root CA key. Secret: never log it.
   *
   * @return a new array with the DER encoding; secret
   */
  public byte[] rootCaPkcs8Der() {
    return P256Keys.pkcs8(caScalar, caPublic);
  }

  /**
   * The 32-byte P-256 private scalar of the root CA key (a copy). Secret: never log it.
   *
   * @return a copy of the big-endian scalar; secret
   */
  public byte[] rootCaScalar() {
    return caScalar.clone();
  }

  /**
   * The raw 32 bytes of {@code root-k256.key} (a copy). Secret: never log it.
   *
   * @return a copy of the 32-byte secp256k1 scalar; secret
   */
  public byte[] rootK256Key() {
    return k256Scalar.clone();
  }

  /**
   * The root CA public key as SubjectPublicKeyInfo DER (91 bytes). This is the KMS
   * {@code key_provider_id} in MrConfigV3 and in BootInfo's {@code keyProviderInfo}.
   *
   * @return the 91-byte DER encoding
   */
  public Bytes rootCaPublicKeySpki() {
    return Bytes.of(P256Keys.spki(caPublic));
  }

  /**
   * The root CA public key as an uncompressed SEC1 point (65 bytes).
   *
   * @return the 65-byte point ({@code 04 || x || y})
   */
  public Bytes rootCaPublicKey() {
    return Bytes.of(caPublic);
  }

  /**
   * The secp256k1 root public key, SEC1-compressed (33 bytes), as GetMeta's {@code k256_pubkey}.
   *
   * @return the 33-byte compressed point
   */
  public Bytes rootK256PublicKey() {
    return Bytes.of(k256PublicCompressed);
  }

  /**
   * The root CA key as a JCA key pair (algorithm "EC"), for building certificates.
   *
   * @return a new key pair holding the root CA key; its private half is secret
   */
  public KeyPair rootCaKeyPair() {
    return P256Keys.keyPair(caScalar, caPublic);
  }

  /**
   * The P-256 key of the KMS's client temp CA, which signs the RA-TLS client certificates guests
   * make and which {@code GetTempCaCert} hands to anyone: derived from the root CA key with dstack's
   * KDF under the context {@code "attest4j-temp-ca"}, so every replica on the same root keys has the
   * same temp CA without another file. (dstack keeps a random {@code tmp-ca.key} instead; the key is
   * public either way, and HKDF keeps the root key out of reach.)
   *
   * @return the temp CA key pair
   */
  public KeyPair tempCaKeyPair() {
    try {
      byte[] d = AppKeyDeriver.p256Scalar(caScalar, TEMP_CA_CONTEXT);
      try {
        return P256Keys.keyPair(d, Ec.P256.publicKey(new java.math.BigInteger(1, d), false));
      } finally {
        Ec.wipe(d);
      }
    } catch (MalformedEvidenceException e) {
      throw new IllegalStateException("the derived temp CA key is out of range", e);
    }
  }

  private static final byte[] TEMP_CA_CONTEXT =
      "attest4j-temp-ca".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * The root CA key as the identity that signs sealed responses (see {@link SealedResponse}).
   *
   * @return the sealing identity for the root CA key
   */
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
    return "KmsRootKeys[ca_key_id=" + h.formatHex(Kdf.sha256(P256Keys.spki(caPublic)))
        + ", k256_pubkey=" + h.formatHex(k256PublicCompressed) + "]";
  }
}
