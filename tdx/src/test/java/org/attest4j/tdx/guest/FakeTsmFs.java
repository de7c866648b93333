package org.attest4j.tdx.guest;

import java.io.IOException;
import java.nio.file.Path;
import org.attest4j.core.internal.ConfigfsTsm;
import org.attest4j.testsupport.FakeTsmTree;

/**
 * The shared fake configfs-tsm with the TDX provider name ({@code tdx_guest}); {@link #failOutblob}
 * makes reading outblob fail as a quote-generation error does.
 */
class FakeTsmFs extends FakeTsmTree implements ConfigfsTsm.Fs {
  boolean failOutblob;

  FakeTsmFs() {
    super("tdx_guest");
  }

  @Override
  public byte[] read(Path p) throws IOException {
    if (failOutblob && p.getFileName().toString().equals("outblob")) {
      throw new IOException("Input/output error");
    }
    return super.read(p);
  }
}
