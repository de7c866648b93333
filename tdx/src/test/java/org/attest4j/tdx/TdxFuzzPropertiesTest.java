package org.attest4j.tdx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.attest4j.core.AttestationException;
import org.attest4j.testsupport.SharedData;

/**
 * Random and mutated quotes, collateral and event logs give only attest4j exceptions (never a
 * runtime exception), and any change to a quote's signed region (or to the QE report) is refused.
 */
class TdxFuzzPropertiesTest {
  private static final String DCAP = "vectors/tdx/dcapqvl-v4-b0c06f-uptodate/";
  private static final String DSTACK = "vectors/tdx/dstack-v4-90c06f-eventlog-uptodate/";
  private static final String V5 = "vectors/tdx/dcapqvl-v5-90c06f-tcb-level-not-supported/";
  private static final String GOTDX = "vectors/tdx/gotdx-v4-cos-ccel-sigonly/";
  private static final Instant DSTACK_AT = Instant.ofEpochSecond(1774003274L);
  private static final TdxVerifier VERIFIER = TdxVerifier.create();

  /** A mutation: position (as a fraction of the length), xor mask, kind. */
  record Mutation(double where, int mask, int kind) {}

  @Provide
  Arbitrary<Mutation> mutation() {
    return Combinators.combine(
            Arbitraries.doubles().between(0, 1),
            Arbitraries.integers().between(1, 255),
            Arbitraries.integers().between(0, 4))
        .as(Mutation::new);
  }

  static byte[] apply(byte[] in, Mutation m) {
    int pos = (int) Math.min(in.length - 1, Math.floor(m.where() * in.length));
    switch (m.kind()) {
      case 0: { // flip bits
        byte[] b = in.clone();
        b[pos] ^= (byte) m.mask();
        return b;
      }
      case 1: // truncate
        return Arrays.copyOf(in, pos);
      case 2: { // insert a byte
        byte[] b = new byte[in.length + 1];
        System.arraycopy(in, 0, b, 0, pos);
        b[pos] = (byte) m.mask();
        System.arraycopy(in, pos, b, pos + 1, in.length - pos);
        return b;
      }
      case 3: { // delete a byte
        byte[] b = new byte[in.length - 1];
        System.arraycopy(in, 0, b, 0, pos);
        System.arraycopy(in, pos + 1, b, pos, in.length - pos - 1);
        return b;
      }
      default: { // set a 4-byte little-endian length-like value
        byte[] b = in.clone();
        int p = Math.min(pos, b.length - 4);
        int v = m.mask() * 0x01010101;
        for (int i = 0; i < 4 && p + i >= 0; i++) {
          b[p + i] = (byte) (v >>> (8 * i));
        }
        return b;
      }
    }
  }

