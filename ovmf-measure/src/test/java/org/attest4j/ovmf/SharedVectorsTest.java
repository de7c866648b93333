package org.attest4j.ovmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every shared vector reproduces through the one-shot API, the prepared API and the logged API. */
class SharedVectorsTest {
  private static final Map<String, PreparedFirmware> PREPARED = new HashMap<>();

  private static PreparedFirmware prepared(JsonObject v) throws Exception {
    String name = v.getAsJsonObject("ovmf").get("file").getAsString();
    PreparedFirmware p = PREPARED.get(name);
    if (p == null) {
      p = LaunchDigest.prepare(VectorSupport.image(v, "ovmf"));
      PREPARED.put(name, p);
    }
    return p;
  }

  @TestFactory
  Stream<DynamicTest> vectorsReproduce() {
    return SharedData.vectorTests(VectorSupport.DIR + "vectors.jsonl", 126, v -> {
      String expected = v.get("expected_measurement").getAsString();
      OvmfImage ovmf = VectorSupport.image(v, "ovmf");
      assertEquals(v.getAsJsonObject("ovmf").get("sha256").getAsString(), ovmf.sha256().toHex());
      BootArtifacts boot = VectorSupport.boot(v);
      LaunchFeatures f = VectorSupport.features(v);
      assertEquals(expected, LaunchDigest.compute(ovmf, boot, f).toHex(), "one-shot");
      assertEquals(expected, prepared(v).measure(boot, f).toHex(), "prepared");
      MeasurementLog log = LaunchDigest.explain(ovmf, boot, f);
      assertEquals(expected, log.measurement().toHex(), "logged");
      assertEquals(v.get("gctx_updates").getAsInt(), log.updateCount(), "updates");
      assertEquals(
          expected, log.updates().get(log.updateCount() - 1).digestAfter().toHex(), "last ld");
    });
  }

  @TestFactory
  Stream<DynamicTest> negativesRefused() {
    return SharedData.jsonLines(VectorSupport.DIR + "negative.jsonl").stream()
        .map(
            v ->
                DynamicTest.dynamicTest(
                    v.get("id").getAsString(),
                    () -> {
                      OvmfImage ovmf = VectorSupport.image(v, "ovmf");
                      BootArtifacts boot = VectorSupport.boot(v);
                      LaunchFeatures f = VectorSupport.features(v);
                      MalformedEvidenceException e =
                          assertThrows(MalformedEvidenceException.class, () -> LaunchDigest.compute(ovmf, boot, f));
                      assertEquals(OvmfReason.NO_KERNEL_HASHES_SECTION, e.reason());
                      assertTrue(
                          e.getMessage().contains(v.get("expected_error").getAsString()), e.getMessage());
                      assertThrows(MalformedEvidenceException.class, () -> prepared(v).measure(boot, f));
                    }));
  }
}
