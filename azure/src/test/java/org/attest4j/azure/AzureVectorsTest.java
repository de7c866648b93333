package org.attest4j.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code shared/vectors/azure} (spec {@code azure-cvm.md} section 11) through the API:
 * the verdict, the failed required and advisory checks, and every check the reference evaluated.
 * attest4j's own {@code tdx.dcap} (signatures and PCK chain, no collateral here) must pass on TDX
 * cases that have a TD quote.
 */
class AzureVectorsTest {
  @TestFactory
  Stream<DynamicTest> everyCaseGivesItsVerdictAndChecks() {
    List<Path> cases = AzureVectors.cases();
    assertEquals(58, cases.size(), "11 genuine cases and 47 negatives");
    return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
      JsonObject exp = AzureVectors.expected(dir).getAsJsonObject("expected");
      AzureVectors.Outcome o = AzureVectors.run(dir);
      assertEquals(exp.get("verdict").getAsString().equals("accept"), o.accepted(), "verdict " + o.checks()
          + (o.verification() == null ? "" : " " + o.verification().problems()));
      List<String> failed = new ArrayList<>(o.failedRequired());
      boolean dcapFailed = failed.remove("tdx.dcap");
      assertEquals(strings(exp, "failed_checks"), failed, "failed_checks");
      assertEquals(strings(exp, "advisory_failed"), o.failedAdvisory(), "advisory_failed");
      Map<String, Boolean> expChecks = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : exp.getAsJsonObject("checks").entrySet()) {
        expChecks.put(e.getKey(), e.getValue().getAsBoolean());
      }
      Map<String, Boolean> mine = new LinkedHashMap<>(o.checks());
      Boolean dcap = mine.remove("tdx.dcap");
      assertEquals(expChecks, mine, "checks");
      if (expChecks.getOrDefault("tdx.quote_parse", false)) {
        // DCAP (signatures only) fails exactly when the quote's own signature does
        assertEquals(expChecks.get("tdx.quote_body_signature"), dcap, "tdx.dcap " + o.verification().problems());
        assertEquals(!dcap, dcapFailed);
      }
    }));
  }

  private static List<String> strings(JsonObject o, String key) {
    List<String> out = new ArrayList<>();
    o.getAsJsonArray(key).forEach(e -> out.add(e.getAsString()));
    return out;
  }
}
