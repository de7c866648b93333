package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.ReasonCode;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootCaCertificateTest {
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");
  private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

  @Test
  void generatedCertificateIsADstackStyleRootCa() throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    X509Certificate c = keys.rootCaCertificate().x509Certificate();
    assertEquals(3, c.getVersion());
    assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
    // DER order CN, O (RFC 2253 prints the last RDN first)
    assertEquals("O=Dstack,CN=Dstack KMS CA", c.getSubjectX500Principal().getName());
    assertEquals(Instant.parse("2026-01-02T03:04:05Z"), c.getNotBefore().toInstant());
    assertEquals(RootCaCertificate.NOT_AFTER, c.getNotAfter().toInstant());
    assertEquals("1.2.840.10045.4.3.2", c.getSigAlgOID());
    // basicConstraints CA:true, pathLen 1 (dstack ca_level 1), critical; keyUsage keyCertSign|cRLSign critical
    assertEquals(1, c.getBasicConstraints());
    assertTrue(c.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.19", "2.5.29.15")));
    boolean[] ku = c.getKeyUsage();
    assertTrue(ku[5] && ku[6]);
    for (int i = 0; i < ku.length; i++) {
      if (i != 5 && i != 6) {
        assertFalse(ku[i], "key usage bit " + i);
      }
    }
    byte[] ski = ASN1OctetString.getInstance(c.getExtensionValue("2.5.29.14")).getOctets();
    assertArrayEquals(new JcaX509ExtensionUtils().createSubjectKeyIdentifier(c.getPublicKey()).getEncoded(), ski);
    assertTrue(c.getSerialNumber().signum() > 0);
    // verifies under its own key, which is the root CA key
    c.verify(c.getPublicKey());
    c.verify(keys.rootCaKeyPair().getPublic());
    assertEquals(keys.rootCaPublicKeySpki(), Bytes.of(c.getPublicKey().getEncoded()));
    assertArrayEquals(keys.rootCaCertificateDer(), c.getEncoded());
    assertTrue(keys.rootCaCertificatePem().startsWith("-----BEGIN CERTIFICATE-----\n"));
    assertTrue(keys.rootCaCertificatePem().endsWith("-----END CERTIFICATE-----\n"));
  }

  @Test
  void generateStoreLoadRoundTrip(@TempDir Path dir) throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    keys.store(dir);
    Path crt = dir.resolve(KmsRootKeys.ROOT_CA_CERT_FILE);
    assertEquals(keys.rootCaCertificatePem(), Files.readString(crt));
    KmsRootKeys loaded = KmsRootKeys.loadDirectory(dir, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC));
    assertEquals(keys, loaded);
    assertEquals(keys.rootCaCertificate(), loaded.rootCaCertificate());
    assertEquals(keys.rootCaCertificatePem(), loaded.rootCaCertificatePem());
    // store refuses to overwrite, also when only the certificate is present
    assertThrows(FileAlreadyExistsException.class, () -> keys.store(dir));
    Path other = dir.resolve("other");
    Files.createDirectories(other);
    Files.writeString(other.resolve(KmsRootKeys.ROOT_CA_CERT_FILE), "x");
    assertThrows(FileAlreadyExistsException.class, () -> keys.store(other));
    assertFalse(Files.exists(other.resolve(KmsRootKeys.ROOT_CA_KEY_FILE)));
    assertEquals("x", Files.readString(other.resolve(KmsRootKeys.ROOT_CA_CERT_FILE)));
  }

  @Test
  void aDirectoryWithoutCertificateGetsOneWrittenOnceAndReused(@TempDir Path dir) throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    keys.store(dir);
    Path crt = dir.resolve(KmsRootKeys.ROOT_CA_CERT_FILE);
    Files.delete(crt);
    Instant t1 = Instant.parse("2027-05-06T07:08:09Z");
    KmsRootKeys first = KmsRootKeys.loadDirectory(dir, Clock.fixed(t1, ZoneOffset.UTC));
    assertTrue(Files.exists(crt));
    assertEquals(t1, first.rootCaCertificate().notBefore());
    assertEquals(first.rootCaCertificatePem(), Files.readString(crt));
    assertNotEquals(keys.rootCaCertificate(), first.rootCaCertificate());
    KmsRootKeys second = KmsRootKeys.loadDirectory(dir, Clock.fixed(t1.plusSeconds(3600), ZoneOffset.UTC));
    assertEquals(first.rootCaCertificate(), second.rootCaCertificate());
  }

  @Test
  void aCertificateOfAnotherKeyIsRefused(@TempDir Path dir) throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    KmsRootKeys stranger = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    keys.store(dir);
    Path crt = dir.resolve(KmsRootKeys.ROOT_CA_CERT_FILE);
    Files.delete(crt);
    Files.writeString(crt, stranger.rootCaCertificatePem());
    org.attest4j.core.InvalidConfigurationException e =
        assertThrows(org.attest4j.core.InvalidConfigurationException.class, () -> KmsRootKeys.loadDirectory(dir));
    assertEquals(CryptoReason.SIGNER_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("another KMS"), e.getMessage());
    assertEquals(stranger.rootCaCertificatePem(), Files.readString(crt)); // never overwritten
    assertEquals(CryptoReason.SIGNER_MISMATCH,
        reason(() -> RootCaCertificate.parsePem(stranger.rootCaCertificatePem(), keys)));
    assertEquals(CryptoReason.SIGNER_MISMATCH,
        assertThrows(org.attest4j.core.InvalidConfigurationException.class,
            () -> keys.withRootCaCertificate(stranger.rootCaCertificate())).reason());
    assertSame(keys.rootCaCertificate(), keys.withRootCaCertificate(keys.rootCaCertificate()).rootCaCertificate());
  }

  @Test
  void aTamperedOrMalformedCertificateIsRefused() throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    byte[] der = keys.rootCaCertificateDer();
    byte[] tampered = der.clone();
    tampered[tampered.length - 3] ^= 1; // inside the signature
    assertEquals(CryptoReason.BAD_SIGNATURE, reason(() -> RootCaCertificate.parseDer(tampered, keys)));
    assertEquals(CoreReason.BAD_ENCODING, reason(() -> RootCaCertificate.parsePem("not a pem", keys)));
    assertEquals(CoreReason.BAD_ENCODING, reason(() -> RootCaCertificate.parsePem(keys.rootCaKeyPem(), keys)));
    assertEquals(CoreReason.BAD_ENCODING, reason(() -> RootCaCertificate.parseDer(new byte[] {0x30, 0x03, 1, 2, 3}, keys)));
    SecureRandom r = new SecureRandom();
    for (int i = 0; i < 200; i++) {
      byte[] junk = der.clone();
      junk[r.nextInt(junk.length)] = (byte) r.nextInt(256);
      try {
        RootCaCertificate.parseDer(junk, keys);
      } catch (MalformedEvidenceException expected) {
        // typed refusal, never a RuntimeException
      }
    }
    assertEquals(keys.rootCaCertificate(), RootCaCertificate.parseDer(der, keys));
  }

  @Test
  void bareKeyMaterialGetsAStableCertificate() throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate();
    KmsRootKeys bare = KmsRootKeys.of(keys.rootCaScalar(), keys.rootK256Key());
    RootCaCertificate c = bare.rootCaCertificate();
    assertSame(c, bare.rootCaCertificate());
    assertTrue(c.certifies(keys));
    c.x509Certificate().verify(keys.rootCaKeyPair().getPublic());
  }

  @Test
  void toStringShowsNoSecret() throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(new SecureRandom(), CLOCK);
    HexFormat h = HexFormat.of();
    String secretHex = h.formatHex(keys.rootCaScalar());
    String k256Hex = h.formatHex(keys.rootK256Key());
    for (String s : List.of(keys.toString(), keys.rootCaCertificate().toString())) {
      assertFalse(s.toLowerCase().contains(secretHex), s);
      assertFalse(s.toLowerCase().contains(k256Hex), s);
      assertFalse(s.contains("PRIVATE"), s);
    }
    String cs = keys.rootCaCertificate().toString();
    assertTrue(cs.contains("Dstack KMS CA") && cs.contains("2026-01-02T03:04:05Z"), cs);
    // the certificate PEM carries no line of the private key PEM
    for (String line : keys.rootCaKeyPem().split("\n")) {
      if (!line.startsWith("-----")) {
        assertFalse(keys.rootCaCertificatePem().contains(line), line);
      }
    }
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static ReasonCode reason(Call c) {
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, c::run);
    return e.reason();
  }
}
