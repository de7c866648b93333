package org.attest4j.tdx.pcs;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import org.attest4j.core.AttestationException;

/**
 * Jazzer harnesses for the bodies Intel's PCS (or a PCCS) answers with: signed TCB info and QE
 * identity (JSON with an issuer-chain header), CRLs (DER or hex text), percent-encoded issuer
 * chains, and the on-disk cache envelope. Arbitrary bytes may only produce the library's typed
 * exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl tdx test
 * -Dtest=PcsBodiesFuzzTest#signedCollateral} fuzzes.
 */
class PcsBodiesFuzzTest {
  private static final PcsClient CLIENT = PcsClient.builder().offline(true).build();
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @FuzzTest(maxDuration = "60s")
  void signedCollateral(FuzzedDataProvider in) {
    SignedCollateral.Kind kind = in.consumeBoolean() ? SignedCollateral.Kind.TCB_INFO : SignedCollateral.Kind.QE_IDENTITY;
    String chain = in.consumeString(in.consumeInt(0, 2048));
    byte[] body = in.consumeRemainingAsBytes();
    try {
      CLIENT.checkSigned(kind, body, chain, NOW, "fuzzed collateral");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void crlBody(byte[] data) {
    try {
      PcsClient.crlBytes(data, "fuzzed CRL");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void issuerChainHeader(byte[] data) {
    try {
      String pem = PcsClient.percentDecode(new String(data, java.nio.charset.StandardCharsets.ISO_8859_1), "header");
      IntelChainVerifier.parse(pem, "fuzzed issuer");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void cacheEnvelope(byte[] data) {
    try {
      PcsClient.Envelope.parse(data, "cached collateral");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
