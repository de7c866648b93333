package org.attest4j.tdx;

/** Keeps the exported package non-empty until real classes arrive; delete it then. */
final class PackageMarker {
  private PackageMarker() {}
}
