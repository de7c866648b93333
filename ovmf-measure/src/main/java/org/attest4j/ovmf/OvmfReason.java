package org.attest4j.ovmf;

import org.attest4j.core.ReasonCode;

/**
 * Why a firmware image, a launch shape or a measurement request was refused by the
 * {@code org.attest4j.ovmf} module. The constant names are stable codes.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum OvmfReason implements ReasonCode {
  /** The image is empty or shorter than a structure it declares. */
  TRUNCATED_IMAGE,
  /** The image length is not a multiple of 4096 bytes. */
  IMAGE_NOT_PAGE_ALIGNED,
  /** The image is larger than the library accepts. */
  IMAGE_TOO_LARGE,
  /** The image has no OVMF footer GUID table, which a full SNP measurement needs. */
  NO_FOOTER_TABLE,
  /** The footer table is present but its length is inconsistent. */
  BAD_FOOTER_TABLE,
  /** A footer table entry has an impossible size or too little data. */
  BAD_TABLE_ENTRY,
  /** The same GUID occurs twice in the footer table. */
  DUPLICATE_TABLE_ENTRY,
  /** The SEV metadata offset points outside the image. */
  BAD_METADATA_OFFSET,
  /** The SEV metadata does not start with {@code "ASEV"}. */
  BAD_METADATA_SIGNATURE,
  /** The SEV metadata version is not 1. */
  BAD_METADATA_VERSION,
  /** The SEV metadata length or descriptor count is inconsistent. */
  BAD_METADATA_HEADER,
  /** A metadata section has a type other than 1, 2, 3, 4 or 0x10. */
  UNKNOWN_SECTION_TYPE,
  /** A metadata section GPA or size is not a multiple of 4096. */
  SECTION_NOT_PAGE_ALIGNED,
  /** A metadata section reaches past 4 GiB or into the firmware image itself. */
  SECTION_OUT_OF_RANGE,
  /** Two metadata sections overlap. */
  SECTIONS_OVERLAP,
  /** The SEV-ES reset block (AP reset EIP) is missing. */
  MISSING_RESET_EIP,
  /** The AP reset EIP is 0 but more than one vCPU was requested. */
  ZERO_RESET_EIP,
  /** A kernel was given but the firmware has no SNP_KERNEL_HASHES metadata section. */
  NO_KERNEL_HASHES_SECTION,
  /** The SNP_KERNEL_HASHES section is not exactly one page while a kernel is given. */
  KERNEL_HASHES_SECTION_SIZE,
  /** A kernel was given but the firmware declares no (or a zero) SEV hash-table GPA. */
  MISSING_HASH_TABLE,
  /** The SEV hash table would not fit in its page at the declared offset. */
  BAD_HASH_TABLE_LOCATION,
  /** The SVSM image has no SVSM_INFO footer entry. */
  MISSING_SVSM_INFO,
  /** A launch parameter (vCPU count, signature, guest features, vars size, digest) is invalid. */
  BAD_LAUNCH_PARAMETER,
  /** The vCPU type name is not a known QEMU EPYC model. */
  UNKNOWN_VCPU_TYPE,
  /** The VMM type is not QEMU, ec2 or gce. */
  UNKNOWN_VMM_TYPE,
  /** The mode is not snp, snp:ovmf-hash or snp:svsm. */
  UNKNOWN_MODE,
  /** The inputs are individually valid but cannot be combined (for example SVSM with EC2). */
  UNSUPPORTED_COMBINATION,
  /** The computed measurement differs from the observed one. */
  MEASUREMENT_MISMATCH
}
