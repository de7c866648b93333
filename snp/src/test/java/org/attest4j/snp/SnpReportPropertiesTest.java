package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.attest4j.core.AttestationException;
import org.attest4j.core.MalformedEvidenceException;

/**
 * Properties of the report parser and verifier: exact round trip, only library exceptions for
 * arbitrary or mutated input, and every single-bit change of a real report is rejected.
 */
class SnpReportPropertiesTest {
  // ------------------------------------------------------------------ real vectors, verified once

  private static final class Real {
    final byte[] report;
    final VcekChain chain;
    final SnpVerifier verifier;

    Real(SnpVectorsTest.Vector v) throws Exception {
      report = v.report();
      chain = VcekChain.parse(v.vek(), v.chain());
      Clock clock = SnpVectorsTest.clockFor(v);
      verifier = SnpVerifier.builder().clock(clock).build();
      verifier.verify(SnpReport.parse(report), chain); // warms the chain cache and proves validity
    }

    void verify(byte[] bytes) throws AttestationException {
      verifier.verify(SnpReport.parse(bytes), chain);
    }
  }

  private static List<Real> reals;

  static synchronized List<Real> reals() throws Exception {
    if (reals == null) {
      List<Real> out = new ArrayList<>();
      for (SnpVectorsTest.Vector v : SnpVectorsTest.vectors()) {
        if (v.valid()) {
          out.add(new Real(v));
        }
      }
      reals = out;
    }
    return reals;
  }

  // ------------------------------------------------------------------ round trip

  @Provide
  Arbitrary<SnpReport> reports() {
    Arbitrary<Integer> version = Arbitraries.of(2, 3, 4, 5);
    Arbitrary<Long> policy = Arbitraries.longs().between(0, (1L << 26) - 1).map(p -> p | GuestPolicy.RESERVED_MBO);
    Arbitrary<Integer> keyInfo = Arbitraries.of(0, 1, 7).flatMap(k ->
        Arbitraries.integers().between(0, 3).map(flags -> k << 2 | flags));
    Arbitrary<byte[]> b64 = Arbitraries.bytes().array(byte[].class).ofSize(64);
    Arbitrary<byte[]> b48 = Arbitraries.bytes().array(byte[].class).ofSize(48);
    Arbitrary<byte[]> b32 = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<byte[]> b16 = Arbitraries.bytes().array(byte[].class).ofSize(16);
    Arbitrary<Long> anyLong = Arbitraries.longs();
    Arbitrary<int[]> cpuid = Arbitraries.integers().between(0, 255).array(int[].class).ofSize(3);
    Arbitrary<int[]> fw = Arbitraries.integers().between(0, 255).array(int[].class).ofSize(6);
    return Combinators.combine(version, policy, keyInfo, b64, b48, b32, b16, anyLong).flatAs(
        (v, p, k, rd, m, hd, fam, tcb) -> Combinators.combine(b16, b48, b48, anyLong, anyLong, cpuid, fw, b64).as(
            (img, idk, ak, plat, mit, cp, f, chip) -> {
              SnpReport.Builder b = SnpReport.builder().version(v).policy(new GuestPolicy(p)).keyInfo(new KeyInfo(k))
                  .reportData(rd).measurement(m).hostData(hd).familyId(fam).imageId(img).idKeyDigest(idk)
                  .authorKeyDigest(ak).platformInfo(new PlatformInfo(plat)).chipId(chip).vmpl(f[0] & 3)
                  .guestSvn(tcb >>> 40)
                  .currentTcb(TcbVersion.of(Product.MILAN, tcb)).reportedTcb(TcbVersion.of(Product.MILAN, tcb ^ 1))
                  .committedTcb(TcbVersion.of(Product.MILAN, plat)).launchTcb(TcbVersion.of(Product.MILAN, mit))
                  .currentVersion(new FirmwareVersion(f[0], f[1], f[2])).committedVersion(new FirmwareVersion(f[3], f[4], f[5]));
              if (v >= 3) {
                b.cpuid(cp[0], cp[1], cp[2]);
              }
              if (v >= 5) {
                b.launchMitigationVector(mit).currentMitigationVector(~mit);
              }
              return b.build();
            }));
  }

