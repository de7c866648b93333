package org.attest4j.ratls.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.attest4j.core.AttestationException;
import org.attest4j.ratls.LegacyTdxAttestation;
import org.attest4j.ratls.RatlsCertificate;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.VersionedAttestation;

/**
 * Jazzer harnesses for the RA-TLS decoders: V0 SCALE and V1 MessagePack attestations, the
 * certificate reader with its extension unwrapping, the whole one-shot verification, and the legacy
 * JSON event log. Arbitrary bytes may only produce typed refusals (or a rejecting verdict). A normal
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

  @FuzzTest(maxDuration = "60s")
  void legacyEventLog(byte[] data) {
    try {
      LegacyTdxAttestation.fromTdxQuote(new byte[0], data);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
