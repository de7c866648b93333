package org.attest4j.snp.guest;

import org.attest4j.core.ReasonCode;

/**
 * Why a SEV-SNP guest could not produce a report. Carried by {@link
 * org.attest4j.core.EvidenceUnavailableException}.
 */
public enum SnpGuestReason implements ReasonCode {
  /** Neither configfs-tsm ({@code /sys/kernel/config/tsm/report}) nor {@code /dev/sev-guest} exists. */
  NO_GUEST_INTERFACE,
  /** configfs-tsm is served by another TEE's driver (e.g. {@code tdx_guest}). */
  WRONG_PROVIDER,
  /** Another process wrote to the configfs-tsm entry between our write and our read. */
  GENERATION_MISMATCH,
  /** The requested VMPL is below the lowest this guest may ask for. */
  PRIVLEVEL_BELOW_FLOOR,
  /** The caller may not use the interface (root or a suitable group is needed). */
  PERMISSION_DENIED,
  /** The request was refused as invalid (bad length, bad VMPL, ...). */
  INVALID_REQUEST,
  /** The AMD Secure Processor firmware returned an error status. */
  FIRMWARE_ERROR,
  /** The hypervisor (VMM) returned an error. */
  VMM_ERROR,
  /** The hypervisor is throttling guest requests; try again later. */
  HOST_BUSY,
  /** The kernel disabled the guest's VMPCK after an earlier failure; the guest must be rebooted. */
  VMPCK_DISABLED,
  /** The response is not a well-formed report. */
  BAD_RESPONSE,
  /** Another I/O or native-call failure. */
  IO_ERROR
}
