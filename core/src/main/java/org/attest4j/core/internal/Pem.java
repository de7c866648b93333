package org.attest4j.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The one PEM writer of attest4j: RFC 7468 text with 64-column base64 lines and a trailing
 * newline. Reading PEM stays with Bouncy Castle's {@code PemReader} where a module has it.
 * Stateless and thread-safe; internal.
 */
public final class Pem {
  private static final Base64.Encoder MIME =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private Pem() {}

  /**
   * Encodes DER bytes under a label.
   *
   * @param label the label, such as {@code CERTIFICATE} or {@code PRIVATE KEY}
   * @param der the DER bytes
   * @return the PEM text
   */
  public static String encode(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n" + MIME.encodeToString(der) + "\n-----END " + label
        + "-----\n";
  }

  /**
   * Encodes a certificate.
   *
   * @param der the certificate's DER
   * @return {@code -----BEGIN CERTIFICATE-----} text
   */
  public static String certificate(byte[] der) {
    return encode("CERTIFICATE", der);
  }
}
