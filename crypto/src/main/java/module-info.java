/** attest4j crypto. */
module org.attest4j.crypto {
  requires transitive org.attest4j.core;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires com.google.gson;
  exports org.attest4j.crypto;
  // not API: allocation-light EC arithmetic on Bouncy Castle's field code, for the SEV-SNP verifier
  exports org.attest4j.crypto.internal to
      org.attest4j.snp;
}
