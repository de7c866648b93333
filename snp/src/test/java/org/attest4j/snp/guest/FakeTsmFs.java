package org.attest4j.snp.guest;

import org.attest4j.core.internal.ConfigfsTsm;
import org.attest4j.testsupport.FakeTsmTree;

/** The shared fake configfs-tsm with the SEV-SNP provider name ({@code sev_guest}). */
class FakeTsmFs extends FakeTsmTree implements ConfigfsTsm.Fs {
  FakeTsmFs() {
    super("sev_guest");
  }
}
