package org.attest4j.snp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.attest4j.core.CoreReason;
import org.attest4j.core.MalformedEvidenceException;

/** PEM decoding for certificates and CRLs. Stateless, thread-safe. */
final class Pem {
  private Pem() {}

  static boolean looksLikePem(byte[] data) {
    return new String(data, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
  }

  /** Every {@code -----BEGIN <label>-----} block with the given label, decoded, in order. */
  static List<byte[]> decodeAll(byte[] data, String label, String what) throws MalformedEvidenceException {
    String text = new String(data, StandardCharsets.ISO_8859_1);
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    List<byte[]> out = new ArrayList<>();
    int pos = 0;
    while (true) {
      int b = text.indexOf(begin, pos);
      if (b < 0) {
        break;
      }
      int e = text.indexOf(end, b + begin.length());
      if (e < 0) {
        throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, what + ": PEM block without " + end);
      }
      String body = text.substring(b + begin.length(), e);
      try {
        out.add(Base64.getMimeDecoder().decode(body.strip()));
      } catch (IllegalArgumentException ex) {
        throw new MalformedEvidenceException(CoreReason.BAD_ENCODING, what + ": bad base64 in PEM block: " + ex.getMessage());
      }
      pos = e + end.length();
    }
    return out;
  }

  /** DER as is, or the single PEM block of {@code label}. */
  static byte[] derOrPem(byte[] data, String label, String what) throws MalformedEvidenceException {
    if (data == null || data.length == 0) {
      throw new MalformedEvidenceException(CoreReason.MISSING_INPUT, what + " is empty");
    }
    if (!looksLikePem(data)) {
      return data.clone();
    }
    List<byte[]> blocks = decodeAll(data, label, what);
    if (blocks.size() != 1) {
      throw new MalformedEvidenceException(
          CoreReason.BAD_ENCODING, what + ": expected one PEM " + label + " block, found " + blocks.size());
    }
    return blocks.get(0);
  }
}
