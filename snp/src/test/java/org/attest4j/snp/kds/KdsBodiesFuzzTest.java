package org.attest4j.snp.kds;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.attest4j.core.AttestationException;

/**
 * Jazzer harnesses for the bodies AMD's KDS (or a mirror) answers with: a VCEK/VLEK (DER or PEM),
 * a {@code cert_chain} (PEM, ASK or ASVK then ARK) and a CRL. Arbitrary bytes may only produce
 * the library's typed exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1
 * mvn -pl snp test -Dtest=KdsBodiesFuzzTest#vekBody} fuzzes.
 */
class KdsBodiesFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void vekBody(byte[] data) {
    try {
      KdsClient.parseCert(data, "VCEK");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void certChainBody(byte[] data) {
    try {
      KdsClient.parseChain(data, "cert_chain");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void crlBody(byte[] data) {
    try {
      KdsClient.parseCrl(data, "CRL");
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
