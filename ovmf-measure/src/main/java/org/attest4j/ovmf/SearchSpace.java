package org.attest4j.ovmf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The launch shapes {@link PreparedFirmware#search} tries: a vCPU-count range, VMM types, vCPU
 * signatures (used by QEMU only), guest-feature values, and whether to also try without the kernel.
 *
 * <p>{@link #defaults()} covers 1..512 vCPUs, QEMU/EC2/GCE, the five EPYC signatures, and the
 * guest-feature values in common use: 0x0, 0x1, 0x21 and 0x1 or 0x21 with any one more defined
 * feature bit.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SearchSpace {
  private static final int[] OPTIONAL_BITS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15};
  private static final SearchSpace DEFAULTS = builder().build();

  private final int minVcpus;
  private final int maxVcpus;
  private final Set<VmmType> vmmTypes;
  private final List<Long> signatures;
  private final List<Long> guestFeatures;
  private final boolean withoutKernel;

  private SearchSpace(Builder b) {
    this.minVcpus = b.minVcpus;
    this.maxVcpus = b.maxVcpus;
    this.vmmTypes = java.util.Collections.unmodifiableSet(EnumSet.copyOf(b.vmmTypes));
    this.signatures = List.copyOf(new LinkedHashSet<>(b.signatures));
    this.guestFeatures = List.copyOf(new LinkedHashSet<>(b.guestFeatures));
    this.withoutKernel = b.withoutKernel;
  }

  /**
   * The default space (see the class description).
   *
   * @return the default space (see the class description)
   */
  public static SearchSpace defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The guest-feature values tried by default.
   *
   * @return the guest-feature values tried by default
   */
  public static List<Long> commonGuestFeatures() {
    LinkedHashSet<Long> s = new LinkedHashSet<>(List.of(0x1L, 0x21L, 0x0L));
    for (long base : new long[] {0x1, 0x21}) {
      for (int bit : OPTIONAL_BITS) {
        s.add(base | (1L << bit));
      }
    }
    return List.copyOf(s);
  }

  /**
   * The smallest vCPU count tried.
   *
   * @return the smallest vCPU count tried
   */
  public int minVcpus() {
    return minVcpus;
  }

  /**
   * The largest vCPU count tried.
   *
   * @return the largest vCPU count tried
   */
  public int maxVcpus() {
    return maxVcpus;
  }

  /**
   * The VMM types tried.
   *
   * @return the VMM types tried
   */
  public Set<VmmType> vmmTypes() {
    return vmmTypes;
  }

  /**
   * The vCPU signatures tried with QEMU.
   *
   * @return the vCPU signatures tried with QEMU
   */
  public List<Long> vcpuSignatures() {
    return signatures;
  }

  /**
   * The guest-feature values tried.
   *
   * @return the guest-feature values tried
   */
  public List<Long> guestFeatures() {
    return guestFeatures;
  }

  /**
   * Whether shapes without the kernel are tried too when a kernel is given.
   *
   * @return whether shapes without the kernel are tried too when a kernel is given
   */
  public boolean includeWithoutKernel() {
    return withoutKernel;
  }

  /**
   * How many candidate measurements the space holds for one set of boot artifacts.
   *
   * @return how many candidate measurements the space holds for one set of boot artifacts
   */
  public long size() {
    long perVmm = (long) (maxVcpus - minVcpus + 1) * guestFeatures.size();
    long n = 0;
    for (VmmType v : vmmTypes) {
      n += v == VmmType.QEMU ? perVmm * signatures.size() : perVmm;
    }
    return n;
  }

  @Override
  public String toString() {
    return "SearchSpace[vcpus " + minVcpus + ".." + maxVcpus + ", vmm " + vmmTypes + ", " + signatures.size()
        + " signatures, " + guestFeatures.size() + " guest-feature values"
        + (withoutKernel ? ", also without kernel" : "") + "]";
  }

  /** Builds a {@link SearchSpace}. Mutable, not thread-safe. */
  public static final class Builder {
    private int minVcpus = 1;
    private int maxVcpus = 512;
    private Set<VmmType> vmmTypes = EnumSet.allOf(VmmType.class);
    private List<Long> signatures = new ArrayList<>();
    private List<Long> guestFeatures = new ArrayList<>(commonGuestFeatures());
    private boolean withoutKernel = true;

    private Builder() {
      for (VcpuType t : VcpuType.values()) {
        signatures.add(t.signature());
      }
    }

    /**
     * The vCPU range (1 ≤ min ≤ max ≤ {@value LaunchFeatures#MAX_VCPUS}).
     *
     * @param min the smallest vCPU count tried
     * @param max the largest vCPU count tried
     * @return this builder
     */
    public Builder vcpus(int min, int max) {
      if (min < 1 || max < min || max > LaunchFeatures.MAX_VCPUS) {
        throw new IllegalArgumentException("bad vCPU range " + min + ".." + max);
      }
      this.minVcpus = min;
      this.maxVcpus = max;
      return this;
    }

    /**
     * The VMM types (non-empty).
     *
     * @param types the VMM types tried
     * @return this builder
     */
    public Builder vmmTypes(Collection<VmmType> types) {
      if (types.isEmpty()) {
        throw new IllegalArgumentException("no VMM type");
      }
      this.vmmTypes = EnumSet.copyOf(types);
      return this;
    }

    /**
     * Replaces the vCPU signatures tried with QEMU.
     *
     * @param signatures the vCPU signatures tried with QEMU
     * @return this builder
     */
    public Builder vcpuSignatures(Collection<Long> signatures) {
      for (Long s : signatures) {
        if (s == null || s < 0 || s > 0xFFFF_FFFFL) {
          throw new IllegalArgumentException("bad vCPU signature " + s);
        }
      }
      this.signatures = new ArrayList<>(signatures);
      return this;
    }

    /**
     * Adds a vCPU signature (for example from {@link VcpuType#signature(int, int, int)}).
     *
     * @param signature the 32-bit CPUID signature
     * @return this builder
     */
    public Builder addVcpuSignature(long signature) {
      if (signature < 0 || signature > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("bad vCPU signature " + signature);
      }
      signatures.add(signature);
      return this;
    }

    /**
     * Replaces the guest-feature values.
     *
     * @param values guest-feature values
     * @return this builder
     */
    public Builder guestFeatures(Collection<Long> values) {
      values.forEach(v -> Objects.requireNonNull(v, "guest features"));
      this.guestFeatures = new ArrayList<>(values);
      return this;
    }

    /**
     * Adds guest-feature values.
     *
     * @param values guest-feature values
     * @return this builder
     */
    public Builder addGuestFeatures(long... values) {
      for (long v : values) {
        guestFeatures.add(v);
      }
      return this;
    }

    /**
     * Whether to also try without the kernel (default true).
     *
     * @param on whether to try without the kernel
     * @return this builder
     */
    public Builder includeWithoutKernel(boolean on) {
      this.withoutKernel = on;
      return this;
    }

    /**
     * Builds (throws IllegalStateException when signatures or guest features are empty).
     *
     * @return the search space
     */
    public SearchSpace build() {
      if (guestFeatures.isEmpty() || (vmmTypes.contains(VmmType.QEMU) && signatures.isEmpty())) {
        throw new IllegalStateException("empty search space");
      }
      return new SearchSpace(this);
    }
  }
}
