/** A project outside attest4j that embeds the key-release flow, compiled on the module path. */
module org.example.consumer {
  requires org.attest4j.kms;
  requires com.google.protobuf;

  exports org.example.consumer;
}
