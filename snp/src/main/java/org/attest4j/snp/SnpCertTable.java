package org.attest4j.snp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The extended-report certificate table (GHCB spec 56421; returned by {@code SNP_GET_EXT_REPORT} and
 * by configfs-tsm's {@code auxblob}): entries of a 16-byte GUID, a u32 offset and a u32 length,
 * terminated by an all-zero entry; offsets are relative to the table start. Known GUIDs map to
 * {@link EntryType}s. A known GUID is recognised in either byte order: RFC 4122 big-endian (as
 * libuuid, go-sev-guest, virtee and the configfs-tsm {@code auxblob} veraison captured write it) and
 * the mixed-endian order the GHCB specification describes (first three fields little-endian).
 * Entries may hold DER or PEM ({@link Entry#der()} decodes either).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SnpCertTable {
  /** What an entry holds. */
  public enum EntryType {
    /** AMD Root Key certificate, GUID c0b406a4-a803-4952-9743-3fb6014cd0ae. */
    ARK("c0b406a4-a803-4952-9743-3fb6014cd0ae"),
    /** ASK (or ASVK) certificate, GUID 4ab7b379-bbac-4fe4-a02f-05aef327c782. */
    ASK("4ab7b379-bbac-4fe4-a02f-05aef327c782"),
    /** VCEK certificate, GUID 63da758d-e664-4564-adc5-f4b93be8accd. */
    VCEK("63da758d-e664-4564-adc5-f4b93be8accd"),
    /** VLEK certificate, GUID a8074bc2-a25a-483e-aae6-39c045a0b8a1. */
    VLEK("a8074bc2-a25a-483e-aae6-39c045a0b8a1"),
    /** CRL, GUID 92f81bc3-5811-4d3d-97ff-d19f88dc67ea (as used by virtee/sev). */
    CRL("92f81bc3-5811-4d3d-97ff-d19f88dc67ea"),
    /** Any other GUID (kept, not interpreted). */
    OTHER(null);

    private final UUID guid;

    EntryType(String guid) {
      this.guid = guid == null ? null : UUID.fromString(guid);
    }

    /**
     * The GUID; null for {@link #OTHER}.
     *
     * @return the GUID; null for {@link #OTHER}
     */
    public UUID guid() {
      return guid;
    }

    static EntryType of(UUID guid) {
      for (EntryType t : values()) {
        if (guid.equals(t.guid)) {
          return t;
        }
      }
      return OTHER;
    }
  }

  /**
   * One entry.
   *
   * @param guid the GUID
   * @param type the known type, or OTHER
   * @param data the entry's bytes
   */
  public record Entry(UUID guid, EntryType type, Bytes data) {
    /**
     * Validates non-null fields.
     *
     * @param guid the guid
     * @param type the type
     * @param data the data
     */
    public Entry {
      Objects.requireNonNull(guid, "guid");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(data, "data");
    }

    /**
     * An entry of a known type with its standard GUID.
     *
     * @param type the entry type (not OTHER)
     * @param data the entry's bytes (DER or PEM)
     * @return the entry
     * @throws IllegalArgumentException if {@code type} is OTHER
     */
    public static Entry of(EntryType type, byte[] data) {
      if (type == EntryType.OTHER) {
        throw new IllegalArgumentException("OTHER entries need an explicit GUID");
      }
      return new Entry(type.guid(), type, Bytes.of(data));
    }

    /**
     * The entry as DER: a PEM entry (as in a configfs-tsm {@code auxblob}) is decoded from its single
     * {@code CERTIFICATE} (for a CRL entry {@code X509 CRL}) block; a DER entry is returned up to
     * the end of its outer element, dropping zero padding after it (hosts pad entries).
     *
     * @return the DER bytes (a fresh copy)
     * @throws MalformedEvidenceException with {@link SnpReason#MALFORMED_CERT_TABLE} if the entry is
     *     empty, holds other than exactly one PEM block of its label, or is DER followed by non-zero
     *     bytes
     */
    public byte[] der() throws MalformedEvidenceException {
      byte[] raw = data.toByteArray();
      String what = "certificate table " + (type == EntryType.OTHER ? guid.toString() : type.name()) + " entry";
      if (raw.length == 0) {
        throw new MalformedEvidenceException(SnpReason.MALFORMED_CERT_TABLE, what + " is empty");
      }
      if (Pem.looksLikePem(raw)) {
        String label = type == EntryType.CRL ? "X509 CRL" : "CERTIFICATE";
        List<byte[]> blocks = Pem.decodeAll(raw, label, what);
        if (blocks.size() != 1) {
          throw new MalformedEvidenceException(
              SnpReason.MALFORMED_CERT_TABLE,
              what + " is PEM text with " + blocks.size() + " " + label + " blocks; expected exactly one");
        }
        return blocks.get(0);
      }
      int end = Der.outerLength(raw);
      if (end < 0) {
        return raw; // not DER at all: the certificate parser names the problem
      }
      for (int i = end; i < raw.length; i++) {
        if (raw[i] != 0) {
          throw new MalformedEvidenceException(
              SnpReason.MALFORMED_CERT_TABLE,
              what + " has " + (raw.length - end) + " bytes after its " + end + "-byte DER element, not all zero");
        }
      }
      return end == raw.length ? raw : java.util.Arrays.copyOf(raw, end);
    }
  }

  private static final int ENTRY = 24;
  private final List<Entry> entries;
  private final Map<EntryType, Entry> byType;

  private SnpCertTable(List<Entry> entries) throws MalformedEvidenceException {
    this.entries = List.copyOf(entries);
    Map<EntryType, Entry> m = new EnumMap<>(EntryType.class);
    for (Entry e : entries) {
      if (e.type() != EntryType.OTHER && m.put(e.type(), e) != null) {
        throw new MalformedEvidenceException(
            SnpReason.MALFORMED_CERT_TABLE, "certificate table has two " + e.type() + " entries");
      }
    }
    this.byType = m;
  }

  /**
   * A table of the given entries (for building one, e.g. in a simulator).
   *
   * @param entries the entries
   * @return a table of the given entries (for building one, e.g
   */
  public static SnpCertTable of(List<Entry> entries) {
    try {
      return new SnpCertTable(entries);
    } catch (MalformedEvidenceException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /**
   * Parses a certificate table.
   *
   * @param table the table
   * @return the table
   * @throws MalformedEvidenceException with {@link SnpReason#MALFORMED_CERT_TABLE} if the table has
   *     no terminator, an entry points outside the buffer or into the header, or a type repeats
   */
  public static SnpCertTable parse(byte[] table) throws MalformedEvidenceException {
    if (table == null) {
      throw new MalformedEvidenceException(SnpReason.MALFORMED_CERT_TABLE, "certificate table is missing (null)");
    }
    List<long[]> raw = new ArrayList<>();
    List<UUID> guids = new ArrayList<>();
    int pos = 0;
    while (true) {
      if (pos + ENTRY > table.length) {
        throw new MalformedEvidenceException(
            SnpReason.MALFORMED_CERT_TABLE,
            "certificate table has no all-zero terminator entry within its " + table.length + " bytes");
      }
      ByteBuffer bb = ByteBuffer.wrap(table, pos, ENTRY);
      long msb = bb.getLong();
      long lsb = bb.getLong();
      long off = SnpReport.u32(table, pos + 16);
      long len = SnpReport.u32(table, pos + 20);
      pos += ENTRY;
      if (msb == 0 && lsb == 0 && off == 0 && len == 0) {
        break;
      }
      guids.add(new UUID(msb, lsb));
      raw.add(new long[] {off, len});
    }
    int header = pos;
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      long off = raw.get(i)[0];
      long len = raw.get(i)[1];
      if (off < header || off + len > table.length) {
        throw new MalformedEvidenceException(
            SnpReason.MALFORMED_CERT_TABLE,
            "certificate table entry " + i + " (" + guids.get(i) + ") spans [" + off + ", " + (off + len)
                + ") outside the data area [" + header + ", " + table.length + ")");
      }
      UUID g = guids.get(i);
      EntryType t = EntryType.of(g);
      if (t == EntryType.OTHER) {
        EntryType mixed = EntryType.of(swapMixedEndian(g));
        if (mixed != EntryType.OTHER) {
          g = mixed.guid();
          t = mixed;
        }
      }
      entries.add(new Entry(g, t, Bytes.of(table, (int) off, (int) len)));
    }
    return new SnpCertTable(entries);
  }

  private static UUID swapMixedEndian(UUID u) {
    long m = u.getMostSignificantBits();
    long a = Integer.reverseBytes((int) (m >>> 32)) & 0xffffffffL;
    long b = Short.reverseBytes((short) (m >>> 16)) & 0xffffL;
    long c = Short.reverseBytes((short) m) & 0xffffL;
    return new UUID(a << 32 | b << 16 | c, u.getLeastSignificantBits());
  }

  /**
   * Every entry in table order.
   *
   * @return every entry in table order
   */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The data of the entry of {@code type} (not OTHER).
   *
   * @param type the type
   * @return the data of the entry of {@code type} (not OTHER)
   */
  public Optional<Bytes> get(EntryType type) {
    Entry e = byType.get(type);
    return e == null ? Optional.empty() : Optional.of(e.data());
  }

  /**
   * The entry of {@code type} (not OTHER), with its GUID and encoding as found.
   *
   * @param type the entry type
   * @return the entry, or empty when the table has none
   */
  public Optional<Entry> entry(EntryType type) {
    return Optional.ofNullable(byType.get(type));
  }

  /**
   * The ARK entry.
   *
   * @return the ARK entry
   */
  public Optional<Bytes> ark() {
    return get(EntryType.ARK);
  }

  /**
   * The ASK (or ASVK) entry.
   *
   * @return the ASK (or ASVK) entry
   */
  public Optional<Bytes> ask() {
    return get(EntryType.ASK);
  }

  /**
   * The VCEK entry.
   *
   * @return the VCEK entry
   */
  public Optional<Bytes> vcek() {
    return get(EntryType.VCEK);
  }

  /**
   * The VLEK entry.
   *
   * @return the VLEK entry
   */
  public Optional<Bytes> vlek() {
    return get(EntryType.VLEK);
  }

  /**
   * The CRL entry.
   *
   * @return the CRL entry
   */
  public Optional<Bytes> crl() {
    return get(EntryType.CRL);
  }

  /**
   * The table encoding: entries, an all-zero terminator, then the data in entry order.
   *
   * @return the table encoding: entries, an all-zero terminator, then the data in entry order
   */
  public byte[] toByteArray() {
    int header = (entries.size() + 1) * ENTRY;
    int total = header;
    for (Entry e : entries) {
      total += e.data().length();
    }
    ByteBuffer bb = ByteBuffer.allocate(total);
    int off = header;
    for (Entry e : entries) {
      bb.putLong(e.guid().getMostSignificantBits()).putLong(e.guid().getLeastSignificantBits());
      bb.putInt(Integer.reverseBytes(off)).putInt(Integer.reverseBytes(e.data().length()));
      off += e.data().length();
    }
    bb.position(header);
    for (Entry e : entries) {
      bb.put(e.data().toByteArray());
    }
    return bb.array();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("SnpCertTable[");
    for (Entry e : entries) {
      sb.append(' ').append(e.type() == EntryType.OTHER ? e.guid().toString() : e.type().name())
          .append('(').append(e.data().length()).append(')');
    }
    return sb.append(" ]").toString();
  }
}
