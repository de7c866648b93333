package org.attest4j.ratls;

import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * A vTPM quote carried next to a TDX quote (GCP) in dstack's attestation: the TPMS_ATTEST message,
 * its signature, the quoted PCR values, the attestation key's certificate and the PCR event log.
 * Immutable and thread-safe.
 *
 * @param message the TPMS_ATTEST bytes
 * @param signature the TPMT_SIGNATURE bytes
 * @param pcrValues the PCR values
 * @param akCert the attestation key certificate (DER)
 * @param platform which vTPM produced it
 * @param eventLog the PCR event log
 */
public record TpmQuote(
    Bytes message,
    Bytes signature,
    List<PcrValue> pcrValues,
    Bytes akCert,
    Platform platform,
    List<PcrEvent> eventLog) {

  /**
   * Copies the lists.
   *
   * @param message TPMS_ATTEST
   * @param signature TPMT_SIGNATURE
   * @param pcrValues PCR values
   * @param akCert AK certificate
   * @param platform vTPM platform
   * @param eventLog event log
   */
  public TpmQuote {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    pcrValues = List.copyOf(pcrValues);
    Objects.requireNonNull(akCert, "akCert");
    Objects.requireNonNull(platform, "platform");
    eventLog = List.copyOf(eventLog);
  }

  /** The vTPM platforms dstack names (serde names in {@link #wireName()}). */
  public enum Platform {
    /** dstack's own vTPM. */
    DSTACK("dstack"),
    /** Google Cloud's vTPM. */
    GCP("gcp"),
    /** AWS Nitro Enclaves. */
    NITRO_ENCLAVE("nitroenclave"),
    /** AWS EC2 NitroTPM. */
    AWS_EC2("aws-ec2");

    private final String wireName;

    Platform(String wireName) {
      this.wireName = wireName;
    }

    /**
     * The name in the V1 encoding.
     *
     * @return the serde name
     */
    public String wireName() {
      return wireName;
    }
  }

  /**
   * One quoted PCR.
   *
   * @param index the PCR index (unsigned 32-bit)
   * @param algorithm the bank, for example {@code "sha256"}
   * @param value the PCR value
   */
  public record PcrValue(long index, String algorithm, Bytes value) {
    /**
     * Checks the components.
     *
     * @param index PCR index
     * @param algorithm bank name
     * @param value value
     */
    public PcrValue {
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * One PCR event-log entry.
   *
   * @param pcrIndex the PCR index (unsigned 32-bit)
   * @param digest the extended digest
   */
  public record PcrEvent(long pcrIndex, Bytes digest) {
    /**
     * Checks the components.
     *
     * @param pcrIndex PCR index
     * @param digest digest
     */
    public PcrEvent {
      Objects.requireNonNull(digest, "digest");
    }
  }
}
