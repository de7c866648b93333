package org.attest4j.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.attest4j.core.AttestationException;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealedResponse;

/**
 * Jazzer harnesses for the envelope and report_data parsers: arbitrary bytes may only produce the
 * library's typed exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn
 * -pl crypto test -Dtest=SealedResponseFuzzTest#envelopeParse} fuzzes for {@code maxDuration}.
 */
class SealedResponseFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void envelopeParse(byte[] data) {
    try {
      SealedResponse.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void reportDataParse(byte[] data) {
    try {
      ReportData.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
