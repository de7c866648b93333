package org.attest4j.ratls;

/** The two wire formats of dstack's {@code VersionedAttestation}. */
public enum WireFormat {
  /** V0: parity-scale-codec, {@code LegacyVersionedAttestation::V0}, first byte {@code 0x00}. */
  V0_SCALE("v0-scale"),
  /** V1: a MessagePack map written by {@code rmp_serde::to_vec_named}. */
  V1_MSGPACK("v1-msgpack");

  private final String label;

  WireFormat(String label) {
    this.label = label;
  }

  /**
   * The label the vectors and the CLI use.
   *
   * @return {@code "v0-scale"} or {@code "v1-msgpack"}
   */
  public String label() {
    return label;
  }
}
