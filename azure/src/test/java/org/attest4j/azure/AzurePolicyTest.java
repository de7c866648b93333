package org.attest4j.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.core.Bytes;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.Test;

/** AzurePolicy on trustee's SNP v1 evidence (console enabled, secure boot on, PCR0 e15c4479...). */
class AzurePolicyTest {
  private static AzureVerification verified(String name) throws Exception {
    Path dir = SharedData.path(AzureVectors.DIR + "/" + name);
    return AzureVectors.run(dir).verification();
  }

  @Test
  void pinnedPcrAndFlagsPassOrNameEveryBrokenRule() throws Exception {
    AzureVerification v = verified("snp-trustee-v1");
    assertTrue(v.valid());
    Bytes pcr0 = v.pcr(TpmHash.SHA256, 0).orElseThrow();
    assertTrue(pcr0.toHex().startsWith("e15c4479"));
    AzurePolicy ok = AzurePolicy.builder().pcr(0, pcr0).requireSecureBoot().requireTpmEnabled().build();
    ok.validate(v);

    Bytes other = Bytes.of(new byte[32]);
    AzurePolicy strict = AzurePolicy.recommended().pcr(0, other).build();
    PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> strict.validate(v));
    List<String> rules = e.violations().stream().map(PolicyViolationException.Violation::rule).toList();
    assertEquals(List.of("pcr0", "console-enabled"), rules);
  }

  @Test
  void anInvalidVerificationBreaksThePolicy() throws Exception {
    AzureVerification v = verified("neg-snp-trustee-v1-wrong-nonce");
    assertEquals(List.of("valid"),
        AzurePolicy.builder().build().check(v).stream().map(PolicyViolationException.Violation::rule).toList());
  }

  @Test
  void initDataPinsPcr8ToTheReplay() {
    Bytes d = Bytes.of(new byte[32]);
    AzurePolicy p = AzurePolicy.builder().initData(d).build();
    assertTrue(p.toString().contains("pcrs [8]"));
  }
}
