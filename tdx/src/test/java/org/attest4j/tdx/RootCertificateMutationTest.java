package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/**
 * The root certificate carried in a quote's PCK chain is checked, not only its key: a root whose
 * bytes were changed (go-tdx-guest's "Root Certificate byte Changed" case, and a self-signature
 * changed at the DER level) is refused with a chain reason, with and without collateral.
 */
class RootCertificateMutationTest {
  /** go-tdx-guest verify_test.go TestNegativeVerification: "Root Certificate byte Changed". */
  static final int GO_TDX_GUEST_ROOT_OFFSET = 0x1329;
  static final byte GO_TDX_GUEST_ROOT_VALUE = 0x32;

  private static final TdxVerifier VERIFIER = TdxVerifier.create();

  private static final String UPTODATE = "vectors/tdx/dcapqvl-v4-b0c06f-uptodate";
  private static final String SIGONLY = "vectors/tdx/gotdx-v4-cos-ccel-sigonly";

  private static Instant at(String dir) {
    return Instant.ofEpochSecond(SharedData.json(dir + "/meta.json").getAsJsonObject().get("verification_time").getAsLong());
  }

  private static int rootPemStart(byte[] quote) {
    String s = new String(quote, StandardCharsets.ISO_8859_1);
    return s.lastIndexOf("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void goTdxGuestOffsetLiesInTheEmbeddedRootCertificate() {
    for (String dir : List.of(UPTODATE, SIGONLY)) {
      byte[] q = SharedData.bytes(dir + "/quote.bin");
      int begin = rootPemStart(q);
      int end = new String(q, StandardCharsets.ISO_8859_1).indexOf("-----END CERTIFICATE-----", begin);
      assertTrue(begin < GO_TDX_GUEST_ROOT_OFFSET && GO_TDX_GUEST_ROOT_OFFSET < end, dir);
      assertNotEquals(GO_TDX_GUEST_ROOT_VALUE, q[GO_TDX_GUEST_ROOT_OFFSET]);
    }
  }

  @Test
  void goTdxGuestRootMutationIsRefusedWithAndWithoutCollateral() throws Exception {
    byte[] q = SharedData.bytes(UPTODATE + "/quote.bin");
    q[GO_TDX_GUEST_ROOT_OFFSET] = GO_TDX_GUEST_ROOT_VALUE;
    TdxQuote quote = TdxQuote.parse(q);
    TdxCollateral c = TdxCollateral.fromDirectory(SharedData.path(UPTODATE));
    VerificationException full = assertThrows(VerificationException.class, () -> VERIFIER.verify(quote, c, at(UPTODATE)));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, full.reason(), full.getMessage());
    assertTrue(full.getMessage().contains("self-signature"), full.getMessage());

    byte[] g = SharedData.bytes(SIGONLY + "/quote.bin");
    g[GO_TDX_GUEST_ROOT_OFFSET] = GO_TDX_GUEST_ROOT_VALUE;
    VerificationException sig = assertThrows(VerificationException.class,
        () -> VERIFIER.verifySignaturesOnly(TdxQuote.parse(g), at(SIGONLY)));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, sig.reason(), sig.getMessage());
  }

  /**
   * go-tdx-guest's whole TestNegativeVerification table (offset, new byte) on the go-tdx-guest COS
   * quote, which has the same layout: every case is refused, each with the matching reason.
   */
  @Test
  void goTdxGuestNegativeVerificationTable() throws Exception {
    Object[][] cases = {
      {0x00, 3, TdxReason.QUOTE_PARSE_ERROR}, // Version byte Changed
      {0x278, 0x10, TdxReason.QUOTE_PARSE_ERROR}, // Signed data size byte Changed
      {0x1343, 0x32, TdxReason.CERT_CHAIN_INVALID}, // Certificate chain byte Changed
      {0x1329, 0x32, TdxReason.CERT_CHAIN_INVALID}, // Root Certificate byte Changed
      {0xF5F, 0x32, TdxReason.CERT_CHAIN_INVALID}, // Intermediate Certificate byte Changed
      {0xB77, 0x32, TdxReason.CERT_CHAIN_INVALID}, // PCK Certificate byte Changed
      {0x1E, 0x32, TdxReason.QUOTE_SIGNATURE_INVALID}, // Header Byte Changed
      {0x3C, 0x32, TdxReason.QUOTE_SIGNATURE_INVALID}, // TD Quote Body Changed
    };
    byte[] original = SharedData.bytes(SIGONLY + "/quote.bin");
    for (Object[] c : cases) {
      byte[] q = original.clone();
      q[(int) c[0]] = (byte) (int) c[1];
      org.attest4j.core.AttestationException e = assertThrows(org.attest4j.core.AttestationException.class,
          () -> VERIFIER.verifySignaturesOnly(TdxQuote.parse(q), at(SIGONLY)), "offset " + c[0]);
      assertEquals(c[2], e.reason(), "offset 0x" + Integer.toHexString((int) c[0]) + ": " + e.getMessage());
    }
  }

  @Test
  void selfSignatureMutationIsRefused() throws Exception {
    byte[] q = SharedData.bytes(UPTODATE + "/quote.bin");
    byte[] mutated = withRootSignatureByteFlipped(q);
    TdxQuote quote = TdxQuote.parse(mutated);
    // the key is still Intel's: only the self-signature is wrong
    List<Bytes> ders = quote.pckCertificatesDer();
    assertEquals(
        TdxTrustAnchor.intelSgxRootCa().spkiSha256(),
        Bytes.of(new Pki.Cert(ders.get(2), "root").spkiSha256()));
    TdxCollateral c = TdxCollateral.fromDirectory(SharedData.path(UPTODATE));
    VerificationException e = assertThrows(VerificationException.class, () -> VERIFIER.verify(quote, c, at(UPTODATE)));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, e.reason(), e.getMessage());
    // the unmodified quote verifies
    assertTrue(VERIFIER.verify(TdxQuote.parse(q), c, at(UPTODATE)).collateralVerified());
  }

  @Test
  void collateralChainWithMutatedRootIsRefused() throws Exception {
    String d = UPTODATE + "/";
    String pem = SharedData.text(d + "tcb_info_issuer_chain.pem");
    int b = pem.lastIndexOf("-----END CERTIFICATE-----") - 10;
    char ch = pem.charAt(b) == 'A' ? 'B' : 'A';
    String bad = pem.substring(0, b) + ch + pem.substring(b + 1);
    HexFormat hex = HexFormat.of();
    TdxCollateral c = TdxCollateral.builder()
        .rootCaCrl(SharedData.bytes(d + "root_ca_crl.der"))
        .pckCrl(SharedData.bytes(d + "pck_crl.der"))
        .pckCrlIssuerChain(SharedData.text(d + "pck_crl_issuer_chain.pem"))
        .tcbInfo(SharedData.bytes(d + "tcb_info.json"), hex.parseHex(SharedData.text(d + "tcb_info.sig.hex").strip()))
        .tcbInfoIssuerChain(bad)
        .qeIdentity(SharedData.bytes(d + "qe_identity.json"), hex.parseHex(SharedData.text(d + "qe_identity.sig.hex").strip()))
        .qeIdentityIssuerChain(SharedData.text(d + "qe_identity_issuer_chain.pem"))
        .build();
    TdxQuote quote = TdxQuote.parse(SharedData.bytes(UPTODATE + "/quote.bin"));
    VerificationException e = assertThrows(VerificationException.class, () -> VERIFIER.verify(quote, c, at(UPTODATE)));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, e.reason(), e.getMessage());
  }

  @Test
  void trustAnchorFromCertificate() throws Exception {
    byte[] pem = SharedData.bytes("intel-roots/Intel_SGX_Provisioning_Certification_RootCA.pem");
    TdxTrustAnchor a = TdxTrustAnchor.ofCertificate(pem);
    assertTrue(a.isIntelRoot());
    assertEquals(TdxTrustAnchor.intelSgxRootCa(), a);
    assertEquals("Intel SGX Root CA", a.name());
    byte[] der = SharedData.bytes("intel-roots/Intel_SGX_Provisioning_Certification_RootCA.der");
    assertEquals(a, TdxTrustAnchor.ofCertificate(der));
    byte[] badDer = der.clone();
    badDer[badDer.length - 5] ^= 1;
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, () -> TdxTrustAnchor.ofCertificate(badDer));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, e.reason());
    assertThrows(MalformedEvidenceException.class, () -> TdxTrustAnchor.ofCertificate(new byte[] {1, 2, 3}));
    MalformedEvidenceException badPem = assertThrows(MalformedEvidenceException.class, () -> TdxTrustAnchor.ofCertificate(
        "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, badPem.reason());
    assertTrue(badPem.getMessage().startsWith("trust root PEM: "), badPem.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TdxTrustAnchor.ofSpkiSha256(Bytes.of(new byte[31]), "x"));
  }

  @Test
  void derCertificationDataIsRefusedWithAClearMessage() {
    byte[] der = SharedData.bytes("intel-roots/Intel_SGX_Provisioning_Certification_RootCA.der");
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class, () -> TdxQuote.decodePemChain(der));
    assertTrue(e.getMessage().contains("DER-encoded"), e.getMessage());
  }

  /** The quote with one byte of the root certificate's signature value flipped, re-encoded in place. */
  static byte[] withRootSignatureByteFlipped(byte[] quote) {
    String s = new String(quote, StandardCharsets.ISO_8859_1);
    int begin = s.lastIndexOf("-----BEGIN CERTIFICATE-----") + "-----BEGIN CERTIFICATE-----".length();
    int end = s.indexOf("-----END CERTIFICATE-----", begin);
    String body = s.substring(begin, end);
    byte[] der = Base64.getMimeDecoder().decode(body);
    der[der.length - 3] ^= 0x01; // inside s of the ECDSA-Sig-Value
    String b64 = Base64.getEncoder().encodeToString(der);
    // keep the original line layout
    StringBuilder out = new StringBuilder();
    int k = 0;
    for (char ch : body.toCharArray()) {
      out.append(ch == '\n' || ch == '\r' ? ch : b64.charAt(k++));
    }
    assertEquals(b64.length(), k);
    byte[] r = quote.clone();
    byte[] nb = out.toString().getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(nb, 0, r, begin, nb.length);
    return r;
  }
}