  @Property(tries = 300)
  void parseSerializeRoundTrip(@ForAll("reports") SnpReport r) throws Exception {
    byte[] bytes = r.toByteArray();
    SnpReport again = SnpReport.parse(bytes);
    assertArrayEquals(bytes, again.toByteArray());
    assertEquals(r, again);
    assertEquals(r.version(), again.version());
    assertEquals(r.policy(), again.policy());
    assertEquals(r.keyInfo(), again.keyInfo());
    assertEquals(r.measurement(), again.measurement());
    assertEquals(r.reportData(), again.reportData());
    assertEquals(r.chipId(), again.chipId());
    assertEquals(r.rawReportedTcb(), again.rawReportedTcb());
    assertEquals(r.currentVersion(), again.currentVersion());
    assertEquals(r.cpuid(), again.cpuid());
    assertEquals(r.launchMitigationVector(), again.launchMitigationVector());
    assertArrayEquals(Arrays.copyOf(bytes, 0x2A0), again.signedBytes());
  }

  // ------------------------------------------------------------------ arbitrary input

  @Property(tries = 500)
  void randomBytesGiveOnlyLibraryExceptions(@ForAll @Size(max = 1400) byte[] data) {
    onlyLibraryExceptions(() -> SnpReport.parse(data));
    onlyLibraryExceptions(() -> VekCertificate.parse(data));
    onlyLibraryExceptions(() -> SnpCertTable.parse(data));
    onlyLibraryExceptions(() -> VcekChain.parse(data, data));
    onlyLibraryExceptions(() -> SnpVerifier.builder().addCrl(data));
  }

