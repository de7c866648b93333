package org.attest4j.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** trustee's containers: v0 and v1 decode to the same parts, v1 re-encodes, malformed ones are refused. */
class AzureEvidenceTest {
  @Test
  void tdxV0AndV1AreTheSameEvidence() throws Exception {
    AzureEvidence v0 = AzureEvidence.parse(SharedData.bytes(AzureVectors.DIR + "/tdx-trustee-v0/evidence-v0.json"));
    AzureEvidence v1 = AzureEvidence.parse(SharedData.bytes(AzureVectors.DIR + "/tdx-trustee-v1/evidence-v1.json"));
    assertEquals(0, v0.version());
    assertEquals(1, v1.version());
    assertEquals(v0.hclReport(), v1.hclReport());
    assertEquals(v0.tdQuote(), v1.tdQuote());
    assertEquals(v0.tpmQuote().orElseThrow().message(), v1.tpmQuote().orElseThrow().message());
    assertEquals(v0.tpmQuote().orElseThrow().pcrValues(), v1.tpmQuote().orElseThrow().pcrValues());
  }

  @Test
  void v1ReEncodesToEvidenceThatDecodesTheSame() throws Exception {
    AzureEvidence v1 = AzureEvidence.parse(SharedData.bytes(AzureVectors.DIR + "/snp-trustee-v1/evidence-v1.json"));
    AzureEvidence again = AzureEvidence.parse(v1.toJson());
    assertEquals(v1.hclReport(), again.hclReport());
    assertEquals(v1.vcekCertificates(), again.vcekCertificates());
    assertEquals(v1.tpmQuote().orElseThrow().signature().rsaSignature(),
        again.tpmQuote().orElseThrow().signature().rsaSignature());
    assertTrue(new String(v1.toJson(), StandardCharsets.UTF_8).contains("\"hcl_report\":\"SENMQQ"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "",
    "[]",
    "{\"version\":3}",
    "{\"version\":\"1\"}",
    "{\"version\":1,\"tpm_quote\":{\"signature\":\"zz\",\"message\":\"00\",\"pcrs\":[]},\"hcl_report\":\"AA\"}",
    "{\"version\":1,\"tpm_quote\":{\"signature\":\"00\",\"message\":\"00\",\"pcrs\":[]},\"hcl_report\":\"*\"}",
    "{\"quote\":{\"signature\":[256],\"message\":[0],\"pcrs\":[]},\"report\":[0],\"vcek\":\"x\"}",
    "{\"tpm_quote\":{\"signature\":[1],\"message\":[0],\"pcrs\":[[1.5]]},\"hcl_report\":[0]}",
    "{\"tpm_quote\":{\"signature\":[1],\"message\":[0],\"pcrs\":[]},\"hcl_report\":[-1]}"
  })
  void malformedContainersAreRefused(String json) {
    MalformedEvidenceException e = assertThrows(MalformedEvidenceException.class,
        () -> AzureEvidence.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(AzureReason.BAD_CONTAINER, e.reason());
  }
}
