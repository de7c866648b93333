package org.attest4j.tdx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;
import org.attest4j.core.internal.ByteReader;

/**
 * An Intel TDX quote, version 4 or 5 (body type 2 = TD 1.0 or 3 = TD 1.5), with ECDSA P-256
 * attestation key and QE report certification data (type 6) carrying a PCK certificate chain (type
 * 5).
 *
 * <p>{@link #parse(byte[])} follows the length fields and ignores bytes after the declared signature
 * data (real quotes come zero-padded or with trailing bytes); anything else that is malformed is
 * refused with {@link TdxReason#QUOTE_PARSE_ERROR}. Parsing checks structure only: signatures,
 * certificates and the QE vendor are checked by {@link TdxVerifier}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdxQuote {
  /** Header size (v4 and v5). */
  public static final int HEADER_SIZE = 48;

  /** tee_type of TDX. */
  public static final long TEE_TYPE_TDX = 0x81;

  /** attestation_key_type of ECDSA-256 with P-256. */
  public static final int AK_TYPE_ECDSA_P256 = 2;

  /** Certification data type: QE report certification data. */
  public static final int CERT_TYPE_QE_REPORT = 6;

  /** Certification data type: PCK certificate chain (PEM). */
  public static final int CERT_TYPE_PCK_CHAIN = 5;

  /** The Intel QE vendor id. */
  public static final Bytes INTEL_QE_VENDOR_ID =
      Bytes.of(java.util.HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607"));

  private static final int SIG_DATA_FIXED = 64 + 64 + 2 + 4;

  private final byte[] raw; // exactly bytesUsed bytes
  private final int inputLength;
  private final int version;
  private final int attestationKeyType;
  private final long teeType;
  private final int qeSvn;
  private final int pceSvn;
  private final Bytes qeVendorId;
  private final Bytes userData;
  private final int bodyType;
  private final TdReport body;
  private final int signedLength;
  private final Bytes signature;
  private final Bytes attestationKey;
  private final EnclaveReport qeReport;
  private final Bytes qeReportSignature;
  private final Bytes qeAuthData;
  private final Bytes pckCertChain;
  private final List<Bytes> pckCertificatesDer;
  private final String pckChainError;

  private TdxQuote(byte[] in) throws MalformedEvidenceException {
    this.inputLength = in.length;
    ByteReader r = ByteReader.of(in, "TDX quote");
    this.version = r.u16("version");
    if (version != 4 && version != 5) {
      throw parseError(
          "unsupported quote version " + version + (version == 3 ? " (SGX quote)" : "")
              + "; TDX quotes are version 4 or 5");
    }
    this.attestationKeyType = r.u16("attestation_key_type");
    if (attestationKeyType != AK_TYPE_ECDSA_P256) {
      throw parseError(
          "unsupported attestation_key_type " + attestationKeyType + " (only 2 = ECDSA P-256)");
    }
    this.teeType = r.u32("tee_type");
    if (teeType != TEE_TYPE_TDX) {
      throw parseError(
          String.format("tee_type 0x%08x is not TDX (0x00000081)", teeType));
    }
    this.qeSvn = r.u16("qe_svn");
    this.pceSvn = r.u16("pce_svn");
    this.qeVendorId = Bytes.of(r.bytes(16, "qe_vendor_id"));
    this.userData = Bytes.of(r.bytes(20, "user_data"));
    if (version == 4) {
      this.bodyType = 2;
      this.body = TdReport.read(r, false);
    } else {
      this.bodyType = r.u16("body_type");
      long bodySize = r.u32("body_size");
      int expected;
      switch (bodyType) {
        case 2:
          expected = TdReport.SIZE_TD10;
          break;
        case 3:
          expected = TdReport.SIZE_TD15;
          break;
        case 1:
          throw parseError("v5 body type 1 (SGX enclave report) is not a TDX quote");
        default:
          throw parseError("unknown v5 body type " + bodyType + " (expected 2 = TD1.0 or 3 = TD1.5)");
      }
      if (bodySize != expected) {
        throw parseError(
            "v5 body_size " + bodySize + " does not match body type " + bodyType + " (" + expected
                + ")");
      }
      this.body = TdReport.read(r, bodyType == 3);
    }
    this.signedLength = r.position();
    int sigDataLen = r.u32AsInt("sig_data_len");
    if (sigDataLen > r.remaining()) {
      throw parseError(
          "truncated: signature data length " + sigDataLen + " > remaining " + r.remaining()
              + " bytes");
    }
    int sigStart = r.position();
    int end = sigStart + sigDataLen;
    ByteReader s = ByteReader.of(in, sigStart, sigDataLen, "TDX quote signature data");
    if (sigDataLen < SIG_DATA_FIXED) {
      throw parseError("signature data length " + sigDataLen + " < " + SIG_DATA_FIXED);
    }
    this.signature = Bytes.of(s.bytes(64, "quote_signature"));
    this.attestationKey = Bytes.of(s.bytes(64, "attestation_key"));
    int certType = s.u16("certification_data_type");
    if (certType != CERT_TYPE_QE_REPORT) {
      throw parseError(
          "certification data type " + certType + " is not 6 (QE report certification data)");
    }
    int certSize = s.u32AsInt("certification_data_size");
    if (certSize != s.remaining()) {
      throw parseError(
          "certification data size " + certSize + " does not match the " + s.remaining()
              + " bytes left in the signature data");
    }
    this.qeReport = EnclaveReport.parse(s.bytes(EnclaveReport.SIZE, "qe_report"));
    this.qeReportSignature = Bytes.of(s.bytes(64, "qe_report_signature"));
    int authLen = s.u16("qe_auth_data_size");
    this.qeAuthData = Bytes.of(s.bytes(authLen, "qe_auth_data"));
    int innerType = s.u16("pck_cert_data_type");
    if (innerType != CERT_TYPE_PCK_CHAIN) {
      throw parseError(
          "inner certification data type " + innerType + " is not 5 (PCK certificate chain)");
    }
    int chainLen = s.u32AsInt("pck_cert_data_size");
    if (chainLen != s.remaining()) {
      throw parseError(
          "PCK certificate chain size " + chainLen + " does not match the " + s.remaining()
              + " bytes left in the certification data");
    }
    byte[] chain = s.bytes(chainLen, "pck_cert_chain");
    this.pckCertChain = Bytes.of(chain);
    List<Bytes> ders = null;
    String err = null;
    try {
      ders = decodePemChain(chain);
    } catch (MalformedEvidenceException e) {
      err = e.getMessage(); // a bad certificate is a chain failure, reported by the verifier
    }
    this.pckCertificatesDer = ders;
    this.pckChainError = err;
    this.raw = Arrays.copyOf(in, end);
  }

  /**
   * Parses a quote. Bytes after {@code 48 + body + 4 + sig_data_len} are ignored.
   *
   * @param quote the quote
   * @return the parsed value
   * @throws MalformedEvidenceException with {@link TdxReason#QUOTE_PARSE_ERROR} for anything that
   *     is
   *     not a well-formed TDX v4/v5 ECDSA-P256 quote with a type-6/type-5 PCK certificate chain
   */
  public static TdxQuote parse(byte[] quote) throws MalformedEvidenceException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(quote, "quote");
    try {
      return new TdxQuote(quote);
    } catch (MalformedEvidenceException e) {
      if (e.reason() == TdxReason.QUOTE_PARSE_ERROR) {
        throw e;
      }
      throw new MalformedEvidenceException(TdxReason.QUOTE_PARSE_ERROR, e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new MalformedEvidenceException(
          TdxReason.QUOTE_PARSE_ERROR, "malformed TDX quote: " + e, e);
    }
  }

  private static MalformedEvidenceException parseError(String msg) {
    return new MalformedEvidenceException(TdxReason.QUOTE_PARSE_ERROR, "TDX quote: " + msg);
  }

  /** Splits a PEM chain (optionally NUL-terminated) into DER certificates, in order. */
  static List<Bytes> decodePemChain(byte[] pem) throws MalformedEvidenceException {
    if (pem.length >= 2 && (pem[0] & 0xff) == 0x30 && (pem[1] & 0xff) >= 0x80) {
      throw parseError(
          "the PCK certificate chain (certification data type 5) is DER-encoded; Intel's type 5 is"
              + " the PEM text of the PCK, PCK CA and root certificates (BEGIN CERTIFICATE blocks),"
              + " so this quote was not produced by an Intel QE or was re-encoded");
    }
    int n = pem.length;
    while (n > 0 && pem[n - 1] == 0) {
      n--;
    }
    String text = new String(pem, 0, n, StandardCharsets.US_ASCII);
    List<Bytes> out = new ArrayList<>();
    String begin = "-----BEGIN CERTIFICATE-----";
    String endMarker = "-----END CERTIFICATE-----";
    int pos = 0;
    while (true) {
      int b = text.indexOf(begin, pos);
      if (b < 0) {
        if (!text.substring(pos).isBlank()) {
          throw parseError("unexpected text after the last PEM certificate");
        }
        break;
      }
      if (!text.substring(pos, b).isBlank()) {
        throw parseError("unexpected text before a PEM certificate");
      }
      int e = text.indexOf(endMarker, b);
      if (e < 0) {
        throw parseError("PEM certificate without END marker");
      }
      String body = text.substring(b + begin.length(), e).replaceAll("[\\r\\n\\t ]", "");
      byte[] der;
      try {
        der = Base64.getDecoder().decode(body);
      } catch (IllegalArgumentException ex) {
        throw parseError("PEM certificate is not valid base64");
      }
      if (der.length == 0) {
        throw parseError("empty PEM certificate");
      }
      out.add(Bytes.of(der));
      pos = e + endMarker.length();
      if (out.size() > 8) {
        throw parseError("more than 8 certificates in the PCK chain");
      }
    }
    if (out.isEmpty()) {
      throw parseError("PCK certificate chain holds no certificate");
    }
    return List.copyOf(out);
  }

  /**
   * The quote bytes covered by the length fields (trailing bytes removed).
   *
   * @return the quote bytes covered by the length fields (trailing bytes removed)
   */
  public Bytes encoded() {
    return Bytes.of(raw);
  }

  /**
   * Length of the input given to {@link #parse(byte[])}, including ignored trailing bytes.
   *
   * @return length of the input given to {@link #parse(byte[])}, including ignored trailing bytes
   */
  public int inputLength() {
    return inputLength;
  }

  /**
   * Bytes covered by the length fields ({@code signedLength() + 4 + sig_data_len}).
   *
   * @return Bytes covered by the length fields ({@code signedLength() + 4 + sig_data_len})
   */
  public int bytesUsed() {
    return raw.length;
  }

  /**
   * Bytes covered by the quote signature: 632 (v4), 638 (v5 TD1.0) or 702 (v5 TD1.5).
   *
   * @return Bytes covered by the quote signature: 632 (v4), 638 (v5 TD1.0) or 702 (v5 TD1.5)
   */
  public int signedLength() {
    return signedLength;
  }

  /**
   * The signed region: header, [v5 body descriptor,] body.
   *
   * @return the signed region: header, [v5 body descriptor,] body
   */
  public Bytes signedRegion() {
    return Bytes.of(raw, 0, signedLength);
  }

  byte[] rawUnsafe() {
    return raw;
  }

  /**
   * Quote version: 4 or 5.
   *
   * @return quote version: 4 or 5
   */
  public int version() {
    return version;
  }

  /**
   * Attestation key type (always 2 = ECDSA P-256).
   *
   * @return attestation key type (always 2 = ECDSA P-256)
   */
  public int attestationKeyType() {
    return attestationKeyType;
  }

  /**
   * TEE type (always 0x81 = TDX).
   *
   * @return TEE type (always 0x81 = TDX)
   */
  public long teeType() {
    return teeType;
  }

  /**
   * Header qe_svn (reserved in TDX; 0 in real quotes).
   *
   * @return header qe_svn (reserved in TDX; 0 in real quotes)
   */
  public int qeSvn() {
    return qeSvn;
  }

  /**
   * Header pce_svn (reserved in TDX; not used for TCB evaluation).
   *
   * @return header pce_svn (reserved in TDX; not used for TCB evaluation)
   */
  public int pceSvn() {
    return pceSvn;
  }

  /**
   * QE vendor id (16 bytes); Intel's is {@link #INTEL_QE_VENDOR_ID}.
   *
   * @return QE vendor id (16 bytes); Intel's is {@link #INTEL_QE_VENDOR_ID}
   */
  public Bytes qeVendorId() {
    return qeVendorId;
  }

  /**
   * Header user_data (20 bytes; the first 16 are the QE id).
   *
   * @return header user_data (20 bytes; the first 16 are the QE id)
   */
  public Bytes userData() {
    return userData;
  }

  /**
   * Body type: 2 (TD 1.0) or 3 (TD 1.5); v4 quotes report 2.
   *
   * @return body type: 2 (TD 1.0) or 3 (TD 1.5); v4 quotes report 2
   */
  public int bodyType() {
    return bodyType;
  }

  /**
   * The TD report body.
   *
   * @return the TD report body
   */
  public TdReport body() {
    return body;
  }

  /**
   * ECDSA signature r||s (64 bytes) over SHA-256 of the signed region.
   *
   * @return ECDSA signature r||s (64 bytes) over SHA-256 of the signed region
   */
  public Bytes signature() {
    return signature;
  }

  /**
   * ECDSA P-256 attestation public key x||y (64 bytes).
   *
   * @return ECDSA P-256 attestation public key x||y (64 bytes)
   */
  public Bytes attestationKey() {
    return attestationKey;
  }

  /**
   * The QE report certifying the attestation key.
   *
   * @return the QE report certifying the attestation key
   */
  public EnclaveReport qeReport() {
    return qeReport;
  }

  /**
   * QE report signature r||s (64 bytes) by the PCK leaf key.
   *
   * @return QE report signature r||s (64 bytes) by the PCK leaf key
   */
  public Bytes qeReportSignature() {
    return qeReportSignature;
  }

  /**
   * QE authentication data (32 bytes in real quotes).
   *
   * @return QE authentication data (32 bytes in real quotes)
   */
  public Bytes qeAuthData() {
    return qeAuthData;
  }

  /**
   * The raw PEM PCK certificate chain (leaf, intermediate CA, root), possibly NUL-terminated.
   *
   * @return the raw PEM PCK certificate chain (leaf, intermediate CA, root), possibly
   *     NUL-terminated
   */
  public Bytes pckCertChainPem() {
    return pckCertChain;
  }

  /**
   * The PCK certificate chain as DER certificates, leaf first.
   *
   * @return the PCK certificate chain as DER certificates, leaf first
   * @throws VerificationException with {@link TdxReason#CERT_CHAIN_INVALID} if the PEM text does
   *     not hold well-formed PEM certificates
   */
  public List<Bytes> pckCertificatesDer() throws VerificationException {
    if (pckCertificatesDer == null) {
      throw new VerificationException(TdxReason.CERT_CHAIN_INVALID, "PCK certificate chain: " + pckChainError);
    }
    return pckCertificatesDer;
  }

  @Override
  public String toString() {
    return "TdxQuote[v" + version + ", body_type=" + bodyType + ", signed_length=" + signedLength
        + ", bytes_used=" + raw.length + ", " + body + "]";
  }
}
