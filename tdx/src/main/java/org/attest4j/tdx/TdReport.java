package org.attest4j.tdx;

import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * The TD report body of a TDX quote: "TD 1.0" (584 bytes, quote v4 and v5 body type 2) or "TD 1.5"
 * (648 bytes, v5 body type 3, which adds {@code tee_tcb_svn2} and {@code mr_servicetd}).
 *
 * <p>Multi-byte fields are returned as raw bytes in quote order (so {@code td_attributes} of a
 * typical TD is {@code 0000001000000000}); {@link #tdAttributesValue()} and {@link
 * #seamAttributesValue()} give the little-endian integers.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TdReport {
  /** Size of a TD 1.0 report body. */
  public static final int SIZE_TD10 = 584;

  /** Size of a TD 1.5 report body. */
  public static final int SIZE_TD15 = 648;

  /** td_attributes bit 0: DEBUG. */
  public static final long TD_ATTR_DEBUG = 1L;

  /** td_attributes bit 28: SEPT_VE_DISABLE. */
  public static final long TD_ATTR_SEPT_VE_DISABLE = 1L << 28;

  /** td_attributes bit 29: MIGRATABLE (TDX 1.5). */
  public static final long TD_ATTR_MIGRATABLE = 1L << 29;

  /** td_attributes bit 30: PKS. */
  public static final long TD_ATTR_PKS = 1L << 30;

  /** td_attributes bit 31: KL. */
  public static final long TD_ATTR_KL = 1L << 31;

  /** td_attributes bit 63: PERFMON. */
  public static final long TD_ATTR_PERFMON = 1L << 63;

  private final boolean td15;
  private final Bytes teeTcbSvn;
  private final Bytes mrSeam;
  private final Bytes mrSignerSeam;
  private final Bytes seamAttributes;
  private final Bytes tdAttributes;
  private final Bytes xfam;
  private final Bytes mrTd;
  private final Bytes mrConfigId;
  private final Bytes mrOwner;
  private final Bytes mrOwnerConfig;
  private final Bytes[] rtmrs;
  private final Bytes reportData;
  private final Bytes teeTcbSvn2;
  private final Bytes mrServiceTd;

  private TdReport(ByteReader r, boolean td15) throws MalformedEvidenceException {
    this.td15 = td15;
    this.teeTcbSvn = Bytes.of(r.bytes(16, "tee_tcb_svn"));
    this.mrSeam = Bytes.of(r.bytes(48, "mr_seam"));
    this.mrSignerSeam = Bytes.of(r.bytes(48, "mr_signer_seam"));
    this.seamAttributes = Bytes.of(r.bytes(8, "seam_attributes"));
    this.tdAttributes = Bytes.of(r.bytes(8, "td_attributes"));
    this.xfam = Bytes.of(r.bytes(8, "xfam"));
    this.mrTd = Bytes.of(r.bytes(48, "mr_td"));
    this.mrConfigId = Bytes.of(r.bytes(48, "mr_config_id"));
    this.mrOwner = Bytes.of(r.bytes(48, "mr_owner"));
    this.mrOwnerConfig = Bytes.of(r.bytes(48, "mr_owner_config"));
    this.rtmrs = new Bytes[4];
    for (int i = 0; i < 4; i++) {
      rtmrs[i] = Bytes.of(r.bytes(48, "rtmr" + i));
    }
    this.reportData = Bytes.of(r.bytes(64, "report_data"));
    if (td15) {
      this.teeTcbSvn2 = Bytes.of(r.bytes(16, "tee_tcb_svn2"));
      this.mrServiceTd = Bytes.of(r.bytes(48, "mr_servicetd"));
    } else {
      this.teeTcbSvn2 = null;
      this.mrServiceTd = null;
    }
  }

  static TdReport read(ByteReader r, boolean td15) throws MalformedEvidenceException {
    return new TdReport(r, td15);
  }

  /**
   * Parses a bare TD report body: 584 bytes (TD 1.0) or 648 bytes (TD 1.5).
   *
   * @param body the body bytes
   * @return the parsed value
   * @throws MalformedEvidenceException with {@link TdxReason#QUOTE_PARSE_ERROR} for any other
   *     length
   */
  public static TdReport parse(byte[] body) throws MalformedEvidenceException {
    if (body == null || (body.length != SIZE_TD10 && body.length != SIZE_TD15)) {
      throw new MalformedEvidenceException(
          TdxReason.QUOTE_PARSE_ERROR,
          "TD report body must be " + SIZE_TD10 + " or " + SIZE_TD15 + " bytes, got "
              + (body == null ? "null" : body.length));
    }
    return new TdReport(ByteReader.of(body, "TD report"), body.length == SIZE_TD15);
  }

  /**
   * Whether this is a TD 1.5 body (v5 body type 3).
   *
   * @return whether this is a TD 1.5 body (v5 body type 3)
   */
  public boolean isTd15() {
    return td15;
  }

  /**
   * TEE_TCB_SVN (16 bytes): byte 0 = TDX module minor SVN, byte 1 = module major version.
   *
   * @return TEE_TCB_SVN (16 bytes): byte 0 = TDX module minor SVN, byte 1 = module major version
   */
  public Bytes teeTcbSvn() {
    return teeTcbSvn;
  }

  /**
   * The TDX module major version ({@code tee_tcb_svn[1]}).
   *
   * @return the TDX module major version ({@code tee_tcb_svn[1]})
   */
  public int tdxModuleMajorVersion() {
    return teeTcbSvn.get(1) & 0xff;
  }

  /**
   * The TDX module SVN ({@code tee_tcb_svn[0]}).
   *
   * @return the TDX module SVN ({@code tee_tcb_svn[0]})
   */
  public int tdxModuleSvn() {
    return teeTcbSvn.get(0) & 0xff;
  }

  /**
   * MRSEAM (48 bytes): measurement of the TDX module.
   *
   * @return MRSEAM (48 bytes): measurement of the TDX module
   */
  public Bytes mrSeam() {
    return mrSeam;
  }

  /**
   * MRSIGNERSEAM (48 bytes): all zero for an Intel-signed TDX module.
   *
   * @return MRSIGNERSEAM (48 bytes): all zero for an Intel-signed TDX module
   */
  public Bytes mrSignerSeam() {
    return mrSignerSeam;
  }

  /**
   * SEAMATTRIBUTES (8 raw bytes).
   *
   * @return SEAMATTRIBUTES (8 raw bytes)
   */
  public Bytes seamAttributes() {
    return seamAttributes;
  }

  /**
   * SEAMATTRIBUTES as a little-endian integer.
   *
   * @return SEAMATTRIBUTES as a little-endian integer
   */
  public long seamAttributesValue() {
    return le64(seamAttributes);
  }

  /**
   * TDATTRIBUTES (8 raw bytes).
   *
   * @return TDATTRIBUTES (8 raw bytes)
   */
  public Bytes tdAttributes() {
    return tdAttributes;
  }

  /**
   * TDATTRIBUTES as a little-endian integer; see the {@code TD_ATTR_*} constants.
   *
   * @return TDATTRIBUTES as a little-endian integer; see the {@code TD_ATTR_*} constants
   */
  public long tdAttributesValue() {
    return le64(tdAttributes);
  }

  /**
   * Whether the TD is a debug TD (td_attributes bit 0).
   *
   * @return whether the TD is a debug TD (td_attributes bit 0)
   */
  public boolean isDebug() {
    return (tdAttributesValue() & TD_ATTR_DEBUG) != 0;
  }

  /**
   * XFAM (8 raw bytes).
   *
   * @return XFAM (8 raw bytes)
   */
  public Bytes xfam() {
    return xfam;
  }

  /**
   * MRTD (48 bytes): the build-time measurement of the TD.
   *
   * @return MRTD (48 bytes): the build-time measurement of the TD
   */
  public Bytes mrTd() {
    return mrTd;
  }

  /**
   * MRCONFIGID (48 bytes).
   *
   * @return MRCONFIGID (48 bytes)
   */
  public Bytes mrConfigId() {
    return mrConfigId;
  }

  /**
   * MROWNER (48 bytes).
   *
   * @return MROWNER (48 bytes)
   */
  public Bytes mrOwner() {
    return mrOwner;
  }

  /**
   * MROWNERCONFIG (48 bytes).
   *
   * @return MROWNERCONFIG (48 bytes)
   */
  public Bytes mrOwnerConfig() {
    return mrOwnerConfig;
  }

  /**
   * RTMR {@code index} (48 bytes).
   *
   * @param index 0..3
   * @return RTMR {@code index} (48 bytes)
   */
  public Bytes rtmr(int index) {
    if (index < 0 || index > 3) {
      throw new IllegalArgumentException("RTMR index must be 0..3, got " + index);
    }
    return rtmrs[index];
  }

  /**
   * RTMR0..RTMR3 as a value.
   *
   * @return RTMR0..RTMR3 as a value
   */
  public Rtmrs rtmrs() {
    return Rtmrs.of(rtmrs[0], rtmrs[1], rtmrs[2], rtmrs[3]);
  }

  /**
   * REPORTDATA (64 bytes), chosen by the TD.
   *
   * @return REPORTDATA (64 bytes), chosen by the TD
   */
  public Bytes reportData() {
    return reportData;
  }

  /**
   * TEE_TCB_SVN2 (16 bytes), TD 1.5 only; not used for TCB matching.
   *
   * @return TEE_TCB_SVN2 (16 bytes), TD 1.5 only; not used for TCB matching
   */
  public Optional<Bytes> teeTcbSvn2() {
    return Optional.ofNullable(teeTcbSvn2);
  }

  /**
   * MRSERVICETD (48 bytes), TD 1.5 only.
   *
   * @return MRSERVICETD (48 bytes), TD 1.5 only
   */
  public Optional<Bytes> mrServiceTd() {
    return Optional.ofNullable(mrServiceTd);
  }

  private static long le64(Bytes b) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b.get(i) & 0xff);
    }
    return v;
  }

  @Override
  public String toString() {
    return "TdReport[" + (td15 ? "TD1.5" : "TD1.0") + ", mr_td=" + mrTd + ", report_data="
        + reportData + "]";
  }
}
