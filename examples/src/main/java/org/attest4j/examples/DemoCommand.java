package org.attest4j.examples;

import picocli.CommandLine.Command;

/** {@code attest4j demo}: end-to-end demo on a simulated platform. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "end-to-end demo on a simulated platform")
final class DemoCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("attest4j demo: not implemented yet");
  }
}
