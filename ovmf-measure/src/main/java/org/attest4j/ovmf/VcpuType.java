package org.attest4j.ovmf;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.attest4j.core.MalformedEvidenceException;

/**
 * The AMD EPYC vCPU models QEMU offers to SNP guests, with the CPUID family/model/stepping that
 * sev-snp-measure puts into the VMSA (RDX) for each. All {@code -vN} variants of a model share one
 * signature.
 *
 * <p>Enum constants are immutable and thread-safe.
 */
public enum VcpuType {
  /** Naples: EPYC, EPYC-v1..v4, EPYC-IBPB (23/1/2, 0x00800F12). */
  EPYC(23, 1, 2, List.of("EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4")),
  /** Rome (23/49/0, 0x00830F10). */
  EPYC_ROME(
      23, 49, 0, List.of("EPYC-Rome", "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3", "EPYC-Rome-v4",
          "EPYC-Rome-v5")),
  /** Milan (25/1/1, 0x00A00F11). */
  EPYC_MILAN(25, 1, 1, List.of("EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2", "EPYC-Milan-v3")),
  /** Genoa (25/17/0, 0x00A10F10). */
  EPYC_GENOA(25, 17, 0, List.of("EPYC-Genoa", "EPYC-Genoa-v1", "EPYC-Genoa-v2")),
  /** Turin (26/0/0, 0x00B00F00). */
  EPYC_TURIN(26, 0, 0, List.of("EPYC-Turin", "EPYC-Turin-v1"));

  private final int family;
  private final int model;
  private final int stepping;
  private final List<String> qemuNames;

  VcpuType(int family, int model, int stepping, List<String> qemuNames) {
    this.family = family;
    this.model = model;
    this.stepping = stepping;
    this.qemuNames = qemuNames;
  }

  /**
   * The CPUID family.
   *
   * @return the CPUID family
   */
  public int family() {
    return family;
  }

  /**
   * The CPUID model.
   *
   * @return the CPUID model
   */
  public int model() {
    return model;
  }

  /**
   * The CPUID stepping.
   *
   * @return the CPUID stepping
   */
  public int stepping() {
    return stepping;
  }

  /**
   * The 32-bit CPUID signature (Fn0000_0001_EAX) that goes into the VMSA.
   *
   * @return the 32-bit CPUID signature (Fn0000_0001_EAX) that goes into the VMSA
   */
  public long signature() {
    return signature(family, model, stepping);
  }

  /**
   * The QEMU {@code -cpu} names of this model, the first being the canonical one.
   *
   * @return the QEMU {@code -cpu} names of this model, the first being the canonical one
   */
  public List<String> qemuNames() {
    return qemuNames;
  }

  /**
   * The CPUID signature of a family/model/stepping, as AMD's CPUID specification (#25481) and
   * sev-snp-measure compute it: {@code (fam_hi<<20)|(model_hi<<16)|(fam_lo<<8)|(model_lo<<4)|step}.
   *
   * @param family the CPUID family
   * @param model the CPUID model
   * @param stepping the CPUID stepping
   * @return the 32-bit signature
   * @throws IllegalArgumentException unless 0 ≤ family ≤ 270, 0 ≤ model ≤ 255, 0 ≤ stepping ≤ 15
   */
  public static long signature(int family, int model, int stepping) {
    if (family < 0 || family > 0x0F + 0xFF || model < 0 || model > 0xFF || stepping < 0 || stepping > 0xF) {
      throw new IllegalArgumentException(
          "family/model/stepping out of range: " + family + "/" + model + "/" + stepping
              + " (family 0..270, model 0..255, stepping 0..15)");
    }
    int famLo = Math.min(family, 0xF);
    int famHi = family > 0xF ? (family - 0xF) & 0xFF : 0;
    int modelLo = model & 0xF;
    int modelHi = (model >> 4) & 0xF;
    return ((long) famHi << 20) | ((long) modelHi << 16) | ((long) famLo << 8) | ((long) modelLo << 4) | stepping;
  }

  /**
   * The model with the given QEMU name (case-insensitive, for example {@code EPYC-Milan-v2}).
   *
   * @param name the name (case-insensitive)
   * @return the model with the given QEMU name (case-insensitive, for example {@code EPYC-Milan-v2})
   */
  public static Optional<VcpuType> fromQemuName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.strip().toLowerCase(Locale.ROOT);
    for (VcpuType t : values()) {
      for (String q : t.qemuNames) {
        if (q.toLowerCase(Locale.ROOT).equals(n)) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Like {@link #fromQemuName} but refuses unknown names.
   *
   * @param name the name (case-insensitive)
   * @return the vCPU model
   * @throws MalformedEvidenceException with {@link OvmfReason#UNKNOWN_VCPU_TYPE}
   */
  public static VcpuType parse(String name) throws MalformedEvidenceException {
    Optional<VcpuType> t = fromQemuName(name);
    if (t.isEmpty()) {
      throw new MalformedEvidenceException(
          OvmfReason.UNKNOWN_VCPU_TYPE,
          "unknown vCPU type '" + name + "' (expected a QEMU EPYC model such as EPYC-v4, EPYC-Rome, "
              + "EPYC-Milan, EPYC-Genoa or EPYC-Turin)");
    }
    return t.get();
  }

  /**
   * The model whose signature is {@code signature}, if any.
   *
   * @param signature the 32-bit CPUID signature
   * @return the model whose signature is {@code signature}, if any
   */
  public static Optional<VcpuType> ofSignature(long signature) {
    for (VcpuType t : values()) {
      if (t.signature() == signature) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
