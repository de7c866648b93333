package org.attest4j.kms;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;
import org.attest4j.crypto.EnvelopeMode;

/**
 * Step 6 for every path: the report is fresh, by a single-use KMS nonce or request digest in
 * report_data[32..64], or by REPORT_DATA binding a key whose possession the caller proved.
 * Immutable and thread-safe (the {@link NonceStore} is).
 */
final class FreshnessStep {
  /**
   * One request's freshness: {@link #bind} runs on the parsed report (before any network call), and
   * {@link #consume} records the single use after the signature verified. One per request.
   */
  interface Check {
    /** Checks the binding of the quoted report_data; returns the parsed report_data for sealing. */
    Object bind(Bytes quotedReportData) throws AttestationException;

    /** Records the single use. */
    void consume() throws AttestationException;
  }

  private final Ports.ReportDataPort reportData;
  private final FreshnessMode mode;
  private final NonceStore nonces;
  private final Clock clock;

  FreshnessStep(Ports.ReportDataPort reportData, FreshnessMode mode, NonceStore nonces, Clock clock) {
    this.reportData = reportData;
    this.mode = mode;
    this.nonces = nonces;
    this.clock = clock;
  }

  /**
   * The check of a request carrying a nonce or a request time: report_data[32..64] commits to the
   * nonce ({@link FreshnessMode#KMS_NONCE}) or to the request digest with {@code requestTime}
   * within the nonce lifetime ({@link FreshnessMode#REQUEST_DIGEST}, else {@link
   * KmsReason#EXPIRED}); usable once.
   *
   * @param nonceEnvelope the envelope the nonce must have been issued for (null: not enabled)
   */
  Check nonceOrDigest(Bytes nonce, long requestTime, Supplier<Bytes> requestDigest, EnvelopeMode nonceEnvelope) {
    Supplier<Bytes> digest = new Supplier<>() {
      private Bytes memo;

      @Override
      public Bytes get() {
        return memo != null ? memo : (memo = requestDigest.get());
      }
    };
    return new Check() {
      @Override
      public Object bind(Bytes quotedReportData) throws AttestationException {
        Object rd = reportData.parse(quotedReportData);
        if (mode == FreshnessMode.KMS_NONCE) {
          if (nonce.length() == 0) {
            throw new VerificationException(
                KmsReason.BAD_REQUEST, "this KMS needs a nonce from GetNonce in the request (field nonce) and in report_data[32..64]");
          }
          reportData.checkNonce(rd, nonce);
        } else {
          long now = clock.instant().getEpochSecond();
          long life = nonces.lifetime().getSeconds();
          if (requestTime == 0 || requestTime < now - life || requestTime > now + life) {
            throw new VerificationException(
                KmsReason.EXPIRED,
                "request_time " + requestTime + " is not within " + life + " s of the KMS clock (" + now + ")");
          }
          reportData.checkRequestDigest(rd, digest.get());
        }
        return rd;
      }

      @Override
      public void consume() throws AttestationException {
        if (mode == FreshnessMode.KMS_NONCE) {
          nonces.consume(nonce, nonceEnvelope);
        } else {
          nonces.useOnce(digest.get(), Instant.ofEpochSecond(requestTime + nonces.lifetime().getSeconds()));
        }
      }
    };
  }

  /**
   * The check of evidence bound to a key whose possession the caller proved (a TLS handshake, a CSR
   * signature): REPORT_DATA must be SHA-512("ratls-cert:" ‖ that key), else {@link
   * KmsReason#REPORT_DATA_MISMATCH}; nothing to remember.
   *
   * @param whose the key, for the message ("the CSR key")
   */
  static Check keyBound(Bytes expected, String whose) {
    return new Check() {
      @Override
      public Object bind(Bytes quotedReportData) throws AttestationException {
        if (!expected.equals(quotedReportData)) {
          throw new VerificationException(KmsReason.REPORT_DATA_MISMATCH,
              "REPORT_DATA is not SHA-512(\"ratls-cert:\" ‖ " + whose + "); the report was made for"
                  + " another key");
        }
        return quotedReportData;
      }

      @Override
      public void consume() {
        // possession of the bound key was proved by the caller: nothing to remember
      }
    };
  }
}
