/** attest4j tdx. */
module org.attest4j.tdx {
  requires transitive org.attest4j.core;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires com.google.gson;
  requires java.net.http;
  exports org.attest4j.tdx;
  exports org.attest4j.tdx.guest;
  exports org.attest4j.tdx.pcs;
  exports org.attest4j.tdx.testing;
}
