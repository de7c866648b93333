package org.attest4j.snp;

import java.util.Locale;
import java.util.Optional;

/**
 * The AMD EPYC product lines SEV-SNP evidence comes from, as AMD's Key Distribution Service (KDS)
 * names them. Siena and Bergamo parts use the Genoa certificates and are reported as {@link #GENOA}.
 *
 * <p>The product decides the TCB_VERSION layout ({@link #hasFmc()}) and the VCEK hwID length ({@link
 * #hwIdLength()}). Enum constants are immutable and thread-safe.
 */
public enum Product {
  /** EPYC 7003 (Zen 3). */
  MILAN("Milan", false, 64),
  /** EPYC 9004/8004/97x4 (Zen 4: Genoa, Siena, Bergamo). */
  GENOA("Genoa", false, 64),
  /** EPYC 9005 (Zen 5). TCB has an FMC component; the VCEK hwID is 8 bytes. */
  TURIN("Turin", true, 8);

  private final String kdsName;
  private final boolean fmc;
  private final int hwIdLength;

  Product(String kdsName, boolean fmc, int hwIdLength) {
    this.kdsName = kdsName;
    this.fmc = fmc;
    this.hwIdLength = hwIdLength;
  }

  /**
   * The name the KDS uses in URLs and certificate CNs: {@code Milan}, {@code Genoa}, {@code Turin}.
   *
   * @return the name the KDS uses in URLs and certificate CNs: {@code Milan}, {@code Genoa}, {@code Turin}
   */
  public String kdsName() {
    return kdsName;
  }

  /**
   * Whether TCB_VERSION has an FMC SPL (Turin layout) rather than the Milan/Genoa layout.
   *
   * @return whether TCB_VERSION has an FMC SPL (Turin layout) rather than the Milan/Genoa layout
   */
  public boolean hasFmc() {
    return fmc;
  }

  /**
   * Length in bytes of the VCEK hwID extension: 64 on Milan/Genoa, 8 on Turin.
   *
   * @return length in bytes of the VCEK hwID extension: 64 on Milan/Genoa, 8 on Turin
   */
  public int hwIdLength() {
    return hwIdLength;
  }

  /**
   * The product named by a KDS or certificate name: case-insensitive, the text before the first
   * {@code '-'} ({@code "Milan-B0"} is Milan); {@code Siena} and {@code Bergamo} give Genoa.
   *
   * @param name the name
   * @return the product named by a KDS or certificate name: case-insensitive, the text before the first
   *     {@code '-'} ({@code "Milan-B0"} is Milan); {@code Siena} and {@code Bergamo} give Genoa
   */
  public static Optional<Product> fromName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.strip();
    int dash = n.indexOf('-');
    if (dash >= 0) {
      n = n.substring(0, dash);
    }
    switch (n.toLowerCase(Locale.ROOT)) {
      case "milan":
        return Optional.of(MILAN);
      case "genoa":
      case "siena":
      case "bergamo":
        return Optional.of(GENOA);
      case "turin":
        return Optional.of(TURIN);
      default:
        return Optional.empty();
    }
  }

  /**
   * The product of a v3+ report's CPUID_FAM_ID and CPUID_MOD_ID: family 0x19 model 0x00-0x0F is
   * Milan, model 0x10-0x1F or 0xA0-0xAF Genoa (incl. Siena, Bergamo); family 0x1A model 0x00-0x11
   * Turin. Anything else is empty (unknown, e.g. Venice).
   *
   * @param familyId the family ID
   * @param modelId the model ID
   * @return the product of a v3+ report's CPUID_FAM_ID and CPUID_MOD_ID: family 0x19 model 0x00-0x0F is
   *     Milan, model 0x10-0x1F or 0xA0-0xAF Genoa (incl
   */
  public static Optional<Product> fromCpuid(int familyId, int modelId) {
    if (familyId == 0x19) {
      if (modelId >= 0x00 && modelId <= 0x0F) {
        return Optional.of(MILAN);
      }
      if ((modelId >= 0x10 && modelId <= 0x1F) || (modelId >= 0xA0 && modelId <= 0xAF)) {
        return Optional.of(GENOA);
      }
    } else if (familyId == 0x1A && modelId >= 0x00 && modelId <= 0x11) {
      return Optional.of(TURIN);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return kdsName;
  }
}
