package org.attest4j.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Builds SEV-SNP extended-report certificate tables (GHCB 56421: 24-byte entries of GUID, u32 offset,
 * u32 length, an all-zero terminator, then the data) byte by byte, independently of the library's
 * encoder, in either GUID byte order and with DER or PEM entries, for tests that feed tables to the
 * API and the CLI. Not thread-safe; one builder per table.
 */
public final class SnpCertTableBytes {
  /** The VCEK GUID. */
  public static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");
  /** The VLEK GUID. */
  public static final UUID VLEK = UUID.fromString("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
  /** The ASK (and ASVK) GUID. */
  public static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
  /** The ARK GUID. */
  public static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");

  private final boolean mixedEndian;
  private final List<UUID> guids = new ArrayList<>();
  private final List<byte[]> data = new ArrayList<>();

  private SnpCertTableBytes(boolean mixedEndian) {
    this.mixedEndian = mixedEndian;
  }

  /** GUIDs in RFC 4122 (big-endian) order, as libuuid and configfs-tsm auxblobs write them. */
  public static SnpCertTableBytes bigEndian() {
    return new SnpCertTableBytes(false);
  }

  /** GUIDs in the mixed-endian order of the GHCB specification (first three fields little-endian). */
  public static SnpCertTableBytes mixedEndian() {
    return new SnpCertTableBytes(true);
  }

  /** Adds an entry holding {@code bytes} as given. */
  public SnpCertTableBytes add(UUID guid, byte[] bytes) {
    guids.add(guid);
    data.add(bytes.clone());
    return this;
  }

  /** Adds an entry holding the PEM text ({@code CERTIFICATE} block, 64-column base64) of {@code der}. */
  public SnpCertTableBytes addPem(UUID guid, byte[] der) {
    return add(guid, pem(der));
  }

  /** The PEM text of a DER certificate. */
  public static byte[] pem(byte[] der) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return ("-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Every PEM CERTIFICATE block in {@code pem}, decoded, in order (to split a KDS cert_chain). */
  public static List<byte[]> pemBlocks(byte[] pem) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (true) {
      int b = text.indexOf("-----BEGIN CERTIFICATE-----", pos);
      if (b < 0) {
        return out;
      }
      int e = text.indexOf("-----END CERTIFICATE-----", b);
      out.add(Base64.getMimeDecoder().decode(text.substring(b + 27, e).strip()));
      pos = e + 25;
    }
  }

  /** The table bytes. */
  public byte[] build() {
    int header = (guids.size() + 1) * 24;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int off = header;
    for (int i = 0; i < guids.size(); i++) {
      ByteBuffer b = ByteBuffer.allocate(24);
      UUID g = guids.get(i);
      long m = g.getMostSignificantBits();
      if (mixedEndian) {
        b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (m >>> 32)).putShort((short) (m >>> 16)).putShort((short) m);
        b.order(ByteOrder.BIG_ENDIAN).putLong(g.getLeastSignificantBits());
      } else {
        b.putLong(m).putLong(g.getLeastSignificantBits());
      }
      b.order(ByteOrder.LITTLE_ENDIAN).putInt(off).putInt(data.get(i).length);
      out.writeBytes(b.array());
      off += data.get(i).length;
    }
    out.writeBytes(new byte[24]);
    for (byte[] d : data) {
      out.writeBytes(d);
    }
    return out.toByteArray();
  }
}
