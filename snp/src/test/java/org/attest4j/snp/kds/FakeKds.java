package org.attest4j.snp.kds;

import java.io.IOException;
import org.attest4j.testsupport.LoopbackServer;

/** A loopback stand-in for AMD KDS (the shared {@link LoopbackServer}). */
final class FakeKds extends LoopbackServer {
  FakeKds() throws IOException {
    super("fake-kds");
  }
}
