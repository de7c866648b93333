package org.attest4j.snp.kds;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpTrustAnchor;

/**
 * Decides whether certificates obtained from a cache or a server may be trusted: the hook that
 * makes {@link KdsClient}'s disk cache "trusted only after the chain verifies". Implementations
 * must be thread-safe.
 */
@FunctionalInterface
public interface EndorsementVerifier {
  /**
   * Verifies that {@code chain} (the ASK, or the ASVK for a VLEK, then the ARK) is a genuine AMD
   * chain for {@code product} at {@code at}, and, when {@code vek} is not null, that the VCEK or VLEK
   * is signed by {@code chain.get(0)}. A null {@code at} means validity periods are not checked
   * (everything else is).
   *
   * @param product the product
   * @param key the key
   * @param chain the chain
   * @param vek the VEK
   * @param at the instant
   * @throws AttestationException when anything does not verify; the message says what
   */
  void verify(Product product, SigningKey key, List<X509Certificate> chain, X509Certificate vek, Instant at)
      throws AttestationException;

  /**
   * The default: the ARK must be self-signed and its public key must equal AMD's published ARK key
   * for the product ({@link SnpTrustAnchor#amdRoots()}), the ASK/ASVK must be signed by it, the
   * VCEK/VLEK by the ASK/ASVK (RSASSA-PSS), names must match the product and key kind, and every
   * certificate must be valid at the instant.
   *
   * @return the default: the ARK must be self-signed and its public key must equal AMD's published ARK key
   *     for the product ({@link SnpTrustAnchor#amdRoots()}), the ASK/ASVK must be signed by it, the
   *     VCEK/VLEK by the ASK/ASVK (RSASSA-PSS), names must match the product and key kind, and every
   *     certificate must be valid at the instant
   */
  static EndorsementVerifier amdRoots() {
    return AmdChainVerifier.AMD;
  }

  /**
   * Like {@link #amdRoots()} but trusting the given roots (for example AMD's plus a simulated
   * platform's, built with {@link SnpTrustAnchor#ofCertificate}). AMD's name conventions are
   * enforced only when every anchor is one of AMD's.
   *
   * @param anchors the anchors
   * @return the verifier
   */
  static EndorsementVerifier withAnchors(List<SnpTrustAnchor> anchors) {
    return AmdChainVerifier.trusting(anchors);
  }
}
