package org.attest4j.snp.guest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.attest4j.core.AttestationException;

/**
 * Jazzer harnesses for what the {@code /dev/sev-guest} ioctls hand back: the report response
 * message and the extended report's certificate buffer. Arbitrary bytes may only produce the
 * library's typed exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn
 * -pl snp test -Dtest=SevGuestAbiFuzzTest#reportResponse} fuzzes.
 */
class SevGuestAbiFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void reportResponse(byte[] data) {
    try {
      SevGuestAbi.reportFromResponse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void certificateBuffer(byte[] data) {
    SevGuestAbi.trimCertificateTable(data); // no exception at all: it only trims
  }
}
