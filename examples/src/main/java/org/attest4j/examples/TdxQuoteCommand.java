package org.attest4j.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.tdx.guest.TdxGuestQuote;
import org.attest4j.tdx.guest.TdxQuoteProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code attest4j tdx quote --data HEX [--out FILE]}: inside a TDX guest, gets a quote binding the
 * report data through configfs-tsm. Off a guest it fails with exit status 1 and says why.
 */
@Command(
    name = "quote",
    mixinStandardHelpOptions = true,
    description = {
      "Get a TDX quote on this guest (configfs-tsm, Linux 6.7+).",
      "Without --out the quote is printed as hex.",
      "Exit status: 0 ok, 1 no guest interface or the platform refused, 2 usage error."
    })
final class TdxQuoteCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "HEX", description = "report data, up to 64 bytes as hex (zero-padded)")
  String data;

  @Option(names = "--out", paramLabel = "FILE", description = "write the raw quote here")
  Path out;

  @Option(names = "--tsm-root", paramLabel = "DIR", hidden = true, description = "configfs-tsm report directory (default /sys/kernel/config/tsm/report)")
  Path tsmRoot = TdxQuoteProvider.DEFAULT_TSM_ROOT;

  @Override
  public Integer call() {
    Optional<byte[]> reportData = SnpGuestReportCommand.reportData(data, "attest4j tdx quote");
    if (reportData.isEmpty()) {
      return Main.EXIT_USAGE;
    }
    try {
      TdxGuestQuote q = TdxQuoteProvider.detect(tsmRoot).getQuote(reportData.get());
      if (out != null) {
        Files.write(out, q.quote());
        System.err.println("wrote " + out + " (" + q.quote().length + " bytes, from " + q.source() + ")");
      } else {
        System.out.println(HexFormat.of().formatHex(q.quote()));
      }
      return 0;
    } catch (EvidenceUnavailableException e) {
      System.err.println("attest4j tdx quote: " + e.reason().qualifiedCode() + ": " + e.getMessage());
      return Main.EXIT_REFUSED;
    } catch (IOException e) {
      System.err.println("attest4j tdx quote: cannot write output: " + e.getMessage());
      return Main.EXIT_REFUSED;
    }
  }
}
