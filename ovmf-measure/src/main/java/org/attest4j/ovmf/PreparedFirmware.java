package org.attest4j.ovmf;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.core.VerificationException;

/**
 * A firmware parsed and hashed once, ready to measure many launches: the KMS hot path. Preparing
 * computes the firmware-page chain and, for each VMM type, the launch digest up to the
 * SNP_KERNEL_HASHES section (and through all sections for launches without a kernel). A request
 * then adds only the kernel-hashes page, the remaining metadata pages and the VMSA pages, whose
 * digests are cached per (VMM, vCPU signature, guest features).
 *
 * <p>Get one with {@link LaunchDigest#prepare(OvmfImage)}, {@link OvmfImage#prepare()}, or, when
 * only the firmware digest and its layout are known (a dstack measurement document), with {@link
 * #fromLayout}.
 *
 * <p>Instances are immutable (apart from an internal, bounded, concurrent VMSA digest cache) and
 * thread-safe; share one between all requests.
 */
public final class PreparedFirmware {
  private static final int VMSA_CACHE_LIMIT = 4096;
  private static final byte[] ZERO_PAGE = new byte[OvmfImage.PAGE];
  private static final int BLOCK = 128;

  private final OvmfImage image; // null for a layout
  private final boolean hasTable;
  private final MetadataSection[] sections;
  private final long resetEip; // -1 when absent
  private final long hashTableGpa; // -1 when absent
  private final int kernelHashesIndex; // first SNP_KERNEL_HASHES section, -1 when none
  private final boolean precomputed;
  private final byte[] firmwareDigest; // null unless precomputed
  private final int firmwareUpdates;
  private final byte[][] noKernelLd = new byte[VmmType.values().length][];
  private final int[] noKernelCount = new int[VmmType.values().length];
  private final byte[][] prefixLd = new byte[VmmType.values().length][];
  private final int[] prefixCount = new int[VmmType.values().length];
  private final MessageDigest sha384Prototype;
  private final MessageDigest hashPagePrototype; // null when no usable hash table
  private final int hashPageAbsorbed;
  private final ConcurrentHashMap<VmsaKey, byte[]> vmsaCache = new ConcurrentHashMap<>();

  // equals and hashCode written out: a record's generated ones are bootstrapped through
  // java.lang.runtime.ObjectMethods on first use, which costs `attest4j measure` tens of ms of start-up
  private record VmsaKey(VmmType vmm, long eip, long rdx, long guestFeatures) {
    @Override
    public boolean equals(Object o) {
      return o instanceof VmsaKey
          && ((VmsaKey) o).vmm == vmm
          && ((VmsaKey) o).eip == eip
          && ((VmsaKey) o).rdx == rdx
          && ((VmsaKey) o).guestFeatures == guestFeatures;
    }

    @Override
    public int hashCode() {
      return ((vmm.hashCode() * 31 + Long.hashCode(eip)) * 31 + Long.hashCode(rdx)) * 31 + Long.hashCode(guestFeatures);
    }
  }

  private PreparedFirmware(
      OvmfImage image,
      boolean hasTable,
      List<MetadataSection> sections,
      long resetEip,
      long hashTableGpa,
      byte[] givenFirmwareDigest,
      boolean precompute) {
    this.image = image;
    this.hasTable = hasTable;
    this.sections = sections.toArray(new MetadataSection[0]);
    this.resetEip = resetEip;
    this.hashTableGpa = hashTableGpa;
    int kh = -1;
    for (int i = 0; i < this.sections.length; i++) {
      if (this.sections[i].type() == SectionType.SNP_KERNEL_HASHES) {
        kh = i;
        break;
      }
    }
    this.kernelHashesIndex = kh;
    this.sha384Prototype = Gctx.sha384();
    long off = hashTableGpa > 0 ? hashTableGpa & 0xFFF : -1;
    if (off >= 0 && off + BootArtifacts.TABLE_PADDED <= OvmfImage.PAGE) {
      MessageDigest md = Gctx.sha384();
      int absorbed = (int) (off / BLOCK) * BLOCK;
      md.update(ZERO_PAGE, 0, absorbed);
      if (isCloneable(md)) {
        hashPagePrototype = md;
        hashPageAbsorbed = absorbed;
      } else {
        hashPagePrototype = Gctx.sha384();
        hashPageAbsorbed = 0;
      }
    } else {
      hashPagePrototype = null;
      hashPageAbsorbed = 0;
    }
    this.precomputed = precompute;
    if (!precompute) {
      this.firmwareDigest = null;
      this.firmwareUpdates = 0;
      return;
    }
    if (givenFirmwareDigest != null) {
      this.firmwareDigest = givenFirmwareDigest.clone();
      this.firmwareUpdates = 0;
    } else {
      Gctx g = new Gctx(newSha384(), null, null);
      g.normalPages(image.data(), 0, image.size(), image.gpa());
      this.firmwareDigest = g.ld();
      this.firmwareUpdates = g.updates();
    }
    for (VmmType vmm : VmmType.values()) {
      Gctx g = new Gctx(newSha384(), firmwareDigest, null);
      g.reset(firmwareDigest, firmwareUpdates);
      if (kh >= 0) {
        applySections(g, this.sections, 0, kh, BootArtifacts.none(), vmm, null);
        prefixLd[vmm.ordinal()] = g.ld();
        prefixCount[vmm.ordinal()] = g.updates();
        applySections(g, this.sections, kh, this.sections.length, BootArtifacts.none(), vmm, null);
      } else {
        applySections(g, this.sections, 0, this.sections.length, BootArtifacts.none(), vmm, null);
      }
      ec2Tail(g, this.sections, vmm);
      noKernelLd[vmm.ordinal()] = g.ld();
      noKernelCount[vmm.ordinal()] = g.updates();
    }
  }

