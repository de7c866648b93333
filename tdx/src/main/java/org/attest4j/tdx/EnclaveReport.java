package org.attest4j.tdx;

import java.util.Objects;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * An SGX enclave report (384 bytes): in a TDX quote, the report of the Quoting Enclave (QE) that
 * certifies the attestation key.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EnclaveReport {
  /** The encoded size of an SGX enclave report. */
  public static final int SIZE = 384;

  private final Bytes encoded;
  private final Bytes cpuSvn;
  private final long miscSelect;
  private final Bytes attributes;
  private final Bytes mrEnclave;
  private final Bytes mrSigner;
  private final int isvProdId;
  private final int isvSvn;
  private final Bytes reportData;

  private EnclaveReport(byte[] raw) throws MalformedEvidenceException {
    ByteReader r = ByteReader.of(raw, "SGX enclave report");
    this.encoded = Bytes.of(raw);
    this.cpuSvn = Bytes.of(r.bytes(16, "cpusvn"));
    this.miscSelect = r.u32("miscselect");
    r.skip(28, "reserved1");
    this.attributes = Bytes.of(r.bytes(16, "attributes"));
    this.mrEnclave = Bytes.of(r.bytes(32, "mr_enclave"));
    r.skip(32, "reserved2");
    this.mrSigner = Bytes.of(r.bytes(32, "mr_signer"));
    r.skip(96, "reserved3");
    this.isvProdId = r.u16("isv_prod_id");
    this.isvSvn = r.u16("isv_svn");
    r.skip(60, "reserved4");
    this.reportData = Bytes.of(r.bytes(64, "report_data"));
  }

  /**
   * Parses exactly 384 bytes.
   *
   * @param raw the raw bytes
   * @return the parsed value
   * @throws MalformedEvidenceException with {@link TdxReason#QUOTE_PARSE_ERROR} if the length is
   *     wrong
   */
  public static EnclaveReport parse(byte[] raw) throws MalformedEvidenceException {
    Objects.requireNonNull(raw, "raw");
    if (raw.length != SIZE) {
      throw new MalformedEvidenceException(
          TdxReason.QUOTE_PARSE_ERROR,
          "SGX enclave report must be " + SIZE + " bytes, got " + raw.length);
    }
    return new EnclaveReport(raw);
  }

  /**
   * The 384 encoded bytes (what the PCK key signs).
   *
   * @return the 384 encoded bytes (what the PCK key signs)
   */
  public Bytes encoded() {
    return encoded;
  }

  /**
   * CPUSVN (16 bytes).
   *
   * @return CPUSVN (16 bytes)
   */
  public Bytes cpuSvn() {
    return cpuSvn;
  }

  /**
   * MISCSELECT.
   *
   * @return MISCSELECT
   */
  public long miscSelect() {
    return miscSelect;
  }

  /**
   * ATTRIBUTES (16 bytes; byte 0 bit 1 = DEBUG).
   *
   * @return ATTRIBUTES (16 bytes; byte 0 bit 1 = DEBUG)
   */
  public Bytes attributes() {
    return attributes;
  }

  /**
   * Whether the enclave is a debug enclave (attributes byte 0, bit 1).
   *
   * @return whether the enclave is a debug enclave (attributes byte 0, bit 1)
   */
  public boolean isDebug() {
    return (attributes.get(0) & 0x02) != 0;
  }

  /**
   * MRENCLAVE (32 bytes).
   *
   * @return MRENCLAVE (32 bytes)
   */
  public Bytes mrEnclave() {
    return mrEnclave;
  }

  /**
   * MRSIGNER (32 bytes).
   *
   * @return MRSIGNER (32 bytes)
   */
  public Bytes mrSigner() {
    return mrSigner;
  }

  /**
   * ISVPRODID.
   *
   * @return ISVPRODID
   */
  public int isvProdId() {
    return isvProdId;
  }

  /**
   * ISVSVN.
   *
   * @return ISVSVN
   */
  public int isvSvn() {
    return isvSvn;
  }

  /**
   * REPORTDATA (64 bytes).
   *
   * @return REPORTDATA (64 bytes)
   */
  public Bytes reportData() {
    return reportData;
  }

  @Override
  public String toString() {
    return "EnclaveReport[mr_signer=" + mrSigner + ", isv_prod_id=" + isvProdId + ", isv_svn="
        + isvSvn + "]";
  }
}
