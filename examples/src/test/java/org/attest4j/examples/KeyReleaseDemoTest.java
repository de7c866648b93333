package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyReleaseDemoTest {
  @Test
  void demoReleasesKeysAndRefusesEveryTamperedRequest() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = KeyReleaseDemo.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, out);
    assertTrue(out.contains("disk_crypt_key  sha256:"), out);
    assertTrue(out.contains("step 4, KmsReason.MEASUREMENT_MISMATCH"), out);
    assertTrue(out.contains("step 3, SnpReason.DEBUG_ALLOWED"), out);
    assertTrue(out.contains("step 6, KmsReason.REPLAYED"), out);
    assertTrue(out.contains("step 5, KmsReason.IDENTITY_MISMATCH"), out);
    assertTrue(out.contains("refused by the guest, CryptoReason."), out);
    assertTrue(out.contains("step 3, SnpReason.TCB_TOO_LOW"), out);
    assertTrue(out.contains("6 of 6 tampered requests refused"), out);
    assertTrue(out.contains("9 seal response"), out);
    assertTrue(out.contains("OK: keys released"), out);
  }
}
