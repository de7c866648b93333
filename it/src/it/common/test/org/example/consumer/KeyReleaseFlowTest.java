package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyReleaseFlowTest {
  @Test
  void releasesKeysOnTheChosenProtobufRuntime() throws Exception {
    assertEquals(32, KeyReleaseFlow.run());
    String expected = System.getProperty("expected.protobuf");
    String runtime = KeyReleaseFlow.protobufRuntime();
    assertTrue(runtime.contains(expected), "protobuf-java " + expected + " on the path, found " + runtime);
    // on the module path the test runs inside the consumer module; on the class path, unnamed
    String mode = System.getProperty("expected.path");
    boolean named = KeyReleaseFlow.class.getModule().isNamed();
    assertEquals("module".equals(mode), named, "ran on the " + mode + " path");
  }
}
