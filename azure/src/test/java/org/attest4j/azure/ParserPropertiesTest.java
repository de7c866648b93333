package org.attest4j.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.attest4j.azure.tpm.PcrSelection;
import org.attest4j.azure.tpm.Pcrs;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.azure.tpm.TpmtSignature;
import org.attest4j.core.Bytes;

/** Round trips and PCR arithmetic as properties. */
class ParserPropertiesTest {
  @Property(tries = 200)
  void hclReportRoundTrips(@ForAll @Size(max = 800) byte[] claims, @ForAll @Size(max = 1184) byte[] hw,
      @ForAll @IntRange(min = 1, max = 2) int version, @ForAll boolean tdx) throws Exception {
    AzurePlatform p = tdx ? AzurePlatform.TDX : AzurePlatform.SNP;
    HclReport r = HclReport.assemble(version, p, hw, claims, 2600);
    HclReport back = HclReport.parse(r.toByteArray());
    assertArrayEquals(claims, back.variableData().toByteArray());
    assertArrayEquals(java.util.Arrays.copyOf(hw, 1184), back.hardwareReport());
    assertEquals(p, back.platform().orElseThrow());
    assertEquals(version, back.headerVersion());
  }

  @Property(tries = 200)
  void rsaSignaturesRoundTrip(@ForAll @Size(min = 1, max = 512) byte[] sig, @ForAll boolean pss) throws Exception {
    byte[] enc = TpmtSignature.rawRsassa(TpmHash.SHA256, sig).encode();
    if (pss) {
      enc[1] = 0x16;
    }
    TpmtSignature back = TpmtSignature.parse(enc);
    assertArrayEquals(sig, back.rsaSignature().toByteArray());
    assertArrayEquals(enc, back.encode());
  }

  @Property(tries = 100)
  void replayIsRepeatedExtend(@ForAll @Size(max = 6) List<@Size(min = 32, max = 32) byte[]> digests) {
    Bytes v = Bytes.of(new byte[32]);
    for (byte[] d : digests) {
      v = Bytes.of(TpmHash.SHA256.digest(v.toByteArray(), d));
    }
    assertEquals(v, Pcrs.replay(TpmHash.SHA256, digests.stream().map(Bytes::of).toList()));
  }

  @Property(tries = 100)
  void selectionBitmapListsItsPcrs(@ForAll @Size(max = 24) List<@IntRange(max = 23) Integer> pcrs) {
    int[] a = pcrs.stream().mapToInt(Integer::intValue).toArray();
    List<Integer> want = pcrs.stream().distinct().sorted().toList();
    assertEquals(want, PcrSelection.ofPcrs(TpmHash.SHA256, a).pcrs());
  }
}
