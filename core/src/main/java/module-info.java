/**
 * attest4j core: the exception hierarchy with reason codes, and small value types shared by every
 * module.
 */
module org.attest4j.core {
  requires java.net.http;

  exports org.attest4j.core;
  exports org.attest4j.core.internal to
      org.attest4j.snp,
      org.attest4j.tdx,
      org.attest4j.ovmf,
      org.attest4j.crypto,
      org.attest4j.kms,
      org.attest4j.ratls,
      org.attest4j.azure;
}
