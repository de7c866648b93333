package org.attest4j.snp;

/** Where the verifier took a report's product from. Enum constants are immutable and thread-safe. */
public enum ProductSource {
  /** The signed CPUID_FAM_ID/CPUID_MOD_ID fields of a v3+ report. */
  CPUID,
  /** The VCEK/VLEK certificate and its pinned chain (v2 reports carry no CPUID). */
  CERTIFICATE,
  /** The caller's configuration ({@link SnpVerifier.Builder#product}), for unknown CPUID values. */
  CALLER
}
