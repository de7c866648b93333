package org.attest4j.tdx.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The fixed, public, <strong>test-only</strong> root CA, PCK Platform CA and TCB signing keys of
 * {@link SimulatedTdxPlatform.Builder#testOnlyRoot()}, read once from this package's resources
 * (each file a PKCS#8 private key and its SubjectPublicKeyInfo). Stateless apart from the lazily
 * loaded, immutable key pairs; thread-safe.
 */
final class TestOnlyTdxRoot {
  private TestOnlyTdxRoot() {}

  private static final class Holder {
    static final KeyPair ROOT = load("TEST-ONLY-simulated-tdx-root-key.pem");
    static final KeyPair PCK_CA = load("TEST-ONLY-simulated-tdx-pck-ca-key.pem");
    static final KeyPair TCB_SIGNING = load("TEST-ONLY-simulated-tdx-tcb-signing-key.pem");
  }

  static KeyPair root() {
    return Holder.ROOT;
  }

  static KeyPair pckCa() {
    return Holder.PCK_CA;
  }

  static KeyPair tcbSigning() {
    return Holder.TCB_SIGNING;
  }

  private static KeyPair load(String name) {
    try (InputStream in = TestOnlyTdxRoot.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test-only TDX key resource " + name + " is missing from attest4j-tdx");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      KeyFactory kf = KeyFactory.getInstance("EC");
      return new KeyPair(
          kf.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", name))),
          kf.generatePrivate(new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY", name))));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException ex) {
      throw new IllegalStateException("cannot read the test-only TDX key " + name + ": " + ex.getMessage(), ex);
    }
  }

  private static byte[] block(String text, String label, String name) {
    String begin = "-----BEGIN " + label + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf("-----END " + label + "-----");
    if (b < 0 || e < b) {
      throw new IllegalArgumentException(name + " has no " + label + " PEM block");
    }
    return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
  }
}
