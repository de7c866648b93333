/**
 * attest4j ratls: dstack's RA-TLS attestation formats. {@code VersionedAttestation} in both wire
 * formats (V0 SCALE, V1 MessagePack), the common V1 model, and the report_data binding of an RA-TLS
 * certificate's key.
 */
module org.attest4j.ratls {
  requires transitive org.attest4j.core;
  requires org.attest4j.snp;
  requires org.attest4j.tdx;
  requires org.attest4j.crypto;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires msgpack.core;
  requires com.google.gson;

  exports org.attest4j.ratls;
}