  /** Prepares an image: hashes the firmware pages and the per-VMM metadata prefixes. */
  static PreparedFirmware of(OvmfImage image) {
    Objects.requireNonNull(image, "image");
    return new PreparedFirmware(
        image, image.hasFooterTable(), image.sections(), image.rawResetEip(), image.rawHashTableGpa(), null, true);
  }

  /** An unprepared view for one-shot computations (nothing hashed ahead). */
  static PreparedFirmware oneShot(OvmfImage image) {
    return new PreparedFirmware(
        image, image.hasFooterTable(), image.sections(), image.rawResetEip(), image.rawHashTableGpa(), null, false);
  }

  /**
   * Firmware known only by its digest and layout, as a dstack SEV-SNP measurement document gives
   * it ({@code ovmf_hash}, {@code ovmf_sections}, {@code sev_es_reset_eip}, {@code
   * sev_hashes_table_gpa}). Such firmware supports mode {@code snp} only (no SVSM, no firmware
   * digest output) and its logs start at the firmware digest.
   *
   * @param firmwareDigest the 48-byte launch digest after the firmware pages ({@code snp:ovmf-hash})
   * @param sections the SEV metadata sections in firmware order
   * @param apResetEip the AP reset EIP (SEV-ES reset block)
   * @param hashTableGpa the SEV hash-table GPA, or 0 when the firmware has none
   * @return the prepared firmware
   * @throws MalformedEvidenceException for a digest that is not 48 bytes, a u32 value out of range,
   *     or sections that are not page-aligned or overlap
   */
  public static PreparedFirmware fromLayout(
      Bytes firmwareDigest, List<MetadataSection> sections, long apResetEip, long hashTableGpa)
      throws MalformedEvidenceException {
    Objects.requireNonNull(firmwareDigest, "firmwareDigest");
    Objects.requireNonNull(sections, "sections");
    if (firmwareDigest.length() != Gctx.LD) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER, "the firmware digest has 48 bytes, not " + firmwareDigest.length());
    }
    if (apResetEip < 0 || apResetEip > 0xFFFF_FFFFL || hashTableGpa < 0 || hashTableGpa > 0xFFFF_FFFFL) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER,
          "AP reset EIP and hash-table GPA must be 32-bit values: eip=" + apResetEip + " gpa=" + hashTableGpa);
    }
    List<MetadataSection> copy = List.copyOf(sections);
    OvmfImage.validateSections(copy, -1, "firmware layout");
    return new PreparedFirmware(null, true, copy, apResetEip, hashTableGpa, firmwareDigest.toByteArray(), true);
  }

  /**
   * The launch digest after the firmware pages (the {@code snp:ovmf-hash} value).
   *
   * @return the launch digest after the firmware pages (the {@code snp:ovmf-hash} value)
   */
  public Bytes firmwareDigest() {
    return Bytes.of(rawFirmwareDigest());
  }

  private byte[] rawFirmwareDigest() {
    if (firmwareDigest != null) {
      return firmwareDigest;
    }
    Gctx g = new Gctx(newSha384(), null, null);
    g.normalPages(image.data(), 0, image.size(), image.gpa());
    return g.ld();
  }

  /**
   * The image, unless this firmware was prepared from a layout.
   *
   * @return the image, unless this firmware was prepared from a layout
   */
  public java.util.Optional<OvmfImage> image() {
    return java.util.Optional.ofNullable(image);
  }

  /**
   * The SEV metadata sections in firmware order.
   *
   * @return the SEV metadata sections in firmware order
   */
  public List<MetadataSection> sections() {
    return List.of(sections);
  }

  /**
   * The SEV hash-table GPA (where the kernel-hashes table is placed), if the firmware declares one.
   *
   * @return the GPA, or empty when the firmware has none
   */
  public OptionalLong hashTableGpa() {
    return hashTableGpa <= 0 ? OptionalLong.empty() : OptionalLong.of(hashTableGpa);
  }

  /**
   * The AP reset EIP, if the firmware declares one.
   *
   * @return the AP reset EIP, if the firmware declares one
   */
  public OptionalLong apResetEip() {
    return resetEip < 0 ? OptionalLong.empty() : OptionalLong.of(resetEip);
  }

  /**
   * Measures one launch.
   *
   * @param boot the kernel, initrd and command line, or {@link BootArtifacts#none()}
   * @param features the launch shape
   * @return the 48-byte expected MEASUREMENT
   * @throws MalformedEvidenceException when the firmware cannot launch this way (no kernel-hashes
   *     section for a kernel, no reset block, ...), with an {@link OvmfReason}
   */
  public Bytes measure(BootArtifacts boot, LaunchFeatures features) throws MalformedEvidenceException {
    return Bytes.of(run(boot, features, null).ld());
  }

  /**
   * Measures one launch; {@code kernel} null means no kernel (then {@code initrd} and {@code
   * cmdline} must be null too), {@code initrd} null an empty initrd, {@code cmdline} null an empty
   * command line.
   *
   * @param kernel the kernel, or null for none
   * @param initrd the initrd, or null (hashed as empty input)
   * @param cmdline the kernel command line, or null (hashed as empty)
   * @param features the launch shape
   * @return the digest
   * @throws MalformedEvidenceException when the input is refused, with an {@link OvmfReason}
   */
  public Bytes measure(Artifact kernel, Artifact initrd, String cmdline, LaunchFeatures features)
      throws MalformedEvidenceException {
    return measure(LaunchDigest.boot(kernel, initrd, cmdline), features);
  }

  /**
   * Recomputes the measurement and compares it in constant time with the observed one.
   *
   * @param observed the 48-byte MEASUREMENT from an attestation report
   * @param boot the kernel, initrd and command line ({@link BootArtifacts#none()} for none)
   * @param features the launch shape
   * @throws VerificationException with {@link OvmfReason#MEASUREMENT_MISMATCH} naming both values
   * @throws MalformedEvidenceException when the launch cannot be measured
   */
  public void verify(Bytes observed, BootArtifacts boot, LaunchFeatures features)
      throws VerificationException, MalformedEvidenceException {
    Objects.requireNonNull(observed, "observed");
    Bytes expected = measure(boot, features);
    if (!expected.equals(observed)) {
      throw new VerificationException(
          OvmfReason.MEASUREMENT_MISMATCH,
          "launch measurement " + observed + " does not match the expected " + expected + " for " + features
              + " and " + boot + "; try LaunchDigest.prepare(ovmf).search(...) or `attest4j measure explain`");
    }
  }

  /**
   * Measures one launch and records every update, the VMSA pages and the result. Firmware pages are
   * replayed from the image (unless a firmware digest was given, or this firmware has no image).
   *
   * @param boot the kernel, initrd and command line ({@link BootArtifacts#none()} for none)
   * @param features the launch shape
   * @return the log
   * @throws MalformedEvidenceException when the input is refused, with an {@link OvmfReason}
   */
  public MeasurementLog explain(BootArtifacts boot, LaunchFeatures features) throws MalformedEvidenceException {
    List<PageUpdate> log = new ArrayList<>();
    String[] what = {"firmware"};
    Gctx.Listener l =
        (type, gpa, info) ->
            log.add(
                new PageUpdate(
                    log.size(),
                    type,
                    gpa,
                    Bytes.of(info, Gctx.LD, Gctx.LD),
                    Bytes.of(info, 0, Gctx.LD),
                    what[0]));
    Run r = new Run(what);
    Gctx g = run(boot, features, l, r);
    int skipped = 0;
    if (r.seedUsed) {
      skipped = image == null ? -1 : image.pageCount();
    }
    return new MeasurementLog(
        Bytes.of(r.initial), log, Bytes.of(g.ld()), r.bsp == null ? null : Bytes.of(r.bsp),
        r.ap == null ? null : Bytes.of(r.ap), skipped);
  }

  /** Per-run bookkeeping for logs. */
  private static final class Run {
    final String[] what;
    byte[] initial = new byte[Gctx.LD];
    boolean seedUsed;
    byte[] bsp;
    byte[] ap;

    Run(String[] what) {
      this.what = what;
    }

    void label(String s) {
      if (what != null) {
        what[0] = s;
      }
    }

    /** Whether labels are kept (a page log is being written); callers build label strings only then. */
    boolean labels() {
      return what != null;
    }
  }

  private Gctx run(BootArtifacts boot, LaunchFeatures f, Gctx.Listener listener) throws MalformedEvidenceException {
    return run(boot, f, listener, new Run(null));
  }

  private Gctx run(BootArtifacts boot, LaunchFeatures f, Gctx.Listener listener, Run r)
      throws MalformedEvidenceException {
    Objects.requireNonNull(boot, "boot");
    Objects.requireNonNull(f, "features");
    switch (f.mode()) {
      case SNP_OVMF_HASH:
        return runOvmfHash(boot, listener, r);
      case SNP_SVSM:
        return runSvsm(boot, f, listener, r);
      default:
        break;
    }
    checkSnp(boot, f.vmmType(), f.vcpus());
    VmmType vmm = f.vmmType();
    Gctx g = metadataDone(boot, vmm, f.rawFirmwareDigest(), listener, r);
    vmsas(g, f, r);
    return g;
  }

  /** Refuses launches this firmware cannot measure (mode snp). */
  private void checkSnp(BootArtifacts boot, VmmType vmm, int vcpus) throws MalformedEvidenceException {
    if (!hasTable) {
      throw new MalformedEvidenceException(
          OvmfReason.NO_FOOTER_TABLE,
          "the firmware image has no OVMF footer table, so no SEV-ES reset block (AP reset EIP); mode snp "
              + "cannot measure it (only snp:ovmf-hash can)");
    }
    if (resetEip < 0) {
      throw new MalformedEvidenceException(
          OvmfReason.MISSING_RESET_EIP,
          "the firmware has no SEV_ES_RESET_BLOCK footer entry (AP reset EIP); it is not an SEV-ES/SNP capable OVMF");
    }
    if (resetEip == 0 && vcpus > 1) {
      throw new MalformedEvidenceException(
          OvmfReason.ZERO_RESET_EIP,
          "the firmware's AP reset EIP is 0, so it cannot start " + vcpus + " vCPUs (only 1)");
    }
    if (boot.hasKernel()) {
      if (kernelHashesIndex < 0) {
        throw new MalformedEvidenceException(
            OvmfReason.NO_KERNEL_HASHES_SECTION,
            "OVMF has no SNP_KERNEL_HASHES metadata section but a kernel was given (measured direct boot needs an "
                + "AmdSev OVMF build; sections: " + Arrays.toString(sections) + ")");
      }
      if (hashTableGpa <= 0) {
        throw new MalformedEvidenceException(
            OvmfReason.MISSING_HASH_TABLE,
            "a kernel was given but the firmware declares no SEV hash-table GPA (SEV_HASH_TABLE_RV "
                + (hashTableGpa < 0 ? "missing" : "is 0") + ")");
      }
      if (hashPagePrototype == null) {
        throw new MalformedEvidenceException(
            OvmfReason.BAD_HASH_TABLE_LOCATION,
            "the SEV hash table at GPA 0x" + Long.toHexString(hashTableGpa) + " (offset 0x"
                + Long.toHexString(hashTableGpa & 0xFFF) + " in its page) does not fit its 176 bytes in the page");
      }
      for (MetadataSection s : sections) {
        if (s.type() == SectionType.SNP_KERNEL_HASHES && s.size() != OvmfImage.PAGE) {
          throw new MalformedEvidenceException(
              OvmfReason.KERNEL_HASHES_SECTION_SIZE,
              "the SNP_KERNEL_HASHES section " + s + " must be exactly one 4096-byte page to hold the hashes");
        }
      }
    }
  }

  /** The chain after the firmware and all metadata sections (mode snp). */
  private Gctx metadataDone(BootArtifacts boot, VmmType vmm, byte[] seed, Gctx.Listener listener, Run r) {
    int v = vmm.ordinal();
    if (precomputed && listener == null && seed == null) {
      if (!boot.hasKernel()) {
        Gctx g = new Gctx(newSha384(), null, null);
        g.reset(noKernelLd[v], noKernelCount[v]);
        return g;
      }
      Gctx g = new Gctx(newSha384(), null, null);
      g.reset(prefixLd[v], prefixCount[v]);
      applySections(g, sections, kernelHashesIndex, sections.length, boot, vmm, null);
      ec2Tail(g, sections, vmm);
      return g;
    }
    Gctx g = new Gctx(newSha384(), null, listener);
    chainFirmware(g, seed, r);
    applySections(g, sections, 0, sections.length, boot, vmm, r);
    ec2Tail(g, sections, vmm, r);
    return g;
  }

  /** Starts the chain: the seed, the prepared firmware digest, or the firmware pages. */
  private void chainFirmware(Gctx g, byte[] seed, Run r) {
    if (seed != null) {
      g.reset(seed, 0);
      r.seedUsed = true;
      r.initial = seed.clone();
    } else if (image != null && (g.hasListener() || !precomputed)) {
      r.label("firmware");
      g.normalPages(image.data(), 0, image.size(), image.gpa());
    } else {
      g.reset(firmwareDigest, firmwareUpdates);
      r.seedUsed = firmwareUpdates == 0;
      r.initial = firmwareUpdates == 0 ? firmwareDigest.clone() : r.initial;
    }
  }

  private Gctx runOvmfHash(BootArtifacts boot, Gctx.Listener listener, Run r) throws MalformedEvidenceException {
    if (boot.hasKernel()) {
      throw new MalformedEvidenceException(
          OvmfReason.UNSUPPORTED_COMBINATION, "mode snp:ovmf-hash measures only the firmware; a kernel was given");
    }
    if (image == null) {
      Gctx g = new Gctx(newSha384(), null, listener);
      g.reset(firmwareDigest, 0);
      r.seedUsed = true;
      r.initial = firmwareDigest.clone();
      return g;
    }
    Gctx g = new Gctx(newSha384(), null, listener);
    chainFirmware(g, null, r);
    return g;
  }

  /** Mode snp:svsm up to (not including) the VMSA pages, after checking the inputs. */
  private Gctx svsmPrefix(BootArtifacts boot, LaunchFeatures f, Gctx.Listener listener, Run r)
      throws MalformedEvidenceException {
    if (boot.hasKernel()) {
      throw new MalformedEvidenceException(
          OvmfReason.UNSUPPORTED_COMBINATION,
          "mode snp:svsm does not measure a kernel (sev-snp-measure ignores it); refusing a kernel that would not be "
              + "bound to the measurement");
    }
    if (image == null) {
      throw new MalformedEvidenceException(
          OvmfReason.UNSUPPORTED_COMBINATION, "mode snp:svsm needs the OVMF image itself (its size places the SVSM)");
    }
    OvmfImage svsm = f.svsm().orElseThrow();
    if (svsm.svsmEntryOffset().isEmpty()) {
      throw new MalformedEvidenceException(
          OvmfReason.MISSING_SVSM_INFO, "the SVSM image has no SVSM_INFO footer entry (entry point offset)");
    }
    long svsmGpa = OvmfImage.FOUR_GIB - image.size() - f.varsSize() - svsm.size();
    if (svsmGpa < 0) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER,
          "OVMF (" + image.size() + " bytes), OVMF_VARS (" + f.varsSize() + ") and SVSM (" + svsm.size()
              + ") do not fit below 4 GiB");
    }
    List<MetadataSection> svsmSections = svsm.sections();
    for (MetadataSection s : svsmSections) {
      if (OvmfImage.occupiedEnd(s) > svsmGpa) {
        throw new MalformedEvidenceException(
            OvmfReason.SECTION_OUT_OF_RANGE,
            "SVSM metadata section " + s + " overlaps the SVSM image mapped at 0x" + Long.toHexString(svsmGpa));
      }
    }
    Gctx g = new Gctx(newSha384(), null, listener);
    chainFirmware(g, null, r);
    r.label("SVSM image");
    g.normalPages(svsm.data(), 0, svsm.size(), svsmGpa);
    MetadataSection[] ss = svsmSections.toArray(new MetadataSection[0]);
    applySections(g, ss, 0, ss.length, BootArtifacts.none(), VmmType.QEMU, r.what == null ? null : r);
    return g;
  }

  /** The SVSM entry point: the VMSA RIP of every vCPU in mode snp:svsm. */
  private long svsmRip(LaunchFeatures f) {
    OvmfImage svsm = f.svsm().orElseThrow();
    return OvmfImage.FOUR_GIB - image.size() - f.varsSize() - svsm.size() + svsm.svsmEntryOffset().getAsLong();
  }

  private Gctx runSvsm(BootArtifacts boot, LaunchFeatures f, Gctx.Listener listener, Run r)
      throws MalformedEvidenceException {
    Gctx g = svsmPrefix(boot, f, listener, r);
    byte[] page = Vmsa.svsmPage(svsmRip(f), f.vcpuSignature().orElseThrow());
    byte[] digest = newSha384().digest(page);
    if (listener != null) {
      r.bsp = page;
      r.ap = page;
    }
    for (int i = 0; i < f.vcpus(); i++) {
      if (r.labels()) {
        r.label("VMSA vCPU " + i + " (SVSM)");
      }
      g.withContents(PageType.VMSA, Gctx.VMSA_GPA, digest);
    }
    return g;
  }

  private void vmsas(Gctx g, LaunchFeatures f, Run r) {
    VmmType vmm = f.vmmType();
    long rdx = f.rdx();
    long gf = f.guestFeatures();
    byte[] bsp = vmsaDigest(vmm, Vmsa.BSP_EIP, rdx, gf);
    if (g.hasListener()) {
      r.bsp = Vmsa.page(vmm, Vmsa.BSP_EIP, rdx, gf);
      r.ap = Vmsa.page(vmm, resetEip, rdx, gf);
      r.label("VMSA vCPU 0 (BSP)");
    }
    g.withContents(PageType.VMSA, Gctx.VMSA_GPA, bsp);
    if (f.vcpus() > 1) {
      byte[] ap = vmsaDigest(vmm, resetEip, rdx, gf);
      for (int i = 1; i < f.vcpus(); i++) {
        if (g.hasListener()) {
          r.label("VMSA vCPU " + i + " (AP)");
        }
        g.withContents(PageType.VMSA, Gctx.VMSA_GPA, ap);
      }
    }
  }

  /** SHA-384 of a VMSA page, cached. */
  private byte[] vmsaDigest(VmmType vmm, long eip, long rdx, long gf) {
    VmsaKey k = new VmsaKey(vmm, eip, rdx, gf);
    byte[] d = vmsaCache.get(k);
    if (d == null) {
      d = newSha384().digest(Vmsa.page(vmm, eip, rdx, gf));
      if (vmsaCache.size() < VMSA_CACHE_LIMIT) {
        vmsaCache.putIfAbsent(k, d);
      }
    }
    return d;
  }

  /** Measures sections {@code [from, to)} (mode snp rules). */
  private void applySections(
      Gctx g, MetadataSection[] secs, int from, int to, BootArtifacts boot, VmmType vmm, Run r) {
    for (int i = from; i < to; i++) {
      MetadataSection s = secs[i];
      if (r != null && r.labels()) {
        r.label(s.type() + " #" + i);
      }
      switch (s.type()) {
        case SNP_SEC_MEM:
          g.zeroPages(vmm == VmmType.GCE ? PageType.UNMEASURED : PageType.ZERO, s.gpa(), s.size());
          break;
        case SNP_SECRETS:
          g.zeroContents(PageType.SECRETS, s.gpa());
          break;
        case CPUID:
          if (vmm != VmmType.EC2) {
            g.zeroContents(PageType.CPUID, s.gpa());
          }
          break;
        case SVSM_CAA:
          g.zeroPages(PageType.ZERO, s.gpa(), s.size());
          break;
        case SNP_KERNEL_HASHES:
          if (boot.hasKernel()) {
            if (r != null && r.labels()) {
              r.label("SNP_KERNEL_HASHES #" + i + " (SEV hashes table)");
            }
            hashPage(g, boot.rawTable(), s.gpa());
          } else {
            g.zeroPages(PageType.ZERO, s.gpa(), s.size());
          }
          break;
        default:
          throw new IllegalStateException("unreachable: " + s.type());
      }
    }
  }

  private void ec2Tail(Gctx g, MetadataSection[] secs, VmmType vmm) {
    ec2Tail(g, secs, vmm, null);
  }

  private void ec2Tail(Gctx g, MetadataSection[] secs, VmmType vmm, Run r) {
    if (vmm != VmmType.EC2) {
      return;
    }
    for (int i = 0; i < secs.length; i++) {
      if (secs[i].type() == SectionType.CPUID) {
        if (r != null) {
          r.label("CPUID #" + i + " (EC2: measured last)");
        }
        g.zeroContents(PageType.CPUID, secs[i].gpa());
      }
    }
  }

  /** The hash page: zeros, the 176-byte table at the hash-table offset, zeros; one NORMAL update. */
  private void hashPage(Gctx g, byte[] table, long gpa) {
    int off = (int) (hashTableGpa & 0xFFF);
    MessageDigest md = cloneOf(hashPagePrototype);
    md.update(ZERO_PAGE, 0, off - hashPageAbsorbed);
    md.update(table, 0, BootArtifacts.TABLE_PADDED);
    md.update(ZERO_PAGE, 0, OvmfImage.PAGE - off - BootArtifacts.TABLE_PADDED);
    g.normalPageFrom(md, gpa);
  }

  /** The 4096-byte hash page for a boot (for logs and tests). */
  static byte[] hashPageBytes(byte[] table, long hashTableGpa) {
    byte[] p = new byte[OvmfImage.PAGE];
    System.arraycopy(table, 0, p, (int) (hashTableGpa & 0xFFF), BootArtifacts.TABLE_PADDED);
    return p;
  }

  /**
   * Searches the launch shapes in {@code space} for those whose measurement equals {@code
   * observed}: for each boot variant, VMM type, vCPU signature and guest-feature value, the VMSA
   * chain is extended one vCPU at a time, so each vCPU count costs one update.
   *
   * @param observed the 48-byte MEASUREMENT from an attestation report
   * @param boot the boot artifacts believed to be used ({@link BootArtifacts#none()} for none)
   * @param space the shapes to try ({@link SearchSpace#defaults()})
   * @return the matching shapes and what was tried
   * @throws MalformedEvidenceException when {@code observed} is not 48 bytes or the firmware cannot
   *     be measured in mode snp at all (no footer table or reset block)
   */
  public SearchResult search(Bytes observed, BootArtifacts boot, SearchSpace space) throws MalformedEvidenceException {
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(boot, "boot");
    Objects.requireNonNull(space, "space");
    if (observed.length() != Gctx.LD) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER, "a launch measurement has 48 bytes, not " + observed.length());
    }
    byte[] obs = observed.toByteArray();
    List<BootArtifacts> boots = new ArrayList<>();
    boots.add(boot);
    if (boot.hasKernel() && space.includeWithoutKernel()) {
      boots.add(BootArtifacts.none());
    }
    List<LaunchShape> matches = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long tried = 0;
    int maxV = space.maxVcpus();
    if (resetEip == 0 && maxV > 1) {
      notes.add("AP reset EIP is 0: only 1 vCPU can be started");
      maxV = 1;
    }
    for (BootArtifacts b : boots) {
      for (VmmType vmm : space.vmmTypes()) {
        try {
          checkSnp(b, vmm, 1);
        } catch (MalformedEvidenceException e) {
          if (e.reason() == OvmfReason.NO_FOOTER_TABLE || e.reason() == OvmfReason.MISSING_RESET_EIP) {
            throw e;
          }
          notes.add((b.hasKernel() ? "with" : "without") + " kernel, " + vmm.cliName() + ": " + e.getMessage());
          continue;
        }
        Gctx g = metadataDone(b, vmm, null, null, new Run(null));
        byte[] base = g.ld();
        int baseCount = g.updates();
        List<Long> sigs = vmm == VmmType.QEMU ? space.vcpuSignatures() : List.of(-1L);
        for (long sig : sigs) {
          long rdx = vmm == VmmType.QEMU ? sig : 0x600;
          for (long gf : space.guestFeatures()) {
            byte[] bsp = vmsaDigest(vmm, Vmsa.BSP_EIP, rdx, gf);
            byte[] ap = maxV > 1 ? vmsaDigest(vmm, resetEip, rdx, gf) : null;
            g.reset(base, baseCount);
            for (int n = 1; n <= maxV; n++) {
              g.withContents(PageType.VMSA, Gctx.VMSA_GPA, n == 1 ? bsp : ap);
              if (n >= space.minVcpus()) {
                tried++;
                if (g.ldEquals(obs)) {
                  matches.add(
                      new LaunchShape(
                          n, vmm, sig < 0 ? OptionalLong.empty() : OptionalLong.of(sig), gf, b.hasKernel()));
                }
              }
            }
          }
        }
      }
    }
    return new SearchResult(observed, matches, tried, notes);
  }

  /**
   * Searches the {@code snp:svsm} launch shapes (QEMU only, guest features fixed at 0x1, no kernel)
   * in {@code space} for those whose measurement equals {@code observed}: for each vCPU signature
   * the VMSA chain is extended one vCPU at a time. The VMM types, guest features and kernel options
   * of {@code space} do not apply to this mode.
   *
   * @param observed the 48-byte MEASUREMENT from an attestation report
   * @param svsm the SVSM image
   * @param varsSize the OVMF_VARS size in bytes (the SVSM image ends right below it)
   * @param space the vCPU counts and signatures to try
   * @return the matching shapes, each with mode {@link SnpMode#SNP_SVSM}
   * @throws MalformedEvidenceException when {@code observed} is not 48 bytes, this firmware was
   *     prepared from a layout, or the SVSM launch cannot be measured (no SVSM_INFO entry, images
   *     that do not fit below 4 GiB, a bad vars size)
   */
  public SearchResult searchSvsm(Bytes observed, OvmfImage svsm, long varsSize, SearchSpace space)
      throws MalformedEvidenceException {
    Objects.requireNonNull(observed, "observed");
    Objects.requireNonNull(svsm, "svsm");
    Objects.requireNonNull(space, "space");
    if (observed.length() != Gctx.LD) {
      throw new MalformedEvidenceException(
          OvmfReason.BAD_LAUNCH_PARAMETER, "a launch measurement has 48 bytes, not " + observed.length());
    }
    LaunchFeatures probe =
        LaunchFeatures.builder().mode(SnpMode.SNP_SVSM).vcpus(1).vcpuSignature(0).svsm(svsm, varsSize).build();
    Gctx g = svsmPrefix(BootArtifacts.none(), probe, null, new Run(null));
    byte[] base = g.ld();
    int baseCount = g.updates();
    long rip = svsmRip(probe);
    byte[] obs = observed.toByteArray();
    List<LaunchShape> matches = new ArrayList<>();
    long tried = 0;
    for (long sig : space.vcpuSignatures()) {
      byte[] digest = newSha384().digest(Vmsa.svsmPage(rip, sig));
      g.reset(base, baseCount);
      for (int n = 1; n <= space.maxVcpus(); n++) {
        g.withContents(PageType.VMSA, Gctx.VMSA_GPA, digest);
        if (n >= space.minVcpus()) {
          tried++;
          if (g.ldEquals(obs)) {
            matches.add(new LaunchShape(n, VmmType.QEMU, OptionalLong.of(sig), 0x1, false, SnpMode.SNP_SVSM));
          }
        }
      }
    }
    return new SearchResult(observed, matches, tried, List.of());
  }

  /**
   * Like {@link #search(Bytes, BootArtifacts, SearchSpace)} over {@link SearchSpace#defaults()}.
   *
   * @param observed the 48-byte MEASUREMENT from an attestation report
   * @param boot the kernel, initrd and command line ({@link BootArtifacts#none()} for none)
   * @return the matching shapes and what was tried
   * @throws MalformedEvidenceException when the input is refused, with an {@link OvmfReason}
   */
  public SearchResult search(Bytes observed, BootArtifacts boot) throws MalformedEvidenceException {
    return search(observed, boot, SearchSpace.defaults());
  }

  private MessageDigest newSha384() {
    return cloneOf(sha384Prototype);
  }

  /** A copy of a digest in its current state; a fresh one when the provider cannot clone (then the
   * prototype holds no state: see the constructor). */
  private static MessageDigest cloneOf(MessageDigest md) {
    try {
      return (MessageDigest) md.clone();
    } catch (CloneNotSupportedException e) {
      return Gctx.sha384();
    }
  }

  private static boolean isCloneable(MessageDigest md) {
    try {
      md.clone();
      return true;
    } catch (CloneNotSupportedException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "PreparedFirmware[" + (image != null ? image.size() + "-byte image" : "layout") + ", firmwareDigest="
        + (firmwareDigest == null ? "not computed" : Bytes.of(firmwareDigest).toHex()) + ", sections="
        + Arrays.toString(sections) + "]";
  }
}
