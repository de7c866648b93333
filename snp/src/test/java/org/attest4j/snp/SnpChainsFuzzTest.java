package org.attest4j.snp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.attest4j.core.AttestationException;

/**
 * Jazzer harnesses for VEK chains (a VCEK/VLEK with its PEM {@code cert_chain}) and the ARK-signed
 * CRL. Arbitrary bytes may only produce the library's typed exceptions. A normal build replays
 * the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl snp test -Dtest=SnpChainsFuzzTest#vekChain}
 * fuzzes.
 */
class SnpChainsFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void vekChain(FuzzedDataProvider in) {
    byte[] vek = in.consumeBytes(in.consumeInt(0, 4096));
    byte[] chain = in.consumeRemainingAsBytes();
    try {
      VcekChain.parse(vek, chain);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void crl(byte[] data) {
    try {
      SnpCrl.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
