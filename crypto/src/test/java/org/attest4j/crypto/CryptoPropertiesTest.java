package org.attest4j.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/** jqwik properties of the envelopes and the key derivation. */
class CryptoPropertiesTest {
  private static final SecureRandom RND = new SecureRandom();
  private static final KmsRootKeys ROOTS = KmsRootKeys.generate(RND);
  private static final KmsIdentity KMS = ROOTS.sealingIdentity();
  private static final X25519KeyPair GUEST = X25519KeyPair.generate(RND);
  private static final byte[] EVIDENCE = "request".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] SEALED;

  static {
    try {
      SEALED = SealedResponse.encrypt(KMS, binding(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8}).toBytes();
    } catch (MalformedEvidenceException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static SealBinding binding() throws MalformedEvidenceException {
    return SealBinding.forEvidence(GUEST.publicKey(), EVIDENCE);
  }

  @Property(tries = 60)
  void openInvertsSeal(@ForAll @Size(max = 2000) byte[] plaintext, @ForAll boolean chacha) throws Exception {
    EnvelopeAead aead = chacha ? EnvelopeAead.CHACHA20_POLY1305 : EnvelopeAead.AES_256_GCM;
    byte[] env = SealedResponse.encrypt(KMS, binding(), plaintext, aead).toBytes();
    byte[] out = SealedResponse.open(env, GUEST, binding(), KMS.publicKey());
    if (!Arrays.equals(plaintext, out)) {
      throw new AssertionError("open(seal(x)) != x");
    }
  }

  /**
   * Any change to any byte (encapsulated key, ciphertext, signature, bound context, framing) is
   * refused with a typed exception.
   */
  @Property(tries = 400)
  void anyChangedByteIsRefused(
      @ForAll @IntRange(min = 0, max = 10_000) int position, @ForAll @IntRange(min = 1, max = 255) int mask) {
    byte[] t = SEALED.clone();
    int i = position % t.length;
    t[i] ^= (byte) mask;
    try {
      SealedResponse.open(t, GUEST, binding(), KMS.publicKey());
      throw new AssertionError("a change at byte " + i + " was accepted");
    } catch (AttestationException expected) {
      // refused, as it must be
    }
  }

  @Property(tries = 100)
  void truncatedOrExtendedEnvelopesAreRefused(@ForAll @IntRange(min = -300, max = 300) int delta) {
    Assume.that(delta != 0);
    byte[] t = Arrays.copyOf(SEALED, Math.max(0, SEALED.length + delta));
    try {
      SealedResponse.open(t, GUEST, binding(), KMS.publicKey());
      throw new AssertionError("length change " + delta + " was accepted");
    } catch (AttestationException expected) {
      // refused
    }
  }

  @Property(tries = 40)
  void wrongRecipientKeyIsRefused(@ForAll("keys") byte[] otherSecret) throws Exception {
    X25519KeyPair other = X25519KeyPair.fromPrivateKey(otherSecret);
    Assume.that(!other.publicKey().equals(GUEST.publicKey()));
    for (SealBinding b : new SealBinding[] {binding(), SealBinding.forEvidence(other.publicKey(), EVIDENCE)}) {
      try {
        SealedResponse.open(SEALED, other, b, KMS.publicKey());
        throw new AssertionError("another recipient key opened the envelope");
      } catch (AttestationException expected) {
        // refused
      }
    }
    // and a PR #630 envelope does not open with the wrong key either
    Pr630Envelope p = SealedResponse.encryptPr630(GUEST.publicKey(), java.util.List.of(new byte[32]));
    try {
      p.open(other);
      throw new AssertionError("another recipient key opened the PR #630 envelope");
    } catch (AttestationException expected) {
      // refused
    }
  }

  @Provide
  Arbitrary<byte[]> keys() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32);
  }

  @Provide
  Arbitrary<byte[]> ids() {
    return Arbitraries.bytes().array(byte[].class).ofSize(20);
  }

  /** Changing any one input changes every key that depends on it (and only those). */
  @Property(tries = 30)
  void derivedKeysDifferWhenAnyInputDiffers(
      @ForAll("ids") byte[] appId,
      @ForAll("ids") byte[] instanceId,
      @ForAll @IntRange(min = 0, max = 19) int pos,
      @ForAll @IntRange(min = 1, max = 255) int mask,
      @ForAll boolean emptyInstance)
      throws Exception {
    byte[] inst = emptyInstance ? new byte[0] : instanceId;
    AppKeyDeriver d = AppKeyDeriver.of(ROOTS);
    AppKeys base = d.derive(Bytes.of(appId), Bytes.of(inst));

    byte[] app2 = appId.clone();
    app2[pos] ^= (byte) mask;
    AppKeys otherApp = d.derive(Bytes.of(app2), Bytes.of(inst));
    differ(base.diskCryptKey(), otherApp.diskCryptKey(), "disk (app)");
    differ(base.envCryptKey(), otherApp.envCryptKey(), "env (app)");
    differ(base.appCaKey(), otherApp.appCaKey(), "app CA (app)");
    differ(base.k256Key(), otherApp.k256Key(), "k256 (app)");
    differ(base.k256Signature().toByteArray(), otherApp.k256Signature().toByteArray(), "k256 signature (app)");

    byte[] inst2 = emptyInstance ? instanceId : instanceId.clone();
    if (!emptyInstance) {
      inst2[pos] ^= (byte) mask;
    }
    AppKeys otherInst = d.derive(Bytes.of(appId), Bytes.of(inst2));
    differ(base.diskCryptKey(), otherInst.diskCryptKey(), "disk (instance)");
    same(base.envCryptKey(), otherInst.envCryptKey(), "env does not depend on instance_id");
    same(base.k256Key(), otherInst.k256Key(), "k256 does not depend on instance_id");

    byte[] ca2 = ROOTS.rootCaScalar();
    ca2[pos] ^= (byte) mask;
    Assume.that(Ec.P256.scalarOrNull(ca2) != null);
    AppKeys otherCa = AppKeyDeriver.of(KmsRootKeys.of(ca2, ROOTS.rootK256Key())).derive(Bytes.of(appId), Bytes.of(inst));
    differ(base.diskCryptKey(), otherCa.diskCryptKey(), "disk (root CA)");
    differ(base.envCryptKey(), otherCa.envCryptKey(), "env (root CA)");
    differ(base.appCaKey(), otherCa.appCaKey(), "app CA (root CA)");
    same(base.k256Key(), otherCa.k256Key(), "k256 does not depend on the root CA key");

    byte[] k2 = ROOTS.rootK256Key();
    k2[pos] ^= (byte) mask;
    Assume.that(Ec.K256.scalarOrNull(k2) != null);
    AppKeys otherK = AppKeyDeriver.of(KmsRootKeys.of(ROOTS.rootCaScalar(), k2)).derive(Bytes.of(appId), Bytes.of(inst));
    differ(base.k256Key(), otherK.k256Key(), "k256 (root k256)");
    differ(base.k256Signature().toByteArray(), otherK.k256Signature().toByteArray(), "k256 signature (root k256)");
    same(base.diskCryptKey(), otherK.diskCryptKey(), "disk does not depend on the root k256 key");
  }

  /** Recoverable signatures always recover to the root k256 key and have low S. */
  @Property(tries = 30)
  void k256SignaturesRecover(@ForAll("ids") byte[] appId, @ForAll @Size(max = 100) byte[] message)
      throws Exception {
    byte[] sig = K256Signatures.sign(ROOTS.k256Int(), "prefix", appId, message);
    if (!ROOTS.rootK256PublicKey().equalsBytes(K256Signatures.recover("prefix", appId, message, sig))) {
      throw new AssertionError("signature does not recover to the signer");
    }
  }

  interface Parse {
    Object run() throws Exception;
  }

  /**
   * Succeeds or throws an AttestationException (for the configuration loaders of KmsRootKeys: an
   * InvalidConfigurationException); anything else (a RuntimeException) fails.
   */
  private static void typed(String what, Parse p) {
    try {
      p.run();
    } catch (AttestationException expected) {
      // a typed refusal
    } catch (org.attest4j.core.InvalidConfigurationException e) {
      if (!what.startsWith("KmsRootKeys.")) {
        throw new AssertionError(what + " is a parser of evidence but threw " + e, e);
      }
    } catch (Exception | Error e) {
      throw new AssertionError(what + " threw " + e, e);
    }
  }

  /** Arbitrary bytes into every parser give a typed refusal, never a RuntimeException. */
  @Property(tries = 300)
  void parsersRefuseArbitraryBytesWithTypedExceptions(@ForAll @Size(max = 400) byte[] b) {
    typed("SealedResponse.parse", () -> SealedResponse.parse(b));
    typed("SealedResponse.open", () -> SealedResponse.open(b, GUEST, binding(), KMS.publicKey()));
    typed("ReportData.parse", () -> ReportData.parse(b));
    typed("MrConfigV3.parse", () -> MrConfigV3.parse(b));
    typed("KmsPublicKey.fromSpki", () -> KmsPublicKey.fromSpki(b));
    typed("KmsPublicKey.fromSec1", () -> KmsPublicKey.fromSec1(b));
    typed("K256Signatures.recover", () -> K256Signatures.recover("p", new byte[20], b, b));
    typed("Pr630Envelope.of", () -> Pr630Envelope.of(Bytes.of(b), java.util.List.of(b)).open(GUEST));
    typed("SealBinding.of", () -> SealBinding.of(Bytes.of(b), Bytes.of(b)));
    typed("X25519KeyPair.agree", () -> GUEST.agree(Bytes.of(b)));
    String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getEncoder().encodeToString(b)
        + "\n-----END PRIVATE KEY-----\n";
    typed("KmsRootKeys.fromEncoded", () -> KmsRootKeys.fromEncoded(pem, ROOTS.rootK256Key()));
    typed("KmsRootKeys.fromEncoded(text)",
        () -> KmsRootKeys.fromEncoded(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1), b));
  }

  /** JSON-like garbage into the MrConfigV3 parser. */
  @Property(tries = 300)
  void mrConfigParserRefusesJsonLikeGarbage(
      @ForAll @net.jqwik.api.constraints.StringLength(max = 120)
          @net.jqwik.api.constraints.Chars({'{', '}', '[', ']', '"', ':', ',', '3', 'a', '0', ' ', '\\', 'n'})
          String junk,
      @ForAll @IntRange(min = 0, max = 7) int key) {
    String[] keys = {"version", "app_id", "compose_hash", "key_provider", "key_provider_id", "instance_id",
        "init_script_hashes", "gpu_policy_hash"};
    String doc = "{\"" + keys[key] + "\":" + junk;
    typed("MrConfigV3.parse", () -> MrConfigV3.parse(doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static void differ(byte[] a, byte[] b, String what) {
    if (Arrays.equals(a, b)) {
      throw new AssertionError(what + " did not change: " + HexFormat.of().formatHex(a).substring(0, 8) + "..");
    }
  }

  private static void same(byte[] a, byte[] b, String what) {
    if (!Arrays.equals(a, b)) {
      throw new AssertionError(what);
    }
  }
}
