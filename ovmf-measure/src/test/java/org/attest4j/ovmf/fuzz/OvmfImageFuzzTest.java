package org.attest4j.ovmf.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
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
  void imageParse(FuzzedDataProvider in) {
    // the footer table and the SEV metadata are found from the end of the image: place the fuzzed
    // bytes at the end of a page-aligned image, so that the fuzzer reaches past the size checks
    boolean raw = in.consumeBoolean();
    byte[] data = in.consumeRemainingAsBytes();
    byte[] image = data;
    if (!raw) {
      int size = Math.max(4096, (data.length + 4095) / 4096 * 4096);
      image = new byte[size];
      System.arraycopy(data, 0, image, size - data.length, data.length);
    }
    try {
      OvmfImage.parse(image);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
