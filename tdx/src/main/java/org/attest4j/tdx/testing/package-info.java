/**
 * Test support: {@link org.attest4j.tdx.testing.SimulatedTdxPlatform}, a software Intel TDX platform
 * with its own synthetic Intel-shaped DCAP PKI (root, PCK CA, PCK certificate, TCB signing key), signed
 * collateral and a quote builder, so a KMS or relying party can be tested without TDX hardware.
 * Nothing here is trusted by default: a verifier trusts a simulated platform only when its {@link
 * org.attest4j.tdx.TdxTrustAnchor} is passed explicitly. Never use in production.
 */
package org.attest4j.tdx.testing;
