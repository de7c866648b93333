package org.attest4j.examples.kms;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The load generator end to end on a few requests: in process, then over HTTPS with its keep-alive
 * client (a non-200 answer or a refused certificate throws), with the freshness mode and the CPU
 * line printed. No figure is asserted.
 */
class KmsLoadGeneratorTest {
  @Test
  void releasesOverHttpsWithTheKeepAliveClient() throws Exception {
    String out = capture(() -> KmsLoadGenerator.main(new String[] {"--tls", "6", "1"}));
    assertTrue(out.contains("freshness: kms_nonce"), out);
    assertTrue(out.contains("in-process: "), out);
    assertTrue(out.contains("HTTPS (loopback, protobuf, keep-alive): "), out);
    assertTrue(out.contains("(6 requests, 1 threads)"), out);
    assertTrue(out.contains("CPU per request: "), out);
  }

  @Test
  void unknownOptionsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KmsLoadGenerator.main(new String[] {"--tsl"}));
    assertTrue(e.getMessage().contains("--tsl"), e.getMessage());
  }

  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  private static String capture(Body body) throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
