/**
 * dstack RA-TLS attestation formats. {@link org.attest4j.ratls.VersionedAttestation} reads and writes
 * both wire formats of dstack's attestation (V0 = SCALE, V1 = MessagePack) into one immutable model,
 * {@link org.attest4j.ratls.Attestation} (the V1 schema: a {@link org.attest4j.ratls.PlatformEvidence}
 * and a {@link org.attest4j.ratls.StackEvidence}); {@link org.attest4j.ratls.RatlsReportData} computes
 * the report_data that binds an RA-TLS certificate's key. Every type here is immutable and
 * thread-safe; every decoder refuses malformed input with {@link
 * org.attest4j.core.MalformedEvidenceException} carrying a {@link org.attest4j.ratls.RatlsReason}.
 */
package org.attest4j.ratls;
