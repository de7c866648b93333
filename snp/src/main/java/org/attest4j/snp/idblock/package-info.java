/**
 * SEV-SNP ID blocks and ID authentication information (SNP_LAUNCH_FINISH; QEMU's {@code id-block}
 * and {@code id-auth}): build and sign them ({@link org.attest4j.snp.idblock.IdBlock}, {@link
 * org.attest4j.snp.idblock.IdAuth}), check them, and compute the key digests a report carries
 * ({@link org.attest4j.snp.idblock.EcdsaPublicKey}). Compatible with sev-snp-measure's
 * snp-create-id-block.
 */
package org.attest4j.snp.idblock;
