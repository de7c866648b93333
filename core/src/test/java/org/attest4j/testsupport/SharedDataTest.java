package org.attest4j.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class SharedDataTest {
  @Test
  void findsTheSpecIndex() {
    assertTrue(Files.isRegularFile(SharedData.path("spec/README.md")));
  }
}
