package org.attest4j.snp.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.SnpCertTable;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.VcekChain;
import org.attest4j.snp.VekCertificate;
import org.attest4j.snp.guest.SnpDerivedKey;
import org.attest4j.snp.guest.SnpDerivedKeyRequest;

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
    SnpCertTable t;
    try {
      t = SnpCertTable.parse(data);
    } catch (AttestationException expected) {
      return; // a typed refusal is the only allowed failure
    }
    // every entry decodes (DER or PEM) or is refused; so does building a chain from the table
    for (SnpCertTable.Entry e : t.entries()) {
      try {
        e.der();
      } catch (AttestationException expected) {
        // typed
      }
    }
    try {
      VcekChain.fromCertTable(t, null);
    } catch (AttestationException expected) {
      // typed
    }
  }

  @FuzzTest(maxDuration = "60s")
  void derivedKeyResponse(byte[] data) {
    try {
      SnpDerivedKey k = SnpDerivedKey.fromResponse(data, SnpDerivedKeyRequest.builder().build());
      String hex = java.util.HexFormat.of().formatHex(k.bytes());
      if (k.bytes().length != SnpDerivedKey.SIZE || k.toString().contains(hex.substring(0, 16))) {
        throw new AssertionError("a derived key is 32 bytes and never printed");
      }
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
