package org.attest4j.ratls;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.core.internal.LogSafe;
import org.attest4j.ratls.internal.Scale;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * The certificate signing request of dstack's {@code SignCert} RPC (spec dstack-ratls §4): the SCALE
 * bytes of {@code CertSigningRequestV2} (api_version 2: confirm word, the key's SPKI, {@link
 * CertConfig}, then the {@link VersionedAttestation} raw to the end) or of the legacy {@code
 * CertSigningRequestV1} (api_version 1: a TDX quote and a JSON event log, upgraded as dstack's
 * {@code from_tdx_quote} does). {@link #verify} checks, in dstack's order, the ECDSA P-256 signature
 * over the CSR bytes, the confirm word and the attestation's binding to the key; the platform
 * evidence itself is verified by the caller (a {@link PlatformVerifier}). Immutable and thread-safe.
 */
public final class CertSigningRequest {
  /** The confirm word a CSR must carry, colon included. */
  public static final String CONFIRM = "please sign cert:";

  private final int apiVersion;
  private final Bytes encoded;
  private final String confirm;
  private final Bytes publicKey;
  private final CertConfig config;
  private final VersionedAttestation attestation;

  private CertSigningRequest(int apiVersion, byte[] encoded, String confirm, byte[] publicKey,
      CertConfig config, VersionedAttestation attestation) {
    this.apiVersion = apiVersion;
    this.encoded = Bytes.of(encoded);
    this.confirm = confirm;
    this.publicKey = Bytes.of(publicKey);
    this.config = config;
    this.attestation = attestation;
  }

  /**
   * Decodes a CSR. Nothing is verified here; call {@link #verify}.
   *
   * @param apiVersion the request's {@code api_version}: 1 or 2
   * @param csr the request's {@code csr} bytes
   * @return the decoded request
   * @throws MalformedEvidenceException with {@link RatlsReason#BAD_CSR} for another api_version, or
   *     a structural reason when the bytes do not decode
   */
  public static CertSigningRequest parse(int apiVersion, byte[] csr)
      throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(csr, "csr");
    if (apiVersion != 1 && apiVersion != 2) {
      throw new MalformedEvidenceException(RatlsReason.BAD_CSR,
          "SignCert: unsupported API version " + Integer.toUnsignedString(apiVersion)
              + " (1 and 2 are defined)");
    }
    String what = "CertSigningRequestV" + apiVersion;
    Scale.Reader r = new Scale.Reader(csr, what);
    String confirm = r.string("confirm");
    byte[] pubkey = r.vec("pubkey");
    Optional<String> org = r.some("org_name") ? Optional.of(r.string("org_name")) : Optional.empty();
    String subject = r.string("subject");
    int n = r.count("subject_alt_names", 1);
    List<String> sans = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      sans.add(r.string("subject_alt_names[" + i + "]"));
    }
    boolean server = r.bool("usage_server_auth");
    boolean client = r.bool("usage_client_auth");
    boolean extQuote = r.bool("ext_quote");
    if (apiVersion == 1) {
      byte[] quote = r.vec("quote");
      byte[] eventLog = r.vec("event_log");
      r.end();
      CertConfig config = new CertConfig(org, subject, sans, server, client, extQuote, false,
          OptionalLong.empty(), OptionalLong.empty());
      Attestation a = LegacyTdxAttestation.fromTdxQuote(quote, eventLog);
      return new CertSigningRequest(1, csr, confirm, pubkey, config,
          VersionedAttestation.of(WireFormat.V0_SCALE, a));
    }
    boolean extAppInfo = r.bool("ext_app_info");
    OptionalLong notBefore = r.some("not_before")
        ? OptionalLong.of(r.u64("not_before")) : OptionalLong.empty();
    OptionalLong notAfter = r.some("not_after")
        ? OptionalLong.of(r.u64("not_after")) : OptionalLong.empty();
    VersionedAttestation a = VersionedAttestation.parse(r.rest("attestation"));
    CertConfig config = new CertConfig(org, subject, sans, server, client, extQuote, extAppInfo,
        notBefore, notAfter);
    return new CertSigningRequest(2, csr, confirm, pubkey, config, a);
  }

  /**
   * Encodes an api_version 2 CSR, as a guest does before signing it.
   *
   * @param spkiDer the certificate key's SubjectPublicKeyInfo (DER)
   * @param config what to put in the certificate
   * @param attestation the attestation, bound to the key
   * @return the SCALE bytes of {@code CertSigningRequestV2}
   */
  public static byte[] encodeV2(byte[] spkiDer, CertConfig config, VersionedAttestation attestation) {
    return encodeV2(CONFIRM, spkiDer, config, attestation.encode());
  }

  static byte[] encodeV2(String confirm, byte[] spkiDer, CertConfig config, byte[] attestation) {
    Scale.Writer w = new Scale.Writer().string(confirm).vec(spkiDer);
    if (config.orgName().isPresent()) {
      w.u8(1).string(config.orgName().get());
    } else {
      w.u8(0);
    }
    w.string(config.subject()).compact(config.subjectAltNames().size());
    for (String san : config.subjectAltNames()) {
      w.string(san);
    }
    w.bool(config.usageServerAuth()).bool(config.usageClientAuth()).bool(config.extQuote())
        .bool(config.extAppInfo());
    for (OptionalLong t : List.of(config.notBefore(), config.notAfter())) {
      if (t.isPresent()) {
        w.u8(1).u64(t.getAsLong());
      } else {
        w.u8(0);
      }
    }
    return w.raw(attestation).toByteArray();
  }

  /**
   * Verifies the request as dstack's KMS does before it looks at the platform evidence: the DER
   * ECDSA P-256 / SHA-256 signature over {@link #encoded()} by {@link #publicKey()}, then the confirm
   * word, then that the attestation's report_data is SHA-512("ratls-cert:" ‖ the key).
   *
   * @param signatureDer the request's {@code signature} field
   * @throws VerificationException with {@link RatlsReason#BAD_CSR} (key, signature or confirm word)
   *     or {@link RatlsReason#REPORT_DATA_MISMATCH} (binding)
   */
  public void verify(byte[] signatureDer) throws VerificationException {
    ECPublicKeyParameters key = p256Key();
    DSADigestSigner v = new DSADigestSigner(new ECDSASigner(), new SHA256Digest(),
        StandardDSAEncoding.INSTANCE);
    v.init(false, key);
    byte[] csr = encoded.toByteArray();
    v.update(csr, 0, csr.length);
    boolean ok;
    try {
      ok = signatureDer != null && v.verifySignature(signatureDer);
    } catch (RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      throw new VerificationException(RatlsReason.BAD_CSR,
          "SignCert: the signature does not verify over the CSR with the CSR's own key");
    }
    if (!CONFIRM.equals(confirm)) {
      throw new VerificationException(RatlsReason.BAD_CSR,
          "SignCert: invalid confirm word (expected \"" + CONFIRM + "\")");
    }
    Bytes expected = RatlsReportData.forCertificateKey(publicKey.toByteArray());
    if (!expected.equals(attestation.attestation().stack().reportData())) {
      throw new VerificationException(RatlsReason.REPORT_DATA_MISMATCH,
          "SignCert: the attestation's report_data is not SHA-512(\"ratls-cert:\" ‖ the CSR key);"
              + " the evidence was made for another key");
    }
  }

  private ECPublicKeyParameters p256Key() throws VerificationException {
    try {
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(publicKey.toByteArray());
      if (!X9ObjectIdentifiers.id_ecPublicKey.equals(spki.getAlgorithm().getAlgorithm())
          || !SECObjectIdentifiers.secp256r1.equals(spki.getAlgorithm().getParameters())) {
        throw new VerificationException(RatlsReason.BAD_CSR,
            "SignCert: the CSR key is not an EC P-256 key (algorithm "
                + spki.getAlgorithm().getAlgorithm() + ")");
      }
      AsymmetricKeyParameter k = PublicKeyFactory.createKey(spki);
      return (ECPublicKeyParameters) k;
    } catch (IOException | RuntimeException e) {
      throw new VerificationException(RatlsReason.BAD_CSR,
          "SignCert: the CSR key is not a DER SubjectPublicKeyInfo");
    }
  }

  /**
   * The request's api_version.
   *
   * @return 1 or 2
   */
  public int apiVersion() {
    return apiVersion;
  }

  /**
   * The CSR bytes the signature covers.
   *
   * @return the encoded request
   */
  public Bytes encoded() {
    return encoded;
  }

  /**
   * The confirm word as sent (checked by {@link #verify}).
   *
   * @return the confirm word
   */
  public String confirm() {
    return confirm;
  }

  /**
   * The certificate key.
   *
   * @return its SubjectPublicKeyInfo (DER)
   */
  public Bytes publicKey() {
    return publicKey;
  }

  /**
   * What the guest asks for.
   *
   * @return the certificate configuration
   */
  public CertConfig config() {
    return config;
  }

  /**
   * The attestation (for api_version 1, upgraded from the quote and event log).
   *
   * @return the attestation and its wire format
   */
  public VersionedAttestation attestation() {
    return attestation;
  }

  @Override
  public String toString() {
    return "CertSigningRequest{api_version=" + apiVersion + ", subject="
        + LogSafe.of(config.subject()) + ", " + attestation.wireFormat().label() + "}";
  }
}
