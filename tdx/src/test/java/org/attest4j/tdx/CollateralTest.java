package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/** Collateral input forms: QuoteCollateralV3 JSON, directory, PCS responses, PEM/array encodings. */
class CollateralTest {
  private static final String DIR = "vectors/tdx/dcapqvl-v4-b0c06f-uptodate/";

  @Test
  void pcsResponsesAreTakenVerbatim() throws Exception {
    TdxCollateral ref = TdxCollateral.fromDirectory(SharedData.path(DIR));
    String tcb = SharedData.text(DIR + "tcb_info.json");
    String qe = SharedData.text(DIR + "qe_identity.json");
    // PCS response bodies, with the value embedded verbatim and whitespace around it
    String tcbResp = "{ \"tcbInfo\" : " + tcb + " ,\n \"signature\":\"" + SharedData.text(DIR + "tcb_info.sig.hex").strip() + "\"}";
    String qeResp = "{\"enclaveIdentity\":" + qe + ",\"signature\":\"" + SharedData.text(DIR + "qe_identity.sig.hex").strip() + "\"}";
    String crlPem = "-----BEGIN X509 CRL-----\n"
        + Base64.getMimeEncoder().encodeToString(SharedData.bytes(DIR + "pck_crl.der")) + "\n-----END X509 CRL-----\n";
    TdxCollateral c = TdxCollateral.builder()
        .rootCaCrl(SharedData.bytes(DIR + "root_ca_crl.der"))
        .pckCrl(crlPem.getBytes(StandardCharsets.US_ASCII))
        .pckCrlIssuerChain(SharedData.text(DIR + "pck_crl_issuer_chain.pem"))
        .tcbInfoResponse(tcbResp.getBytes(StandardCharsets.UTF_8))
        .tcbInfoIssuerChain(SharedData.text(DIR + "tcb_info_issuer_chain.pem"))
        .qeIdentityResponse(qeResp.getBytes(StandardCharsets.UTF_8))
        .qeIdentityIssuerChain(SharedData.text(DIR + "qe_identity_issuer_chain.pem"))
        .build();
    assertEquals(ref.fingerprint(), c.fingerprint());
    assertArrayEquals(tcb.getBytes(StandardCharsets.UTF_8), c.tcbInfoJson().toByteArray());
    TdxVerifier.create().verify(TdxQuote.parse(SharedData.bytes(DIR + "quote.bin")), c, Instant.ofEpochSecond(1752919234L));
  }

  @Test
  void quoteCollateralJsonRoundTripAndByteArrays() throws Exception {
    TdxCollateral ref = TdxCollateral.fromQuoteCollateralJson(SharedData.bytes(DIR + "collateral.dcap-qvl.json"));
    assertEquals(ref.fingerprint(), TdxCollateral.fromQuoteCollateralJson(
        ref.toQuoteCollateralJson().getBytes(StandardCharsets.UTF_8)).fingerprint());
    JsonObject o = JsonParser.parseString(ref.toQuoteCollateralJson()).getAsJsonObject();
    JsonArray arr = new JsonArray();
    for (byte b : ref.rootCaCrlDer().toByteArray()) {
      arr.add(b & 0xff);
    }
    o.add("root_ca_crl", arr);
    assertEquals(ref.fingerprint(), TdxCollateral.fromQuoteCollateralJson(o.toString().getBytes(StandardCharsets.UTF_8)).fingerprint());
    assertEquals(Instant.parse("2025-07-19T10:00:35Z"), ref.notAfter());
    assertEquals("b0c06f000000", ref.fmspc().toHex());
  }

  @Test
  void missingOrBadItemsAreMalformed() {
    JsonObject o = JsonParser.parseString(SharedData.text(DIR + "collateral.dcap-qvl.json")).getAsJsonObject();
    o.remove("pck_crl");
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> TdxCollateral.fromQuoteCollateralJson(o.toString().getBytes(StandardCharsets.UTF_8)));
    assertEquals(TdxReason.COLLATERAL_MALFORMED, e.reason());
    JsonObject p = JsonParser.parseString(SharedData.text(DIR + "collateral.dcap-qvl.json")).getAsJsonObject();
    p.addProperty("tcb_info_signature", "abcd");
    assertEquals(TdxReason.COLLATERAL_MALFORMED, assertThrows(MalformedEvidenceException.class,
        () -> TdxCollateral.fromQuoteCollateralJson(p.toString().getBytes(StandardCharsets.UTF_8))).reason());
  }

  @Test
  void rawJsonMember() {
    byte[] j = "{\"a\": [1, {\"b\":\"x\\\"}\"}], \"tcbInfo\" :{\"k\": \"v\" } , \"z\":null}".getBytes(StandardCharsets.UTF_8);
    assertEquals("{\"k\": \"v\" }", new String(RawJson.member(j, "tcbInfo"), StandardCharsets.UTF_8));
    assertEquals(null, RawJson.member(j, "nope"));
  }
}
