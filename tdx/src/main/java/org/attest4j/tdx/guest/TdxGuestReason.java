package org.attest4j.tdx.guest;

import org.attest4j.core.ReasonCode;

/**
 * Why a TDX guest could not produce a quote. Carried by {@link
 * org.attest4j.core.EvidenceUnavailableException}.
 */
public enum TdxGuestReason implements ReasonCode {
  /** No configfs-tsm ({@code /sys/kernel/config/tsm/report}, Linux 6.7+). */
  NO_GUEST_INTERFACE,
  /** configfs-tsm is served by another TEE's driver (e.g. {@code sev_guest}). */
  WRONG_PROVIDER,
  /** Another process wrote to the configfs-tsm entry between our write and our read. */
  GENERATION_MISMATCH,
  /** The caller may not use the interface (root or a suitable group is needed). */
  PERMISSION_DENIED,
  /**
   * Reading the quote failed: the kernel could not get it from the quote generation service (QGS)
   * through the host, or another I/O failure.
   */
  QUOTE_GENERATION_FAILED,
  /** The output is empty or unreadable. */
  BAD_RESPONSE
}
