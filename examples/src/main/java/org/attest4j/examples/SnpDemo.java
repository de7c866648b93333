package org.attest4j.examples;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import org.attest4j.core.AttestationException;
import org.attest4j.core.PolicyViolationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SnpPolicy;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.VerifiedSnpReport;
import org.attest4j.snp.testing.SimulatedSnpPlatform;

/**
 * The SEV-SNP part of {@code attest4j demo}: a simulated platform signs a report, the verifier (trusting
 * that platform's root explicitly) verifies it and a strict policy with the expected measurement and
 * nonce accepts it; then a tampered report and a debug-policy report are refused with their reasons,
 * and AMD's pinned roots refuse the simulated chain. Each step is timed.
 *
 * <p>Reusable: {@link #setUp()} gives the platform, verifier and policy to later demo steps (for
 * example a key-release flow). Not thread-safe (it prints as it goes).
 */
public final class SnpDemo {
  private final PrintWriter out;
  private SimulatedSnpPlatform platform;
  private SnpVerifier verifier;
  private byte[] measurement;
  private boolean ok = true;

  /**
   * A demo printing to {@code out}.
   *
   * @param out where to print
   */
  public SnpDemo(PrintWriter out) {
    this.out = out;
  }

  /**
   * The expected launch measurement of the demo guest (SHA-384 of a fixed string).
   *
   * @return the expected launch measurement of the demo guest (SHA-384 of a fixed string)
   */
  public static byte[] demoMeasurement() {
    try {
      return MessageDigest.getInstance("SHA-384").digest("attest4j demo guest".getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The simulated platform (after {@link #setUp()}).
   *
   * @return the simulated platform (after {@link #setUp()})
   */
  public SimulatedSnpPlatform platform() {
    return platform;
  }

  /**
   * The verifier trusting only the simulated root (after {@link #setUp()}).
   *
   * @return the verifier trusting only the simulated root (after {@link #setUp()})
   */
  public SnpVerifier verifier() {
    return verifier;
  }

  /**
   * The strict key-release policy with the demo measurement and the given nonce as REPORT_DATA.
   *
   * @param reportData64 the 64 bytes the report's REPORT_DATA must hold
   * @return the strict key-release policy with the demo measurement and the given nonce as REPORT_DATA
   */
  public SnpPolicy policy(byte[] reportData64) {
    return SnpPolicy.builder().expectedMeasurement(measurement).expectedReportData(reportData64).build();
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  private void step(String text) {
    out.println();
    out.println("== " + text);
    out.flush();
  }

  /** Creates the simulated Genoa platform and its verifier. */
  public void setUp() {
    step("1. Simulated AMD SEV-SNP platform (Genoa): ARK/ASK RSA-4096, VCEK P-384 with AMD extensions");
    long t0 = System.nanoTime();
    platform = SimulatedSnpPlatform.create(Product.GENOA);
    long t1 = System.nanoTime();
    verifier = platform.verifierBuilder().clock(Clock.systemUTC()).build();
    measurement = demoMeasurement();
    out.println("   " + platform);
    out.println("   TCB " + platform.tcb() + ", chip_id " + platform.chipId().toHex().substring(0, 16) + "...");
    out.println("   key generation: " + ms(t1 - t0) + "  (the verifier trusts this root only because it is passed explicitly)");
  }

  /**
   * Runs every step; true when each one behaved as expected.
   *
   * @return whether every step gave the expected result
   */
  public boolean run() {
    if (platform == null) {
      setUp();
    }
    byte[] nonce = new byte[64];
    new SecureRandom().nextBytes(nonce);
    SnpPolicy policy = policy(nonce);

    step("2. The guest asks the firmware for a report bound to a verifier nonce (REPORT_DATA)");
    long t0 = System.nanoTime();
    byte[] report = platform.reportBuilder().measurement(measurement).reportData(nonce).sign();
    long t1 = System.nanoTime();
    out.println("   signed a " + report.length + "-byte v5 report in " + ms(t1 - t0));

    step("3. Verify: ARK -> ASK -> VCEK -> report signature, VCEK hwID/TCB binding, then the strict policy");
    try {
      t0 = System.nanoTime();
      VerifiedSnpReport v = verifier.verify(report, platform.vekDer(), platform.certChainPem());
      long t2 = System.nanoTime();
      policy.validate(v);
      long t3 = System.nanoTime();
      out.println("   ACCEPTED: " + v);
      out.println("   first verification: " + ms(t2 - t0) + ", policy: " + ms(t3 - t2) + " (includes JVM warm-up)");
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 200; i++) {
        long a = System.nanoTime();
        VerifiedSnpReport again = verifier.verify(report, platform.vekDer(), platform.certChainPem());
        best = Math.min(best, System.nanoTime() - a);
        ok &= again.chainFromCache();
      }
      SnpVerifier uncached = platform.verifierBuilder().chainCacheSize(0).build();
      long bestCold = Long.MAX_VALUE;
      for (int i = 0; i < 30; i++) {
        long a = System.nanoTime();
        uncached.verify(report, platform.vekDer(), platform.certChainPem());
        bestCold = Math.min(bestCold, System.nanoTime() - a);
      }
      out.println("   verify, cold chain (3 RSA-PSS + 1 P-384, best of 30): " + ms(bestCold));
      out.println("   verify, cached chain (1 P-384, best of 200):          " + ms(best));
    } catch (AttestationException e) {
      ok = false;
      out.println("   UNEXPECTED REJECTION: " + e);
    }

    step("4. A tampered report (one bit of MEASUREMENT flipped after signing)");
    byte[] tampered = report.clone();
    tampered[0x90] ^= 1;
    expectRejection(() -> policy.validate(verifier.verify(tampered, platform.vekDer(), platform.certChainPem())), "BAD_REPORT_SIGNATURE");

    step("5. A genuine report from a guest launched with GUEST_POLICY.DEBUG=1 (the host can read its memory)");
    byte[] debug = platform.reportBuilder().measurement(measurement).reportData(nonce).debug(true).sign();
    expectRejection(() -> policy.validate(verifier.verify(debug, platform.vekDer(), platform.certChainPem())), "DEBUG_ALLOWED");

    step("6. The same genuine report against AMD's pinned roots only (production configuration)");
    expectRejection(() -> SnpVerifier.withAmdRoots().verify(report, platform.vekDer(), platform.certChainPem()), "UNTRUSTED_ROOT");

    out.println();
    out.println(ok ? "demo: every step behaved as expected" : "demo: SOME STEP DID NOT BEHAVE AS EXPECTED");
    out.flush();
    return ok;
  }

  interface Check {
    void run() throws AttestationException;
  }

  private void expectRejection(Check c, String expectedCode) {
    long t0 = System.nanoTime();
    try {
      c.run();
      ok = false;
      out.println("   UNEXPECTEDLY ACCEPTED");
    } catch (PolicyViolationException e) {
      long t1 = System.nanoTime();
      out.println("   REJECTED by policy (" + ms(t1 - t0) + "):");
      for (PolicyViolationException.Violation v : e.violations()) {
        out.println("     - [" + v.reason().qualifiedCode() + "] " + v.rule() + ": " + v.message());
      }
      ok &= e.reason().name().equals(expectedCode);
    } catch (AttestationException e) {
      long t1 = System.nanoTime();
      out.println("   REJECTED (" + ms(t1 - t0) + "): [" + e.reason().qualifiedCode() + "] " + e.getMessage());
      ok &= e.reason().name().equals(expectedCode);
    }
  }
}
