package org.attest4j.ratls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.attest4j.core.Bytes;

/**
 * Round trips of generated attestations through both wire formats: decode(encode(a)) = a and the
 * re-encoding is byte-identical, for every platform kind and both stacks; and V0 length prefixes
 * across the Compact mode boundaries.
 */
class VersionedAttestationPropertiesTest {
  @Provide
  Arbitrary<Bytes> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(Bytes::of);
  }

  @Provide
  Arbitrary<Attestation> attestations() {
    Arbitrary<String> names = Arbitraries.strings().ofMaxLength(80);
    Arbitrary<RuntimeEvent> events =
        Combinators.combine(names, bytes(), Arbitraries.of(1, 2)).as(RuntimeEvent::new);
    Arbitrary<TdxEvent> tdxEvents =
        Combinators.combine(
                Arbitraries.longs().between(0, 0xffffffffL),
                Arbitraries.longs().between(0, 0xffffffffL),
                bytes(), names, bytes(), Arbitraries.of(1, 2),
                Arbitraries.strings().withCharRange('0', '9').ofMaxLength(10).optional())
            .as(TdxEvent::new);
    Arbitrary<TpmQuote> tpm =
        Combinators.combine(
                bytes(), bytes(),
                Combinators.combine(Arbitraries.longs().between(0, 23), names, bytes())
                    .as(TpmQuote.PcrValue::new).list().ofMaxSize(3),
                bytes(), Arbitraries.of(TpmQuote.Platform.class),
                Combinators.combine(Arbitraries.longs().between(0, 23), bytes())
                    .as(TpmQuote.PcrEvent::new).list().ofMaxSize(3))
            .as(TpmQuote::new);
    Arbitrary<PlatformEvidence> platforms =
        Arbitraries.oneOf(
            Combinators.combine(bytes(), tdxEvents.list().ofMaxSize(4)).as(PlatformEvidence.Tdx::new),
            Combinators.combine(bytes(), tdxEvents.list().ofMaxSize(2), tpm)
                .as(PlatformEvidence.GcpTdx::new),
            bytes().map(PlatformEvidence.NitroEnclave::new),
            bytes().map(PlatformEvidence.AwsNitroTpm::new),
            Combinators.combine(bytes(), bytes().list().ofMaxSize(3), names)
                .as(PlatformEvidence.SevSnp::new));
    Arbitrary<Bytes> reportData =
        Arbitraries.bytes().array(byte[].class).ofSize(64).map(Bytes::of);
    Arbitrary<StackEvidence> stacks =
        Arbitraries.oneOf(
            Combinators.combine(reportData, events.list().ofMaxSize(5), names)
                .as(StackEvidence.Dstack::new),
            Combinators.combine(bytes(), events.list().ofMaxSize(3), names, names)
                .as(StackEvidence.DstackPod::new));
    return Combinators.combine(platforms, stacks).as(Attestation::new);
  }

  @Property(tries = 300)
  void v1RoundTrips(@ForAll("attestations") Attestation a) throws Exception {
    byte[] v1 = VersionedAttestation.encodeV1(a);
    VersionedAttestation back = VersionedAttestation.parse(v1);
    assertEquals(WireFormat.V1_MSGPACK, back.wireFormat());
    assertEquals(a, back.attestation());
    assertArrayEquals(v1, back.encode());
  }

  @Property(tries = 300)
  void v0RoundTripsWhenRepresentable(@ForAll("attestations") Attestation a) throws Exception {
    if (!a.representableAsV0()) {
      return;
    }
    byte[] v0 = VersionedAttestation.encodeV0(a);
    VersionedAttestation back = VersionedAttestation.parse(v0);
    assertEquals(WireFormat.V0_SCALE, back.wireFormat());
    assertArrayEquals(v0, back.encode());
    // V0 has no event-log versions or preimages: compare the projection
    assertArrayEquals(v0, VersionedAttestation.encodeV0(back.attestation()));
    assertEquals(a.stack(), back.attestation().stack());
  }

  @Property(tries = 60)
  void compactBoundariesRoundTrip(
      @ForAll("lengths") int length) throws Exception {
    Attestation a = new Attestation(
        new PlatformEvidence.NitroEnclave(Bytes.of(new byte[length])),
        new StackEvidence.Dstack(Bytes.of(new byte[64]), List.of(), ""));
    byte[] v0 = VersionedAttestation.encodeV0(a);
    assertEquals(a, VersionedAttestation.parse(v0).attestation());
  }

  @Provide
  Arbitrary<Integer> lengths() {
    return Arbitraries.of(0, 1, 63, 64, 16383, 16384, 70000);
  }
}
