package org.attest4j.ratls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.core.ReasonCode;

/**
 * The outcome of {@link RatlsVerifier#verify(byte[])}: accepted, or rejected at a named {@link
 * RatlsVerifier.Stage} with a reason and a message; the attestation when it could be read, where it
 * came from, the report_data the certificate key requires, the offline checks that ran and whether
 * the vendor signatures were checked. Immutable and thread-safe.
 */
public final class RatlsVerdict {
  private final boolean accepted;
  private final RatlsVerifier.Stage stage;
  private final ReasonCode reason;
  private final String message;
  private final VersionedAttestation attestation;
  private final String source;
  private final Bytes expectedReportData;
  private final List<String> checks;
  private final boolean vendorChecked;

  RatlsVerdict(
      boolean accepted, RatlsVerifier.Stage stage, ReasonCode reason, String message,
      VersionedAttestation attestation, String source, Bytes expectedReportData,
      List<String> checks, boolean vendorChecked) {
    this.accepted = accepted;
    this.stage = stage;
    this.reason = reason;
    this.message = message;
    this.attestation = attestation;
    this.source = source;
    this.expectedReportData = expectedReportData;
    this.checks = List.copyOf(checks);
    this.vendorChecked = vendorChecked;
  }

  /**
   * Whether every stage of the mode passed.
   *
   * @return true when accepted
   */
  public boolean accepted() {
    return accepted;
  }

  /**
   * The first stage that failed.
   *
   * @return the stage, empty when accepted
   */
  public Optional<RatlsVerifier.Stage> rejectStage() {
    return Optional.ofNullable(stage);
  }

  /**
   * The reason of the refusal.
   *
   * @return the reason, empty when accepted
   */
  public Optional<ReasonCode> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * What failed, in words a user can act on.
   *
   * @return the message, empty when accepted
   */
  public Optional<String> message() {
    return Optional.ofNullable(message);
  }

  /**
   * The attestation the certificate carries, when it could be decoded (even if a later stage
   * failed: use it only when {@link #accepted()}).
   *
   * @return the attestation
   */
  public Optional<VersionedAttestation> attestation() {
    return Optional.ofNullable(attestation);
  }

  /**
   * Where the attestation came from.
   *
   * @return {@code "oid-1.8"} or {@code "legacy-oid-1.1+1.2"}, empty when none was read
   */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /**
   * SHA-512("ratls-cert:" ‖ SPKI) of the certificate.
   *
   * @return the report_data the certificate key requires, empty when the certificate was unreadable
   */
  public Optional<Bytes> expectedReportData() {
    return Optional.ofNullable(expectedReportData);
  }

  /**
   * The offline evidence checks that passed, by name.
   *
   * @return check names
   */
  public List<String> checks() {
    return checks;
  }

  /**
   * Whether a {@link PlatformVerifier} checked the vendor signatures.
   *
   * @return false in offline verification
   */
  public boolean vendorChecked() {
    return vendorChecked;
  }

  @Override
  public String toString() {
    return accepted
        ? "RatlsVerdict[accept" + (vendorChecked ? "" : ", vendor signatures not checked") + "]"
        : "RatlsVerdict[reject at " + stage.label() + ": " + message + "]";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RatlsVerdict)) {
      return false;
    }
    RatlsVerdict v = (RatlsVerdict) o;
    return accepted == v.accepted && stage == v.stage && Objects.equals(message, v.message)
        && Objects.equals(attestation, v.attestation) && vendorChecked == v.vendorChecked;
  }

  @Override
  public int hashCode() {
    return Objects.hash(accepted, stage, message, vendorChecked);
  }
}
