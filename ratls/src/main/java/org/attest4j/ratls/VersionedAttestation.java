package org.attest4j.ratls;

import java.util.Objects;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.ratls.internal.MsgpackCodec;
import org.attest4j.ratls.internal.ScaleCodec;

/**
 * dstack's {@code VersionedAttestation}: an {@link Attestation} together with the wire format it
 * came in. {@link #parse(byte[])} dispatches on the first byte (spec dstack-ratls §3.1): {@code 0x00}
 * is V0 (SCALE, canonical compact lengths only), a MessagePack map header ({@code 0x80..0x8f},
 * {@code 0xde}, {@code 0xdf}) is V1; anything else, an empty input, more than 10 MiB or trailing bytes
 * are refused. {@link #encode()} re-encodes in the same format: for every input dstack writes, the
 * bytes are identical.
 *
 * <p>Immutable and thread-safe.
 */
public final class VersionedAttestation {
  /** The largest attestation dstack accepts: 10 MiB. */
  public static final int MAX_SIZE = 10 * 1024 * 1024;

  private final WireFormat wireFormat;
  private final Attestation attestation;

  private VersionedAttestation(WireFormat wireFormat, Attestation attestation) {
    this.wireFormat = wireFormat;
    this.attestation = attestation;
  }

  /**
   * Pairs an attestation with the wire format to write it in.
   *
   * @param wireFormat the format
   * @param attestation the attestation
   * @return the versioned attestation
   * @throws IllegalArgumentException when {@code wireFormat} is V0 and the attestation is not
   *     representable in it ({@link Attestation#representableAsV0()})
   */
  public static VersionedAttestation of(WireFormat wireFormat, Attestation attestation) {
    Objects.requireNonNull(wireFormat, "wireFormat");
    Objects.requireNonNull(attestation, "attestation");
    if (wireFormat == WireFormat.V0_SCALE && !attestation.representableAsV0()) {
      throw new IllegalArgumentException(
          "V0 carries only a dstack stack with a 64-byte report_data and version-1 runtime events");
    }
    return new VersionedAttestation(wireFormat, attestation);
  }

  /**
   * Decodes either wire format.
   *
   * @param bytes the attestation bytes (for example an RA-TLS certificate's OID .8 payload)
   * @return the attestation and its format
   * @throws MalformedEvidenceException with a {@link RatlsReason} (or a {@link
   *     org.attest4j.core.CoreReason} for truncation and type errors) when the bytes are not a
   *     well-formed attestation
   */
  public static VersionedAttestation parse(byte[] bytes) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(bytes, "attestation");
    if (bytes.length == 0) {
      throw new MalformedEvidenceException(RatlsReason.EMPTY_ATTESTATION, "Empty attestation bytes");
    }
    if (bytes.length > MAX_SIZE) {
      throw new MalformedEvidenceException(
          RatlsReason.ATTESTATION_TOO_LARGE,
          "attestation is " + bytes.length + " bytes; at most " + MAX_SIZE + " are accepted");
    }
    int first = bytes[0] & 0xff;
    if (first == 0x00) {
      return new VersionedAttestation(WireFormat.V0_SCALE, ScaleCodec.decode(bytes));
    }
    if ((first & 0xf0) == 0x80 || first == 0xde || first == 0xdf) {
      return new VersionedAttestation(WireFormat.V1_MSGPACK, MsgpackCodec.decode(bytes));
    }
    throw new MalformedEvidenceException(
        RatlsReason.UNKNOWN_WIRE_FORMAT,
        "Unknown attestation wire format: first byte 0x" + String.format("%02x", first)
            + " is neither 0x00 (V0, SCALE) nor a MessagePack map header (V1)");
  }

  /**
   * Encodes an attestation as V0 (SCALE).
   *
   * @param attestation the attestation
   * @return the V0 bytes
   * @throws MalformedEvidenceException with {@link RatlsReason#NOT_REPRESENTABLE} when V0 cannot
   *     carry it
   */
  public static byte[] encodeV0(Attestation attestation) throws MalformedEvidenceException {
    return ScaleCodec.encode(Objects.requireNonNull(attestation, "attestation"));
  }

  /**
   * Encodes an attestation as V1 (MessagePack, as rmp-serde writes it).
   *
   * @param attestation the attestation
   * @return the V1 bytes
   */
  public static byte[] encodeV1(Attestation attestation) {
    return MsgpackCodec.encode(Objects.requireNonNull(attestation, "attestation"));
  }

  /**
   * The bytes in this attestation's wire format.
   *
   * @return the encoding
   */
  public byte[] encode() {
    if (wireFormat == WireFormat.V1_MSGPACK) {
      return MsgpackCodec.encode(attestation);
    }
    try {
      return ScaleCodec.encode(attestation);
    } catch (MalformedEvidenceException e) {
      throw new IllegalStateException("checked representable at construction", e);
    }
  }

  /**
   * The wire format.
   *
   * @return V0 or V1
   */
  public WireFormat wireFormat() {
    return wireFormat;
  }

  /**
   * The attestation in the common model.
   *
   * @return the attestation
   */
  public Attestation attestation() {
    return attestation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionedAttestation
        && ((VersionedAttestation) o).wireFormat == wireFormat
        && ((VersionedAttestation) o).attestation.equals(attestation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(wireFormat, attestation);
  }

  @Override
  public String toString() {
    return "VersionedAttestation[" + wireFormat.label() + ", " + attestation.platform().kind() + "/"
        + attestation.stack().kind() + "]";
  }
}
