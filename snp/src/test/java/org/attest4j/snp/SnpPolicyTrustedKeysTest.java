package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.Set;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.snp.idblock.IdAuth;
import org.attest4j.snp.idblock.IdBlock;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** ID and author keys trusted as public keys or certificates (go-sev-guest TrustedIdKeys/TrustedAuthorKeys). */
class SnpPolicyTrustedKeysTest {
  private static KeyPair p384() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate selfSigned(KeyPair k) throws Exception {
    X500Name n = new X500Name("CN=ID key");
    Date now = new Date(0);
    return new JcaX509CertificateConverter().getCertificate(
        new JcaX509v3CertificateBuilder(n, BigInteger.ONE, now, new Date(1L << 40), n, k.getPublic())
            .build(new JcaContentSignerBuilder("SHA384withECDSA").build(k.getPrivate())));
  }

  @Test
  void keysAndCertificatesAreCheckedAgainstTheReportDigests() throws Exception {
    KeyPair id = p384();
    KeyPair author = p384();
    KeyPair stranger = p384();
    // the digests a launch with our ID block would put into the report
    IdAuth auth = IdAuth.sign(
        IdBlock.builder().launchDigest(Bytes.of(new byte[48])).build(), id.getPrivate(), author.getPrivate());
    SimulatedSnpPlatform p = SimulatedPlatformTest.platform(Product.GENOA);
    VerifiedSnpReport v = p.verifier(p.clockInsideValidity()).verify(
        p.reportBuilder()
            .idKeyDigest(auth.idKey().digest().toByteArray())
            .authorKeyDigest(auth.authorKey().orElseThrow().digest().toByteArray())
            .sign(),
        p.vekDer(), p.certChainPem());
    VerifiedSnpReport noAuthor = p.verifier(p.clockInsideValidity()).verify(
        p.reportBuilder().idKeyDigest(auth.idKey().digest().toByteArray()).sign(), p.vekDer(), p.certChainPem());

    SnpPolicy.builder().trustedIdKey(id.getPublic()).requireIdBlock(true).build().validate(v);
    SnpPolicy.builder().trustedIdKey(selfSigned(id)).requireIdBlock(true).build().validate(v);
    SnpPolicy.builder().trustedIdKey(id.getPublic()).build().validate(noAuthor);
    SnpPolicy.builder().trustedAuthorKey(author.getPublic()).requireAuthorKey(true).build().validate(v);
    SnpPolicy.builder().trustedAuthorKey(selfSigned(author)).requireAuthorKey(true).build().validate(v);
    // a trusted author key vouches for an ID key that is not itself trusted
    SnpPolicy.builder().trustedIdKey(stranger.getPublic()).trustedAuthorKey(author.getPublic()).build().validate(v);

    PolicyViolationException e = assertThrows(PolicyViolationException.class,
        () -> SnpPolicy.builder().trustedIdKey(selfSigned(stranger)).build().validate(v));
    assertEquals(Set.of("id_key"), SnpPolicyTest.rules(e));
    e = assertThrows(PolicyViolationException.class,
        () -> SnpPolicy.builder().trustedAuthorKey(stranger.getPublic()).requireAuthorKey(true).build().validate(v));
    assertEquals(Set.of("author_key", "id_key"), SnpPolicyTest.rules(e));
    e = assertThrows(PolicyViolationException.class,
        () -> SnpPolicy.builder().trustedAuthorKey(author.getPublic()).requireAuthorKey(true).build()
            .validate(noAuthor));
    assertEquals(Set.of("author_key", "id_key"), SnpPolicyTest.rules(e));
  }

  @Test
  void onlyP384KeysAreAccepted() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair p256 = g.generateKeyPair();
    assertThrows(IllegalArgumentException.class, () -> SnpPolicy.builder().trustedIdKey(p256.getPublic()));
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    assertThrows(IllegalArgumentException.class,
        () -> SnpPolicy.builder().trustedAuthorKey(rsa.generateKeyPair().getPublic()));
  }
}
