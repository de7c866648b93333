package org.attest4j.tdx.pcs;

import java.io.IOException;
import org.attest4j.testsupport.LoopbackServer;

/** A loopback stand-in for Intel PCS (the shared {@link LoopbackServer}). */
final class FakePcs extends LoopbackServer {
  FakePcs() throws IOException {
    super("fake-pcs");
  }
}
