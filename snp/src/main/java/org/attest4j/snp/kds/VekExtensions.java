package org.attest4j.snp.kds;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import org.attest4j.core.ConstantTime;
import org.attest4j.snp.Product;
import org.attest4j.snp.TcbVersion;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;

/**
 * Checks that a VCEK or VLEK fetched for a given hwID and TCB really is that certificate, using
 * AMD's extensions (1.3.6.1.4.1.3704.1.x). A server (or cache file) answering with another chip's or
 * another TCB's certificate is refused before anything is cached. Stateless.
 */
final class VekExtensions {
  private static final String ARC = "1.3.6.1.4.1.3704.1.";
  static final String BL = ARC + "3.1";
  static final String TEE = ARC + "3.2";
  static final String SNP = ARC + "3.3";
  static final String UCODE = ARC + "3.8";
  static final String FMC = ARC + "3.9";
  static final String HWID = ARC + "4";

  private VekExtensions() {}

  /** Null when the certificate matches, else what differs. */
  static String mismatch(X509Certificate c, Product product, byte[] hwId, TcbVersion tcb) {
    StringBuilder sb = new StringBuilder();
    spl(c, BL, "blSPL", tcb.bootloader(), sb);
    spl(c, TEE, "teeSPL", tcb.tee(), sb);
    spl(c, SNP, "snpSPL", tcb.snp(), sb);
    spl(c, UCODE, "ucodeSPL", tcb.microcode(), sb);
    if (product.hasFmc()) {
      spl(c, FMC, "fmcSPL", tcb.fmc().orElse(-1), sb);
    }
    if (hwId != null) {
      byte[] actual = hwId(c);
      if (actual == null || !ConstantTime.equals(actual, hwId)) {
        sb.append("hwID ")
            .append(actual == null ? "missing" : HexFormat.of().formatHex(actual))
            .append(" != requested ")
            .append(HexFormat.of().formatHex(hwId))
            .append("; ");
      }
    }
    return sb.length() == 0 ? null : sb.substring(0, sb.length() - 2);
  }

  private static void spl(X509Certificate c, String oid, String name, int expected, StringBuilder sb) {
    Integer actual = integer(c, oid);
    if (actual == null || actual != expected) {
      sb.append(name).append(' ').append(actual == null ? "missing" : actual.toString())
          .append(" != requested ").append(expected).append("; ");
    }
  }

  static Integer integer(X509Certificate c, String oid) {
    byte[] ext = c.getExtensionValue(oid);
    if (ext == null) {
      return null;
    }
    try {
      byte[] inner = ASN1OctetString.getInstance(ext).getOctets();
      ASN1Primitive p = ASN1Primitive.fromByteArray(inner);
      if (!(p instanceof ASN1Integer)) {
        return null;
      }
      return ((ASN1Integer) p).intValueExact();
    } catch (Exception e) {
      return null;
    }
  }

  /** The hwID extension: raw bytes, or an OCTET STRING-wrapped form. */
  static byte[] hwId(X509Certificate c) {
    byte[] ext = c.getExtensionValue(HWID);
    if (ext == null) {
      return null;
    }
    try {
      byte[] inner = ASN1OctetString.getInstance(ext).getOctets();
      if ((inner.length == 64 || inner.length == 8)) {
        return inner;
      }
      ASN1Primitive p = ASN1Primitive.fromByteArray(inner);
      if (p instanceof ASN1OctetString) {
        return ((ASN1OctetString) p).getOctets();
      }
      return Arrays.copyOf(inner, inner.length);
    } catch (Exception e) {
      return null;
    }
  }
}
