package org.attest4j.snp;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * The endorsement certificates for a report: the VCEK (or VLEK) and the two certificates of AMD's
 * {@code cert_chain} (the ASK or ASVK, and the ARK). Holding the chain does not trust it: {@link
 * #verify(SnpReport, VcekChain, Clock)} or an {@link SnpVerifier} does that against pinned roots.
 *
 * <p>Creating a chain only decodes PEM, so it is cheap; certificates are decoded and checked by the
 * verifier, which caches the outcome by the certificates' fingerprint. Instances are immutable and
 * thread-safe.
 */
public final class VcekChain {
  final byte[] vek;
  final byte[] first;
  final byte[] second;
  private final Bytes fingerprint;

  private VcekChain(byte[] vek, byte[] first, byte[] second) {
    this.vek = vek;
    this.first = first;
    this.second = second;
    this.fingerprint = Bytes.of(fingerprintOf(vek, first, second));
  }

  private static byte[] fingerprintOf(byte[]... parts) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(ByteBuffer.allocate(4).putInt(p.length).array());
        md.update(p);
      }
      return md.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A chain from a VCEK/VLEK (DER or PEM) and a PEM {@code cert_chain} as AMD KDS serves it (ASK or
   * ASVK, then ARK; either order is accepted: the self-signed one is taken as the ARK).
   *
   * @param vekDerOrPem the VEK DER or PEM
   * @param chainPem the chain PEM
   * @return a chain from a VCEK/VLEK (DER or PEM) and a PEM {@code cert_chain} as AMD KDS serves it (ASK or
   *     ASVK, then ARK; either order is accepted: the self-signed one is taken as the ARK)
   * @throws MalformedEvidenceException if the inputs are not DER/PEM or the chain does not hold two
   *     certificates
   */
  public static VcekChain parse(byte[] vekDerOrPem, byte[] chainPem) throws MalformedEvidenceException {
    byte[] vekDer = vekDer(vekDerOrPem);
    if (chainPem == null || chainPem.length == 0) {
      throw new MalformedEvidenceException(CoreReason.MISSING_INPUT, "certificate chain (ASK/ASVK + ARK) is empty");
    }
    List<byte[]> certs = new java.util.ArrayList<>(Pem.decodeAll(chainPem, "CERTIFICATE", "certificate chain"));
    if (certs.size() == 3) {
      // tolerate a chain file that also holds the VCEK/VLEK itself
      certs.removeIf(c -> java.util.Arrays.equals(c, vekDer));
    }
    if (certs.size() != 2) {
      throw new MalformedEvidenceException(
          SnpReason.MALFORMED_CERTIFICATE,
          "certificate chain must hold 2 PEM certificates (ASK or ASVK, then ARK), found " + certs.size());
    }
    return new VcekChain(vekDer, certs.get(0), certs.get(1));
  }

  /**
   * The VCEK/VLEK DER from DER or PEM input. A PEM file with several certificates (as some cloud
   * caches serve the VCEK together with its chain) yields the one whose subject CN is SEV-VCEK or
   * SEV-VLEK.
   */
  private static byte[] vekDer(byte[] vekDerOrPem) throws MalformedEvidenceException {
    if (vekDerOrPem == null || vekDerOrPem.length == 0 || !Pem.looksLikePem(vekDerOrPem)) {
      return Pem.derOrPem(vekDerOrPem, "CERTIFICATE", "VCEK/VLEK certificate");
    }
    List<byte[]> blocks = Pem.decodeAll(vekDerOrPem, "CERTIFICATE", "VCEK/VLEK certificate");
    if (blocks.size() == 1) {
      return blocks.get(0);
    }
    for (byte[] b : blocks) {
      try {
        AmdCert c = AmdCert.parse(b, "VCEK/VLEK");
        if ("SEV-VCEK".equals(c.subjectCn) || "SEV-VLEK".equals(c.subjectCn)) {
          return b;
        }
      } catch (MalformedEvidenceException e) {
        // not this one
      }
    }
    throw new MalformedEvidenceException(
        SnpReason.MALFORMED_CERTIFICATE,
        "VCEK/VLEK file holds " + blocks.size() + " PEM certificates and none has subject CN SEV-VCEK or SEV-VLEK");
  }

  /**
   * A chain from DER certificates: VCEK or VLEK, ASK or ASVK, ARK.
   *
   * @param vekDer the VEK DER
   * @param askDer the ASK DER
   * @param arkDer the ARK DER
   * @return a chain from DER certificates: VCEK or VLEK, ASK or ASVK, ARK
   */
  public static VcekChain of(byte[] vekDer, byte[] askDer, byte[] arkDer) {
    return new VcekChain(
        Objects.requireNonNull(vekDer, "vek").clone(),
        Objects.requireNonNull(askDer, "ask").clone(),
        Objects.requireNonNull(arkDer, "ark").clone());
  }

  /**
   * A chain from an extended-report certificate table: the VLEK entry if present, else the VCEK, plus
   * the ASK and ARK entries. Entries may be DER or PEM, under GUIDs in either byte order.
   *
   * @param table the certificate table
   * @return the chain (not yet verified)
   * @throws MalformedEvidenceException if the table lacks the VCEK/VLEK, ASK or ARK entry, or an
   *     entry cannot be decoded
   */
  public static VcekChain fromCertTable(SnpCertTable table) throws MalformedEvidenceException {
    return fromCertTable(table, null, null);
  }

  /**
   * A chain from a certificate table that may hold only the VCEK/VLEK (as hosts that leave the chain
   * to the guest owner provide it): the table's ASK and ARK entries when it has both, else {@code
   * chainPem} (the KDS {@code cert_chain}: ASK or ASVK, then ARK). Entries may be DER or PEM, under
   * GUIDs in either byte order.
   *
   * @param table the certificate table
   * @param chainPem the {@code cert_chain} to use when the table lacks the ASK or ARK; may be null
   * @return the chain (not yet verified)
   * @throws MalformedEvidenceException if the table lacks the VCEK/VLEK, or lacks the ASK/ARK and
   *     {@code chainPem} is null, or an entry or the chain cannot be decoded
   */
  public static VcekChain fromCertTable(SnpCertTable table, byte[] chainPem) throws MalformedEvidenceException {
    return fromCertTable(table, null, chainPem);
  }

  /**
   * {@link #fromCertTable(SnpCertTable, byte[])} choosing the endorsement-key entry of {@code
   * signer} (VCEK or VLEK) when the table holds both; null prefers the VLEK.
   */
  static VcekChain fromCertTable(SnpCertTable table, SigningKey signer, byte[] chainPem)
      throws MalformedEvidenceException {
    java.util.Objects.requireNonNull(table, "table");
    java.util.Optional<SnpCertTable.Entry> vlek = table.entry(SnpCertTable.EntryType.VLEK);
    java.util.Optional<SnpCertTable.Entry> vcek = table.entry(SnpCertTable.EntryType.VCEK);
    SnpCertTable.Entry v;
    if (signer == SigningKey.VCEK) {
      v = vcek.or(() -> vlek).orElseThrow(() -> missing("VCEK or VLEK"));
    } else {
      v = vlek.or(() -> vcek).orElseThrow(() -> missing("VCEK or VLEK"));
    }
    byte[] vekDer = v.der();
    java.util.Optional<SnpCertTable.Entry> ask = table.entry(SnpCertTable.EntryType.ASK);
    java.util.Optional<SnpCertTable.Entry> ark = table.entry(SnpCertTable.EntryType.ARK);
    if (ask.isPresent() && ark.isPresent()) {
      return new VcekChain(vekDer, ask.get().der(), ark.get().der());
    }
    if (chainPem == null) {
      throw new MalformedEvidenceException(
          CoreReason.MISSING_INPUT,
          "certificate table has no " + (ask.isPresent() ? "ARK" : ark.isPresent() ? "ASK" : "ASK or ARK")
              + " entry and no cert_chain (ASK/ASVK + ARK) was supplied to complete it");
    }
    return parse(vekDer, chainPem);
  }

  private static MalformedEvidenceException missing(String what) {
    return new MalformedEvidenceException(CoreReason.MISSING_INPUT, "certificate table has no " + what + " entry");
  }

  /**
   * The VCEK/VLEK DER (a copy).
   *
   * @return the VCEK/VLEK DER (a copy)
   */
  public byte[] vekDer() {
    return vek.clone();
  }

  /**
   * The chain certificates in the order given (normally ASK/ASVK then ARK), DER copies.
   *
   * @return the chain certificates in the order given (normally ASK/ASVK then ARK), DER copies
   */
  public List<byte[]> chainDer() {
    return List.of(first.clone(), second.clone());
  }

  /**
   * SHA-256 over the three certificates; the verifier's cache key.
   *
   * @return SHA-256 over the three certificates; the verifier's cache key
   */
  public Bytes fingerprint() {
    return fingerprint;
  }

  /**
   * Verifies {@code report} against this chain and AMD's pinned roots at {@code clock}'s instant,
   * without caching. For many reports use one {@link SnpVerifier}.
   *
   * @param report the report
   * @param chain the chain
   * @param clock the clock
   * @return the verified report
   * @throws MalformedEvidenceException if the report or a certificate cannot be decoded
   * @throws VerificationException if any signature, name, validity, root or binding check fails
   */
  public static VerifiedSnpReport verify(SnpReport report, VcekChain chain, Clock clock)
      throws MalformedEvidenceException, VerificationException {
    return SnpVerifier.builder().clock(clock).chainCacheSize(0).build().verify(report, chain);
  }

  /**
   * Parses and verifies a report given as bytes with its VCEK/VLEK (DER or PEM) and the KDS {@code
   * cert_chain} PEM, against AMD's pinned roots at {@code clock}'s instant.
   *
   * @param report the report
   * @param vek the VEK
   * @param chainPem the chain PEM
   * @param clock the clock
   * @return the verified report
   * @throws MalformedEvidenceException if an input cannot be decoded
   * @throws VerificationException if any check fails
   */
  public static VerifiedSnpReport verify(byte[] report, byte[] vek, byte[] chainPem, Clock clock)
      throws MalformedEvidenceException, VerificationException {
    return verify(SnpReport.parse(report), parse(vek, chainPem), clock);
  }
}
