package org.attest4j.tdx.pcs;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.attest4j.core.AttestationException;

/**
 * Decides whether collateral from the PCS, a PCCS or the disk cache may be trusted: the hook that
 * makes {@link PcsClient}'s cache "trusted only after it verifies". Implementations must be
 * thread-safe.
 */
public interface CollateralVerifier {
  /**
   * Verifies an issuer chain (leaf first, root last) to the trusted root, and returns it parsed.
   *
   * @param pem the chain, PEM
   * @param role what the chain is for, used in messages (for example "TCB info issuer")
   * @param at the instant certificates must be valid at, or null to skip validity periods
   * @return the certificates, leaf first
   * @throws AttestationException if the chain does not parse, does not end at the trusted root, a
   *     signature does not verify or a certificate is not valid at {@code at}
   */
  List<X509Certificate> verifyChain(String pem, String role, Instant at) throws AttestationException;

  /**
   * The default: the chain must end in the Intel SGX Root CA, pinned by the SHA-256 of its
   * SubjectPublicKeyInfo ({@code a0af0312...}), every certificate signed by the next (ECDSA P-256).
   *
   * @return the verifier pinning Intel's root
   */
  static CollateralVerifier intelRoot() {
    return IntelChainVerifier.INTEL;
  }

  /**
   * Trusts {@code root} instead of Intel's (for private test PKIs).
   *
   * @param root the root certificate to trust
   * @return the verifier pinning that root's key
   */
  static CollateralVerifier withRoot(X509Certificate root) {
    return IntelChainVerifier.trusting(root);
  }
}
