/** attest4j crypto. */
module org.attest4j.crypto {
  requires transitive org.attest4j.core;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires com.google.gson;
  exports org.attest4j.crypto;
}
