package org.attest4j.azure;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.attest4j.azure.tpm.TpmHash;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * The HCL report an Azure confidential VM's paravisor writes to vTPM NV index 0x01400001 (spec
 * {@code azure-cvm.md} section 2): a 32-byte header, the 1184-byte hardware report area (an SEV-SNP
 * ATTESTATION_REPORT, or a 1024-byte TDREPORT and zero padding), 20 bytes of request data, and the
 * runtime claims. Little-endian.
 *
 * <p>Only the hardware report is signed; the header and request data only locate data. {@link
 * #parse} enforces the {@code hcl.structure} rules: signature "HCLA", header version 1 or 2,
 * request_type 2, request-data version 1, hash type 1..3, data_size = 20 + variable_data_size,
 * report_size = 0x4D4 + variable_data_size, and the claims within the buffer. Immutable and
 * thread-safe.
 */
public final class HclReport {
  /** "HCLA" as a little-endian u32. */
  public static final int MAGIC = 0x414C4348;
  /** Offset of the hardware report area. */
  public static final int HW_REPORT_OFFSET = 0x20;
  /** Size of the hardware report area. */
  public static final int HW_REPORT_SIZE = 0x4A0;
  /** Offset of the request data. */
  public static final int REQUEST_DATA_OFFSET = 0x4C0;
  /** Offset of the runtime claims (variable data). */
  public static final int VARIABLE_DATA_OFFSET = 0x4D4;
  /** The NV index holding the HCL report. */
  public static final int NV_INDEX = 0x01400001;
  /** The NV index for the 64 bytes of guest attestation input echoed as {@code user-data}. */
  public static final int USER_DATA_NV_INDEX = 0x01400002;
  /** request_type AK_CERT, the only one seen. */
  public static final int REQUEST_TYPE_AK_CERT = 2;

  private final Bytes raw;
  private final int headerVersion;
  private final long reportSize;
  private final long requestType;
  private final long status;
  private final long dataSize;
  private final long requestVersion;
  private final long reportType;
  private final long hashType;
  private final int variableDataSize;

  private HclReport(byte[] b) throws MalformedEvidenceException {
    this.raw = Bytes.of(b);
    if (b.length < VARIABLE_DATA_OFFSET) {
      throw bad("HCL report is " + b.length + " bytes; at least 0x4D4 (1236) are needed for header,"
          + " hardware report and request data");
    }
    ByteReader r = ByteReader.of(b, "HCL report");
    long magic = r.u32("signature");
    if (magic != (MAGIC & 0xffffffffL)) {
      throw bad("HCL report signature is 0x" + Long.toHexString(magic) + ", not \"HCLA\" (0x414c4348)");
    }
    long v = r.u32("header.version");
    if (v != 1 && v != 2) {
      throw bad("HCL header version " + v + " is not 1 or 2");
    }
    headerVersion = (int) v;
    reportSize = r.u32("report_size");
    requestType = r.u32("request_type");
    status = r.u32("status");
    r.seek(REQUEST_DATA_OFFSET, "request_data");
    dataSize = r.u32("request_data.data_size");
    requestVersion = r.u32("request_data.version");
    reportType = r.u32("request_data.report_type");
    hashType = r.u32("request_data.report_data_hash_type");
    long vs = r.u32("request_data.variable_data_size");
    if (requestType != REQUEST_TYPE_AK_CERT) {
      throw bad("HCL request_type " + requestType + " is not 2 (AK_CERT)");
    }
    if (requestVersion != 1) {
      throw bad("HCL request-data version " + requestVersion + " is not 1 (the guest-facing format)");
    }
    if (hashType < 1 || hashType > 3) {
      throw bad("HCL report_data_hash_type " + hashType + " is not 1 (SHA-256), 2 (SHA-384) or 3 (SHA-512)");
    }
    if (dataSize != 20 + vs) {
      throw bad("HCL request data_size " + dataSize + " is not 20 + variable_data_size (" + vs + ")");
    }
    if (reportSize != VARIABLE_DATA_OFFSET + vs) {
      throw bad("HCL report_size " + reportSize + " is not 0x4D4 + variable_data_size (" + vs + ")");
    }
    if (vs > b.length - VARIABLE_DATA_OFFSET) {
      throw bad("HCL variable_data_size " + vs + " runs past the " + b.length + "-byte buffer");
    }
    variableDataSize = (int) vs;
  }

  private static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(AzureReason.BAD_HCL_REPORT, message);
  }

  /**
   * Parses an HCL report as read from NV index 0x01400001 (zero padding after the claims allowed).
   *
   * @param report the bytes
   * @return the report
   * @throws MalformedEvidenceException with {@link AzureReason#BAD_HCL_REPORT} if a structure rule fails
   */
  public static HclReport parse(byte[] report) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(report, "HCL report");
    return new HclReport(report.clone());
  }

  /**
   * Whether {@code bytes} start with the HCL report signature "HCLA".
   *
   * @param bytes any input
   * @return true when the first four bytes are "HCLA"
   */
  public static boolean hasMagic(byte[] bytes) {
    return bytes != null && bytes.length >= 4 && bytes[0] == 'H' && bytes[1] == 'C' && bytes[2] == 'L'
        && bytes[3] == 'A';
  }

  /**
   * The request data's report_type read without any other check (to report a platform mismatch even
   * when the structure is refused).
   *
   * @param report any input
   * @return report_type, or empty when the input is too short
   */
  public static OptionalInt peekReportType(byte[] report) {
    if (report == null || report.length < REQUEST_DATA_OFFSET + 12) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(ByteBuffer.wrap(report, REQUEST_DATA_OFFSET + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
  }

  /**
   * An HCL report from constellation's split form: the hardware report followed by the 20-byte request
   * data (HCL bytes 0x20..0x4D4) in one input, the runtime claims in the other. The header is
   * reconstructed (version 1, request_type 2, report_size from the claims); the result is checked like
   * any other.
   *
   * @param hardwareReportAndRequestData 1204 bytes
   * @param variableData the runtime claims
   * @return the report
   * @throws MalformedEvidenceException if the parts have the wrong size or the result is refused
   */
  public static HclReport fromParts(byte[] hardwareReportAndRequestData, byte[] variableData)
      throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(hardwareReportAndRequestData, "hardware report and request data");
    MalformedEvidenceException.requirePresent(variableData, "runtime claims");
    int n = VARIABLE_DATA_OFFSET - HW_REPORT_OFFSET;
    if (hardwareReportAndRequestData.length != n) {
      throw bad("hardware report + request data is " + hardwareReportAndRequestData.length + " bytes, not " + n);
    }
    byte[] out = new byte[VARIABLE_DATA_OFFSET + variableData.length];
    ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(MAGIC).putInt(1).putInt(out.length).putInt(REQUEST_TYPE_AK_CERT).putInt(0);
    System.arraycopy(hardwareReportAndRequestData, 0, out, HW_REPORT_OFFSET, n);
    System.arraycopy(variableData, 0, out, VARIABLE_DATA_OFFSET, variableData.length);
    return new HclReport(out);
  }

  /**
   * Assembles an HCL report the way the paravisor writes it (request-data version 1, SHA-256), for
   * tests and simulators.
   *
   * @param headerVersion 1 or 2
   * @param platform the report_type's platform
   * @param hardwareReport at most 1184 bytes (zero-padded)
   * @param claims the runtime claims
   * @param nvSize the NV index size to zero-pad to (at least the report's size)
   * @return the report
   * @throws MalformedEvidenceException if the parts do not fit
   */
  public static HclReport assemble(int headerVersion, AzurePlatform platform, byte[] hardwareReport, byte[] claims,
      int nvSize) throws MalformedEvidenceException {
    Objects.requireNonNull(platform, "platform");
    if (hardwareReport.length > HW_REPORT_SIZE || VARIABLE_DATA_OFFSET + claims.length > nvSize) {
      throw bad("hardware report or claims do not fit an NV index of " + nvSize + " bytes");
    }
    byte[] out = new byte[nvSize];
    ByteBuffer bb = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(MAGIC).putInt(headerVersion).putInt(VARIABLE_DATA_OFFSET + claims.length)
        .putInt(REQUEST_TYPE_AK_CERT).putInt(0);
    System.arraycopy(hardwareReport, 0, out, HW_REPORT_OFFSET, hardwareReport.length);
    bb.position(REQUEST_DATA_OFFSET);
    bb.putInt(20 + claims.length).putInt(1).putInt(platform.reportType()).putInt(1).putInt(claims.length);
    System.arraycopy(claims, 0, out, VARIABLE_DATA_OFFSET, claims.length);
    return new HclReport(out);
  }

  /**
   * The whole buffer as parsed (padding included).
   *
   * @return a copy
   */
  public byte[] toByteArray() {
    return raw.toByteArray();
  }

  /**
   * Header version (1 or 2).
   *
   * @return the version
   */
  public int headerVersion() {
    return headerVersion;
  }

  /**
   * report_size: header + hardware report + request data + claims.
   *
   * @return bytes used
   */
  public long reportSize() {
    return reportSize;
  }

  /**
   * request_type (2, AK_CERT).
   *
   * @return the value
   */
  public long requestType() {
    return requestType;
  }

  /**
   * status (not checked; 0 in every sample).
   *
   * @return the value
   */
  public long status() {
    return status;
  }

  /**
   * Request data's data_size.
   *
   * @return 20 + variable_data_size
   */
  public long requestDataSize() {
    return dataSize;
  }

  /**
   * Request data's version (1).
   *
   * @return the version
   */
  public long requestDataVersion() {
    return requestVersion;
  }

  /**
   * report_type: 2 SNP, 4 TDX (0 invalid, 1 VBS, 3 TVM).
   *
   * @return the raw value
   */
  public long reportType() {
    return reportType;
  }

  /**
   * The platform report_type names.
   *
   * @return SNP or TDX, empty for any other report_type
   */
  public Optional<AzurePlatform> platform() {
    for (AzurePlatform p : AzurePlatform.values()) {
      if (p.reportType() == reportType) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * report_data_hash_type: 1 SHA-256, 2 SHA-384, 3 SHA-512.
   *
   * @return the raw value
   */
  public long reportDataHashType() {
    return hashType;
  }

  /**
   * The hash the claims are bound with.
   *
   * @return SHA-256, SHA-384 or SHA-512
   */
  public TpmHash reportDataHash() {
    return hashType == 1 ? TpmHash.SHA256 : hashType == 2 ? TpmHash.SHA384 : TpmHash.SHA512;
  }

  /**
   * The hardware report area (1184 bytes).
   *
   * @return a copy of HCL bytes 0x20..0x4C0
   */
  public byte[] hardwareReport() {
    return Arrays.copyOfRange(raw.toByteArray(), HW_REPORT_OFFSET, HW_REPORT_OFFSET + HW_REPORT_SIZE);
  }

  /**
   * The runtime claims exactly as stored (hash these bytes, never a re-serialisation).
   *
   * @return variable_data_size bytes
   */
  public Bytes variableData() {
    return Bytes.of(raw.toByteArray(), VARIABLE_DATA_OFFSET, variableDataSize);
  }

  /**
   * The hash of the runtime claims with the request data's hash type: what REPORT_DATA must start with.
   *
   * @return the digest
   */
  public Bytes variableDataDigest() {
    return Bytes.of(reportDataHash().digest(variableData().toByteArray()));
  }

  @Override
  public String toString() {
    return "HclReport[v" + headerVersion + ", report_type " + reportType + ", " + variableDataSize
        + " bytes of claims, hash type " + hashType + "]";
  }
}
