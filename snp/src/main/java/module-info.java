/** attest4j snp. */
module org.attest4j.snp {
  requires transitive org.attest4j.core;
  requires org.attest4j.crypto;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires com.sun.jna;
  requires java.net.http;
  exports org.attest4j.snp;
  exports org.attest4j.snp.testing;
  exports org.attest4j.snp.kds;
  exports org.attest4j.snp.guest;
  exports org.attest4j.snp.idblock;
  opens org.attest4j.snp.guest to com.sun.jna;
}
