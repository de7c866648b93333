package org.attest4j.crypto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * dstack PR #630's {@code GetAppKeyAmd} response envelope ({@link EnvelopeMode#AES_SIV_PR630}):
 * {@code key_provider_pubkey} (the KMS's ephemeral X25519 key, response field 9) and one
 * {@code AES-SIV tag(16) || ciphertext} per secret field, all under the raw X25519 shared secret.
 *
 * <p><strong>Unauthenticated by design</strong> (dstack-kms.md §3A.7): there is no KDF, no binding
 * to the request, and nothing signs {@code key_provider_pubkey}, so an active attacker can hand the
 * guest keys of its choosing. Use it only for existing PR #630 clients; prefer {@link
 * SealedResponse}.
 *
 * <p>Immutable and thread-safe; accessors return copies.
 */
public final class Pr630Envelope {
  /** One empty S2V component, as PR #630 passes {@code [&[]]} (not "no associated data"). */
  static final List<byte[]> ASSOCIATED_DATA = List.of(new byte[0]);

  private final byte[] keyProviderPublicKey;
  private final List<byte[]> ciphertexts;

  Pr630Envelope(byte[] keyProviderPublicKey, List<byte[]> ciphertexts) {
    this.keyProviderPublicKey = keyProviderPublicKey;
    this.ciphertexts = Collections.unmodifiableList(new ArrayList<>(ciphertexts));
  }

  /**
   * Guest side: an envelope from the response fields.
   *
   * @param keyProviderPublicKey the 32-byte {@code key_provider_pubkey} field
   * @param ciphertexts the encrypted fields in response order
   * @return an envelope holding copies of the inputs
   * @throws MalformedEvidenceException if the key is unusable or a ciphertext is shorter than a tag
   */
  public static Pr630Envelope of(Bytes keyProviderPublicKey, List<byte[]> ciphertexts)
      throws MalformedEvidenceException {
    Objects.requireNonNull(keyProviderPublicKey, "keyProviderPublicKey");
    Objects.requireNonNull(ciphertexts, "ciphertexts");
    byte[] kp = keyProviderPublicKey.toByteArray();
    X25519.checkPublicKey(kp, "key_provider_pubkey");
    List<byte[]> copy = new ArrayList<>();
    for (byte[] c : ciphertexts) {
      if (c == null || c.length < AesSiv.TAG_LENGTH) {
        throw new MalformedEvidenceException(
            CryptoReason.MALFORMED_ENVELOPE,
            "a PR #630 field ciphertext is tag(16) || ciphertext, got "
                + (c == null ? "none" : c.length + " bytes"));
      }
      copy.add(c.clone());
    }
    return new Pr630Envelope(kp, copy);
  }

  /**
   * {@code key_provider_pubkey}: the KMS's ephemeral X25519 public key (32 bytes).
   *
   * @return the 32-byte X25519 public key
   */
  public Bytes keyProviderPublicKey() {
    return Bytes.of(keyProviderPublicKey);
  }

  /**
   * The field ciphertexts in order (copies).
   *
   * @return a new list of copies of the ciphertexts
   */
  public List<byte[]> ciphertexts() {
    List<byte[]> out = new ArrayList<>(ciphertexts.size());
    for (byte[] c : ciphertexts) {
      out.add(c.clone());
    }
    return out;
  }

  /**
   * The number of fields.
   *
   * @return the number of ciphertexts
   */
  public int size() {
    return ciphertexts.size();
  }

  /**
   * The ciphertext of field {@code index} (a copy).
   *
   * @param index zero-based field index, less than {@link #size()}
   * @return a copy of that ciphertext
   * @throws IndexOutOfBoundsException if {@code index} is out of range
   */
  public byte[] ciphertext(int index) {
    return ciphertexts.get(index).clone();
  }

  /**
   * Guest side: decrypts every field with the guest's X25519 key. This proves only that whoever
   * sealed it knew the guest's public key; it does not authenticate the KMS.
   *
   * @param recipient the guest's X25519 key pair named in its report_data
   * @return the plaintext fields in order
   * @throws MalformedEvidenceException if {@code key_provider_pubkey} is all zero or of low order
   * @throws VerificationException if a field does not decrypt (reason DECRYPTION_FAILED)
   */
  public List<byte[]> open(X25519KeyPair recipient) throws MalformedEvidenceException, VerificationException {
    Objects.requireNonNull(recipient, "recipient");
    byte[] shared =
        X25519.sharedSecret(recipient.privateKeyUnsafe(), keyProviderPublicKey, "key_provider_pubkey");
    try {
      List<byte[]> out = new ArrayList<>(ciphertexts.size());
      for (int i = 0; i < ciphertexts.size(); i++) {
        byte[] pt = AesSiv.decrypt(shared, ASSOCIATED_DATA, ciphertexts.get(i));
        if (pt == null) {
          throw new VerificationException(
              CryptoReason.DECRYPTION_FAILED,
              "PR #630 field " + i + " does not decrypt under the shared secret with key_provider_pubkey "
                  + HexFormat.of().formatHex(keyProviderPublicKey) + " (tampered, or not sealed to this key)");
        }
        out.add(pt);
      }
      return out;
    } finally {
      Ec.wipe(shared);
    }
  }

  @Override
  public String toString() {
    return "Pr630Envelope[key_provider_pubkey=" + HexFormat.of().formatHex(keyProviderPublicKey)
        + ", fields=" + ciphertexts.size() + ", unauthenticated]";
  }
}
