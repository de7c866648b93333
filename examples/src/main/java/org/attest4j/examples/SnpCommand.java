package org.attest4j.examples;

import picocli.CommandLine.Command;

/** {@code attest4j snp}: SEV-SNP reports: show, verify, fetch, report. */
@Command(name = "snp", mixinStandardHelpOptions = true, description = "SEV-SNP reports: show, verify, fetch, report")
final class SnpCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("attest4j snp: not implemented yet");
  }
}
