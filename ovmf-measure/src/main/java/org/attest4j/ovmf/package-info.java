/**
 * SEV-SNP launch measurement compatible with sev-snp-measure: {@link org.attest4j.ovmf.OvmfImage},
 * {@link org.attest4j.ovmf.LaunchDigest}, {@link org.attest4j.ovmf.PreparedFirmware}.
 */
package org.attest4j.ovmf;
