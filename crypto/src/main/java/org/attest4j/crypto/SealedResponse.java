package org.attest4j.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.ConstantTime;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * The response envelope that carries app keys from the KMS to the guest.
 *
 * <p><b>Default mode</b> ({@link EnvelopeMode#HPKE_V1}; byte format in {@code
 * docs/sealed-response.md}): HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-256-GCM (or ChaCha20-Poly1305), through Bouncy Castle's public HPKE API,
 * to the guest's X25519 public key from
 * report_data[0..32]. The HPKE {@code info} binds a fixed label and the format version, the suite,
 * the recipient key, SHA-256 of the exact evidence the guest sent, and the id of the KMS signing
 * key. The KMS then signs the whole envelope (ECDSA P-256 / SHA-256, RFC 6979, low S) with its
 * {@link KmsIdentity}, so the guest can check who sealed it and for which request. {@link #open}
 * checks the signing key, the signature, the recipient, the evidence binding and the AEAD, and
 * fails closed with a typed exception.
 *
 * <p><b>Compatibility mode</b> ({@link EnvelopeMode#AES_SIV_PR630}): {@link #encryptPr630} makes
 * dstack PR #630's unauthenticated per-field AES-SIV envelope ({@link Pr630Envelope}).
 *
 * <p>Both modes refuse all-zero and low-order X25519 peer keys.
 *
 * <p>Instances are immutable and thread-safe; the static methods are thread-safe.
 */
public final class SealedResponse {
  /** The first four bytes of an envelope: ASCII "A4SR". */
  static final byte[] MAGIC = {'A', '4', 'S', 'R'};

  /** The format version this class writes and reads. */
  public static final int VERSION = 1;

  /** Signature algorithm 1: ECDSA P-256 with SHA-256, r || s (64 bytes), low S. */
  static final int SIG_ECDSA_P256_SHA256 = 1;

  static final int KEM_X25519_HKDF_SHA256 = 0x0020;
  static final int KDF_HKDF_SHA256 = 0x0001;

  /** The label that starts the HPKE info. */
  static final byte[] INFO_LABEL = Kdf.ascii("attest4j-sealed-response");

  /** The label that starts the signed message. */
  static final byte[] SIGNATURE_LABEL = Kdf.ascii("attest4j-sealed-response-signature");

  static final int OFF_VERSION = 4;
  static final int OFF_RECIPIENT = 12;
  static final int OFF_EVIDENCE = 44;
  static final int OFF_KMS_KEY_ID = 76;
  static final int OFF_ENC = 108;
  static final int OFF_CT_LEN = 140;
  static final int HEADER_LENGTH = 144;
  static final int SIGNATURE_LENGTH = 64;
  static final int TAG_LENGTH = 16;

  /** The largest plaintext an envelope may carry (1 MiB). */
  public static final int MAX_PLAINTEXT = 1 << 20;

  private final byte[] bytes;
  private final EnvelopeAead aead;

  private SealedResponse(byte[] bytes, EnvelopeAead aead) {
    this.bytes = bytes;
    this.aead = aead;
  }

  // ------------------------------------------------------------------------------------------
  // default mode: seal

  /**
   * Seals {@code plaintext} to the guest with AES-256-GCM and signs the envelope with {@code kms}.
   *
   * @param kms the KMS signing identity (usually {@link KmsRootKeys#sealingIdentity()})
   * @param binding the guest's X25519 key and the digest of the evidence it sent
   * @param plaintext the secret payload (for example a serialized AppKeyResponse), at most 1 MiB
   * @return the signed envelope, sealed with AES-256-GCM
   */
  public static SealedResponse encrypt(KmsIdentity kms, SealBinding binding, byte[] plaintext) {
    return encrypt(kms, binding, plaintext, EnvelopeAead.AES_256_GCM);
  }

  /**
   * As {@link #encrypt(KmsIdentity, SealBinding, byte[])} with a chosen AEAD.
   *
   * @param kms the KMS signing identity
   * @param binding the guest's X25519 key and the digest of the evidence it sent
   * @param plaintext the secret payload, at most 1 MiB
   * @param aead the AEAD that encrypts the payload
   * @return the signed envelope
   */
  public static SealedResponse encrypt(
      KmsIdentity kms, SealBinding binding, byte[] plaintext, EnvelopeAead aead) {
    Objects.requireNonNull(kms, "kms");
    Objects.requireNonNull(binding, "binding");
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(aead, "aead");
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException(
          "a sealed response carries at most " + MAX_PLAINTEXT + " bytes, got " + plaintext.length);
    }
    // the ciphertext is copied once (into the envelope), and the signature is over
    // SHA-256(label || 0x00 || envelope[0..signed)) hashed in place
    byte[] header = header(aead, binding.recipientUnsafe(), binding.evidenceDigestUnsafe(),
        kms.publicKey().keyIdUnsafe());
    Hpke.Sealed sealed;
    try {
      sealed = Hpke.sealBaseParts(binding.recipientUnsafe(), info(header), plaintext, aead);
    } catch (MalformedEvidenceException | GeneralSecurityException e) {
      // the recipient key was checked when the binding was made; nothing else can be refused
      throw new IllegalStateException("HPKE sealing failed: " + e.getMessage(), e);
    }
    byte[] ct = sealed.ciphertext();
    int ctLen = ct.length;
    int signed = HEADER_LENGTH + ctLen;
    byte[] out = new byte[signed + SIGNATURE_LENGTH];
    System.arraycopy(header, 0, out, 0, OFF_ENC);
    System.arraycopy(sealed.enc(), 0, out, OFF_ENC, 32);
    ByteBuffer.wrap(out, OFF_CT_LEN, 4).putInt(ctLen);
    System.arraycopy(ct, 0, out, HEADER_LENGTH, ctLen);
    byte[] sig = kms.signDigest(signedMessageDigest(out, signed));
    System.arraycopy(sig, 0, out, signed, SIGNATURE_LENGTH);
    return new SealedResponse(out, aead);
  }

  /** The first 108 bytes (magic .. kms key id); enc and the rest are filled in later. */
  private static byte[] header(EnvelopeAead aead, byte[] recipient, byte[] evidence, byte[] kmsKeyId) {
    byte[] h = new byte[OFF_ENC];
    ByteBuffer b = ByteBuffer.wrap(h);
    b.put(MAGIC);
    b.put((byte) VERSION);
    b.put((byte) SIG_ECDSA_P256_SHA256);
    b.putShort((short) KEM_X25519_HKDF_SHA256);
    b.putShort((short) KDF_HKDF_SHA256);
    b.putShort((short) aead.hpkeId());
    b.put(recipient);
    b.put(evidence);
    b.put(kmsKeyId);
    return h;
  }

  /** info = label || 0x00 || header[4..108): version, algorithms, recipient, evidence, KMS key id. */
  private static byte[] info(byte[] header) {
    byte[] info = new byte[INFO_LABEL.length + 1 + OFF_ENC - OFF_VERSION];
    System.arraycopy(INFO_LABEL, 0, info, 0, INFO_LABEL.length);
    System.arraycopy(header, OFF_VERSION, info, INFO_LABEL.length + 1, OFF_ENC - OFF_VERSION);
    return info;
  }

  /**
   * SHA-256 of the signed message, label || 0x00 || envelope[0..length), computed without building
   * the message (signing and verifying both use it).
   */
  private static byte[] signedMessageDigest(byte[] envelope, int length) {
    MessageDigest md = Kdf.sha256Digest();
    md.update(SIGNATURE_LABEL);
    md.update((byte) 0);
    md.update(envelope, 0, length);
    return md.digest();
  }

  // ------------------------------------------------------------------------------------------
  // default mode: parse and open

  /**
   * Parses an envelope's framing (no cryptographic check yet; see {@link #open}).
   *
   * @param envelope the envelope bytes as received
   * @return the parsed envelope, to be checked with {@link #open}
   * @throws MalformedEvidenceException if the bytes are not a version-1 envelope with a known suite,
   *     or the encapsulated key is all zero or of low order
   */
  public static SealedResponse parse(byte[] envelope) throws MalformedEvidenceException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(envelope, "envelope");
    if (envelope.length < HEADER_LENGTH + TAG_LENGTH + SIGNATURE_LENGTH) {
      if (envelope.length >= 5 && !ConstantTime.equals(Arrays.copyOf(envelope, 4), MAGIC)) {
        throw badMagic();
      }
      throw new MalformedEvidenceException(
          CryptoReason.MALFORMED_ENVELOPE,
          "a sealed response is at least " + (HEADER_LENGTH + TAG_LENGTH + SIGNATURE_LENGTH)
              + " bytes, got " + envelope.length);
    }
    if (!Arrays.equals(Arrays.copyOf(envelope, 4), MAGIC)) {
      throw badMagic();
    }
    ByteBuffer b = ByteBuffer.wrap(envelope);
    int version = envelope[OFF_VERSION] & 0xff;
    if (version != VERSION) {
      throw new MalformedEvidenceException(
          CryptoReason.UNSUPPORTED_ENVELOPE_VERSION,
          "sealed response version " + version + " is not supported (this library reads version " + VERSION + ")");
    }
    int sigAlg = envelope[5] & 0xff;
    int kem = b.getShort(6) & 0xffff;
    int kdf = b.getShort(8) & 0xffff;
    int aeadId = b.getShort(10) & 0xffff;
    EnvelopeAead aead = EnvelopeAead.byId(aeadId);
    if (sigAlg != SIG_ECDSA_P256_SHA256 || kem != KEM_X25519_HKDF_SHA256 || kdf != KDF_HKDF_SHA256
        || aead == null) {
      throw new MalformedEvidenceException(
          CryptoReason.UNSUPPORTED_ALGORITHM,
          String.format(
              "unsupported sealed-response algorithms: signature %d, kem 0x%04x, kdf 0x%04x, aead 0x%04x"
                  + " (supported: signature 1, kem 0x0020, kdf 0x0001, aead 0x0002 or 0x0003)",
              sigAlg, kem, kdf, aeadId));
    }
    long ctLen = b.getInt(OFF_CT_LEN) & 0xffffffffL;
    long expected = HEADER_LENGTH + ctLen + SIGNATURE_LENGTH;
    if (ctLen < TAG_LENGTH || ctLen > MAX_PLAINTEXT + TAG_LENGTH || expected != envelope.length) {
      throw new MalformedEvidenceException(
          CryptoReason.MALFORMED_ENVELOPE,
          "sealed response declares a " + ctLen + "-byte ciphertext, so it must be " + expected
              + " bytes long, but it is " + envelope.length + " (ciphertext must be 16.."
              + (MAX_PLAINTEXT + TAG_LENGTH) + " bytes)");
    }
    X25519.checkPublicKey(
        Arrays.copyOfRange(envelope, OFF_ENC, OFF_ENC + 32), "the envelope's encapsulated key");
    X25519.checkPublicKey(
        Arrays.copyOfRange(envelope, OFF_RECIPIENT, OFF_RECIPIENT + 32), "the envelope's recipient key");
    return new SealedResponse(envelope.clone(), aead);
  }

  private static MalformedEvidenceException badMagic() {
    return new MalformedEvidenceException(
        CryptoReason.UNSUPPORTED_ENVELOPE_VERSION,
        "not an attest4j sealed response (it does not start with \"A4SR\")");
  }

  /**
   * Guest side: checks and decrypts the envelope.
   *
   * <p>In order: the envelope names {@code trustedKms}'s key id; the signature verifies under it;
   * the envelope is addressed to {@code recipient} and to {@code expected}'s key; it is bound to
   * {@code expected}'s evidence digest; the AEAD opens with the info rebuilt from the expected
   * values.
   *
   * @param recipient the guest's X25519 key pair (its public key is in report_data[0..32])
   * @param expected the binding the guest expects: its key and SHA-256 of the evidence it sent
   * @param trustedKms the KMS key the guest trusts (for dstack guests: the MrConfigV3
   *     key_provider_id)
   * @return the plaintext
   * @throws VerificationException if any check fails (reason: UNTRUSTED_KMS, BAD_SIGNATURE,
   *     WRONG_RECIPIENT, EVIDENCE_MISMATCH or DECRYPTION_FAILED)
   */
  public byte[] open(X25519KeyPair recipient, SealBinding expected, KmsPublicKey trustedKms)
      throws VerificationException {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(trustedKms, "trustedKms");
    HexFormat h = HexFormat.of();
    byte[] kmsKeyId = field(OFF_KMS_KEY_ID);
    if (!ConstantTime.equals(kmsKeyId, trustedKms.keyIdUnsafe())) {
      throw new VerificationException(
          CryptoReason.UNTRUSTED_KMS,
          "the response was sealed by KMS key " + h.formatHex(kmsKeyId) + ", not by the trusted key "
              + h.formatHex(trustedKms.keyIdUnsafe()) + " (key id = SHA-256 of the SPKI DER)");
    }
    int signedLength = bytes.length - SIGNATURE_LENGTH;
    if (!trustedKms.verifyDigest(
        signedMessageDigest(bytes, signedLength), Arrays.copyOfRange(bytes, signedLength, bytes.length))) {
      throw new VerificationException(
          CryptoReason.BAD_SIGNATURE,
          "the sealed response's signature does not verify under the trusted KMS key "
              + h.formatHex(trustedKms.keyIdUnsafe()));
    }
    byte[] to = field(OFF_RECIPIENT);
    if (!ConstantTime.equals(to, recipient.publicKeyUnsafe())
        || !ConstantTime.equals(to, expected.recipientUnsafe())) {
      throw new VerificationException(
          CryptoReason.WRONG_RECIPIENT,
          "the response is sealed to X25519 key " + h.formatHex(to) + ", not to this guest's key "
              + h.formatHex(recipient.publicKeyUnsafe()));
    }
    byte[] evidence = field(OFF_EVIDENCE);
    if (!ConstantTime.equals(evidence, expected.evidenceDigestUnsafe())) {
      throw new VerificationException(
          CryptoReason.EVIDENCE_MISMATCH,
          "the response is bound to evidence with SHA-256 " + h.formatHex(evidence)
              + ", not to the request this guest sent (" + h.formatHex(expected.evidenceDigestUnsafe()) + ")");
    }
    // the info is rebuilt from what the guest expects, not read from the envelope
    byte[] info =
        info(header(aead, recipient.publicKeyUnsafe(), expected.evidenceDigestUnsafe(),
            trustedKms.keyIdUnsafe()));
    int ctLen = bytes.length - HEADER_LENGTH - SIGNATURE_LENGTH;
    try {
      return Hpke.openBase(
          field(OFF_ENC), recipient, info, Arrays.copyOfRange(bytes, HEADER_LENGTH, HEADER_LENGTH + ctLen), aead);
    } catch (MalformedEvidenceException | GeneralSecurityException | RuntimeException e) {
      throw new VerificationException(
          CryptoReason.DECRYPTION_FAILED,
          "the sealed response does not decrypt (AEAD " + aead + "): tampered ciphertext or wrong key");
    }
  }

  /**
   * Parses and opens in one step.
   *
   * @param envelope the envelope bytes as received
   * @param recipient the guest's X25519 key pair
   * @param expected the key and evidence digest the guest sent
   * @param trustedKms the KMS public key the guest trusts
   * @return the decrypted payload
   * @throws MalformedEvidenceException if the envelope is malformed
   * @throws VerificationException if a check fails
   */
  public static byte[] open(
      byte[] envelope, X25519KeyPair recipient, SealBinding expected, KmsPublicKey trustedKms)
      throws MalformedEvidenceException, VerificationException {
    return parse(envelope).open(recipient, expected, trustedKms);
  }

  /**
   * The envelope bytes (a copy).
   *
   * @return a copy of the serialized envelope
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * The AEAD of this envelope.
   *
   * @return the AEAD named in the envelope's suite
   */
  public EnvelopeAead aead() {
    return aead;
  }

  /**
   * The HPKE encapsulated key: the KMS's ephemeral X25519 public key (32 bytes).
   *
   * @return the key
   */
  public Bytes encapsulatedKey() {
    return Bytes.of(bytes, OFF_ENC, 32);
  }

  /**
   * The recipient's X25519 public key the envelope names (32 bytes).
   *
   * @return the key
   */
  public Bytes recipientPublicKey() {
    return Bytes.of(bytes, OFF_RECIPIENT, 32);
  }

  /**
   * The evidence digest the envelope is bound to (32 bytes).
   *
   * @return the digest
   */
  public Bytes evidenceDigest() {
    return Bytes.of(bytes, OFF_EVIDENCE, 32);
  }

  /**
   * The id of the KMS key that signed the envelope (SHA-256 of its SPKI DER, 32 bytes).
   *
   * @return the key id
   */
  public Bytes kmsKeyId() {
    return Bytes.of(bytes, OFF_KMS_KEY_ID, 32);
  }

  private byte[] field(int off) {
    return Arrays.copyOfRange(bytes, off, off + 32);
  }

  // ------------------------------------------------------------------------------------------
  // PR #630 compatibility mode

  /**
   * dstack PR #630 compatibility ({@link EnvelopeMode#AES_SIV_PR630}): a fresh ephemeral X25519
   * key, the raw shared secret as the AES-SIV key (RFC 5297, 32-byte key: AES-128 S2V/CMAC and CTR
   * halves), associated data one empty component, output {@code tag(16) || ciphertext} per field.
   * <strong>Unauthenticated</strong>: nothing tells the guest who sealed it or for which request.
   *
   * @param recipientPublicKey report_data[0..32]
   * @param plaintexts the fields in order (dstack: disk_crypt_key, env_crypt_key, k256_key)
   * @return an envelope with the ephemeral public key and one ciphertext per field
   * @throws MalformedEvidenceException if the recipient key is all zero or of low order
   */
  public static Pr630Envelope encryptPr630(Bytes recipientPublicKey, List<byte[]> plaintexts)
      throws MalformedEvidenceException {
    return encryptPr630(recipientPublicKey, plaintexts, X25519KeyPair.generate());
  }

  /** As {@link #encryptPr630(Bytes, List)} with a given ephemeral key (for known-answer tests). */
  static Pr630Envelope encryptPr630(
      Bytes recipientPublicKey, List<byte[]> plaintexts, X25519KeyPair ephemeral)
      throws MalformedEvidenceException {
    Objects.requireNonNull(recipientPublicKey, "recipientPublicKey");
    Objects.requireNonNull(plaintexts, "plaintexts");
    byte[] shared = X25519.sharedSecret(
        ephemeral.privateKeyUnsafe(), recipientPublicKey.toByteArray(), "the guest X25519 public key");
    try {
      List<byte[]> cts = new ArrayList<>(plaintexts.size());
      for (byte[] pt : plaintexts) {
        cts.add(AesSiv.encrypt(shared, Pr630Envelope.ASSOCIATED_DATA, Objects.requireNonNull(pt, "plaintext")));
      }
      return new Pr630Envelope(ephemeral.publicKeyUnsafe().clone(), cts);
    } finally {
      Ec.wipe(shared);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealedResponse s && java.security.MessageDigest.isEqual(bytes, s.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    HexFormat h = HexFormat.of();
    return "SealedResponse[v" + VERSION + ", " + aead + ", recipient=" + h.formatHex(field(OFF_RECIPIENT))
        + ", evidence_sha256=" + h.formatHex(field(OFF_EVIDENCE)) + ", kms_key_id="
        + h.formatHex(field(OFF_KMS_KEY_ID)) + ", " + bytes.length + " bytes]";
  }
}
