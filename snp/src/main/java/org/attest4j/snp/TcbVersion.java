package org.attest4j.snp;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A TCB_VERSION (the 8-byte CURRENT/REPORTED/COMMITTED/LAUNCH TCB) decoded for its product. The
 * layout depends on the product and the report does not say which: Milan and Genoa put bootloader,
 * tee, snp, microcode in bytes 0, 1, 6, 7; Turin puts fmc, bootloader, tee, snp in bytes 0..3 and
 * microcode in byte 7. Comparisons are component-wise, never a u64 comparison.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TcbVersion {
  private final Product product;
  private final long raw;

  private TcbVersion(Product product, long raw) {
    this.product = Objects.requireNonNull(product, "product");
    this.raw = raw;
  }

  /**
   * The TCB_VERSION {@code raw} (the little-endian u64 as read from the report) decoded for {@code product}.
   *
   * @param product the product
   * @param raw the raw
   * @return the TCB_VERSION {@code raw} (the little-endian u64 as read from the report) decoded for {@code
   *     product}
   */
  public static TcbVersion of(Product product, long raw) {
    return new TcbVersion(product, raw);
  }

  /**
   * A builder for a TCB of {@code product} from its components (all others zero).
   *
   * @param product the product
   * @return a new builder
   */
  public static Builder builder(Product product) {
    return new Builder(product);
  }

  /**
   * The product whose layout decodes this TCB.
   *
   * @return the product whose layout decodes this TCB
   */
  public Product product() {
    return product;
  }

  /**
   * The raw u64 value (byte 0 is the least significant byte).
   *
   * @return the raw u64 value (byte 0 is the least significant byte)
   */
  public long raw() {
    return raw;
  }

  /**
   * The raw value as AMD tools print it: {@code 0x} and lowercase hex without leading zeros.
   *
   * @return the raw value as AMD tools print it: {@code 0x} and lowercase hex without leading zeros
   */
  public String rawHex() {
    return "0x" + Long.toHexString(raw);
  }

  /**
   * The byte at {@code index} (0..7) of the raw value.
   *
   * @param index the index
   * @return the byte at {@code index} (0..7) of the raw value
   */
  public int byteAt(int index) {
    Objects.checkIndex(index, 8);
    return (int) (raw >>> (8 * index)) & 0xff;
  }

  /**
   * The boot loader SPL.
   *
   * @return the boot loader SPL
   */
  public int bootloader() {
    return byteAt(product.hasFmc() ? 1 : 0);
  }

  /**
   * The TEE (PSP OS) SPL.
   *
   * @return the TEE (PSP OS) SPL
   */
  public int tee() {
    return byteAt(product.hasFmc() ? 2 : 1);
  }

  /**
   * The SNP firmware SPL.
   *
   * @return the SNP firmware SPL
   */
  public int snp() {
    return byteAt(product.hasFmc() ? 3 : 6);
  }

  /**
   * The microcode SPL.
   *
   * @return the microcode SPL
   */
  public int microcode() {
    return byteAt(7);
  }

  /**
   * The FMC SPL (Turin and later); empty for Milan and Genoa.
   *
   * @return the FMC SPL (Turin and later); empty for Milan and Genoa
   */
  public OptionalInt fmc() {
    return product.hasFmc() ? OptionalInt.of(byteAt(0)) : OptionalInt.empty();
  }

  /**
   * This raw value decoded with another product's layout.
   *
   * @param other the other
   * @return this raw value decoded with another product's layout
   */
  public TcbVersion decodedAs(Product other) {
    return new TcbVersion(other, raw);
  }

  /**
   * Whether every component (fmc when present, bootloader, tee, snp, microcode) is at least {@code
   * minimum}'s. Both must use the same layout.
   *
   * @param minimum the minimum
   * @return whether every component (fmc when present, bootloader, tee, snp, microcode) is at least {@code
   *     minimum}'s
   * @throws IllegalArgumentException if the layouts differ (Turin vs Milan/Genoa)
   */
  public boolean isAtLeast(TcbVersion minimum) {
    return firstBelow(minimum) == null;
  }

  /**
   * The name of the first component below {@code minimum}'s ({@code "fmc"}, {@code "bootloader"},
   * {@code "tee"}, {@code "snp"}, {@code "microcode"}), or null when none is.
   *
   * @param minimum the minimum
   * @return the name of the first component below {@code minimum}'s ({@code "fmc"}, {@code "bootloader"},
   *     {@code "tee"}, {@code "snp"}, {@code "microcode"}), or null when none is
   * @throws IllegalArgumentException if the layouts differ
   */
  public String firstBelow(TcbVersion minimum) {
    if (minimum.product.hasFmc() != product.hasFmc()) {
      throw new IllegalArgumentException(
          "cannot compare a " + product + " TCB with a " + minimum.product + " TCB");
    }
    if (product.hasFmc() && fmc().getAsInt() < minimum.fmc().getAsInt()) {
      return "fmc";
    }
    if (bootloader() < minimum.bootloader()) {
      return "bootloader";
    }
    if (tee() < minimum.tee()) {
      return "tee";
    }
    if (snp() < minimum.snp()) {
      return "snp";
    }
    if (microcode() < minimum.microcode()) {
      return "microcode";
    }
    return null;
  }

  /** Equal when product layout and raw value are equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TcbVersion t && t.raw == raw && t.product.hasFmc() == product.hasFmc();
  }

  @Override
  public int hashCode() {
    return Long.hashCode(raw) * 31 + (product.hasFmc() ? 1 : 0);
  }

  /** For example {@code "bl=4 tee=0 snp=24 ucode=219 (0xdb18000000000004)"}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (product.hasFmc()) {
      sb.append("fmc=").append(fmc().getAsInt()).append(' ');
    }
    return sb.append("bl=").append(bootloader())
        .append(" tee=").append(tee())
        .append(" snp=").append(snp())
        .append(" ucode=").append(microcode())
        .append(" (").append(rawHex()).append(')')
        .toString();
  }

  /** Builds a TCB from components; not thread-safe. Values must be 0..255. */
  public static final class Builder {
    private final Product product;
    private int fmc;
    private int bootloader;
    private int tee;
    private int snp;
    private int microcode;

    private Builder(Product product) {
      this.product = Objects.requireNonNull(product, "product");
    }

    /**
     * The FMC SPL; only Turin has one, so a non-zero value for Milan/Genoa is rejected by {@link #build()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder fmc(int v) {
      this.fmc = check(v);
      return this;
    }

    /**
     * The boot loader SPL.
     *
     * @param v the value
     * @return this builder
     */
    public Builder bootloader(int v) {
      this.bootloader = check(v);
      return this;
    }

    /**
     * The TEE SPL.
     *
     * @param v the value
     * @return this builder
     */
    public Builder tee(int v) {
      this.tee = check(v);
      return this;
    }

    /**
     * The SNP SPL.
     *
     * @param v the value
     * @return this builder
     */
    public Builder snp(int v) {
      this.snp = check(v);
      return this;
    }

    /**
     * The microcode SPL.
     *
     * @param v the value
     * @return this builder
     */
    public Builder microcode(int v) {
      this.microcode = check(v);
      return this;
    }

    private static int check(int v) {
      if (v < 0 || v > 255) {
        throw new IllegalArgumentException("an SPL is one byte (0..255), not " + v);
      }
      return v;
    }

    /**
     * The TCB.
     *
     * @return the TCB
     */
    public TcbVersion build() {
      long raw;
      if (product.hasFmc()) {
        raw = fmc | (long) bootloader << 8 | (long) tee << 16 | (long) snp << 24 | (long) microcode << 56;
      } else {
        if (fmc != 0) {
          throw new IllegalArgumentException(product + " TCBs have no FMC component");
        }
        raw = bootloader | (long) tee << 8 | (long) snp << 48 | (long) microcode << 56;
      }
      return new TcbVersion(product, raw);
    }
  }
}
