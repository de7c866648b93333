package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.attest4j.core.AttestationException;
import org.attest4j.core.EndorsementUnavailableException;
import org.attest4j.snp.Product;
import org.attest4j.snp.SigningKey;
import org.attest4j.snp.SnpReport;
import org.attest4j.snp.TcbVersion;
import org.attest4j.snp.kds.KdsClient;
import org.attest4j.snp.kds.KdsReason;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code attest4j snp fetch --report FILE [--kds-url URL] [--cache DIR] [--out DIR]}: fetches the
 * VCEK (or, when the server serves it, the VLEK) and the KDS {@code cert_chain} for a report and
 * writes {@code vcek.der} (or {@code vlek.der}) and {@code cert_chain.pem}. Every certificate is
 * checked against AMD's pinned roots and the report's hwID and TCB before it is written; validity
 * periods are checked only with {@code --at} (verify later with {@code attest4j snp verify --at}).
 */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch the VCEK (or VLEK) and cert_chain.pem for a report from AMD KDS.",
      "Writes vcek.der (or vlek.der) and cert_chain.pem into --out.",
      "Exit status: 0 written, 1 refused or unavailable (reason on stderr), 2 usage error."
    })
final class SnpFetchCommand implements Callable<Integer> {
  @Option(names = "--report", required = true, paramLabel = "FILE", description = "the raw attestation report (1184 bytes)")
  Path report;

  @Option(names = "--kds-url", paramLabel = "URL", description = "KDS base URL (default: https://kdsintf.amd.com)")
  String kdsUrl;

  @Option(names = "--cache", paramLabel = "DIR", description = "a cache directory (verified entries are reused; AMD throttles at ~1 request/10 s)")
  Path cache;

  @Option(names = "--out", paramLabel = "DIR", description = "where to write the files (default: current directory)")
  Path out = Paths.get(".");

  @Option(names = "--product", paramLabel = "NAME", description = "Milan, Genoa (Siena, Bergamo) or Turin; needed only for v2 reports (else Milan then Genoa are tried)")
  String product;

  @Option(names = "--offline", description = "use only the cache, never the network")
  boolean offline;

  @Option(names = "--at", paramLabel = "INSTANT", description = "also require the certificates to be valid at this ISO-8601 instant")
  String at;

