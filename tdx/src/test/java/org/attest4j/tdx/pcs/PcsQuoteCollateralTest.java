package org.attest4j.tdx.pcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.core.VerificationException;
import org.attest4j.tdx.TcbStatus;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxReason;
import org.attest4j.tdx.TdxVerdict;
import org.attest4j.tdx.TdxVerifier;
import org.attest4j.testsupport.SharedData;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link PcsClient#collateral(TdxQuote, PcsClient.UpdateType)}: FMSPC and PCK CA from the quote. */
class PcsQuoteCollateralTest {
  static final String SGX = "1.2.840.113741.1.13.1";
  final PcsClientTest base = new PcsClientTest();

  @BeforeEach
  void start() throws Exception {
    base.start();
  }

  @AfterEach
  void stop() {
    base.stop();
  }

  @Test
  void collateralForARealQuoteUsesItsFmspcAndCa() throws Exception {
    TdxQuote quote = TdxQuote.parse(SharedData.bytes(PcsClientTest.V + "quote.bin"));
    PckLeaf leaf = PckLeaf.of(quote);
    assertEquals(PcsClientTest.FMSPC, leaf.fmspc());
    assertEquals(PcsClient.PckCa.PLATFORM, leaf.ca());

    PcsClient c = base.client().build();
    TdxCollateral collateral = c.collateral(quote, PcsClient.UpdateType.STANDARD);
    TdxVerdict verdict = TdxVerifier.builder().clock(base.at).build().verify(quote, collateral);
    assertEquals(TcbStatus.UP_TO_DATE, verdict.tcbStatus().orElseThrow());
    assertEquals(1, base.pcs.hits("/tdx/certification/v4/tcb?fmspc=" + PcsClientTest.FMSPC + "&update=standard"));
    assertEquals(1, base.pcs.hits("/sgx/certification/v4/pckcrl?ca=platform&encoding=der"));
    assertEquals(0, base.pcs.hits("/sgx/certification/v4/pckcrl?ca=processor&encoding=der"));

    // at a chosen TCB evaluation data number: the URLs carry the quote's FMSPC too
    base.pcs.serve("/tdx/certification/v4/tcb?fmspc=" + PcsClientTest.FMSPC + "&tcbEvaluationDataNumber=17", base.tcbBody,
        Map.of("TCB-Info-Issuer-Chain", PcsClientTest.pct(SharedData.text(PcsClientTest.V + "tcb_info_issuer_chain.pem"))));
    base.pcs.serve("/tdx/certification/v4/qe/identity?tcbEvaluationDataNumber=17", base.qeBody,
        Map.of("SGX-Enclave-Identity-Issuer-Chain",
            PcsClientTest.pct(SharedData.text(PcsClientTest.V + "qe_identity_issuer_chain.pem"))));
    TdxCollateral at17 = c.collateral(quote, 17);
    assertEquals(TcbStatus.UP_TO_DATE, TdxVerifier.builder().clock(base.at).build().verify(quote, at17)
        .tcbStatus().orElseThrow());
    assertEquals(1, base.pcs.hits("/tdx/certification/v4/tcb?fmspc=" + PcsClientTest.FMSPC + "&tcbEvaluationDataNumber=17"));
  }

  @Test
  void aProcessorCaLeafAsksForTheProcessorCrl() throws Exception {
    PckLeaf leaf = PckLeaf.of(leaf("CN=Intel SGX PCK Processor CA, O=Intel Corporation", sgx("00906ED50000")));
    assertEquals("00906ED50000", leaf.fmspc());
    assertEquals(PcsClient.PckCa.PROCESSOR, leaf.ca());
    // nothing is served for the processor CA here: the client asked for it and got a 404
    PcsClient c = base.client().maxAttempts(1).build();
    EndorsementUnavailableException e = assertThrows(EndorsementUnavailableException.class,
        () -> c.collateral(leaf.fmspc(), leaf.ca(), PcsClient.UpdateType.STANDARD));
    assertEquals(PcsReason.NOT_FOUND, e.reason(), e.getMessage());
    assertEquals(1, base.pcs.hits("/sgx/certification/v4/pckcrl?ca=processor&encoding=der"));
    assertEquals(0, base.pcs.hits("/sgx/certification/v4/pckcrl?ca=platform&encoding=der"));
  }

  @Test
  void leavesWithoutWhatTheLookupNeedsAreRefusedWithTypedReasons() throws Exception {
    VerificationException noExt = assertThrows(VerificationException.class,
        () -> PckLeaf.of(leaf("CN=Intel SGX PCK Platform CA", null)));
    assertEquals(TdxReason.PCK_EXTENSIONS_INVALID, noExt.reason());
    ASN1EncodableVector noFmspc = new ASN1EncodableVector();
    noFmspc.add(kv(SGX + ".1", new DEROctetString(new byte[16])));
    VerificationException missing = assertThrows(VerificationException.class,
        () -> PckLeaf.of(leaf("CN=Intel SGX PCK Platform CA", new DERSequence(noFmspc))));
    assertTrue(missing.getMessage().contains("FMSPC"), missing.getMessage());
    ASN1EncodableVector shortFmspc = new ASN1EncodableVector();
    shortFmspc.add(kv(SGX + ".4", new DEROctetString(new byte[5])));
    assertEquals(TdxReason.PCK_EXTENSIONS_INVALID, assertThrows(VerificationException.class,
        () -> PckLeaf.of(leaf("CN=Intel SGX PCK Platform CA", new DERSequence(shortFmspc)))).reason());
    VerificationException otherCa = assertThrows(VerificationException.class,
        () -> PckLeaf.of(leaf("CN=Some Other CA", sgx("B0C06F000000"))));
    assertEquals(TdxReason.CERT_CHAIN_INVALID, otherCa.reason());
    assertThrows(VerificationException.class, () -> PckLeaf.of(Bytes.of(new byte[] {0x30, 0x03, 1, 2, 3})));
  }

  @Property(tries = 300)
  void arbitraryBytesGiveOnlyTheTypedException(@ForAll byte[] junk) {
    try {
      PckLeaf.of(Bytes.of(junk));
    } catch (AttestationException expected) {
      // the only acceptable failure
    }
  }

  // ---------------------------------------------------------------- synthetic leaves

  private static DERSequence kv(String oid, ASN1Encodable value) {
    return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
  }

  private static DERSequence sgx(String fmspc) {
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(kv(SGX + ".1", new DEROctetString(new byte[16])));
    v.add(kv(SGX + ".3", new DEROctetString(new byte[2])));
    v.add(kv(SGX + ".4", new DEROctetString(HexFormat.of().parseHex(fmspc))));
    v.add(kv(SGX + ".5", new ASN1Enumerated(1)));
    return new DERSequence(v);
  }

  private static Bytes leaf(String issuer, DERSequence sgxExtension) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair k = g.generateKeyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.TWO,
        Date.from(now), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=Intel SGX PCK Certificate"),
        k.getPublic());
    if (sgxExtension != null) {
      b.addExtension(new ASN1ObjectIdentifier(SGX), false, sgxExtension);
    }
    return Bytes.of(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(k.getPrivate())).getEncoded());
  }
}
