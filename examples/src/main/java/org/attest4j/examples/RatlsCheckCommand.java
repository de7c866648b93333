package org.attest4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.attest4j.ratls.DstackPlatformVerifier;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.snp.SnpVerifier;
import org.attest4j.snp.kds.KdsClient;
import org.attest4j.tdx.TdxVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j ratls check}: verifies a dstack RA-TLS certificate in one of five modes and prints
 * the verdict, the reject stage, the platform, the wire format and the report_data. Exit status 0
 * accepted, 1 rejected, 2 usage error.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Check a dstack RA-TLS certificate: chain/profile by mode, the attestation extension (OID .8 or",
      "legacy .1+.2), the key binding, the evidence consistency and, unless --offline, the vendor",
      "signatures (TDX: quote, QE report, PCK chain to the pinned Intel root; SEV-SNP: VCEK chain to the",
      "pinned AMD roots, certificates from the attestation or AMD KDS).",
      "Exit status: 0 accepted, 1 rejected, 2 usage error."
    })
final class RatlsCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--cert", required = true, paramLabel = "FILE", description = "Certificate, PEM or DER")
  Path cert;

  @Option(names = "--mode", required = true, paramLabel = "MODE",
      description = "kms-client | kms-server | app-leaf | verifier-oneshot | ratls-only")
  String mode;

  @Option(names = "--ca", paramLabel = "FILE",
      description = "CA the certificate chains to (temp CA, KMS root CA or app CA; required by kms-client, kms-server, app-leaf)")
  Path ca;

  @Option(names = "--at", paramLabel = "INSTANT", description = "Verification time: ISO-8601 or unix seconds (default: now)")
  String at;

  @Option(names = "--offline", description = "Skip the vendor signatures and collateral (said so in the output)")
  boolean offline;

  @Option(names = "--json", description = "Print one JSON object on stdout")
  boolean json;

  @Override
  public Integer call() throws IOException {
    RatlsVerifier.Mode m;
    try {
      m = RatlsVerifier.Mode.fromLabel(mode);
    } catch (IllegalArgumentException e) {
      return MeasureCommand.usageError(spec, new ParameterException(spec.commandLine(), e.getMessage()));
    }
    Optional<Instant> when = CliInstant.parse(at);
    if (at != null && when.isEmpty()) {
      return MeasureCommand.usageError(spec, new ParameterException(spec.commandLine(),
          "--at '" + at + "' is not " + CliInstant.FORMS));
    }
    Clock clock = when.map(i -> Clock.fixed(i, ZoneOffset.UTC)).orElse(Clock.systemUTC());
    RatlsVerifier.Builder b = RatlsVerifier.builder(m).clock(clock);
    if (ca != null) {
      b.trustedCa(Files.readAllBytes(ca));
    } else if (m != RatlsVerifier.Mode.VERIFIER_ONESHOT && m != RatlsVerifier.Mode.RATLS_ONLY) {
      return MeasureCommand.usageError(spec, new ParameterException(spec.commandLine(),
          "--mode " + mode + " needs --ca FILE"));
    }
    if (!offline) {
      b.platformVerifier(DstackPlatformVerifier.of(
          SnpVerifier.builder().clock(clock).build(), KdsClient.create(),
          TdxVerifier.builder().clock(clock).build(), q -> Optional.empty()));
    }
    RatlsVerdict v = b.build().verify(Files.readAllBytes(cert));
    print(v, m);
    return v.accepted() ? 0 : Main.EXIT_REFUSED;
  }

  private void print(RatlsVerdict v, RatlsVerifier.Mode m) {
    PrintWriter out = spec.commandLine().getOut();
    JsonObject o = new JsonObject();
    o.addProperty("verdict", v.accepted() ? "accept" : "reject");
    o.addProperty("mode", m.label());
    o.addProperty("stage", v.rejectStage().map(RatlsVerifier.Stage::label).orElse(null));
    v.reason().ifPresent(r -> o.addProperty("reason", r.qualifiedCode()));
    v.message().ifPresent(s -> o.addProperty("message", s));
    o.addProperty("platform", v.attestation().map(a -> a.attestation().platform().kind()).orElse(null));
    o.addProperty("stack", v.attestation().map(a -> a.attestation().stack().kind()).orElse(null));
    o.addProperty("wire_format", v.source().filter(s -> s.equals("oid-1.8"))
        .flatMap(s -> v.attestation().map(a -> a.wireFormat().label())).orElse(null));
    o.addProperty("source", v.source().orElse(null));
    o.addProperty("report_data",
        v.attestation().map(a -> a.attestation().stack().reportData().toHex()).orElse(null));
    o.addProperty("expected_report_data", v.expectedReportData().map(Object::toString).orElse(null));
    JsonArray checks = new JsonArray();
    v.checks().forEach(checks::add);
    o.add("offline_checks", checks);
    o.addProperty("vendor_signatures", offline ? "not checked (--offline)"
        : v.vendorChecked() ? "verified" : "not reached");
    if (json) {
      out.println(new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(o));
    } else {
      for (String k : o.keySet()) {
        if (!o.get(k).isJsonNull()) {
          out.println(k + ": " + (o.get(k).isJsonPrimitive() ? o.get(k).getAsString() : o.get(k)));
        }
      }
    }
    out.flush();
    if (!v.accepted()) {
      spec.commandLine().getErr().println("rejected at " + v.rejectStage().get().label() + ": "
          + v.message().orElse(""));
    }
  }
}
