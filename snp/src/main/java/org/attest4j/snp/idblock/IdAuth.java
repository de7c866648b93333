package org.attest4j.snp.idblock;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The 4096-byte ID authentication information a VMM hands to SNP_LAUNCH_FINISH with an {@link
 * IdBlock} (QEMU {@code id-auth}): the ID block's signature by the ID key, the ID key, and
 * optionally the ID key's signature by an author key and the author key. Signatures are ECDSA
 * P-384 with SHA-384 (algorithm 1), stored as little-endian r and s; signing uses deterministic
 * RFC 6979 nonces (HMAC-SHA-384), so the same inputs always give the same bytes.
 *
 * <p>Layout (offsets in hex): ID_KEY_ALGO u32 at 0, AUTH_KEY_ALGO u32 at 4, ID_BLOCK_SIG[200] at
 * 40, ID_KEY[404] at 240, ID_KEY_SIG[200] at 680, AUTHOR_KEY[404] at 880; everything else is
 * reserved (zero).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class IdAuth {
  /** The encoded length. */
  public static final int LENGTH = 0x1000;
  /** ECDSA P-384 with SHA-384, the only algorithm the ABI defines. */
  public static final int ALGO_ECDSA_P384_SHA384 = 1;

  private static final int BLOCK_SIG = 0x40;
  private static final int ID_KEY = 0x240;
  private static final int ID_KEY_SIG = 0x680;
  private static final int AUTHOR_KEY = 0x880;

  private final byte[] encoded;
  private final EcdsaPublicKey idKey;
  private final EcdsaPublicKey authorKey; // null when absent

  private IdAuth(byte[] encoded, EcdsaPublicKey idKey, EcdsaPublicKey authorKey) {
    this.encoded = encoded;
    this.idKey = idKey;
    this.authorKey = authorKey;
  }

  /**
   * Signs an ID block (the ID_BLOCK_SIG) and, with an author key, the ID key (ID_KEY_SIG), as
   * snp-create-id-block does.
   *
   * @param block the ID block
   * @param idKey the ID private key (ECDSA P-384)
   * @param authorKey the author private key (ECDSA P-384), or null for none (AUTH_KEY_ALGO 0 and
   *     the author fields zero; launch then with author-key-enabled off)
   * @return the authentication information
   * @throws MalformedEvidenceException with {@link IdBlockReason#UNSUPPORTED_CURVE} for a key that
   *     is not a P-384 EC private key
   */
  public static IdAuth sign(IdBlock block, PrivateKey idKey, PrivateKey authorKey) throws MalformedEvidenceException {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(idKey, "idKey");
    ECPrivateKeyParameters id = params(idKey, "ID key");
    EcdsaPublicKey idPub = publicOf(id);
    byte[] e = new byte[LENGTH];
    put32(e, 0, ALGO_ECDSA_P384_SHA384);
    System.arraycopy(P384.sign(id, block.raw()), 0, e, BLOCK_SIG, P384.SIG);
    System.arraycopy(idPub.toByteArray(), 0, e, ID_KEY, EcdsaPublicKey.LENGTH);
    EcdsaPublicKey authorPub = null;
    if (authorKey != null) {
      ECPrivateKeyParameters author = params(authorKey, "author key");
      authorPub = publicOf(author);
      put32(e, 4, ALGO_ECDSA_P384_SHA384);
      System.arraycopy(P384.sign(author, idPub.toByteArray()), 0, e, ID_KEY_SIG, P384.SIG);
      System.arraycopy(authorPub.toByteArray(), 0, e, AUTHOR_KEY, EcdsaPublicKey.LENGTH);
    }
    return new IdAuth(e, idPub, authorPub);
  }

  /**
   * Reads an ECDSA P-384 private key from PEM ({@code EC PRIVATE KEY}, as openssl ecparam and
   * snp-create-id-block's key files, or PKCS#8 {@code PRIVATE KEY}).
   *
   * @param pem the PEM text
   * @return the key
   * @throws MalformedEvidenceException with {@link IdBlockReason#BAD_PRIVATE_KEY} when the text holds
   *     no readable unencrypted EC private key, or {@link IdBlockReason#UNSUPPORTED_CURVE} for a key
   *     on another curve
   */
  public static ECPrivateKey privateKeyFromPem(String pem) throws MalformedEvidenceException {
    Objects.requireNonNull(pem, "pem");
    Object o;
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      o = p.readObject();
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(IdBlockReason.BAD_PRIVATE_KEY, "the PEM text cannot be read as a key");
    }
    PrivateKey k;
    try {
      JcaPEMKeyConverter c = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        k = c.getPrivateKey(kp.getPrivateKeyInfo());
      } else if (o instanceof PrivateKeyInfo pki) {
        k = c.getPrivateKey(pki);
      } else {
        throw new MalformedEvidenceException(
            IdBlockReason.BAD_PRIVATE_KEY,
            "the PEM text holds no unencrypted private key (" + (o == null ? "nothing" : "another object") + ")");
      }
    } catch (IOException | RuntimeException e) {
      throw new MalformedEvidenceException(IdBlockReason.BAD_PRIVATE_KEY, "the PEM private key cannot be decoded");
    }
    params(k, "private key");
    return (ECPrivateKey) k;
  }

  /**
   * Parses an encoded ID authentication structure (the format check only; see {@link #verify}).
   *
   * @param encoded exactly 4096 bytes
   * @return the structure
   * @throws MalformedEvidenceException for a wrong length, an algorithm other than 1 (or 0 for no
   *     author key), a bad public key, or non-zero reserved bytes
   */
  public static IdAuth parse(byte[] encoded) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(encoded, "ID auth");
    if (encoded.length != LENGTH) {
      throw new MalformedEvidenceException(
          IdBlockReason.BAD_LENGTH, "an ID authentication structure has " + LENGTH + " bytes, not " + encoded.length);
    }
    byte[] e = encoded.clone();
    long idAlgo = u32(e, 0);
    long authAlgo = u32(e, 4);
    if (idAlgo != ALGO_ECDSA_P384_SHA384) {
      throw new MalformedEvidenceException(
          IdBlockReason.UNSUPPORTED_ALGORITHM, "ID_KEY_ALGO is " + idAlgo + "; only 1 (ECDSA P-384/SHA-384) is defined");
    }
    if (authAlgo != ALGO_ECDSA_P384_SHA384 && authAlgo != 0) {
      throw new MalformedEvidenceException(
          IdBlockReason.UNSUPPORTED_ALGORITHM,
          "AUTH_KEY_ALGO is " + authAlgo + "; only 1 (ECDSA P-384/SHA-384), or 0 without an author key, is defined");
    }
    zero(e, 8, BLOCK_SIG, "reserved bytes 0x8-0x3f");
    zero(e, ID_KEY + EcdsaPublicKey.LENGTH, ID_KEY_SIG, "reserved bytes after ID_KEY");
    zero(e, AUTHOR_KEY + EcdsaPublicKey.LENGTH, LENGTH, "reserved bytes after AUTHOR_KEY");
    EcdsaPublicKey id = EcdsaPublicKey.parse(e, ID_KEY, "ID key");
    EcdsaPublicKey author = null;
    if (authAlgo == 0) {
      zero(e, ID_KEY_SIG, AUTHOR_KEY + EcdsaPublicKey.LENGTH, "ID_KEY_SIG and AUTHOR_KEY without an author key");
    } else {
      author = EcdsaPublicKey.parse(e, AUTHOR_KEY, "author key");
    }
    return new IdAuth(e, id, author);
  }

  /**
   * Verifies the signatures: ID_BLOCK_SIG over {@code block} under the ID key and, with an author
   * key, ID_KEY_SIG over the ID key under the author key. This is what the firmware checks in
   * SNP_LAUNCH_FINISH.
   *
   * @param block the ID block these were made for
   * @throws VerificationException with {@link IdBlockReason#BAD_ID_BLOCK_SIGNATURE} or {@link
   *     IdBlockReason#BAD_ID_KEY_SIGNATURE}
   */
  public void verify(IdBlock block) throws VerificationException {
    Objects.requireNonNull(block, "block");
    if (!P384.verify(idKey.params(), block.raw(), encoded, BLOCK_SIG)) {
      throw new VerificationException(
          IdBlockReason.BAD_ID_BLOCK_SIGNATURE,
          "ID_BLOCK_SIG does not verify under the ID key " + idKey.digest().toHex() + " for " + block);
    }
    if (authorKey != null && !P384.verify(authorKey.params(), idKey.toByteArray(), encoded, ID_KEY_SIG)) {
      throw new VerificationException(
          IdBlockReason.BAD_ID_KEY_SIGNATURE,
          "ID_KEY_SIG does not verify under the author key " + authorKey.digest().toHex());
    }
  }

  /**
   * The ID key (its {@link EcdsaPublicKey#digest()} is the report's ID_KEY_DIGEST).
   *
   * @return the key
   */
  public EcdsaPublicKey idKey() {
    return idKey;
  }

  /**
   * The author key, if any (its digest is the report's AUTHOR_KEY_DIGEST).
   *
   * @return the key, or empty
   */
  public Optional<EcdsaPublicKey> authorKey() {
    return Optional.ofNullable(authorKey);
  }

  /**
   * ID_BLOCK_SIG (512 bytes: r, s little-endian, zeros).
   *
   * @return the signature structure
   */
  public Bytes idBlockSignature() {
    return Bytes.of(encoded, BLOCK_SIG, P384.SIG);
  }

  /**
   * ID_KEY_SIG, if an author key signed the ID key.
   *
   * @return the signature structure, or empty
   */
  public Optional<Bytes> idKeySignature() {
    return authorKey == null ? Optional.empty() : Optional.of(Bytes.of(encoded, ID_KEY_SIG, P384.SIG));
  }

  /**
   * The 4096 encoded bytes.
   *
   * @return a copy
   */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  /**
   * The encoding in base64, as QEMU's {@code id-auth} property takes it.
   *
   * @return standard base64 with padding
   */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(encoded);
  }

  private static ECPrivateKeyParameters params(PrivateKey k, String what) throws MalformedEvidenceException {
    if (!(k instanceof ECPrivateKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != 384
        || !ec.getParams().getOrder().equals(P384.X9.getN())) {
      throw new MalformedEvidenceException(
          IdBlockReason.UNSUPPORTED_CURVE, "the " + what + " must be an ECDSA P-384 private key, not " + k.getAlgorithm());
    }
    BigInteger d = ec.getS();
    if (d.signum() <= 0 || d.compareTo(P384.X9.getN()) >= 0) {
      throw new MalformedEvidenceException(IdBlockReason.BAD_PRIVATE_KEY, "the " + what + " is out of range");
    }
    return new ECPrivateKeyParameters(d, P384.DOMAIN);
  }

  private static EcdsaPublicKey publicOf(ECPrivateKeyParameters k) throws MalformedEvidenceException {
    ECPoint q = new FixedPointCombMultiplier().multiply(P384.DOMAIN.getG(), k.getD()).normalize();
    return EcdsaPublicKey.ofPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
  }

  private static void zero(byte[] b, int from, int to, String what) throws MalformedEvidenceException {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        throw new MalformedEvidenceException(
            IdBlockReason.RESERVED_NONZERO, "ID auth " + what + " must be zero; offset 0x" + Integer.toHexString(i) + " is not");
      }
    }
  }

  private static long u32(byte[] b, int off) {
    return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16 | (b[off + 3] & 0xFFL) << 24;
  }

  private static void put32(byte[] b, int off, long v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdAuth a && java.util.Arrays.equals(encoded, a.encoded);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "IdAuth[idKey=" + idKey.digest().toHex() + ", authorKey="
        + (authorKey == null ? "none" : authorKey.digest().toHex()) + "]";
  }
}