  @Property(tries = 300)
  void random1184ByteReportsGiveOnlyLibraryExceptions(@ForAll @Size(value = 1184) byte[] data) {
    // make some of them get past the first checks
    data[0] = 3;
    data[1] = data[2] = data[3] = 0;
    data[0x34] = 1;
    data[0x35] = data[0x36] = data[0x37] = 0;
    onlyLibraryExceptions(() -> SnpReport.parse(data));
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 150)
  void mutatedRealReportsAreRejectedWithLibraryExceptions(
      @ForAll @IntRange(min = 0, max = 7) int which,
      @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 1183) Integer> positions,
      @ForAll @Size(min = 8, max = 8) List<@IntRange(min = 1, max = 255) Integer> xors,
      @ForAll @IntRange(min = -3, max = 3) int lengthChange) throws Exception {
    Real real = reals().get(which % reals().size());
    byte[] m = real.report.clone();
    for (int i = 0; i < positions.size(); i++) {
      m[positions.get(i)] ^= xors.get(i).byteValue();
    }
    byte[] mutated = Arrays.copyOf(m, m.length + lengthChange);
    boolean changed = !Arrays.equals(mutated, real.report);
    try {
      real.verify(mutated);
      assertTrue(!changed, "a mutated report verified");
    } catch (AttestationException expected) {
      assertTrue(changed);
    } catch (RuntimeException e) {
      throw new AssertionError("runtime exception escaped for a mutated report", e);
    }
  }

  // ------------------------------------------------------------------ single-bit flips

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 400)
  void everySingleBitFlipInSignedRegionOrSignatureIsRejected(
      @ForAll @IntRange(min = 0, max = 7) int which, @ForAll @IntRange(min = 0, max = 0x330 * 8 - 1) int bit)
      throws Exception {
    Real real = reals().get(which % reals().size());
    byte[] m = real.report.clone();
    m[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThrows(AttestationException.class, () -> real.verify(m), "bit " + bit);
  }

  /** Exhaustive over one real report: every one of the 9472 bits (signed region, signature, reserved tail). */
  @Example
  void exhaustiveBitFlipsOfOneRealReport() throws Exception {
    Real real = reals().stream().filter(r -> r.report[0] == 5).findFirst().orElseThrow(); // a v5 report
    int rejected = 0;
    for (int bit = 0; bit < SnpReport.SIZE * 8; bit++) {
      byte[] m = real.report.clone();
      m[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        real.verify(m);
        throw new AssertionError("bit " + bit + " flipped and the report still verified");
      } catch (AttestationException expected) {
        rejected++;
      }
    }
    assertEquals(SnpReport.SIZE * 8, rejected);
    real.verify(real.report); // and the original still verifies
    assertNotEquals(0, rejected);
  }

  interface Call {
    void run() throws Exception;
  }

  static void onlyLibraryExceptions(Call c) {
    try {
      c.run();
    } catch (AttestationException e) {
      assertTrue(e.reason() != null && e.getMessage() != null);
    } catch (RuntimeException e) {
      throw new AssertionError("runtime exception escaped: " + e, e);
    } catch (Exception e) {
      throw new AssertionError("non-library checked exception " + e, e);
    }
  }

  @Example
  void specificFormatRejections() {
    byte[] good = SnpReport.builder().build().toByteArray();
    byte[] b = good.clone();
    b[0] = 6;
    assertEquals(SnpReason.UNSUPPORTED_VERSION, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(b)).reason());
    byte[] c = good.clone();
    c[0x34] = 2;
    assertEquals(SnpReason.UNSUPPORTED_SIGNATURE_ALGORITHM, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(c)).reason());
    byte[] d = good.clone();
    d[0x0A] = 0; // policy bit 17 cleared
    assertEquals(SnpReason.BAD_GUEST_POLICY, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(d)).reason());
    byte[] e = good.clone();
    e[0x48] = 2 << 2; // SIGNING_KEY 2 is reserved
    assertEquals(SnpReason.BAD_KEY_INFO, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(e)).reason());
    byte[] f = good.clone();
    f[0x4C] = 1;
    assertEquals(SnpReason.RESERVED_NONZERO, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(f)).reason());
    byte[] g = good.clone();
    g[0x1F8] = 1; // mitigation vector: allowed in v5
    assertTrue(parses(g));
    g[0] = 3; // but reserved in v3
    assertEquals(SnpReason.RESERVED_NONZERO, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(g)).reason());
    byte[] h = good.clone();
    h[0] = 2;
    h[0x188] = 0x19; // v2 has no CPUID fields
    assertEquals(SnpReason.RESERVED_NONZERO, assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(h)).reason());
    byte[] i = good.clone();
    i[0x400] = 1; // reserved signature bytes
    MalformedEvidenceException ie = assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(i));
    assertEquals(SnpReason.RESERVED_NONZERO, ie.reason());
    // the range is printed once, then the offending byte
    assertEquals(1, ie.getMessage().split("0x330\\.\\.0x49F", -1).length - 1, ie.getMessage());
    assertTrue(ie.getMessage().contains("byte 0x400 is 0x01"), ie.getMessage());
    MalformedEvidenceException fe = assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(f));
    assertEquals(1, fe.getMessage().split("0x04C\\.\\.0x04F", -1).length - 1, fe.getMessage());
    byte[] k = good.clone();
    k[0x1EB] = 2; // a one-byte range is printed as one offset
    MalformedEvidenceException ke = assertThrows(MalformedEvidenceException.class, () -> SnpReport.parse(k));
    assertTrue(ke.getMessage().contains("(0x1EB) must be zero but byte 0x1EB is 0x02"), ke.getMessage());
    byte[] j = good.clone();
    j[0x40] = 0x40; // PLATFORM_INFO bit 6 (Turin) is kept, not rejected
    assertTrue(parses(j));
  }

  private static boolean parses(byte[] b) {
    try {
      SnpReport.parse(b);
      return true;
    } catch (MalformedEvidenceException e) {
      return false;
    }
  }
}
