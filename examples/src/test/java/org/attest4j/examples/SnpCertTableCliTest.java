package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.testsupport.LoopbackServer;
import org.attest4j.testsupport.SharedData;
import org.attest4j.testsupport.SnpCertTableBytes;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code attest4j snp verify|show --cert-table}: every shared SNP vector packed as a certificate
 * table (a PEM auxblob with big-endian GUIDs, and DER entries with mixed-endian GUIDs) verifies or is
 * refused exactly as with {@code --vek/--chain}; VCEK-only tables are completed from {@code --chain}
 * or a loopback KDS; and a successful {@code --crl} is recorded in {@code --json}.
 */
class SnpCertTableCliTest {
  static final String DIR = SnpCommandTest.DIR;
  @TempDir Path tmp;

  static Path vekFile(Path d) {
    return Files.exists(d.resolve("vlek.der")) ? d.resolve("vlek.der") : d.resolve("vcek.der");
  }

  /** The vector's certificates packed as a table file. */
  Path tableFile(Path d, boolean pemBigEndian) throws IOException {
    byte[] vek = Files.readAllBytes(vekFile(d));
    UUID vekGuid = vekFile(d).getFileName().toString().equals("vlek.der") ? SnpCertTableBytes.VLEK : SnpCertTableBytes.VCEK;
    List<byte[]> chain = SnpCertTableBytes.pemBlocks(Files.readAllBytes(d.resolve("cert_chain.pem")));
    byte[] table = pemBigEndian
        ? SnpCertTableBytes.bigEndian().addPem(vekGuid, vek).addPem(SnpCertTableBytes.ASK, chain.get(0))
            .addPem(SnpCertTableBytes.ARK, chain.get(1)).build()
        : SnpCertTableBytes.mixedEndian().add(SnpCertTableBytes.ARK, chain.get(1))
            .add(SnpCertTableBytes.ASK, chain.get(0)).add(vekGuid, vek).build();
    Path f = tmp.resolve(d.getFileName() + (pemBigEndian ? ".auxblob" : ".certs"));
    Files.write(f, table);
    return f;
  }

  static String at(Path d) {
    return SnpCommandTest.windowStart(SharedData.json(DIR + "/" + d.getFileName() + "/meta.json").getAsJsonObject())
        .replace(' ', 'T');
  }

  @TestFactory
  Stream<DynamicTest> everyVectorVerifiesThroughCertTableAsThroughVekAndChain() {
    return SharedData.subdirectories(DIR).stream().flatMap(d -> Stream.of(true, false).map(pem ->
        DynamicTest.dynamicTest(d.getFileName() + (pem ? " PEM auxblob, big-endian GUIDs" : " DER, mixed-endian GUIDs"), () -> {
          JsonObject meta = SharedData.json(DIR + "/" + d.getFileName() + "/meta.json").getAsJsonObject();
          SnpCommandTest.Run viaTable = SnpCommandTest.run("snp", "verify", "--report", d.resolve("report.bin").toString(),
              "--cert-table", tableFile(d, pem).toString(), "--at", at(d), "--json");
          SnpCommandTest.Run viaFiles = SnpCommandTest.run("snp", "verify", "--report", d.resolve("report.bin").toString(),
              "--vek", vekFile(d).toString(), "--chain", d.resolve("cert_chain.pem").toString(), "--at", at(d), "--json");
          if (meta.get("valid").getAsBoolean()) {
            assertEquals(0, viaTable.code(), viaTable.err());
            SnpCommandTest.assertSubset(meta, viaTable.json(), d.getFileName().toString());
            JsonObject e = viaTable.json().getAsJsonObject("endorsements");
            assertEquals("certificate table", e.get("vek").getAsString());
            assertEquals("certificate table", e.get("chain").getAsString());
          } else {
            assertEquals(1, viaTable.code(), viaTable.out());
            assertEquals(viaFiles.json().get("reason_code"), viaTable.json().get("reason_code"), d.getFileName().toString());
          }
        })));
  }

