package org.attest4j.azure.guest;

import java.io.Closeable;
import java.io.IOException;

/** Carries one TPM command and its response (a device file or swtpm's socket). */
interface TpmTransport extends Closeable {
  /** Sends a whole command and returns the whole response. */
  byte[] transmit(byte[] command) throws IOException;
}
