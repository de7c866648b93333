package org.attest4j.crypto;

import java.math.BigInteger;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * Derives app keys exactly as dstack's KMS does ({@code kms/src/main_service.rs}, {@code
 * ra-tls/src/kdf.rs}), byte for byte:
 *
 * <ul>
 *   <li>KDF: HKDF-SHA256, salt {@code "RATLS"}, info = the context parts concatenated without
 *       separators;
 *   <li>{@code disk_crypt_key} = SHA-256 of the 138-byte PKCS#8 DER of the P-256 key derived from
 *       the root CA scalar with context {@code app_id || instance_id || "app-disk-crypt-key"};
 *   <li>{@code env_crypt_key} = the same with {@code app_id || "env-encrypt-key"}, used unclamped as
 *       an X25519 private key;
 *   <li>app CA key = the P-256 scalar derived with {@code app_id || "app-ca"};
 *   <li>{@code k256_key} = HKDF over the root k256 scalar with {@code app_id || "app-key"};
 *   <li>{@code k256_signature} = the root k256 key's recoverable signature (see {@link
 *       K256Signatures}) over {@code "dstack-kms-issued:" || app_id || compressed k256 public key}.
 * </ul>
 *
 * <p>Because the context parts are concatenated without lengths, app_id must be exactly 20 bytes and
 * instance_id 20 bytes or empty (dstack's own rule); otherwise two different (app_id, instance_id)
 * pairs could share a disk key.
 *
 * <p>Immutable and thread-safe; one instance can serve all requests.
 */
public final class AppKeyDeriver {
  /** The length of an app id. */
  public static final int APP_ID_LENGTH = 20;

  /** The length of a non-empty instance id. */
  public static final int INSTANCE_ID_LENGTH = 20;

  private static final byte[] DISK_CTX = Kdf.ascii("app-disk-crypt-key");
  private static final byte[] ENV_CTX = Kdf.ascii("env-encrypt-key");
  private static final byte[] APP_CA_CTX = Kdf.ascii("app-ca");
  private static final byte[] K256_CTX = Kdf.ascii("app-key");

  private final KmsRootKeys roots;

  private AppKeyDeriver(KmsRootKeys roots) {
    this.roots = roots;
  }

  /**
   * A deriver over {@code roots}.
   *
   * @param roots the KMS root keys every app key is derived from
   * @return a deriver; immutable and thread-safe
   */
  public static AppKeyDeriver of(KmsRootKeys roots) {
    return new AppKeyDeriver(Objects.requireNonNull(roots, "roots"));
  }

  /**
   * The root keys this deriver uses.
   *
   * @return the root keys given to {@link #of(KmsRootKeys)}
   */
  public KmsRootKeys rootKeys() {
    return roots;
  }

  /**
   * Derives every key of an app instance.
   *
   * @param appId the 20-byte app id
   * @param instanceId the 20-byte instance id, or empty
   * @return the app's disk, env, app-CA and secp256k1 keys with the k256 signature
   * @throws MalformedEvidenceException if an id has the wrong length, or (probability about
   *     2^-32) a derived scalar is out of range, which dstack refuses too
   */
  public AppKeys derive(Bytes appId, Bytes instanceId) throws MalformedEvidenceException {
    byte[] app = Objects.requireNonNull(appId, "appId").toByteArray();
    byte[] inst = Objects.requireNonNull(instanceId, "instanceId").toByteArray();
    checkIds(app, inst);
    byte[] disk = dhSecret(roots.caScalarUnsafe(), app, inst, DISK_CTX);
    byte[] env = dhSecret(roots.caScalarUnsafe(), app, ENV_CTX);
    byte[] appCa = p256Scalar(roots.caScalarUnsafe(), app, APP_CA_CTX);
    byte[] k256 = Kdf.deriveKey(roots.k256ScalarUnsafe(), 32, app, K256_CTX);
    BigInteger k256D = Ec.K256.scalarOrNull(k256);
    if (k256D == null) {
      throw outOfRange("k256 app key", app);
    }
    byte[] k256Pub = Ec.K256.publicKey(k256D, true);
    byte[] sig = K256Signatures.sign(roots.k256Int(), K256Signatures.KMS_ISSUED, app, k256Pub);
    return new AppKeys(app, inst, disk, env, null, appCa, null, k256, k256Pub, sig);
  }

  /**
   * dstack's {@code GetAppEnvEncryptPubKey}: the app's env-encrypt X25519 public key with
   * {@code signature} and {@code signature_v1} at {@code timestampSeconds}.
   *
   * @param appId the 20-byte app id
   * @param timestampSeconds unix seconds signed into {@code signature_v1}
   * @return the public key with both signatures by the KMS root k256 key
   * @throws MalformedEvidenceException if the app id is not 20 bytes
   */
  public EnvEncryptPublicKey envEncryptPublicKey(Bytes appId, long timestampSeconds)
      throws MalformedEvidenceException {
    byte[] app = Objects.requireNonNull(appId, "appId").toByteArray();
    checkIds(app, new byte[0]);
    byte[] env = dhSecret(roots.caScalarUnsafe(), app, ENV_CTX);
    byte[] pub = X25519.publicKey(env);
    Ec.wipe(env);
    byte[] sig = K256Signatures.sign(roots.k256Int(), K256Signatures.ENV_ENCRYPT_PUBKEY, app, pub);
    byte[] sigV1 =
        K256Signatures.sign(
            roots.k256Int(),
            K256Signatures.ENV_ENCRYPT_PUBKEY,
            app,
            EnvEncryptPublicKey.v1Message(timestampSeconds, pub));
    return new EnvEncryptPublicKey(app, pub, sig, timestampSeconds, sigV1);
  }

  /**
   * The intermediate value behind {@code disk_crypt_key}: the 138-byte PKCS#8 DER of the derived
   * P-256 key (its private scalar at bytes 36..68), whose SHA-256 is the disk key. For
   * interoperability checks. Secret: never log it.
   *
   * @param appId the 20-byte app id
   * @param instanceId the 20-byte instance id, or empty
   * @return a fresh copy of the PKCS#8 DER (138 bytes); secret
   * @throws MalformedEvidenceException as {@link #derive}
   */
  public byte[] diskCryptKeyPkcs8(Bytes appId, Bytes instanceId) throws MalformedEvidenceException {
    byte[] app = Objects.requireNonNull(appId, "appId").toByteArray();
    byte[] inst = Objects.requireNonNull(instanceId, "instanceId").toByteArray();
    checkIds(app, inst);
    return derivedPkcs8(roots.caScalarUnsafe(), app, inst, DISK_CTX);
  }

  /**
   * As {@link #envEncryptPublicKey(Bytes, long)} with the current time of {@code clock}.
   *
   * @param appId the 20-byte app id
   * @param clock source of the timestamp (truncated to seconds)
   * @return the public key with both signatures by the KMS root k256 key
   * @throws MalformedEvidenceException if the app id is not 20 bytes
   */
  public EnvEncryptPublicKey envEncryptPublicKey(Bytes appId, Clock clock)
      throws MalformedEvidenceException {
    return envEncryptPublicKey(appId, clock.instant().getEpochSecond());
  }

  private static void checkIds(byte[] appId, byte[] instanceId) throws MalformedEvidenceException {
    Objects.requireNonNull(appId, "appId");
    Objects.requireNonNull(instanceId, "instanceId");
    if (appId.length != APP_ID_LENGTH) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_APP_ID, "app_id must be 20 bytes, got " + appId.length);
    }
    if (instanceId.length != 0 && instanceId.length != INSTANCE_ID_LENGTH) {
      throw new MalformedEvidenceException(
          CryptoReason.BAD_INSTANCE_ID,
          "instance_id must be 20 bytes or empty, got " + instanceId.length);
    }
  }

  /** dstack {@code derive_p256_key_pair}: the OKM used directly as a P-256 scalar (32 bytes). */
  static byte[] p256Scalar(byte[] rootCaScalar, byte[]... context) throws MalformedEvidenceException {
    byte[] okm = Kdf.deriveKey(rootCaScalar, 32, context);
    if (Ec.P256.scalarOrNull(okm) == null) {
      throw outOfRange("P-256 key", context.length > 0 ? context[0] : new byte[0]);
    }
    return okm;
  }

  /** The 138-byte PKCS#8 DER of the derived P-256 key (hashed by {@code derive_dh_secret}). */
  static byte[] derivedPkcs8(byte[] rootCaScalar, byte[]... context) throws MalformedEvidenceException {
    byte[] d = p256Scalar(rootCaScalar, context);
    byte[] pub = Ec.P256.publicKey(new BigInteger(1, d), false);
    byte[] der = P256Keys.pkcs8(d, pub);
    Ec.wipe(d);
    return der;
  }

  /** dstack {@code derive_dh_secret}: SHA-256 of {@link #derivedPkcs8}. */
  static byte[] dhSecret(byte[] rootCaScalar, byte[]... context) throws MalformedEvidenceException {
    byte[] der = derivedPkcs8(rootCaScalar, context);
    byte[] out = Kdf.sha256(der);
    Ec.wipe(der);
    return out;
  }

  private static MalformedEvidenceException outOfRange(String what, byte[] appId) {
    return new MalformedEvidenceException(
        CryptoReason.DERIVED_KEY_OUT_OF_RANGE,
        "the derived " + what + " for app " + HexFormat.of().formatHex(appId)
            + " is not a valid scalar (0 or >= n); dstack refuses this input as well");
  }

  @Override
  public String toString() {
    return "AppKeyDeriver[" + roots + "]";
  }
}