  @Test
  void vcekOnlyTableIsCompletedFromChainFileOrKds() throws Exception {
    Path d = SharedData.path(DIR + "/genoa-v5-oak");
    Path only = tmp.resolve("vcek-only.auxblob");
    Files.write(only, SnpCertTableBytes.bigEndian().addPem(SnpCertTableBytes.VCEK, Files.readAllBytes(d.resolve("vcek.der"))).build());
    SnpCommandTest.Run withChain = SnpCommandTest.run("snp", "verify", "--report", d.resolve("report.bin").toString(),
        "--cert-table", only.toString(), "--chain", d.resolve("cert_chain.pem").toString(), "--at", at(d), "--json");
    assertEquals(0, withChain.code(), withChain.err());
    assertEquals("--chain", withChain.json().getAsJsonObject("endorsements").get("chain").getAsString());

    try (LoopbackServer kds = new LoopbackServer("fake-kds") {}) {
      kds.serve("/vcek/v1/Genoa/cert_chain", Files.readAllBytes(d.resolve("cert_chain.pem")));
      Path cache = tmp.resolve("cache");
      SnpCommandTest.Run fromKds = SnpCommandTest.run("snp", "verify", "--report", d.resolve("report.bin").toString(),
          "--cert-table", only.toString(), "--kds-url", kds.baseUri().toString(), "--cache", cache.toString(),
          "--at", at(d), "--json");
      assertEquals(0, fromKds.code(), fromKds.err());
      assertEquals("KDS " + kds.baseUri() + "/vcek/v1/Genoa/cert_chain",
          fromKds.json().getAsJsonObject("endorsements").get("chain").getAsString());
      assertEquals(1, kds.hits("/vcek/v1/Genoa/cert_chain"));
      // offline, from the cache the first run filled
      SnpCommandTest.Run offline = SnpCommandTest.run("snp", "verify", "--report", d.resolve("report.bin").toString(),
          "--cert-table", only.toString(), "--kds-url", kds.baseUri().toString(), "--cache", cache.toString(),
          "--offline", "--at", at(d), "--json");
      assertEquals(0, offline.code(), offline.err());
      assertEquals(1, kds.hits("/vcek/v1/Genoa/cert_chain"));
    }
    // offline with an empty cache: refused, saying so
    SnpCommandTest.Run miss = SnpCommandTest.run("snp", "verify", "--report", d.resolve("report.bin").toString(),
        "--cert-table", only.toString(), "--offline", "--cache", tmp.resolve("empty").toString(), "--at", at(d));
    assertEquals(1, miss.code());
    assertTrue(miss.err().contains("OFFLINE_CACHE_MISS"), miss.err());
  }

  @Test
  void showListsTheEntries() throws Exception {
    Path d = SharedData.path(DIR + "/milan-v3-vlek-aws");
    Path t = tableFile(d, true);
    SnpCommandTest.Run r = SnpCommandTest.run("snp", "show", "--cert-table", t.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonArray entries = r.json().getAsJsonArray("cert_table");
    assertEquals(3, entries.size());
    JsonObject vlek = entries.get(0).getAsJsonObject();
    assertEquals("VLEK", vlek.get("type").getAsString());
    assertEquals("a8074bc2-a25a-483e-aae6-39c045a0b8a1", vlek.get("guid").getAsString());
    assertEquals("PEM", vlek.get("encoding").getAsString());
    assertEquals("SEV-VLEK", vlek.get("subject_cn").getAsString());
    assertEquals("SEV-VLEK-Milan", vlek.get("issuer_cn").getAsString());
    assertEquals("ARK-Milan", entries.get(2).getAsJsonObject().get("subject_cn").getAsString());
    assertFalse(r.json().has("version")); // no --report, no report fields

    SnpCommandTest.Run text = SnpCommandTest.run("snp", "show", "--report", d.resolve("report.bin").toString(),
        "--cert-table", tableFile(d, false).toString());
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("cert_table: 3 entries"), text.out());
    assertTrue(text.out().contains("[0] ARK c0b406a4-a803-4952-9743-3fb6014cd0ae DER"), text.out());
    assertTrue(text.out().contains("measurement: "), text.out());

    Path junk = tmp.resolve("junk");
    Files.write(junk, new byte[] {1, 2, 3});
    SnpCommandTest.Run bad = SnpCommandTest.run("snp", "show", "--cert-table", junk.toString(), "--json");
    assertEquals(1, bad.code());
    assertEquals("SnpReason.MALFORMED_CERT_TABLE", bad.json().get("reason_code").getAsString());
  }

