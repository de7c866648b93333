package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A peer's certificate names reach refusal messages (which the KMS logs at INFO): a subject or
 * issuer with a line break cannot forge a log line.
 */
class RatlsVerifierMessagesTest {
  private static final String FORGED = "x\nINFO: released keys for app 00";

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static void assertOneLine(RatlsVerdict v) {
    assertFalse(v.accepted());
    String m = v.message().orElseThrow();
    assertFalse(m.contains("\n") || m.contains("\r"), m);
    assertTrue(m.contains("\\u000a") || m.contains("\\n"), m);
  }

  @Test
  void anIssuerNameCannotForgeALogLine() throws Exception {
    KeyPair rogue = p256();
    byte[] rogueCa = RatlsCertificateBuilder.forKey(rogue).subject(null, FORGED).ca(0).buildDer();
    byte[] leaf = RatlsCertificateBuilder.forKey(p256()).issuer(rogueCa, rogue.getPrivate()).buildDer();
    KeyPair trusted = p256();
    byte[] trustedCa = RatlsCertificateBuilder.forKey(trusted).subject(null, "temp ca").ca(0).buildDer();
    RatlsVerdict v = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT).trustedCa(trustedCa).build().verify(leaf);
    assertEquals(RatlsVerifier.Stage.CHAIN, v.rejectStage().orElseThrow());
    assertOneLine(v);
  }

  @Test
  void aSubjectNameCannotForgeALogLine() throws Exception {
    KeyPair ca = p256();
    byte[] caCert = RatlsCertificateBuilder.forKey(ca).subject(null, "temp ca").ca(0).buildDer();
    byte[] expired = RatlsCertificateBuilder.forKey(p256()).subject(null, FORGED)
        .validity(Instant.parse("2000-01-01T00:00:00Z"), Instant.parse("2001-01-01T00:00:00Z"))
        .issuer(caCert, ca.getPrivate()).buildDer();
    RatlsVerdict v = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT).trustedCa(caCert).build().verify(expired);
    assertEquals(RatlsVerifier.Stage.CHAIN, v.rejectStage().orElseThrow());
    assertOneLine(v);
  }
}
