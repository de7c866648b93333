/**
 * Test support: {@link org.attest4j.snp.testing.SimulatedSnpPlatform}, a software SEV-SNP platform
 * with its own ARK/ASK/VCEK (or ASVK/VLEK) that signs reports, so a KMS or relying party can be tested
 * without AMD hardware. Nothing here is trusted by default: a verifier trusts a simulated platform
 * only when its {@link org.attest4j.snp.SnpTrustAnchor} is passed explicitly. Never use in production.
 */
package org.attest4j.snp.testing;