  @Test
  void successfulCrlIsRecordedInJson() throws Exception {
    SimulatedSnpPlatform p = SimulatedSnpPlatform.create(Product.MILAN);
    Path report = tmp.resolve("sim.bin");
    Files.write(report, p.reportBuilder().sign());
    Path table = tmp.resolve("sim.certs");
    Files.write(table, p.certTable());
    Path ark = tmp.resolve("ark.der");
    Files.write(ark, p.arkDer());
    Instant now = p.notBefore().plus(Duration.ofDays(1));
    Path crl = tmp.resolve("crl.der");
    Files.write(crl, p.crlDer(now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7))));
    SnpCommandTest.Run r = SnpCommandTest.run("snp", "verify", "--report", report.toString(), "--cert-table", table.toString(),
        "--trust-ark", ark.toString(), "--crl", crl.toString(), "--at", now.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject c = r.json().getAsJsonObject("crl");
    assertTrue(c.get("checked").getAsBoolean());
    assertEquals("ARK-Milan", c.get("issuer_cn").getAsString());
    assertEquals(0, c.get("revoked_entries").getAsInt());
    assertEquals(crl.toString(), c.get("file").getAsString());
    assertTrue(r.json().getAsJsonObject("checks").get("crl_not_revoked").getAsBoolean());
    // without --crl there is no trace of one
    SnpCommandTest.Run plain = SnpCommandTest.run("snp", "verify", "--report", report.toString(), "--cert-table", table.toString(),
        "--trust-ark", ark.toString(), "--at", now.toString(), "--json");
    assertEquals(0, plain.code(), plain.err());
    assertFalse(plain.json().has("crl"));
    assertFalse(plain.json().getAsJsonObject("checks").has("crl_not_revoked"));
    // a CRL revoking the ASK refuses
    Files.write(crl, p.crlDer(now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)), p.askSerial()));
    SnpCommandTest.Run revoked = SnpCommandTest.run("snp", "verify", "--report", report.toString(), "--cert-table",
        table.toString(), "--trust-ark", ark.toString(), "--crl", crl.toString(), "--at", now.toString(), "--json");
    assertEquals(1, revoked.code());
    assertEquals("SnpReason.CERTIFICATE_REVOKED", revoked.json().get("reason_code").getAsString());
    // the simulated root is not trusted without --trust-ark
    SnpCommandTest.Run untrusted = SnpCommandTest.run("snp", "verify", "--report", report.toString(), "--cert-table",
        table.toString(), "--at", now.toString(), "--json");
    assertEquals("SnpReason.UNTRUSTED_ROOT", untrusted.json().get("reason_code").getAsString());
  }

  @Test
  void usageErrors() throws Exception {
    Path d = SharedData.path(DIR + "/genoa-v5-oak");
    String rep = d.resolve("report.bin").toString();
    Path t = tableFile(d, true);
    assertEquals(2, SnpCommandTest.run("snp", "verify", "--report", rep, "--cert-table", t.toString(),
        "--vek", d.resolve("vcek.der").toString()).code());
    assertEquals(2, SnpCommandTest.run("snp", "verify", "--report", rep, "--vek", d.resolve("vcek.der").toString(),
        "--chain", d.resolve("cert_chain.pem").toString(), "--offline").code());
    assertEquals(2, SnpCommandTest.run("snp", "verify", "--report", rep, "--cert-table", tmp.resolve("none").toString()).code());
    assertEquals(2, SnpCommandTest.run("snp", "show", "--json").code());
  }
}
