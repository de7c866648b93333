package org.attest4j.snp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.UUID;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;

class SnpCertTableTest {
  static byte[] entry(UUID g, int off, int len, boolean mixedEndian) {
    ByteBuffer b = ByteBuffer.allocate(24);
    if (mixedEndian) {
      long m = g.getMostSignificantBits();
      b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (m >>> 32)).putShort((short) (m >>> 16)).putShort((short) m);
      b.order(ByteOrder.BIG_ENDIAN).putLong(g.getLeastSignificantBits());
    } else {
      b.putLong(g.getMostSignificantBits()).putLong(g.getLeastSignificantBits());
    }
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(off).putInt(len);
    return b.array();
  }

  @Test
  void roundTripAndKnownGuids() throws Exception {
    byte[] vcek = {1, 2, 3};
    byte[] crl = {9};
    UUID other = UUID.randomUUID();
    SnpCertTable t = SnpCertTable.of(List.of(
        SnpCertTable.Entry.of(SnpCertTable.EntryType.VCEK, vcek),
        SnpCertTable.Entry.of(SnpCertTable.EntryType.CRL, crl),
        new SnpCertTable.Entry(other, SnpCertTable.EntryType.OTHER, org.attest4j.core.Bytes.of(new byte[] {7}))));
    SnpCertTable p = SnpCertTable.parse(t.toByteArray());
    assertArrayEquals(vcek, p.vcek().orElseThrow().toByteArray());
    assertArrayEquals(crl, p.crl().orElseThrow().toByteArray());
    assertEquals(3, p.entries().size());
    assertEquals(other, p.entries().get(2).guid());
    assertEquals(UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd"), p.entries().get(0).guid());
  }

  @Test
  void mixedEndianGuidIsRecognised() throws Exception {
    UUID ark = SnpCertTable.EntryType.ARK.guid();
    ByteBuffer b = ByteBuffer.allocate(48 + 2);
    b.put(entry(ark, 48, 2, true)).put(new byte[24]).put(new byte[] {5, 6});
    SnpCertTable t = SnpCertTable.parse(b.array());
    assertArrayEquals(new byte[] {5, 6}, t.ark().orElseThrow().toByteArray());
  }

  @Test
  void malformedTables() {
    UUID ask = SnpCertTable.EntryType.ASK.guid();
    // no terminator
    assertEquals(SnpReason.MALFORMED_CERT_TABLE,
        assertThrows(MalformedEvidenceException.class, () -> SnpCertTable.parse(entry(ask, 24, 0, false))).reason());
    // offset into the header
    ByteBuffer b = ByteBuffer.allocate(48 + 4);
    b.put(entry(ask, 8, 4, false)).put(new byte[24]);
    assertThrows(MalformedEvidenceException.class, () -> SnpCertTable.parse(b.array()));
    // past the end
    ByteBuffer c = ByteBuffer.allocate(48 + 4);
    c.put(entry(ask, 48, 5, false)).put(new byte[24]);
    assertThrows(MalformedEvidenceException.class, () -> SnpCertTable.parse(c.array()));
    // duplicate type
    ByteBuffer d = ByteBuffer.allocate(72 + 4);
    d.put(entry(ask, 72, 2, false)).put(entry(ask, 74, 2, false)).put(new byte[24]);
    assertThrows(MalformedEvidenceException.class, () -> SnpCertTable.parse(d.array()));
    // empty input
    assertThrows(MalformedEvidenceException.class, () -> SnpCertTable.parse(new byte[0]));
    // missing entries for a chain
    assertThrows(MalformedEvidenceException.class, () -> VcekChain.fromCertTable(SnpCertTable.of(List.of())));
  }
}
