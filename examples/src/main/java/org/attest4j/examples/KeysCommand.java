package org.attest4j.examples;

import picocli.CommandLine.Command;

/** {@code attest4j keys}: dstack-compatible app keys. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "dstack-compatible app keys")
final class KeysCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("attest4j keys: not implemented yet");
  }
}
