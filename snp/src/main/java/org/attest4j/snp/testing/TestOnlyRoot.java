package org.attest4j.snp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The fixed, public, <strong>test-only</strong> ARK and ASK keys of {@link
 * SimulatedSnpPlatform.Builder#testOnlyRoot()}, read once from this package's resources. Stateless
 * apart from the lazily loaded, immutable key pairs; thread-safe.
 */
final class TestOnlyRoot {
  private TestOnlyRoot() {}

  private static final class Holder {
    static final KeyPair ARK = load("TEST-ONLY-simulated-ark-key.pem");
    static final KeyPair ASK = load("TEST-ONLY-simulated-ask-key.pem");
  }

  static KeyPair ark() {
    return Holder.ARK;
  }

  static KeyPair ask() {
    return Holder.ASK;
  }

  private static KeyPair load(String name) {
    try (InputStream in = TestOnlyRoot.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test-only root key resource " + name + " is missing from attest4j-snp");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      int b = text.indexOf("-----BEGIN PRIVATE KEY-----");
      int e = text.indexOf("-----END PRIVATE KEY-----");
      if (b < 0 || e < b) {
        throw new IllegalStateException("test-only root key resource " + name + " is not a PKCS#8 PEM");
      }
      byte[] der = Base64.getMimeDecoder().decode(text.substring(b + "-----BEGIN PRIVATE KEY-----".length(), e));
      KeyFactory kf = KeyFactory.getInstance("RSA");
      RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kf.generatePrivate(new PKCS8EncodedKeySpec(der));
      return new KeyPair(kf.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent())), priv);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException ex) {
      throw new IllegalStateException("cannot read the test-only root key " + name + ": " + ex.getMessage(), ex);
    }
  }
}
