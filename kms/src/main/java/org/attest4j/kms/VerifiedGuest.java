package org.attest4j.kms;

import org.attest4j.core.Bytes;

/**
 * What steps 1 to 7 established about a guest, on either platform: the input of steps 8 and 9.
 * Immutable and thread-safe.
 *
 * @param id the bound app identity
 * @param reportData report_data as step 6 parsed it (for sealing)
 * @param evidence the raw report or quote the guest sent (bound into the HPKE envelope)
 * @param measurement MEASUREMENT (SEV-SNP) or MRTD (TDX)
 * @param osImageHash the pinned OS image hash
 * @param info what the authorization hook was told
 * @param decision what it answered
 */
record VerifiedGuest(AppIdentity id, Object reportData, Bytes evidence, Bytes measurement, Bytes osImageHash,
    BootInfo info, AuthorizationDecision decision) {}
