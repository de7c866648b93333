package org.attest4j.azure.tpm;

import java.util.ArrayList;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.internal.ByteReader;

/**
 * A TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (TPM 2.0 Part 2, 10.12.8), the message a TPM2_Quote
 * signs. Big-endian. Parsing refuses a wrong magic, any other attestation type, an unknown PCR bank,
 * and trailing bytes. Immutable and thread-safe.
 */
public final class TpmsAttest {
  /** TPM_GENERATED_VALUE, "\xffTCG". */
  public static final long TPM_GENERATED_VALUE = 0xFF544347L;
  /** TPM_ST_ATTEST_QUOTE. */
  public static final int TPM_ST_ATTEST_QUOTE = 0x8018;
  /** The largest extraData a TPM accepts (TPM2B_DATA, sizeof(TPMT_HA)). */
  public static final int MAX_EXTRA_DATA = 64;

  private final Bytes encoded;
  private final Bytes qualifiedSigner;
  private final Bytes extraData;
  private final long clock;
  private final long resetCount;
  private final long restartCount;
  private final boolean safe;
  private final long firmwareVersion;
  private final List<PcrSelection> pcrSelections;
  private final Bytes pcrDigest;

  private TpmsAttest(byte[] raw, ByteReader r) throws MalformedEvidenceException {
    this.encoded = Bytes.of(raw);
    long magic = r.u32be("magic");
    if (magic != TPM_GENERATED_VALUE) {
      throw Tpm2b.bad("TPMS_ATTEST magic is 0x" + Long.toHexString(magic) + ", not TPM_GENERATED_VALUE 0xff544347");
    }
    int type = r.u16be("type");
    if (type != TPM_ST_ATTEST_QUOTE) {
      throw Tpm2b.bad("TPMS_ATTEST type is 0x" + Integer.toHexString(type)
          + ", not TPM_ST_ATTEST_QUOTE 0x8018: this is not a TPM2_Quote");
    }
    this.qualifiedSigner = Bytes.of(Tpm2b.read(r, "qualifiedSigner", 2 + 64));
    this.extraData = Bytes.of(Tpm2b.read(r, "extraData", MAX_EXTRA_DATA));
    this.clock = r.u64be("clockInfo.clock");
    this.resetCount = r.u32be("clockInfo.resetCount");
    this.restartCount = r.u32be("clockInfo.restartCount");
    int s = r.u8("clockInfo.safe");
    if (s > 1) {
      throw Tpm2b.bad("clockInfo.safe is " + s + ", not 0 or 1");
    }
    this.safe = s == 1;
    this.firmwareVersion = r.u64be("firmwareVersion");
    long count = r.u32be("pcrSelect.count");
    if (count > 16) {
      throw Tpm2b.bad("pcrSelect.count is " + count + "; a TPM has at most 16 PCR banks");
    }
    List<PcrSelection> sel = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int alg = r.u16be("pcrSelections[" + i + "].hash");
      TpmHash bank = TpmHash.fromAlgId(alg).orElseThrow(
          () -> Tpm2b.bad("PCR bank algorithm 0x" + Integer.toHexString(alg) + " is not SHA-1/256/384/512"));
      int size = r.u8("pcrSelections[" + i + "].sizeofSelect");
      if (size > 32) {
        throw Tpm2b.bad("sizeofSelect " + size + " is larger than 32");
      }
      sel.add(PcrSelection.of(bank, r.bytes(size, "pcrSelections[" + i + "].pcrSelect")));
    }
    this.pcrSelections = List.copyOf(sel);
    this.pcrDigest = Bytes.of(Tpm2b.read(r, "pcrDigest", 64));
    Tpm2b.end(r, "TPMS_ATTEST");
  }

  /**
   * Parses a TPM2_Quote's TPMS_ATTEST.
   *
   * @param message the attestation bytes (the signed message)
   * @return the parsed structure
   * @throws MalformedEvidenceException if the bytes are not a quote ({@code tpm.attest_parse})
   */
  public static TpmsAttest parse(byte[] message) throws MalformedEvidenceException {
    MalformedEvidenceException.requirePresent(message, "TPMS_ATTEST");
    byte[] copy = message.clone();
    return new TpmsAttest(copy, ByteReader.of(copy, "TPMS_ATTEST"));
  }

  /**
   * The encoded structure (what the AK signed).
   *
   * @return the bytes
   */
  public Bytes encoded() {
    return encoded;
  }

  /**
   * qualifiedSigner: the AK's qualified name (nameAlg || digest).
   *
   * @return the TPM2B_NAME contents
   */
  public Bytes qualifiedSigner() {
    return qualifiedSigner;
  }

  /**
   * extraData: the caller's qualifying data, the verifier's nonce.
   *
   * @return up to 64 bytes
   */
  public Bytes extraData() {
    return extraData;
  }

  /**
   * clockInfo.clock, milliseconds the TPM has been powered.
   *
   * @return the clock
   */
  public long clock() {
    return clock;
  }

  /**
   * clockInfo.resetCount.
   *
   * @return TPM resets since the last clear
   */
  public long resetCount() {
    return resetCount;
  }

  /**
   * clockInfo.restartCount.
   *
   * @return restarts since the last reset
   */
  public long restartCount() {
    return restartCount;
  }

  /**
   * clockInfo.safe.
   *
   * @return whether the clock value was not exposed before
   */
  public boolean safe() {
    return safe;
  }

  /**
   * firmwareVersion (vendor-specific).
   *
   * @return the 64-bit value
   */
  public long firmwareVersion() {
    return firmwareVersion;
  }

  /**
   * The quoted PCR selections in order.
   *
   * @return the selections
   */
  public List<PcrSelection> pcrSelections() {
    return pcrSelections;
  }

  /**
   * pcrDigest: the hash of the selected PCR values.
   *
   * @return the digest
   */
  public Bytes pcrDigest() {
    return pcrDigest;
  }

  @Override
  public String toString() {
    return "TpmsAttest[quote, extraData " + extraData.length() + " bytes, " + pcrSelections + ", clock " + clock + "]";
  }
}
