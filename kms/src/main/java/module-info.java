/** attest4j kms: the composed key-release flow and dstack's kms_rpc wire messages. */
module org.attest4j.kms {
  requires transitive org.attest4j.core;
  requires transitive org.attest4j.snp;
  requires transitive org.attest4j.ovmf;
  requires transitive org.attest4j.crypto;
  requires transitive org.attest4j.tdx;
  requires transitive org.attest4j.ratls;
  // protobuf-java is an automatic module: consumers of org.attest4j.kms.proto declare it themselves
  requires com.google.protobuf;
  requires com.google.gson;
  requires java.net.http;
  exports org.attest4j.kms;
  exports org.attest4j.kms.proto;
  // not API: strict JSON (gson types) shared with the examples; PublicApiTest skips *.internal
  exports org.attest4j.kms.internal;
}
