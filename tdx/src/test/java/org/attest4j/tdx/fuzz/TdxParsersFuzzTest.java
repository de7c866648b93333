package org.attest4j.tdx.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.attest4j.core.AttestationException;
import org.attest4j.tdx.CcelEventLog;
import org.attest4j.tdx.DstackEventLog;
import org.attest4j.tdx.TdxCollateral;
import org.attest4j.tdx.TdxQuote;
import org.attest4j.tdx.TdxQuoteInput;
import org.attest4j.tdx.TdxTrustAnchor;

/**
 * Jazzer harnesses for the TDX parsers: arbitrary bytes may only produce the library's typed
 * exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl tdx test
 * -Dtest=TdxParsersFuzzTest#quoteParse} fuzzes (coverage-guided) for {@code maxDuration}.
 */
class TdxParsersFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void quoteParse(byte[] data) {
    try {
      TdxQuote.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void ccelParse(byte[] data) {
    try {
      CcelEventLog.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void dstackEventLogParse(byte[] data) {
    try {
      DstackEventLog.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void collateralJsonParse(byte[] data) {
    try {
      TdxCollateral.fromQuoteCollateralJson(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void quoteInputRead(byte[] data) {
    try {
      TdxQuote.parse(TdxQuoteInput.read(data).quote().toByteArray());
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void trustAnchorOfCertificate(byte[] data) {
    try {
      TdxTrustAnchor.ofCertificate(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
