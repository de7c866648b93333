package org.attest4j.examples;

import picocli.CommandLine.Command;

/** {@code attest4j measure}: SEV-SNP launch measurement (sev-snp-measure compatible). */
@Command(name = "measure", mixinStandardHelpOptions = true, description = "SEV-SNP launch measurement (sev-snp-measure compatible)")
final class MeasureCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("attest4j measure: not implemented yet");
  }
}
