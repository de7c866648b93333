package org.attest4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.snp.guest.SnpGuestReport;
import org.attest4j.snp.guest.SnpReportProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code attest4j snp report --data HEX [--out FILE] [--certs FILE] [--vmpl N]}: inside an SEV-SNP
 * guest, asks the platform for an attestation report binding the given report data, through
 * configfs-tsm or, failing that, {@code /dev/sev-guest}. Off a guest it fails with exit status 1
 * and says what it looked for.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Get an SEV-SNP attestation report on this guest (configfs-tsm, else /dev/sev-guest).",
      "Without --out the report is printed as hex.",
      "Exit status: 0 ok, 1 no guest interface or the platform refused, 2 usage error."
    })
final class SnpGuestReportCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "HEX", description = "report data, up to 64 bytes as hex (zero-padded)")
  String data;

  @Option(names = "--out", paramLabel = "FILE", description = "write the raw report (1184 bytes) here")
  Path out;

  @Option(names = "--certs", paramLabel = "FILE", description = "write the host's certificate table (VCEK/VLEK, ASK, ARK) here when there is one")
  Path certs;

  @Option(names = "--vmpl", paramLabel = "N", description = "request the report for VMPL N (0..3)")
  Integer vmpl;

  @Option(names = "--tsm-root", paramLabel = "DIR", hidden = true, description = "configfs-tsm report directory (default /sys/kernel/config/tsm/report)")
  Path tsmRoot = SnpReportProvider.DEFAULT_TSM_ROOT;

  @Option(names = "--device", paramLabel = "PATH", hidden = true, description = "SEV guest device (default /dev/sev-guest)")
  Path device = SnpReportProvider.DEFAULT_DEVICE;

  @Override
  public Integer call() {
    Optional<byte[]> reportData = reportData(data, "attest4j snp report");
    if (reportData.isEmpty()) {
      return Main.EXIT_USAGE;
    }
    if (vmpl != null && (vmpl < 0 || vmpl > 3)) {
      System.err.println("attest4j snp report: --vmpl must be 0..3");
      return Main.EXIT_USAGE;
    }
    try {
      SnpReportProvider p = SnpReportProvider.detect(tsmRoot, device);
      SnpGuestReport r = vmpl == null ? p.getReport(reportData.get()) : p.getReport(reportData.get(), vmpl);
      if (out != null) {
        Files.write(out, r.report());
        System.err.println("wrote " + out + " (" + r.report().length + " bytes, from " + r.source() + ")");
      } else {
        System.out.println(HexFormat.of().formatHex(r.report()));
      }
      if (certs != null) {
        if (r.certificateTable().isPresent()) {
          Files.write(certs, r.certificateTable().get());
          System.err.println("wrote " + certs + " (certificate table)");
        } else {
          System.err.println("the host supplied no certificate table; " + certs + " not written");
        }
      }
      return 0;
    } catch (EvidenceUnavailableException e) {
      System.err.println("attest4j snp report: " + e.reason().qualifiedCode() + ": " + e.getMessage());
      return Main.EXIT_REFUSED;
    } catch (IOException e) {
      System.err.println("attest4j snp report: cannot write output: " + e.getMessage());
      return Main.EXIT_REFUSED;
    }
  }

  /** The --data value as at most 64 bytes, or empty after printing a usage message (shared with tdx quote). */
  static Optional<byte[]> reportData(String hex, String command) {
    String h = hex.strip();
    if (h.startsWith("0x") || h.startsWith("0X")) {
      h = h.substring(2);
    }
    byte[] b;
    try {
      b = HexFormat.of().parseHex(h);
    } catch (IllegalArgumentException e) {
      System.err.println(command + ": --data must be hex (up to 128 hex digits): " + e.getMessage());
      return Optional.empty();
    }
    if (b.length > 64) {
      System.err.println(command + ": --data is " + b.length + " bytes; report data holds at most 64");
      return Optional.empty();
    }
    return Optional.of(b);
  }
}
