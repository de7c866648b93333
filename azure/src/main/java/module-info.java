/**
 * attest4j azure: evidence of Azure confidential VMs (SEV-SNP and TDX behind the HCL paravisor and
 * its vTPM): the HCL report, the runtime claims, TPM 2.0 quotes, trustee's evidence JSON, the end to
 * end verification, and a guest-side provider speaking TPM 2.0 commands.
 */
module org.attest4j.azure {
  requires transitive org.attest4j.core;
  requires transitive org.attest4j.snp;
  requires transitive org.attest4j.tdx;
  requires org.bouncycastle.provider;
  requires com.google.gson;
  requires java.net.http;

  exports org.attest4j.azure;
  exports org.attest4j.azure.tpm;
  exports org.attest4j.azure.guest;
}