  @Option(names = "--json", description = "print a JSON summary on stdout")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(report);
    } catch (IOException e) {
      return usage("cannot read --report " + report + ": " + e.getMessage());
    }
    if (bytes.length >= 0x20 + SnpReport.SIZE && bytes[0] == 'H' && bytes[1] == 'C' && bytes[2] == 'L' && bytes[3] == 'A') {
      // an Azure HCL report: the SNP report sits at offset 0x20
      bytes = java.util.Arrays.copyOfRange(bytes, 0x20, 0x20 + SnpReport.SIZE);
    }
    Optional<Product> forced = Optional.empty();
    if (product != null) {
      forced = Product.fromName(product);
      if (forced.isEmpty()) {
        return usage("unknown --product '" + product + "' (Milan, Genoa, Siena, Bergamo or Turin)");
      }
    }
    KdsClient.Builder b = KdsClient.builder().fetchVlek(true).offline(offline);
    if (kdsUrl != null) {
      try {
        b.baseUri(URI.create(kdsUrl));
      } catch (IllegalArgumentException e) {
        return usage("bad --kds-url '" + kdsUrl + "': " + e.getMessage());
      }
    }
    if (cache != null) {
      b.cacheDirectory(cache);
    }
    if (at != null) {
      Optional<Instant> when = CliInstant.parse(at);
      if (when.isEmpty()) {
        return usage("bad --at '" + at + "': use " + CliInstant.FORMS);
      }
      b.clock(Clock.fixed(when.get(), ZoneOffset.UTC)).checkValidity(true);
    } else {
      b.checkValidity(false);
    }
    KdsClient kds = b.build();

    try {
      SnpReport r = SnpReport.parse(bytes);
      SigningKey key = r.signingKey();
      if (key == SigningKey.NONE) {
        return refused("the report is unsigned (SIGNING_KEY=NONE): there is no VCEK or VLEK to fetch");
      }
      List<Product> candidates = new ArrayList<>();
      if (r.product().isPresent()) {
        candidates.add(r.product().get());
      } else if (forced.isPresent()) {
        candidates.add(forced.get());
      } else {
        candidates.add(Product.MILAN);
        candidates.add(Product.GENOA);
      }
      return key == SigningKey.VLEK ? fetchVlek(kds, r, candidates) : fetchVcek(kds, r, candidates);
    } catch (AttestationException e) {
      return refused(e.reason().qualifiedCode() + ": " + e.getMessage());
    } catch (IOException e) {
      return refused("cannot write to " + out + ": " + e.getMessage());
    }
  }

  private int fetchVcek(KdsClient kds, SnpReport r, List<Product> candidates)
      throws AttestationException, IOException {
    EndorsementUnavailableException notFound = null;
    byte[] chipId = r.chipId().toByteArray();
    for (Product p : candidates) {
      TcbVersion tcb = TcbVersion.of(p, r.rawReportedTcb());
      X509Certificate vcek;
      try {
        vcek = kds.vcek(p, chipId, tcb);
      } catch (EndorsementUnavailableException e) {
        if (e.reason() == KdsReason.NOT_FOUND && candidates.size() > 1) {
          notFound = e;
          continue;
        }
        throw e;
      }
      byte[] chain = kds.certChainPem(p, SigningKey.VCEK);
      Path vekFile = write("vcek.der", encoded(vcek));
      Path chainFile = write("cert_chain.pem", chain);
      report(p, SigningKey.VCEK, tcb, kds.vcekSource(p, chipId, tcb), vekFile, chainFile, chipId);
      return 0;
    }
    throw notFound;
  }

  private int fetchVlek(KdsClient kds, SnpReport r, List<Product> candidates)
      throws AttestationException, IOException {
    Product p = candidates.get(0);
    TcbVersion tcb = TcbVersion.of(p, r.rawReportedTcb());
    byte[] chain = kds.certChainPem(p, SigningKey.VLEK);
    Path chainFile = write("cert_chain.pem", chain);
    X509Certificate vlek;
    try {
      vlek = kds.vlek(p, tcb);
    } catch (EndorsementUnavailableException e) {
      return refused(
          "the report is VLEK-signed; wrote the ASVK/ARK chain to " + chainFile + " but the KDS at "
              + kds.vlekUri(p, tcb) + " did not serve the VLEK (" + e.reason().qualifiedCode() + ": "
              + e.getMessage() + "). AMD hands VLEKs only to cloud providers: take it from the"
              + " guest's certificate table (attest4j snp report --certs FILE on the guest).");
    }
    Path vekFile = write("vlek.der", encoded(vlek));
    report(p, SigningKey.VLEK, tcb, kds.vlekSource(p, tcb), vekFile, chainFile, null);
    return 0;
  }

  private void report(
      Product p, SigningKey key, TcbVersion tcb, URI uri, Path vekFile, Path chainFile, byte[] chipId) {
    if (json) {
      JsonObject o = new JsonObject();
      o.addProperty("product", p.kdsName());
      o.addProperty("signing_key", key.name());
      o.addProperty("reported_tcb", String.format("0x%016x", tcb.raw()));
      if (chipId != null) {
        o.addProperty("hwid", HexFormat.of().formatHex(chipId, 0, p.hwIdLength()));
      }
      o.addProperty("url", uri.toString());
      o.addProperty(key == SigningKey.VLEK ? "vlek" : "vcek", vekFile.toString());
      o.addProperty("cert_chain", chainFile.toString());
      System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
    } else {
      System.out.println(
          "wrote " + vekFile + " (" + key + " for " + p + ", TCB " + tcb + ") and " + chainFile);
    }
  }

  private Path write(String name, byte[] data) throws IOException {
    Files.createDirectories(out);
    Path target = out.resolve(name);
    Path tmp = out.resolve("." + name + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".part");
    try {
      Files.write(tmp, data);
      Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  private static byte[] encoded(X509Certificate c) throws EndorsementUnavailableException {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new EndorsementUnavailableException(KdsReason.BAD_RESPONSE, "cannot encode the certificate", null, e);
    }
  }

  private int refused(String message) {
    System.err.println("attest4j snp fetch: " + message);
    return Main.EXIT_REFUSED;
  }

  private int usage(String message) {
    System.err.println("attest4j snp fetch: " + message);
    return Main.EXIT_USAGE;
  }
}
