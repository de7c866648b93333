package org.attest4j.ovmf.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.attest4j.core.AttestationException;
import org.attest4j.ovmf.OvmfImage;

/**
 * Jazzer harness for the firmware parser: arbitrary bytes may only produce the library's typed
 * exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl ovmf-measure
 * test -Dtest=OvmfImageFuzzTest} fuzzes (coverage-guided) for {@code maxDuration}.
 */
class OvmfImageFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void imageParse(byte[] data) {
    try {
      OvmfImage.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
