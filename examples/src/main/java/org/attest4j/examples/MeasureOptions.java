package org.attest4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The options of {@code attest4j measure} as given (strings, unparsed), whichever parser read them:
 * picocli ({@link MeasureCommand}) or the hand-written fast path ({@link MeasureFastPath}). Both
 * hand the same value to {@link MeasureRun}, so the two give the same output and exit status.
 * Mutable, filled by one parser on one thread.
 */
final class MeasureOptions {
  boolean verbose;
  String mode;
  String vcpus;
  String vcpuType;
  String vcpuSig;
  String vcpuFamily;
  String vcpuModel;
  String vcpuStepping;
  String vmmType;
  String ovmf;
  String kernel;
  String initrd;
  String append;
  String guestFeatures;
  String outputFormat;
  String snpOvmfHash;
  boolean dumpVmsa;
  String svsm;
  String varsSize;
  String varsFile;
  String pageLog;
  List<String> unmatched = new ArrayList<>();

  private List<Object> values() {
    return Arrays.asList(
        verbose, mode, vcpus, vcpuType, vcpuSig, vcpuFamily, vcpuModel, vcpuStepping, vmmType, ovmf,
        kernel, initrd, append, guestFeatures, outputFormat, snpOvmfHash, dumpVmsa, svsm, varsSize,
        varsFile, pageLog, unmatched);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MeasureOptions && values().equals(((MeasureOptions) o).values());
  }

  @Override
  public int hashCode() {
    return values().hashCode();
  }

  @Override
  public String toString() {
    return "MeasureOptions" + values();
  }
}
