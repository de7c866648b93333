package org.attest4j.tdx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * A TDX CCEL event log: the TCG PC Client crypto-agile log that TDVF (and the kernel) write into the
 * ACPI "CCEL" log area, replayable into RTMR0..RTMR3. The first event is the legacy Spec ID event
 * (TCG_EfiSpecIdEvent, "Spec ID Event03"); every further TCG_PCR_EVENT2 carries CC MR index 1..4
 * and a SHA-384 digest. The log ends at the end of the data or at an all-ones header (the unused
 * area is 0xFF-filled).
 *
 * <p>Replay extends the <em>recorded</em> digests (firmware digests are hashes of memory, not of
 * the event data); the result is only meaningful after comparison with a verified quote ({@link
 * Rtmrs#requireMatches(TdReport)}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CcelEventLog {
  /** TCG algorithm id of SHA-384. */
  public static final int TPM_ALG_SHA384 = 0x000C;

  private static final int MAX_EVENTS = 100_000;

  private final List<CcelEvent> events;
  private final int endOffset;
  private final AcpiTable table;

  private CcelEventLog(List<CcelEvent> events, int endOffset, AcpiTable table) {
    this.events = List.copyOf(events);
    this.endOffset = endOffset;
    this.table = table;
  }

  /**
   * The ACPI "CCEL" table (56 bytes): header, CC type (2 = TDX), subtype, log area length (LAML)
   * and start address (LASA).
   *
   * <p>Instances are immutable and thread-safe.
   */
  public static final class AcpiTable {
    private final int ccType;
    private final int ccSubtype;
    private final long logAreaLength;
    private final long logAreaAddress;
    private final int revision;

    private AcpiTable(int revision, int ccType, int ccSubtype, long laml, long lasa) {
      this.revision = revision;
      this.ccType = ccType;
      this.ccSubtype = ccSubtype;
      this.logAreaLength = laml;
      this.logAreaAddress = lasa;
    }

    /**
     * Parses the table: signature "CCEL", length 56, a valid checksum and CC type 2 (TDX).
     *
     * @param table the ACPI CCEL table (or null)
     * @return the parsed value
     * @throws MalformedEvidenceException with {@link TdxReason#EVENT_LOG_MALFORMED}
     */
    public static AcpiTable parse(byte[] table) throws MalformedEvidenceException {
      Objects.requireNonNull(table, "table");
      try {
        if (table.length < 56) {
          throw bad("CCEL ACPI table is " + table.length + " bytes, expected 56");
        }
        if (!new String(table, 0, 4, StandardCharsets.US_ASCII).equals("CCEL")) {
          throw bad("ACPI table signature is not CCEL");
        }
        ByteReader r = ByteReader.of(table, "CCEL ACPI table");
        r.skip(4, "signature");
        long len = r.u32("length");
        if (len != 56 || table.length != 56) {
          throw bad("CCEL ACPI table length field is " + len + " (file " + table.length + "), expected 56");
        }
        int sum = 0;
        for (byte b : table) {
          sum += b & 0xff;
        }
        if ((sum & 0xff) != 0) {
          throw bad("CCEL ACPI table checksum does not add up to zero");
        }
        int revision = r.u8("revision");
        r.skip(1 + 6 + 8 + 4 + 4 + 4, "header");
        int ccType = r.u8("cc_type");
        int sub = r.u8("cc_subtype");
        r.skip(2, "reserved");
        long laml = r.u64("laml");
        long lasa = r.u64("lasa");
        if (ccType != 2) {
          throw bad("CCEL cc_type is " + ccType + ", expected 2 (TDX)");
        }
        if (laml <= 0 || laml > (1L << 30)) {
          throw bad("CCEL log area length " + Long.toUnsignedString(laml) + " is out of range");
        }
        return new AcpiTable(revision, ccType, sub, laml, lasa);
      } catch (MalformedEvidenceException e) {
        throw e.reason() == TdxReason.EVENT_LOG_MALFORMED ? e : bad(e.getMessage());
      }
    }

    /**
     * ACPI table revision.
     *
     * @return ACPI table revision
     */
    public int revision() {
      return revision;
    }

    /**
     * CC type (2 = TDX).
     *
     * @return CC type (2 = TDX)
     */
    public int ccType() {
      return ccType;
    }

    /**
     * CC subtype.
     *
     * @return CC subtype
     */
    public int ccSubtype() {
      return ccSubtype;
    }

    /**
     * Log area minimum length (LAML).
     *
     * @return log area minimum length (LAML)
     */
    public long logAreaLength() {
      return logAreaLength;
    }

    /**
     * Log area start address (LASA).
     *
     * @return log area start address (LASA)
     */
    public long logAreaAddress() {
      return logAreaAddress;
    }

    @Override
    public String toString() {
      return String.format("CcelAcpiTable[cc_type=%d, laml=%d, lasa=0x%x]", ccType, logAreaLength, logAreaAddress);
    }
  }

  /**
   * Parses a CCEL log area (without the ACPI table).
   *
   * @param logArea the CCEL log area bytes
   * @return the parsed value
   * @throws MalformedEvidenceException with {@link TdxReason#EVENT_LOG_MALFORMED}
   */
  public static CcelEventLog parse(byte[] logArea) throws MalformedEvidenceException {
    return parse(logArea, null);
  }

  /**
   * Parses a CCEL log area with its ACPI table; the log must lie within the table's LAML.
   *
   * @param acpiTable the 56-byte ACPI CCEL table, or null
   * @param logArea the CCEL log area bytes
   * @return the parsed value
   * @throws MalformedEvidenceException with {@link TdxReason#EVENT_LOG_MALFORMED}
   */
  public static CcelEventLog parse(byte[] logArea, byte[] acpiTable) throws MalformedEvidenceException {
    org.attest4j.core.MalformedEvidenceException.requirePresent(logArea, "logArea");
    AcpiTable table = acpiTable == null ? null : AcpiTable.parse(acpiTable);
    int limit = logArea.length;
    if (table != null && table.logAreaLength < limit) {
      limit = (int) table.logAreaLength;
    }
    try {
      return parseArea(logArea, limit, table);
    } catch (MalformedEvidenceException e) {
      throw e.reason() == TdxReason.EVENT_LOG_MALFORMED ? e : bad(e.getMessage());
    } catch (RuntimeException e) {
      throw bad("malformed CCEL log: " + e);
    }
  }

  private static CcelEventLog parseArea(byte[] d, int limit, AcpiTable table)
      throws MalformedEvidenceException {
    ByteReader r = ByteReader.of(d, 0, limit, "CCEL log");
    // Legacy Spec ID event.
    long mr0 = r.u32("specid.mr_index");
    long type0 = r.u32("specid.event_type");
    if (type0 != CcelEvent.EV_NO_ACTION) {
      throw bad("first CCEL event is type 0x" + Long.toHexString(type0) + ", expected EV_NO_ACTION Spec ID event");
    }
    r.skip(20, "specid.digest");
    int specSize = r.u32AsInt("specid.event_size");
    byte[] spec = r.bytes(specSize, "specid.event");
    ByteReader s = ByteReader.of(spec, "Spec ID event");
    byte[] sig = s.bytes(16, "signature");
    if (!new String(sig, StandardCharsets.US_ASCII).equals("Spec ID Event03\0")) {
      throw bad("first CCEL event is not a 'Spec ID Event03' event");
    }
    s.u32("platform_class");
    s.u8("spec_version_minor");
    int major = s.u8("spec_version_major");
    if (major != 2) {
      throw bad("Spec ID event version major " + major + ", expected 2 (crypto agile)");
    }
    s.u8("errata");
    int uintn = s.u8("uintn_size");
    long numAlgs = s.u32("number_of_algorithms");
    if (numAlgs < 1 || numAlgs > 16) {
      throw bad("Spec ID event lists " + numAlgs + " algorithms");
    }
    int[] algIds = new int[(int) numAlgs];
    int[] algSizes = new int[(int) numAlgs];
    boolean sha384 = false;
    for (int i = 0; i < numAlgs; i++) {
      algIds[i] = s.u16("algorithm_id");
      algSizes[i] = s.u16("digest_size");
      if (algSizes[i] == 0 || algSizes[i] > 64) {
        throw bad("Spec ID event digest size " + algSizes[i] + " for algorithm 0x" + Integer.toHexString(algIds[i]));
      }
      if (algIds[i] == TPM_ALG_SHA384) {
        if (algSizes[i] != 48) {
          throw bad("Spec ID event gives SHA-384 size " + algSizes[i]);
        }
        sha384 = true;
      }
    }
    if (!sha384) {
      throw bad("CCEL log has no SHA-384 digests");
    }
    int vendor = s.u8("vendor_info_size");
    s.skip(vendor, "vendor_info");
    if (uintn != 1 && uintn != 2) {
      throw bad("Spec ID event uintn_size " + uintn + " is not 1 or 2");
    }
    if (mr0 != 0 && mr0 != 1) {
      throw bad("Spec ID event MR index " + mr0);
    }

    List<CcelEvent> events = new ArrayList<>();
    while (r.remaining() > 0) {
      if (r.remaining() < 8) {
        if (allOnes(d, r.position(), limit)) {
          break;
        }
        throw bad("CCEL log ends inside an event header at offset " + r.position());
      }
      int start = r.position();
      long mr = r.u32("mr_index");
      long type = r.u32("event_type");
      if (mr == 0xFFFFFFFFL || type == 0xFFFFFFFFL) {
        r.seek(start, "end");
        break;
      }
      if (events.size() >= MAX_EVENTS) {
        throw bad("CCEL log has more than " + MAX_EVENTS + " events");
      }
      long count = r.u32("digest_count");
      if (count < 1 || count > numAlgs) {
        throw bad("event at offset " + start + " has " + count + " digests");
      }
      byte[] digest384 = null;
      for (long i = 0; i < count; i++) {
        int alg = r.u16("digest.algorithm_id");
        int size = -1;
        for (int k = 0; k < algIds.length; k++) {
          if (algIds[k] == alg) {
            size = algSizes[k];
          }
        }
        if (size < 0) {
          throw bad("event at offset " + start + " uses algorithm 0x" + Integer.toHexString(alg)
              + " not declared in the Spec ID event");
        }
        byte[] dg = r.bytes(size, "digest");
        if (alg == TPM_ALG_SHA384) {
          digest384 = dg;
        }
      }
      int size = r.u32AsInt("event_size");
      byte[] data = r.bytes(size, "event");
      if (type != CcelEvent.EV_NO_ACTION && (mr < 1 || mr > 4)) {
        throw bad("event at offset " + start + " has CC MR index " + mr + "; expected 1..4 (RTMR0..3)");
      }
      if (digest384 == null) {
        throw bad("event at offset " + start + " has no SHA-384 digest");
      }
      events.add(new CcelEvent((int) mr, type, Bytes.of(digest384), Bytes.of(data)));
    }
    return new CcelEventLog(events, r.position(), table);
  }

  private static boolean allOnes(byte[] d, int from, int to) {
    for (int i = from; i < to; i++) {
      if (d[i] != (byte) 0xFF) {
        return false;
      }
    }
    return true;
  }

  private static MalformedEvidenceException bad(String msg) {
    return new MalformedEvidenceException(TdxReason.EVENT_LOG_MALFORMED, "CCEL: " + msg);
  }

  /**
   * The events after the Spec ID event, in log order (EV_NO_ACTION events included).
   *
   * @return the events after the Spec ID event, in log order (EV_NO_ACTION events included)
   */
  public List<CcelEvent> events() {
    return events;
  }

  /**
   * The byte offset at which the log ends (first unused byte).
   *
   * @return the byte offset at which the log ends (first unused byte)
   */
  public int endOffset() {
    return endOffset;
  }

  /**
   * The ACPI table, when one was given.
   *
   * @return the ACPI table, when one was given
   */
  public Optional<AcpiTable> acpiTable() {
    return Optional.ofNullable(table);
  }

  /**
   * Replays every event except EV_NO_ACTION into RTMR0..RTMR3, starting from zero.
   *
   * @return the replayed registers
   */
  public Rtmrs replay() {
    byte[][] mr = new byte[4][48];
    for (CcelEvent e : events) {
      if (e.eventType() == CcelEvent.EV_NO_ACTION) {
        continue;
      }
      int i = e.rtmrIndex();
      mr[i] = Rtmrs.extend(mr[i], e.sha384Digest().toByteArray());
    }
    return Rtmrs.of(Bytes.of(mr[0]), Bytes.of(mr[1]), Bytes.of(mr[2]), Bytes.of(mr[3]));
  }

  @Override
  public String toString() {
    return "CcelEventLog[" + events.size() + " events, end=" + endOffset + "]";
  }
}
