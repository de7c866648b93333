package org.attest4j.azure.tpm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.attest4j.core.Bytes;

/**
 * One TPMS_PCR_SELECTION: a PCR bank and the bitmap of its selected PCRs (bit j of byte k selects
 * PCR 8k+j). Immutable and thread-safe.
 */
public final class PcrSelection {
  private final TpmHash bank;
  private final Bytes bitmap;

  private PcrSelection(TpmHash bank, Bytes bitmap) {
    this.bank = bank;
    this.bitmap = bitmap;
  }

  /**
   * A selection from its bank and bitmap.
   *
   * @param bank the PCR bank's hash algorithm
   * @param bitmap pcrSelect, sizeofSelect bytes
   * @return the selection
   */
  public static PcrSelection of(TpmHash bank, byte[] bitmap) {
    return new PcrSelection(Objects.requireNonNull(bank, "bank"), Bytes.of(bitmap));
  }

  /**
   * A selection of the given PCRs in a 3-byte bitmap (PCR 0..23).
   *
   * @param bank the PCR bank
   * @param pcrs PCR indices, each 0..23
   * @return the selection
   */
  public static PcrSelection ofPcrs(TpmHash bank, int... pcrs) {
    byte[] map = new byte[3];
    for (int p : pcrs) {
      if (p < 0 || p >= 24) {
        throw new IllegalArgumentException("PCR index " + p + " is outside 0..23");
      }
      map[p / 8] |= (byte) (1 << (p % 8));
    }
    return of(bank, map);
  }

  /**
   * The PCR bank.
   *
   * @return its hash algorithm
   */
  public TpmHash bank() {
    return bank;
  }

  /**
   * The pcrSelect bitmap.
   *
   * @return sizeofSelect bytes
   */
  public Bytes bitmap() {
    return bitmap;
  }

  /**
   * The selected PCR indices, ascending.
   *
   * @return the indices
   */
  public List<Integer> pcrs() {
    List<Integer> out = new ArrayList<>();
    for (int k = 0; k < bitmap.length(); k++) {
      for (int j = 0; j < 8; j++) {
        if ((bitmap.get(k) >> j & 1) != 0) {
          out.add(8 * k + j);
        }
      }
    }
    return out;
  }

  byte[] encode() {
    byte[] out = new byte[3 + bitmap.length()];
    out[0] = (byte) (bank.algId() >> 8);
    out[1] = (byte) bank.algId();
    out[2] = (byte) bitmap.length();
    System.arraycopy(bitmap.toByteArray(), 0, out, 3, bitmap.length());
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PcrSelection && ((PcrSelection) o).bank == bank && ((PcrSelection) o).bitmap.equals(bitmap);
  }

  @Override
  public int hashCode() {
    return bank.hashCode() * 31 + bitmap.hashCode();
  }

  @Override
  public String toString() {
    return bank + ":" + pcrs();
  }
}
