package org.attest4j.ratls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * The report_data that binds an RA-TLS certificate's key (spec dstack-ratls §2.5): {@code
 * SHA-512("ratls-cert" ‖ ":" ‖ SPKI DER)}, where the SPKI is taken exactly as it appears in the
 * certificate. Stateless and thread-safe.
 */
public final class RatlsReportData {
  /** The content tag of RA-TLS certificates. */
  public static final String RATLS_CERT_TAG = "ratls-cert";

  private RatlsReportData() {}

  /**
   * The 64-byte report_data for a certificate key.
   *
   * @param spkiDer the SubjectPublicKeyInfo DER of the certificate's key
   * @return SHA-512("ratls-cert:" ‖ spkiDer)
   */
  public static Bytes forCertificateKey(byte[] spkiDer) {
    Objects.requireNonNull(spkiDer, "spkiDer");
    return tagged(RATLS_CERT_TAG, spkiDer);
  }

  /**
   * dstack's general form with SHA-512: {@code SHA-512(tag ‖ ":" ‖ content)} (64 bytes, so no
   * padding). Tags in use: {@code ratls-cert}, {@code app-data}, {@code kms-root-ca}.
   *
   * @param tag the content tag (no colon)
   * @param content the content
   * @return the 64-byte report_data
   */
  public static Bytes tagged(String tag, byte[] content) {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(content, "content");
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-512");
      md.update(tag.getBytes(StandardCharsets.UTF_8));
      md.update((byte) ':');
      return Bytes.of(md.digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-512", e);
    }
  }
}