  private static void onlyLibraryExceptions(ThrowingRunnable r) {
    try {
      r.run();
    } catch (AttestationException e) {
      assertTrue(e.reason() != null && e.getMessage() != null);
    } catch (Throwable t) {
      fail("non-library exception: " + t, t);
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Property(tries = 300)
  void randomBytesAreNotQuotes(@ForAll @Size(max = 6000) byte[] bytes) {
    onlyLibraryExceptions(() -> {
      TdxQuote q = TdxQuote.parse(bytes);
      VERIFIER.verifySignaturesOnly(q, DSTACK_AT);
      fail("random bytes verified");
    });
  }

  @Property(tries = 300)
  void randomQuoteShapedBytes(@ForAll @Size(min = 600, max = 5200) byte[] bytes, @ForAll @IntRange(min = 4, max = 5) int version) {
    bytes[0] = (byte) version;
    bytes[1] = 0;
    bytes[2] = 2;
    bytes[3] = 0;
    bytes[4] = (byte) 0x81;
    bytes[5] = 0;
    bytes[6] = 0;
    bytes[7] = 0;
    onlyLibraryExceptions(() -> {
      TdxQuote q = TdxQuote.parse(bytes);
      VERIFIER.verifySignaturesOnly(q, DSTACK_AT);
      fail("random quote verified");
    });
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 400)
  void mutatedQuotesGiveOnlyLibraryExceptions(@ForAll("mutation") Mutation m, @ForAll @IntRange(min = 0, max = 2) int which) {
    String dir = which == 0 ? DSTACK : which == 1 ? V5 : GOTDX;
    byte[] quote = apply(SharedData.bytes(dir + "quote.bin"), m);
    onlyLibraryExceptions(() -> {
      TdxQuote q = TdxQuote.parse(quote);
      if (which == 0) {
        VERIFIER.verify(q, TdxCollateral.fromDirectory(SharedData.path(DSTACK)), DSTACK_AT);
      } else {
        VERIFIER.verifySignaturesOnly(q, Instant.parse("2026-03-20T10:41:14Z"));
      }
    });
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 300)
  void anyChangeInTheSignedRegionIsRefused(@ForAll @IntRange(min = 0, max = 701) int offset,
      @ForAll @IntRange(min = 1, max = 255) int mask, @ForAll @IntRange(min = 0, max = 1) int which) {
    String dir = which == 0 ? DSTACK : V5;
    byte[] quote = SharedData.bytes(dir + "quote.bin");
    int signed = which == 0 ? 632 : 702;
    int at = offset % signed;
    quote[at] ^= (byte) mask;
    try {
      TdxQuote q = TdxQuote.parse(quote);
      assertEquals(signed, q.signedLength());
      VERIFIER.verifySignaturesOnly(q, DSTACK_AT);
      fail("quote with byte " + at + " changed (xor " + mask + ") verified");
    } catch (AttestationException e) {
      // refused: parse error for structural header bytes, otherwise the quote signature
      assertTrue(e.reason() == TdxReason.QUOTE_PARSE_ERROR || e.reason() == TdxReason.QUOTE_SIGNATURE_INVALID
          || e.reason() == TdxReason.UNKNOWN_QE_VENDOR, e.toString());
    }
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 200)
  void anyChangeInTheQeReportOrSignaturesIsRefused(@ForAll @IntRange(min = 0, max = 64 + 64 + 384 + 64 - 1) int offset,
      @ForAll @IntRange(min = 1, max = 255) int mask) {
    byte[] quote = SharedData.bytes(DSTACK + "quote.bin");
    // signature data starts at 636: sig(64) key(64) type(2) size(4) qe_report(384) qe_sig(64)
    int at = offset < 128 ? 636 + offset : 636 + 134 + (offset - 128);
    quote[at] ^= (byte) mask;
    try {
      VERIFIER.verifySignaturesOnly(TdxQuote.parse(quote), DSTACK_AT);
      fail("quote with byte " + at + " changed verified");
    } catch (AttestationException e) {
      assertTrue(e.reason() != null);
    }
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 150)
  void mutatedCollateralGivesOnlyLibraryExceptions(@ForAll("mutation") Mutation m) {
    byte[] json = apply(SharedData.bytes(DSTACK + "collateral.dcap-qvl.json"), m);
    TdxQuote quote = quote(DSTACK);
    onlyLibraryExceptions(() -> VERIFIER.verify(quote, TdxCollateral.fromQuoteCollateralJson(json), DSTACK_AT));
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 150)
  void mutatedSignedCollateralItemsAreRefused(@ForAll("mutation") Mutation m, @ForAll @IntRange(min = 0, max = 1) int item) {
    // change the exact signed TCB info / QE identity text: must never verify
    TdxCollateral good = collateral(DSTACK);
    byte[] text = (item == 0 ? good.tcbInfoJson() : good.qeIdentityJson()).toByteArray();
    byte[] bad = apply(text, m);
    if (Arrays.equals(bad, text)) {
      return;
    }
    TdxCollateral.Builder b = TdxCollateral.builder()
        .rootCaCrl(good.rootCaCrlDer().toByteArray())
        .pckCrl(good.pckCrlDer().toByteArray())
        .pckCrlIssuerChain(good.pckCrlIssuerChainPem())
        .tcbInfoIssuerChain(good.tcbInfoIssuerChainPem())
        .qeIdentityIssuerChain(good.qeIdentityIssuerChainPem());
    if (item == 0) {
      b.tcbInfo(bad, good.tcbInfoSignature().toByteArray()).qeIdentity(good.qeIdentityJson().toByteArray(), good.qeIdentitySignature().toByteArray());
    } else {
      b.tcbInfo(good.tcbInfoJson().toByteArray(), good.tcbInfoSignature().toByteArray()).qeIdentity(bad, good.qeIdentitySignature().toByteArray());
    }
    try {
      VERIFIER.verify(quote(DSTACK), b.build(), DSTACK_AT);
      fail("changed signed collateral verified");
    } catch (AttestationException e) {
      assertTrue(e.reason() != null);
    } catch (RuntimeException e) {
      fail("non-library exception: " + e, e);
    }
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 200)
  void mutatedCcelLogsGiveOnlyLibraryExceptions(@ForAll("mutation") Mutation m) {
    byte[] full = SharedData.bytes(GOTDX + "ccel_data.bin");
    byte[] log = apply(Arrays.copyOf(full, 18200), m);
    onlyLibraryExceptions(() -> CcelEventLog.parse(log).replay());
  }

  @Property(tries = 200)
  void randomCcelLogs(@ForAll @Size(max = 2000) byte[] log, @ForAll @Size(min = 56, max = 56) byte[] table) {
    onlyLibraryExceptions(() -> CcelEventLog.parse(log).replay());
    onlyLibraryExceptions(() -> CcelEventLog.parse(log, table).replay());
  }

  @net.jqwik.api.lifecycle.AddLifecycleHook(org.attest4j.testsupport.SharedDataRequired.class)
  @Property(tries = 200)
  void mutatedDstackLogsGiveOnlyLibraryExceptions(@ForAll("mutation") Mutation m) {
    byte[] log = apply(SharedData.bytes(DSTACK + "event_log.json"), m);
    TdxQuote quote = quote(DSTACK);
    onlyLibraryExceptions(() -> {
      DstackEventLog l = DstackEventLog.parse(log);
      l.replay().requireMatches(quote.body());
      DstackAppInfo.of(quote.body(), l.runtimeEvents(), new String(apply(SharedData.bytes(DSTACK + "vm_config.json"), m), StandardCharsets.UTF_8));
    });
  }

  @Property(tries = 200)
  void randomJsonInputs(@ForAll @Size(max = 400) String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    onlyLibraryExceptions(() -> DstackEventLog.parse(b));
    onlyLibraryExceptions(() -> TdxCollateral.fromQuoteCollateralJson(b));
    onlyLibraryExceptions(() -> DstackAppInfo.osImageHashOf(s));
  }

  private static TdxQuote quote(String dir) {
    try {
      return TdxQuote.parse(SharedData.bytes(dir + "quote.bin"));
    } catch (AttestationException e) {
      throw new AssertionError(e);
    }
  }

  private static TdxCollateral collateral(String dir) {
    try {
      return TdxCollateral.fromDirectory(SharedData.path(dir));
    } catch (AttestationException e) {
      throw new AssertionError(e);
    }
  }
}
