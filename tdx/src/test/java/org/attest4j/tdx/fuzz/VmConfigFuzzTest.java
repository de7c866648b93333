package org.attest4j.tdx.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.attest4j.core.AttestationException;
import org.attest4j.tdx.DstackAppInfo;

/**
 * Jazzer harness for dstack's {@code vm_config} JSON (the os_image_hash a TDX guest claims).
 * Arbitrary bytes may only produce the library's typed exceptions. A normal build replays the
 * stored inputs; {@code JAZZER_FUZZ=1 mvn -pl tdx test -Dtest=VmConfigFuzzTest#vmConfig} fuzzes.
 */
class VmConfigFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void vmConfig(byte[] data) {
    try {
      DstackAppInfo.osImageHashOf(new String(data, StandardCharsets.UTF_8));
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
