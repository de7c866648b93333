package org.attest4j.ratls.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.attest4j.core.AttestationException;
import org.attest4j.ratls.AppInfo;
import org.attest4j.ratls.CertSigningRequest;
import org.attest4j.ratls.LegacyTdxAttestation;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.VersionedAttestation;

/**
 * Jazzer harnesses for the RA-TLS decoders: V0 SCALE and V1 MessagePack attestations, the
 * certificate reader with its extension unwrapping, the whole one-shot verification, the legacy
 * JSON event log, the KMS's client-certificate check (mode kms-client, chained to a fixed test temp CA),
 * the .9 AppInfo and the SignCert CSR (both api_versions, with signature checks). Arbitrary bytes may only produce typed refusals (or a rejecting verdict). A normal
 * build replays the stored inputs; {@code JAZZER_FUZZ=1 mvn -pl ratls verify
 * -Dtest=RatlsFuzzTest#attestation} fuzzes.
 */
class RatlsFuzzTest {
  private static final RatlsVerifier ONESHOT =
      RatlsVerifier.builder(RatlsVerifier.Mode.VERIFIER_ONESHOT)
          .clock(Clock.fixed(Instant.parse("2026-08-08T00:00:00Z"), ZoneOffset.UTC))
          .build();

  @FuzzTest(maxDuration = "60s")
  void attestation(byte[] data) {
    try {
      VersionedAttestation va = VersionedAttestation.parse(data);
      va.encode();
      VersionedAttestation.encodeV1(va.attestation());
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void certificate(byte[] data) {
    try {
      RatlsCertificate c = RatlsCertificate.parse(data);
      c.customExtension(RatlsCertificate.OID_ATTESTATION);
      c.specialUsage();
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
    ONESHOT.verify(data);
  }

  /** The KMS's client-certificate check during the TLS handshake (chain to a temp CA, then the attestation). */
  private static final RatlsVerifier KMS_CLIENT;

  static {
    try (java.io.InputStream ca = RatlsFuzzTest.class.getResourceAsStream("fuzz-temp-ca.pem")) {
      KMS_CLIENT = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
          .clock(Clock.fixed(Instant.parse("2026-08-08T00:00:00Z"), ZoneOffset.UTC))
          .trustedCa(ca.readAllBytes())
          .build();
    } catch (java.io.IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void kmsClientCertificate(byte[] data) {
    KMS_CLIENT.verify(data);
  }

  @FuzzTest(maxDuration = "60s")
  void legacyEventLog(byte[] data) {
    try {
      LegacyTdxAttestation.fromTdxQuote(new byte[0], data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void appInfo(byte[] data) {
    try {
      AppInfo a = AppInfo.parse(data);
      if (!java.util.Arrays.equals(data, a.encode())) {
        // accepted input that does not re-encode must differ only in key order or skipped keys
        AppInfo again = AppInfo.parse(a.encode());
        if (!again.equals(a)) {
          throw new IllegalStateException("AppInfo does not round-trip");
        }
      }
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void signCertRequest(byte[] data) {
    if (data.length < 1) {
      return;
    }
    int split = Math.min(data.length - 1, (data[0] & 0xff));
    byte[] csr = java.util.Arrays.copyOfRange(data, 1 + Math.min(split, 0), data.length - split);
    byte[] sig = java.util.Arrays.copyOfRange(data, data.length - split, data.length);
    for (int version = 1; version <= 2; version++) {
      try {
        CertSigningRequest.parse(version, csr).verify(sig);
      } catch (AttestationException expected) {
        // a typed refusal is the only allowed failure
      }
    }
  }
}
