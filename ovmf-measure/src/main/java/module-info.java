/** attest4j ovmf-measure. */
module org.attest4j.ovmf {
  requires transitive org.attest4j.core;
  exports org.attest4j.ovmf;
  exports org.attest4j.ovmf.testing;
}
