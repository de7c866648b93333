package org.attest4j.examples;

import picocli.CommandLine.Command;

/** {@code attest4j tdx}: Intel TDX quotes: verify, quote. */
@Command(name = "tdx", mixinStandardHelpOptions = true, description = "Intel TDX quotes: verify, quote")
final class TdxCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("attest4j tdx: not implemented yet");
  }
}
