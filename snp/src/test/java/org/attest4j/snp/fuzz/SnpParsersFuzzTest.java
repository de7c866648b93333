package org.attest4j.snp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.VekCertificate;

/**
 * Jazzer harnesses for the SEV-SNP parsers: arbitrary bytes may only produce the library's typed
 * exceptions. A normal build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl snp test
 * -Dtest=SnpParsersFuzzTest#reportParse} fuzzes (coverage-guided) for {@code maxDuration}.
 */
class SnpParsersFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void reportParse(FuzzedDataProvider in) {
    // mostly report-sized inputs, so the fuzzer explores the fields rather than the length check
    boolean raw = in.consumeBoolean();
    byte[] data = in.consumeRemainingAsBytes();
    byte[] report = raw ? data : Arrays.copyOf(data, SnpReport.SIZE);
    try {
      SnpReport r = SnpReport.parse(report);
      if (!Arrays.equals(r.toByteArray(), report)) {
        throw new AssertionError("toByteArray() does not round-trip");
      }
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void certTableParse(byte[] data) {
    try {
      SnpCertTable.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void vekCertificateParse(byte[] data) {
    try {
      VekCertificate.parse(data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
