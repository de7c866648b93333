/**
 * AMD SEV-SNP attestation: {@link org.attest4j.snp.SnpReport} parses reports (v2, v3, v4, v5),
 * {@link org.attest4j.snp.SnpVerifier} (or the static {@link org.attest4j.snp.VcekChain#verify})
 * verifies ARK -> ASK (ASVK) -> VCEK (VLEK) -> report offline against AMD's pinned roots, and
 * {@link org.attest4j.snp.SnpPolicy} validates the verified fields. Rejections are {@link
 * org.attest4j.core.AttestationException}s with a {@link org.attest4j.snp.SnpReason}.
 */
package org.attest4j.snp;
