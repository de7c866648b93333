package org.attest4j.azure.tpm;

import org.attest4j.azure.AzureReason;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/** Reading helpers for big-endian TPM 2.0 structures; stateless. */
final class Tpm2b {
  private Tpm2b() {}

  /** A TPM2B: u16 size then size bytes, at most {@code max} bytes. */
  static byte[] read(ByteReader r, String field, int max) throws MalformedEvidenceException {
    int n = r.u16be(field + ".size");
    if (n > max) {
      throw bad(field + " is " + n + " bytes, more than the " + max + " allowed");
    }
    return r.bytes(n, field);
  }

  static MalformedEvidenceException bad(String message) {
    return new MalformedEvidenceException(AzureReason.BAD_TPM_STRUCTURE, message);
  }

  static void end(ByteReader r, String what) throws MalformedEvidenceException {
    if (r.remaining() != 0) {
      throw bad(what + " has " + r.remaining() + " trailing bytes");
    }
  }

  static void u16(java.io.ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  static void u32(java.io.ByteArrayOutputStream out, long v) {
    out.write((int) (v >> 24));
    out.write((int) (v >> 16));
    out.write((int) (v >> 8));
    out.write((int) v);
  }

  static void tpm2b(java.io.ByteArrayOutputStream out, byte[] b) {
    u16(out, b.length);
    out.write(b, 0, b.length);
  }
}
