package org.attest4j.azure.tpm;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Objects;
import org.attest4j.azure.AzureReason;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;

/**
 * PCR arithmetic: the quote's pcrDigest over selected PCR values, and extend / replay. Stateless and
 * thread-safe.
 */
public final class Pcrs {
  private Pcrs() {}

  /**
   * The pcrDigest a quote over {@code selections} must carry: {@code hash} over the concatenation of
   * the selected values, walking the selections in order and PCR numbers ascending within each.
   * {@code hash} is the signing scheme's hash, not the banks'.
   *
   * @param selections the quoted selections
   * @param values one value per selected PCR, in that order, each of its bank's size
   * @param hash the signature scheme's hash
   * @return the digest
   * @throws MalformedEvidenceException if the number or sizes of the values do not fit the selections
   */
  public static Bytes digest(List<PcrSelection> selections, List<Bytes> values, TpmHash hash)
      throws MalformedEvidenceException {
    Objects.requireNonNull(hash, "hash");
    MalformedEvidenceException.requirePresent(values, "PCR values");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int i = 0;
    for (PcrSelection sel : selections) {
      for (int pcr : sel.pcrs()) {
        if (i >= values.size()) {
          throw new MalformedEvidenceException(AzureReason.PCR_DIGEST_MISMATCH,
              "the quote selects more PCRs than the " + values.size() + " values supplied");
        }
        Bytes v = MalformedEvidenceException.requirePresent(values.get(i++), "PCR value");
        if (v.length() != sel.bank().size()) {
          throw new MalformedEvidenceException(AzureReason.PCR_DIGEST_MISMATCH,
              "value for " + sel.bank() + " PCR " + pcr + " is " + v.length() + " bytes, not " + sel.bank().size());
        }
        all.writeBytes(v.toByteArray());
      }
    }
    if (i != values.size()) {
      throw new MalformedEvidenceException(AzureReason.PCR_DIGEST_MISMATCH,
          values.size() + " PCR values supplied but the quote selects " + i);
    }
    return Bytes.of(hash.digest(all.toByteArray()));
  }

  /**
   * One PCR extend: H(pcr || digest).
   *
   * @param bank the PCR bank
   * @param pcr the current value
   * @param digest the measurement's digest
   * @return the new value
   */
  public static Bytes extend(TpmHash bank, Bytes pcr, Bytes digest) {
    if (pcr.length() != bank.size() || digest.length() != bank.size()) {
      throw new IllegalArgumentException(bank + " PCR values and digests are " + bank.size() + " bytes");
    }
    return Bytes.of(bank.digest(pcr.toByteArray(), digest.toByteArray()));
  }

  /**
   * Replays measurements from the reset value (all zero).
   *
   * @param bank the PCR bank
   * @param digests the measurements in order
   * @return the PCR value after extending them all
   */
  public static Bytes replay(TpmHash bank, List<Bytes> digests) {
    Bytes v = Bytes.of(new byte[bank.size()]);
    for (Bytes d : digests) {
      v = extend(bank, v, d);
    }
    return v;
  }
}
